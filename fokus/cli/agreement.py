"""`fokus agreement`: inter-coder agreement per code and overall, or the list of disagreements to review."""

from __future__ import annotations

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, open_ctx


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


@click.command("agreement")
@click.option("--coders", metavar="A,B", help="The coders to compare (comma-separated); default: every human coder.")
@click.option(
    "--unit",
    type=click.Choice(["sentence", "message"]),
    default="sentence",
    show_default=True,
    help="What the coders' decisions are compared on.",
)
@click.option("--codes", metavar="A,B", help="Only these codes (comma-separated); each includes its sub-codes.")
@click.option("--disagreements", "listing", is_flag=True, help="List the disagreements instead of the scores.")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def agreement_command(
    ctx: click.Context,
    coders: str | None,
    unit: str,
    codes: str | None,
    listing: bool,
    fmt: str,
    output: str | None,
) -> None:
    """Inter-coder agreement: Krippendorff's alpha, Cohen's kappa and percent agreement, per code and overall.

    Each code is a yes/no decision per sentence (or message). Accepted codings only. The units that count are those
    in which at least one of the coders applied a code; a coder who coded nothing in a thread is missing there.
    Codes count as applied (a sub-code is not its parent), except that a code named in --codes includes its
    sub-codes. Kappa needs exactly two coders; alpha takes any number. --disagreements lists each sentence and
    code where the coders differ, for review.

    \b
    Examples:
      fokus agreement
      fokus agreement --coders ingrid,magnus --codes krise,dialog --format md
      fokus agreement --disagreements --format csv -o to-discuss.csv
    """
    from fokus.analysis.agreement import agreement, disagreements
    from fokus.analysis.report import Report

    project = open_ctx(ctx)
    chosen, wanted = _names(coders), _names(codes)
    report: Report
    with project.read() as session:
        if listing:
            report = disagreements(session, coders=chosen, unit=unit, codes=wanted)
        else:
            report = agreement(session, coders=chosen, unit=unit, codes=wanted)
    emit(report, fmt, output)
