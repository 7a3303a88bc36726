"""`fokus tag` and `fokus evaluate`: the codebook's rules as suggestions, and how well they match the researchers."""

from __future__ import annotations

import json
from typing import Any

import click

from fokus.cli.common import RAW_CSV_OPTION, open_ctx, print_rows, progress_bar


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
    from fokus.api.tagging import parse_ahead, tag_messages
    from fokus.domain.settings import MODEL_SETTING, get_setting, set_setting
    from fokus.nlp import load_pipeline

    if n_process < 1 or batch_size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--n-process/--batch-size")
    project = open_ctx(ctx)
    with project.read() as session:
        remembered = get_setting(session, MODEL_SETTING)
    nlp = load_pipeline(model or remembered)
    with progress_bar("tag") as progress:
        with project.read() as session:  # spaCy's part holds no lock: coders go on working meanwhile
            ahead = parse_ahead(session, nlp, batch_size=batch_size, n_process=n_process, progress=progress)
        with project.begin() as session:
            report = tag_messages(
                session, nlp, batch_size=batch_size, n_process=n_process, progress=progress, ahead=ahead
            )
            if model:
                set_setting(session, MODEL_SETTING, model)
    echo_tagging(report)


def echo_tagging(report: Any) -> None:
    if report.parsed == 0 and not report.cancelled:
        click.echo(
            f"Nothing new or affected: all {report.messages} messages are tagged with {report.pipeline}"
            f" and the current {report.rules} rules."
        )
        return
    click.echo(
        f"Tagged with {report.pipeline} and {report.rules} rules: read {report.parsed} of {report.messages} messages"
        f" ({report.units} sentences)."
    )
    if report.rules_changed or report.rules_removed:
        click.echo(f"Rules new or changed: {len(report.rules_changed)}; removed: {len(report.rules_removed)}.")
    click.echo(
        f"Suggestions: {report.suggested} new, {report.updated} updated, {report.withdrawn} withdrawn;"
        f" {report.kept_decided} left alone where a researcher has decided."
    )


@click.command("evaluate")
@click.option("--level", type=click.Choice(["theme", "code"]), default="theme", show_default=True)
@click.option("--model", help="The spaCy pipeline to evaluate with (default: the project's).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def evaluate_command(ctx: click.Context, level: str, model: str | None, fmt: str) -> None:
    """Precision, recall and F1 of the codebook's rules against the researchers' own coding, per theme.

    Runs the rules afresh on the sentences researchers coded; the gold standard is what any of them coded there.

    \b
    Example:
      fokus evaluate --level code --format json
    """
    from fokus.api.evaluation import evaluate as run
    from fokus.domain.settings import MODEL_SETTING, get_setting
    from fokus.nlp import load_pipeline

    project = open_ctx(ctx)
    with project.read() as session:
        result = run(session, load_pipeline(model or get_setting(session, MODEL_SETTING)), level=level)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    columns = ["theme", "precision", "recall", "f1", "true_positives", "false_positives", "false_negatives", "support"]
    rows = [*result["rows"], result["micro"]]
    if fmt == "md":
        click.echo("| " + " | ".join(columns) + " |")
        click.echo("|" + "---|" * len(columns))
        for row in rows:
            click.echo("| " + " | ".join("" if row[c] is None else str(row[c]) for c in columns) + " |")
    else:
        title = f"{result['rules']} rules ({result['pipeline']}) against the hand coding of {result['units']} sentences"
        print_rows(rows, columns, fmt, title=title)
    if fmt != "csv":
        click.echo(f"Macro F1: {result['macro_f1']}")
