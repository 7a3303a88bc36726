"""`fokus qdpx`: the project as a REFI-QDA project for other QDA programs."""

from __future__ import annotations

from pathlib import Path

import click

from fokus.cli.common import open_ctx, warn_real_names
from fokus.i18n import _
from fokus.i18n.formats import number


@click.group("qdpx")
def qdpx_group() -> None:
    """REFI-QDA projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder and qc; import them with `fokus import`."""


@qdpx_group.command("export")
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--include-suggestions", is_flag=True, help="Also export the machine's open suggestions.")
@click.option("--real-names", is_flag=True, help="Leave the names people wrote in the texts (prints a warning).")
@click.pass_context
def qdpx_export(ctx: click.Context, output: Path, include_suggestions: bool, real_names: bool) -> None:
    """Export the project as a REFI-QDA project: threads as text sources, codes, codings, coders, memos, cases.

    Participants appear by pseudonym only, and names in texts are redacted (`fokus redact`) unless --real-names.
    The file validates against the REFI-QDA 1.0 schema.

    \b
    Example:
      fokus qdpx export studie.qdpx
    """
    from fokus.exchange.project_export import export_qdpx

    project = open_ctx(ctx)
    if real_names:
        warn_real_names()
    name = Path(project.display).stem if project.sqlite_path else "fokus"
    with project.begin() as session:
        report = export_qdpx(session, output, include_suggestions=include_suggestions, name=name, real_names=real_names)
    click.echo(
        _("Wrote {path}: {sources} sources, {codes} codes, {codings} codings, {memos} memos, {cases} cases.").format(
            path=output,
            sources=number(report.sources),
            codes=number(report.codes),
            codings=number(report.codings),
            memos=number(report.memos),
            cases=number(report.cases),
        )
    )
    if report.left_out_suggestions:
        click.echo(
            _("Left out {count} open suggestions (--include-suggestions takes them).").format(
                count=number(report.left_out_suggestions)
            )
        )
