"""`fokus cases` and `fokus participants`: who speaks, and for which case."""

from __future__ import annotations

from pathlib import Path

import click

from fokus.cli.common import RAW_CSV_OPTION, open_ctx, print_rows
from fokus.i18n import _
from fokus.i18n.formats import number


@click.group("cases")
def cases_group() -> None:
    """Cases (municipalities) and their typed attributes."""


@cases_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def cases_import(ctx: click.Context, file: Path) -> None:
    """Add or update cases from a CSV: one row per case, one column per attribute.

    The first column (or one named kommune/case/name) names the case; types are inferred (integer, float, boolean
    ja/nei, date, text) or forced in the header, as in `innbyggertall:integer`.

    \b
    Example:
      fokus cases import corpus/cases.csv
    """
    from fokus.api.cases import import_cases
    from fokus.files.cases import read_case_table

    table = read_case_table(file)
    project = open_ctx(ctx)
    with project.begin() as session:
        report = import_cases(session, table, str(file))
    types = ", ".join(f"{a.name} ({a.type.value})" for a in table.attributes)
    click.echo(
        _("Cases: {added} added, {updated} updated, {unchanged} unchanged.").format(
            added=number(report.added), updated=number(report.updated), unchanged=number(report.unchanged)
        )
    )
    click.echo(_("Attributes: {attributes}").format(attributes=types))


@cases_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def cases_list(ctx: click.Context, fmt: str) -> None:
    """List the cases with their attributes and how many participants and messages each has.

    \b
    Example:
      fokus cases list --format csv > cases.csv
    """
    from fokus.api.cases import case_rows

    project = open_ctx(ctx)
    with project.read() as session:
        attributes, rows = case_rows(session)
    columns = ["case", *(a.name for a in attributes), "participants", "messages"]
    print_rows(rows, columns, fmt, title=_("Cases"))


@click.group("participants")
def participants_group() -> None:
    """Participants: pseudonyms, and which case each speaks for."""


@participants_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def participants_list(ctx: click.Context, fmt: str) -> None:
    """List participants by pseudonym, with case, role and message count (never real names).

    \b
    Example:
      fokus participants list
    """
    from fokus.api.listing import participant_rows

    project = open_ctx(ctx)
    with project.read() as session:
        rows = participant_rows(session)
    columns = ["participant", "case", "role", "messages", "first", "last"]
    print_rows(rows, columns, fmt, title=_("Participants"))


@participants_group.command("link")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def participants_link(ctx: click.Context, file: Path) -> None:
    """Link participants to cases from a CSV with a name column (navn/name/author) and a case column (kommune/case).

    \b
    Example:
      fokus participants link corpus/participants.csv
    """
    from fokus.api.cases import link_participants

    project = open_ctx(ctx)
    with project.begin() as session:
        report = link_participants(session, file)
    click.echo(
        _("Participants: {linked} linked, {changed} changed, {unchanged} unchanged; {cases} new cases.").format(
            linked=number(report.linked),
            changed=number(report.changed),
            unchanged=number(report.unchanged),
            cases=number(report.cases_added),
        )
    )
    if report.not_in_project:
        click.echo(
            _("{count} names in the file have not spoken in the project (not created).").format(
                count=number(len(report.not_in_project))
            )
        )
