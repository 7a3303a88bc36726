"""Analysis commands: theme frequencies, co-occurrence, the matrix coding query, and the passages behind a figure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, F, emit, open_ctx
from fokus.files.output import Outputs
from fokus.i18n import _


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


SCOPE_OPTIONS = [
    click.option("--include-suggested", is_flag=True, help="Count the machine's open suggestions too."),
    click.option("--coders", metavar="A,B", help="Only these coders' codings (comma-separated)."),
    click.option("--codes", metavar="A,B", help="Only these codes and their sub-codes (comma-separated)."),
]


def scope_options(function: F) -> F:
    for option in reversed(SCOPE_OPTIONS):
        function = option(function)
    return function


def _scope(include_suggested: bool, coders: str | None, codes: str | None) -> Any:
    from fokus.analysis.frame import Scope

    return Scope.of(include_suggested=include_suggested, coders=_names(coders), codes=_names(codes))


def _plot_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if path.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter(_("name a .png or .svg file"), param_hint="--plot")
    return path


def _wrote(fmt: str, output: str | None, plot: Path | None) -> None:
    if output and fmt != "table":
        click.echo(_("Wrote {path}.").format(path=output), err=True)
    if plot is not None:
        click.echo(_("Drew {path}.").format(path=plot), err=True)


@click.command("freq")
@click.option(
    "--by", "split", metavar="case|month|ATTRIBUTE", help="Split by case, by month, or by a case attribute (fylke...)."
)
@click.option("--rollup/--no-rollup", default=True, show_default=True, help="Count sub-codes for their parents too.")
@scope_options
@click.option("--plot", metavar="FILE.png|svg", help="Also draw the frequencies (bars per code).")
@click.option(
    "--measure",
    type=click.Choice(["codings", "messages", "threads", "participants", "cases"]),
    default="messages",
    show_default=True,
    help="What the plot shows.",
)
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def freq_command(
    ctx: click.Context,
    split: str | None,
    rollup: bool,
    include_suggested: bool,
    coders: str | None,
    codes: str | None,
    plot: str | None,
    measure: str,
    fmt: str,
    output: str | None,
) -> None:
    """Theme frequencies: per code, the codings and the messages, threads, participants and cases with one.

    Accepted codings only unless --include-suggested; sub-codes count for their parents unless --no-rollup.
    `fokus passages CODE` lists the passages behind any figure.

    \b
    Examples:
      fokus freq
      fokus freq --by topp10 --format csv -o freq.csv
      fokus freq --by month --plot themes.png
    """
    from fokus.analysis.frequencies import frequencies

    plot_path = _plot_path(plot)
    project = open_ctx(ctx)
    with project.read() as session:
        report = frequencies(session, scope=_scope(include_suggested, coders, codes), rollup=rollup, split=split)
    with Outputs() as outputs:  # the figure and the table: both written, or neither
        if plot_path is not None:
            from fokus.analysis.plots import plot_frequencies

            plot_frequencies(report, plot_path, measure=measure, out=outputs.binary(plot_path))
        emit(report, fmt, output, outputs)
    _wrote(fmt, output, plot_path)


def unit_option(help_text: str) -> Callable[[F], F]:
    """The unit two codes share (sentence, message, thread or case), as cooc and passages take it."""
    return click.option(
        "--unit",
        type=click.Choice(["sentence", "message", "thread", "case"]),
        default="message",
        show_default=True,
        help=help_text,
    )


@click.command("cooc")
@unit_option("Codes co-occur when they are in the same unit.")
@click.option("--rollup/--no-rollup", default=False, show_default=True, help="Count sub-codes for their parents too.")
@click.option("--min-count", default=1, show_default=True, help="Leave out pairs in fewer units than this.")
@scope_options
@click.option("--plot", metavar="FILE.png|svg", help="Also draw a heatmap.")
@click.option(
    "--plot-value",
    type=click.Choice(["jaccard", "c", "n_ab", "lift"]),
    default="jaccard",
    show_default=True,
    help="The figure the heatmap shows.",
)
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def cooc_command(
    ctx: click.Context,
    unit: str,
    rollup: bool,
    min_count: int,
    include_suggested: bool,
    coders: str | None,
    codes: str | None,
    plot: str | None,
    plot_value: str,
    fmt: str,
    output: str | None,
) -> None:
    """Pairs of codes in the same sentence, message, thread or case: counts, Jaccard, ATLAS.ti's c, lift.

    \b
    Examples:
      fokus cooc --unit sentence --min-count 3
      fokus cooc --rollup --plot cooc.svg --format json -o cooc.json
      fokus passages krise/for --with ressurser --unit message
    """
    from fokus.analysis.cooccurrence import cooccurrence

    plot_path = _plot_path(plot)
    project = open_ctx(ctx)
    with project.read() as session:
        report = cooccurrence(
            session, scope=_scope(include_suggested, coders, codes), level=unit, rollup=rollup, min_count=min_count
        )
    with Outputs() as outputs:  # the figure and the table: both written, or neither
        if plot_path is not None:
            from fokus.analysis.plots import plot_cooccurrence

            plot_cooccurrence(report, plot_path, value=plot_value, out=outputs.binary(plot_path))
        emit(report, fmt, output, outputs)
    _wrote(fmt, output, plot_path)


@click.command("matrix")
@click.argument("attribute")
@click.option(
    "--measure",
    type=click.Choice(["codings", "messages", "threads", "participants", "cases"]),
    default="messages",
    show_default=True,
)
@click.option("--rollup/--no-rollup", default=True, show_default=True, help="Count sub-codes for their parents too.")
@scope_options
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def matrix_command(
    ctx: click.Context,
    attribute: str,
    measure: str,
    rollup: bool,
    include_suggested: bool,
    coders: str | None,
    codes: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Codes by the values of a case attribute (NVivo's matrix coding query); `case` gives one column per case.

    CSV is tidy: one row per code and value.

    \b
    Examples:
      fokus matrix topp10
      fokus matrix fylke --measure cases --format csv -o matrise.csv
    """
    from fokus.analysis.cooccurrence import matrix as run

    project = open_ctx(ctx)
    with project.read() as session:
        report = run(session, attribute, scope=_scope(include_suggested, coders, codes), measure=measure, rollup=rollup)
    emit(report, fmt, output)


@click.command("passages")
@click.argument("code")
@click.option("--case", help="Only this case (municipality).")
@click.option("--attribute", metavar="NAME=VALUE", help="Only cases with this attribute value (topp10=ja).")
@click.option("--month", metavar="YYYY-MM", help="Only messages of this month (Norwegian time).")
@click.option("--with", "with_code", metavar="CODE", help="Only where this code occurs in the same unit.")
@unit_option("The unit for --with.")
@click.option("--rollup/--no-rollup", default=True, show_default=True, help="Sub-codes count for CODE.")
@click.option("--limit", default=200, show_default=True, help="Show at most this many (0: all).")
@scope_options
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def passages_command(
    ctx: click.Context,
    code: str,
    case: str | None,
    attribute: str | None,
    month: str | None,
    with_code: str | None,
    unit: str,
    rollup: bool,
    limit: int,
    include_suggested: bool,
    coders: str | None,
    codes: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """The coded passages behind a figure of `fokus freq`, `cooc` or `matrix`, with their text.

    \b
    Examples:
      fokus passages krise --attribute topp10=ja
      fokus passages eierskap/ledelse --with ressurser --unit message --format md
      fokus passages dialog/responstid --case Bodø --month 2013-02
    """
    from fokus.analysis.passages import passages

    name = value = None
    if attribute:
        name, _equals, value = attribute.partition("=")
        if not name or not value:
            raise click.BadParameter(_("write it as NAME=VALUE, e.g. topp10=ja"), param_hint="--attribute")
    project = open_ctx(ctx)
    with project.read() as session:
        report = passages(
            session,
            code,
            scope=_scope(include_suggested, coders, codes),
            limit=limit or None,
            rollup=rollup,
            case=case,
            attribute=name,
            value=value,
            month=month,
            with_code=with_code,
            level=unit,
        )
    emit(report, fmt, output)
