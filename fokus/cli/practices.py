"""`fokus practices`: the good practice that several municipalities share."""

from __future__ import annotations

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, open_ctx
from fokus.i18n import _
from fokus.i18n.formats import number

# The library's defaults (fokus.analysis.practices), repeated so that `fokus --help` need not import NumPy;
# a test keeps them equal.
THRESHOLD = 0.8
THEME_WEIGHT = 0.1


@click.command("practices")
@click.option(
    "--min-cases",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="A practice is shared when at least this many municipalities describe it.",
)
@click.option("--all", "show_all", is_flag=True, help="List the practices that are not shared too.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=THRESHOLD,
    show_default=True,
    help="Distance threshold of the clustering: lower makes smaller, tighter practices.",
)
@click.option(
    "--theme-weight",
    type=click.FloatRange(0, 1, max_open=True),
    default=THEME_WEIGHT,
    show_default=True,
    help="Share of the similarity that comes from the passages' themes (below 1 - threshold).",
)
@click.option("--code", default="god-praksis", show_default=True, help="The good-practice code (with its sub-codes).")
@click.option("--include-suggested", is_flag=True, help="Count suggested codings too, not only accepted ones.")
@click.option("--coder", "coders", multiple=True, help="Only this coder's codings (repeatable).")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def practices_command(
    ctx: click.Context,
    min_cases: int,
    show_all: bool,
    threshold: float,
    theme_weight: float,
    code: str,
    include_suggested: bool,
    coders: tuple[str, ...],
    fmt: str,
    output: str | None,
) -> None:
    """Good practice shared by several municipalities: the passages coded god-praksis, grouped into practices.

    Passages are grouped by their words (lemma TF-IDF, average-linkage clustering) and themes; each practice is
    named by its most characteristic words and shows its municipalities, themes, quotes (by pseudonym, with
    message and coding ids) and the researchers' summaries. Shared practices come first; the others are counted,
    and listed with --all. Run `fokus tag` first, so the passages' sentences are lemmatised once.

    \b
    Example:
      fokus practices --min-cases 3 --format md -o god-praksis.md
    """
    from fokus.analysis.frame import Scope
    from fokus.analysis.practices import find_practices

    project = open_ctx(ctx)
    scope = Scope.of(include_suggested=include_suggested, coders=coders)
    with project.read() as session:
        report = find_practices(
            session,
            min_cases=min_cases,
            scope=scope,
            code=code,
            threshold=threshold,
            theme_weight=theme_weight,
            include_unshared=show_all,
        )
    emit(report, fmt, output)
    if fmt == "table":
        rest = report.unshared_counts()
        if show_all:
            line = _(
                "{shared} shared practices from {passages} passages; not shared: {rest} passages from"
                " {municipalities} municipalities."
            )
        else:
            line = _(
                "{shared} shared practices from {passages} passages; not shared: {rest} passages from"
                " {municipalities} municipalities (--all lists them)."
            )
        click.echo(
            line.format(
                shared=number(len(report.shared)),
                passages=number(report.passages),
                rest=number(rest["passages"]),
                municipalities=number(rest["municipalities"]),
            ),
            err=output is not None,
        )
