"""Learning from the researchers' decisions: `fokus learn` trains a model, `fokus suggest` lets it propose codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, heading, open_ctx
from fokus.i18n import N_, _
from fokus.i18n.formats import number

MODELS_OPTION = click.option(
    "--models",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder for model files (default: <project>.models beside a SQLite project; in the database itself for"
    " a project on a server).",
)


def _folder(project: Any, models: Path | None) -> Path | None:
    from fokus.api.learning import models_folder

    return models_folder(project.sqlite_path, models)


@click.command("learn")
@click.option("--target-precision", default=0.8, show_default=True, help="Each code's threshold reaches this.")
@click.option("--min-examples", default=8, show_default=True, help="Codes with fewer coded sentences are skipped.")
@click.option("--folds", type=int, help="Cross-validation folds (default: 5, or 3 past 5,000 decided sentences).")
# accepted so that scripts written for earlier versions still run: the codes are now fitted one after another (each
# fit takes a fraction of a second, and liblinear's one random generator would make parallel fits differ run to run)
@click.option("--jobs", type=int, hidden=True)
@click.option("--curve", is_flag=True, help="Print a learning curve (F1 against coded sentences) instead.")
@click.option(
    "--weak",
    is_flag=True,
    help="Also learn from the rules' suggestions on sentences nobody decided on, weighted by how often the team"
    " confirmed each code's rules (the model alone gets better; together with the rules, on the demo, not).",
)
@MODELS_OPTION
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def learn_command(
    ctx: click.Context,
    target_precision: float,
    min_examples: int,
    folds: int | None,
    jobs: int | None,
    curve: bool,
    weak: bool,
    models: Path | None,
    fmt: str,
    output: str | None,
) -> None:
    """Train a model on the team's decisions: accepted codings, and rejected suggestions as counter-examples.

    One calibrated linear model per code on lemma TF-IDF (words, word pairs and character n-grams, so compounds
    help), scored by cross-validation; each code's threshold is chosen to reach the target precision. Codes with
    too few examples are skipped and named. The model is saved as a new version beside the project.

    \b
    Examples:
      fokus learn
      fokus learn --target-precision 0.9 --format md -o modell.md
      fokus learn --curve
    """
    import os

    from fokus.api.learning import learning_curve, save_model, train_model

    jobs = jobs or os.cpu_count() or 1
    if (folds is not None and folds < 2) or min_examples < 1 or jobs < 1:
        raise click.BadParameter(_("--folds must be at least 2, --min-examples and --jobs at least 1"))
    project = open_ctx(ctx)
    if curve:
        with project.read() as session:
            points = learning_curve(session, target_precision=target_precision)
        emit(_Curve(points), fmt, output)
        return
    folder = _folder(project, models)
    with project.read() as session:  # training holds no write lock: the TUI and other coders go on working
        trained = train_model(
            session,
            target_precision=target_precision,
            min_examples=min_examples,
            folds=folds,
            n_jobs=jobs,
            weakly=weak,
        )
    with project.begin() as session:
        report = save_model(session, folder, trained)
    emit(report, fmt, output)
    if fmt == "table":
        suggested = sum(1 for s in report.model.scores if s.threshold is not None)
        if folder is None:
            saved = _(
                "Model {version} saved in the database: {suggested} of {codes} codes suggested; micro F1 {f1}."
                " Next: fokus suggest"
            )
        else:
            saved = _(
                "Model {version} saved as {path}: {suggested} of {codes} codes suggested; micro F1 {f1}."
                " Next: fokus suggest"
            )
        click.echo(
            saved.format(
                version=report.version,
                path=report.path,
                suggested=number(suggested),
                codes=number(len(report.model.scores)),
                f1=number(report.model.micro_f1() or 0, 3),
            )
        )


class _Curve:
    """The learning curve as a report; its title and headings in the reader's language."""

    def __init__(self, points: list[dict[str, Any]]) -> None:
        self.points = points

    @property
    def title(self) -> str:
        return _(CURVE_TITLE)

    def heading(self, column: str) -> str:
        return heading(column)

    def columns(self) -> list[str]:
        return ["sentences", "f1", "f1_suggested_codes", "codes_suggested", "codes_learnt"]

    def rows(self) -> list[dict[str, Any]]:
        return self.points

    def as_json(self) -> Any:
        return self.points

    def markdown(self) -> str:
        from fokus.analysis.report import markdown_table

        rows = [{heading(key): value for key, value in point.items()} for point in self.points]
        return f"# {self.title}\n\n" + markdown_table(rows, [heading(c) for c in self.columns()])


CURVE_TITLE = N_("Learning curve: cross-validated F1 against the number of decided sentences")


@click.command("suggest")
@click.option("--version", "version", type=int, help="The model version (default: the newest).")
@MODELS_OPTION
@click.pass_context
def suggest_command(ctx: click.Context, version: int | None, models: Path | None) -> None:
    """Suggest codes with the newest model: every sentence whose probability reaches its code's threshold.

    A suggestion never overwrites a decision; where the rules suggest the same code on the same sentence, the two
    share one suggestion. Review them in the TUI (`v`, order `o`: most uncertain first).

    \b
    Example:
      fokus suggest
    """
    from fokus.api.learning import load_model
    from fokus.api.suggesting import suggest

    project = open_ctx(ctx)
    folder = _folder(project, models)
    with project.begin() as session:
        version_number, model = load_model(session, folder, version)
        report = suggest(session, version_number, model)
    click.echo(
        _(
            "Model {version} read {sentences} sentences for {codes} codes: {suggested} new suggestions, {merged}"
            " joined to the rules' on the same sentence, {updated} updated, {withdrawn} withdrawn; {kept} left alone"
            " where a researcher has decided."
        ).format(
            version=version_number,
            sentences=number(report.sentences),
            codes=number(len(report.codes)),
            suggested=number(report.suggested),
            merged=number(report.merged),
            updated=number(report.updated),
            withdrawn=number(report.withdrawn),
            kept=number(report.kept_decided),
        )
    )
