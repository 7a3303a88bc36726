"""`fokus tag` and `fokus evaluate`: the codebook's rules as suggestions, and how well they match the researchers."""

from __future__ import annotations

import json
from typing import Any

import click

from fokus.cli.common import OUTPUT_OPTION, RAW_CSV_OPTION, emit, heading, open_ctx, print_rows, progress_bar, shown
from fokus.i18n import _
from fokus.i18n.formats import number


@click.command("tag")
@click.option(
    "--model",
    help="A spaCy package or pipeline folder (remembered for the project); default: nb_core_news_sm if installed,"
    " else the built-in Norwegian pipeline (fokus-nb).",
)
@click.option("--n-process", default=1, show_default=True, help="Worker processes for spaCy.")
@click.option("--batch-size", default=256, show_default=True, help="Texts per spaCy batch.")
@click.pass_context
def tag_command(ctx: click.Context, model: str | None, n_process: int, batch_size: int) -> None:
    """Suggest codes from the codebook's rules, sentence by sentence; only what is new or affected is read again.

    Suggestions never overwrite a decision: what a researcher accepted or rejected stays so.

    \b
    Example:
      fokus tag --n-process 2
    """
    from fokus.api.learning import combine_with_model, models_folder
    from fokus.api.tagging import parse_ahead, tag_messages
    from fokus.domain.settings import MODEL_SETTING, get_setting, set_setting
    from fokus.nlp import load_pipeline

    if n_process < 1 or batch_size < 1:
        raise click.BadParameter(_("must be at least 1"), param_hint="--n-process/--batch-size")
    project = open_ctx(ctx)
    with project.read() as session:
        remembered = get_setting(session, MODEL_SETTING)
    nlp = load_pipeline(model or remembered)
    with progress_bar(_("tag")) as progress:
        with project.read() as session:  # spaCy's part holds no lock: coders go on working meanwhile
            ahead = parse_ahead(session, nlp, batch_size=batch_size, n_process=n_process, progress=progress)
        with project.begin() as session:
            report = tag_messages(
                session, nlp, batch_size=batch_size, n_process=n_process, progress=progress, ahead=ahead
            )
            if model:
                set_setting(session, MODEL_SETTING, model)
            # the combiner scores everything again: only worth it when tagging changed the rules' suggestions
            changed = report.suggested or report.updated or report.withdrawn
            combined = combine_with_model(session, models_folder(project.sqlite_path)) if changed else None
    echo_tagging(report)
    if combined is not None:
        click.echo(
            _(
                "Ranked with model {version}'s combined confidence: {suggested} new from the model, {updated} updated,"
                " {withdrawn} of the model's withdrawn."
            ).format(
                version=combined.version,
                suggested=number(combined.suggested),
                updated=number(combined.merged + combined.updated),
                withdrawn=number(combined.withdrawn),
            )
        )


def echo_tagging(report: Any) -> None:
    """What `fokus tag` (or the demo) read, and what became of the suggestions."""
    if report.parsed == 0 and not report.cancelled:
        click.echo(
            _(
                "Nothing new or affected: all {messages} messages are tagged with {pipeline} and the current {rules}"
                " rules."
            ).format(messages=number(report.messages), pipeline=report.pipeline, rules=number(report.rules))
        )
        return
    click.echo(
        _("Tagged with {pipeline} and {rules} rules: read {parsed} of {messages} messages ({units} sentences).").format(
            pipeline=report.pipeline,
            rules=number(report.rules),
            parsed=number(report.parsed),
            messages=number(report.messages),
            units=number(report.units),
        )
    )
    if report.rules_changed or report.rules_removed:
        click.echo(
            _("Rules new or changed: {changed}; removed: {removed}.").format(
                changed=number(len(report.rules_changed)), removed=number(len(report.rules_removed))
            )
        )
    click.echo(
        _(
            "Suggestions: {suggested} new, {updated} updated, {withdrawn} withdrawn; {kept} left alone where a"
            " researcher has decided."
        ).format(
            suggested=number(report.suggested),
            updated=number(report.updated),
            withdrawn=number(report.withdrawn),
            kept=number(report.kept_decided),
        )
    )


@click.command("evaluate")
@click.option("--level", type=click.Choice(["theme", "code"]), default="theme", show_default=True)
@click.option("--model", help="The spaCy pipeline to evaluate with (default: the project's).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default="table", show_default=True)
@click.option(
    "--cross-validate",
    "cross_validate",
    is_flag=True,
    help="The rules, a model and the two combined, each cross-validated by thread on the team's decisions.",
)
@click.option("--folds", default=5, show_default=True, help="Folds of threads, with --cross-validate.")
@click.option(
    "--target-precision", default=0.8, show_default=True, help="The thresholds' target, with --cross-validate."
)
@click.option("--curve", is_flag=True, help="With --cross-validate: F1 against the share of threads trained on.")
@click.option("--weak", is_flag=True, help="With --cross-validate: the models learn as `fokus learn --weak` does.")
@OUTPUT_OPTION
@RAW_CSV_OPTION
@click.pass_context
def evaluate_command(
    ctx: click.Context,
    level: str,
    model: str | None,
    fmt: str,
    cross_validate: bool,
    folds: int,
    target_precision: float,
    curve: bool,
    weak: bool,
    output: str | None,
) -> None:
    """Precision, recall and F1 of the codebook's rules against the researchers' own coding, per theme.

    Runs the rules afresh on the sentences researchers coded; the gold standard is what any of them coded there.
    With --cross-validate: the rules, a model and the two combined (what `fokus suggest` shows), each scored on
    threads it was not trained on, per theme or code and pooled, with the combined confidence's calibration.

    \b
    Examples:
      fokus evaluate --level code --format json
      fokus evaluate --cross-validate --format md -o forslag.md
      fokus evaluate --cross-validate --curve
    """
    from fokus.api.evaluation import evaluate as run
    from fokus.domain.settings import MODEL_SETTING, get_setting
    from fokus.nlp import load_pipeline

    alone = [name for name, given in (("--curve", curve), ("--weak", weak), ("-o", output)) if given]
    if alone and not cross_validate:
        raise click.UsageError(
            _("{options} goes with --cross-validate (the rules' own table prints to stdout)").format(
                options=", ".join(alone)
            )
        )
    project = open_ctx(ctx)
    if cross_validate:
        from fokus.api.suggestion_quality import SHOWN, cross_validated, learning_curve, quality

        if folds < 2 or not 0 < target_precision <= 1:
            raise click.BadParameter(_("--folds must be at least 2 and --target-precision between 0 and 1"))
        with project.read() as session:
            nlp = load_pipeline(model or get_setting(session, MODEL_SETTING))
            predictions = cross_validated(session, nlp, folds=folds, target_precision=target_precision, weakly=weak)
            report = quality(predictions, level=level, target_precision=target_precision)
            if curve:
                report.curve = learning_curve(
                    session, nlp, folds=folds, level=level, target_precision=target_precision, weakly=weak
                )
        emit(report, fmt, output)
        if fmt == "table":
            for row in report.summary:
                click.echo(
                    _("{source}: precision {precision}, recall {recall}, F1 {f1} (micro), macro F1 {macro_f1}").format(
                        source=_(SHOWN[row["source"]]) if row["source"] in SHOWN else row["source"],
                        precision=shown(row["precision"]),
                        recall=shown(row["recall"]),
                        f1=shown(row["f1"]),
                        macro_f1=shown(row["macro_f1"]),
                    )
                )
            if report.curve:
                print_rows(report.curve, list(report.curve[0]), "table", title=_("Learning curve"))
        return
    with project.read() as session:
        result = run(session, load_pipeline(model or get_setting(session, MODEL_SETTING)), level=level)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    columns = ["theme", "precision", "recall", "f1", "true_positives", "false_positives", "false_negatives", "support"]
    rows = [*result["rows"], result["micro"]]
    if fmt != "csv":  # the pooled row's label, for people
        rows[-1] = {**rows[-1], "theme": _("micro")}
    if fmt == "md":
        click.echo("| " + " | ".join(heading(c) for c in columns) + " |")
        click.echo("|" + "---|" * len(columns))
        for row in rows:
            click.echo("| " + " | ".join(shown(row[c]) for c in columns) + " |")
    else:
        title = _("{rules} rules ({pipeline}) against the hand coding of {units} sentences").format(
            rules=number(result["rules"]), pipeline=result["pipeline"], units=number(result["units"])
        )
        print_rows(rows, columns, fmt, title=title)
    if fmt != "csv":
        click.echo(_("Macro F1: {value}").format(value=shown(result["macro_f1"])))
