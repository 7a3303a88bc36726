"""`fokus survey import` and `fokus survey items`: a survey export (Nettskjema, Questback/SurveyXact, SurveyMonkey)
into the project, and the survey's items with their questions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from fokus.cli.common import RAW_CSV_OPTION, open_ctx, print_rows
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number

ITEM_COLUMNS = (
    ("id", N_("id")),
    ("kind", N_("item kind")),
    ("type", N_("value type")),
    ("scale", N_("scale")),
    ("question", N_("question")),
)


@click.group("survey")
def survey_group() -> None:
    """The survey of the cases (phase 2 of the study): import its answers, list its items.

    \b
    Example:
      fokus survey import svar.csv
    """


@survey_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tool",
    type=click.Choice(["auto", "nettskjema", "questback", "surveymonkey"]),
    default="auto",
    show_default=True,
    help="The tool that wrote the export; auto tells it from the header.",
)
@click.option("--case-column", help="The column naming the case (default: kommune, municipality, case...).")
@click.option(
    "--map",
    "map_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML file naming the case column and each item's id and kind (closed, choice, open, skip).",
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "cp1252"]),
    default="utf-8",
    show_default=True,
    help="The file's encoding (cp1252: what Excel in Norway often writes).",
)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The survey's date, when no column has it.")
@click.option("--timezone", default="Europe/Oslo", show_default=True, help="Zone of times written without one.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, report, write nothing.")
@click.pass_context
def survey_import(
    ctx: click.Context,
    path: Path,
    tool: str,
    case_column: str | None,
    map_file: Path | None,
    encoding: str,
    day: datetime | None,
    timezone: str,
    dry_run: bool,
) -> None:
    """Import a survey export (CSV): closed items become typed case attributes, open answers codable texts.

    Each row is one respondent and names its case (the municipality). Likert labels of a known scale become 1-5,
    numbers numbers, a multiple choice one yes/no attribute per option; each open question becomes a thread, each
    answer a message of the respondent's participant, to tag and code with the focus group. Name and e-mail columns
    are dropped, never stored. A case not in the project yet is created and listed. Importing the file again changes
    nothing. XLSX: save the sheet as CSV UTF-8 first.

    \b
    Examples:
      fokus survey import svar.csv
      fokus survey import --encoding cp1252 --case-column "Kommune" questback.csv
      fokus survey import --map items.yaml surveymonkey.csv
    """
    from fokus.api.survey import import_survey
    from fokus.importers.limits import MAX_PARSE_BYTES, SPLIT_EXPORT, read_limited
    from fokus.importers.survey.items import parse_survey
    from fokus.importers.survey.mapping import read_mapping

    mapping = read_mapping(map_file) if map_file is not None else None
    survey = parse_survey(
        read_limited(path, MAX_PARSE_BYTES, SPLIT_EXPORT),
        str(path),
        tool=tool,
        mapping=mapping,
        case_column=case_column,
        encoding=encoding,
        timezone=timezone,
        date=None if day is None else day.replace(hour=12, tzinfo=UTC),
    )
    project = open_ctx(ctx)
    with project.begin(dry_run=dry_run) as session:
        report = import_survey(session, survey)
    click.echo(
        _("{path} ({tool}): respondents: {respondents}; the case in column {column!r}.").format(
            path=report.path, tool=report.tool, respondents=number(report.respondents), column=report.case_column
        )
    )
    for note in report.notes:
        click.echo("  " + _("note: {note}").format(note=note))
    click.echo(
        _(
            "Closed items: {items}; new attributes: {added}; cases added: {new}, updated: {updated}, unchanged: {same}."
        ).format(
            items=number(report.closed),
            added=number(len(report.cases.attributes_added)),
            new=number(report.cases.added),
            updated=number(report.cases.updated),
            same=number(report.cases.unchanged),
        )
    )
    if report.new_cases:
        click.echo(_("New cases: {names}").format(names=", ".join(report.new_cases)))
    click.echo(
        _(
            "Open questions (a thread each): {items}; answers: {answers}; messages added: {added},"
            " already there: {existing}."
        ).format(
            items=number(report.open),
            answers=number(report.answers),
            added=number(report.messages.messages_added),
            existing=number(report.messages.existing),
        )
    )
    if report.messages.messages_updated:
        click.echo(
            _("Answers changed since an earlier import: {count} (their codings follow the new text).").format(
                count=number(report.messages.messages_updated)
            )
        )
    if report.messages.participants_added:
        click.echo(
            ngettext(
                "{count} new participant (respondents are known by pseudonym only).",
                "{count} new participants (respondents are known by pseudonym only).",
                report.messages.participants_added,
            ).format(count=number(report.messages.participants_added))
        )
    if not report.changed:
        click.echo(_("Nothing changed: the project already held all of it."))
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


@survey_group.command("items")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def survey_items_command(ctx: click.Context, fmt: str) -> None:
    """List the survey items the project holds: each attribute's or thread's id with its full question.

    \b
    Example:
      fokus survey items --format csv > items.csv
    """
    from fokus.api.survey import survey_items

    project = open_ctx(ctx)
    with project.read() as session:
        items = survey_items(session)
    rows = [
        {"id": item_id, **{key: spec.get(key) for key in ("kind", "type", "scale", "question")}}
        for item_id, spec in sorted(items.items())
    ]
    print_rows(
        rows,
        [key for key, _label in ITEM_COLUMNS],
        fmt,
        title=_("Survey items"),
        headings=[_(label) for _key, label in ITEM_COLUMNS],
    )
