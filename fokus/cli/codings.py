"""`fokus codings`: export, import and scripted coding, and the codings to review after an edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import (
    FORMAT_OPTION,
    OUTPUT_OPTION,
    RAW_CSV_OPTION,
    backup_before,
    emit,
    export_rows,
    heading,
    open_ctx,
)
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number


@click.group("codings")
def codings_group() -> None:
    """Codings: export, import and scripted coding."""


@codings_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["accepted", "suggested", "rejected"]),
    help="Only these statuses (repeatable); all by default.",
)
@click.option("-o", "--output", type=click.Path(), help="Write to a file instead of stdout.")
@RAW_CSV_OPTION
@click.option("--real-names", is_flag=True, help="Leave names in the texts and add real names (prints a warning).")
@click.pass_context
def codings_export(
    ctx: click.Context, fmt: str, statuses: tuple[str, ...], output: str | None, real_names: bool
) -> None:
    """Export codings, one row per coding, with the coded text and participants' pseudonyms.

    \b
    Example:
      fokus codings export --status accepted -o codings.csv
    """
    from functools import partial

    from fokus.api.codings import coding_rows
    from fokus.files.codings import COLUMNS

    export_rows(ctx, partial(coding_rows, statuses=statuses), COLUMNS, fmt, output, real_names, "codings")


@codings_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--coder", help="The coder for rows that name none.")
@click.option("--replace", is_flag=True, help="Where a coding exists with another status, take the file's.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.pass_context
def codings_import(ctx: click.Context, file: Path, coder: str | None, replace: bool, dry_run: bool) -> None:
    """Import codings from CSV or JSON (the export's columns; start/end optional = the whole message).

    \b
    Example:
      fokus codings import corpus/codings.csv
    """
    from fokus.api.codings import import_codings
    from fokus.files.codings import read_codings

    rows = read_codings(file)
    project = open_ctx(ctx)
    if replace and not dry_run:
        backup_before(project, "before-replace")
    with project.begin(dry_run=dry_run) as session:
        report = import_codings(session, rows, display=str(file), coder=coder, replace=replace)
    _echo_codings(report)
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


def _echo_codings(report: Any) -> None:
    parts = [
        _("Codings: {added} added, {unchanged} already there").format(
            added=number(report.added), unchanged=number(report.unchanged)
        )
    ]
    if report.replaced:
        parts.append(_("{count} replaced").format(count=number(report.replaced)))
    if report.conflicts:
        parts.append(
            _("{count} differ from the project and were left as they are (--replace takes the file's)").format(
                count=number(report.conflicts)
            )
        )
    if report.duplicates_in_file:
        parts.append(_("{count} repeated rows ignored").format(count=number(report.duplicates_in_file)))
    click.echo(", ".join(parts) + ".")
    if report.coders_added:
        click.echo(_("New coders: {names}").format(names=", ".join(report.coders_added)))


@codings_group.command("add")
@click.argument("message_id")
@click.argument("code")
@click.option("--span", metavar="A:B", help="Code-point offsets into the message; the whole message if left out.")
@click.option("--coder", required=True, envvar="FOKUS_CODER", help="Who codes (also FOKUS_CODER).")
@click.pass_context
def codings_add(ctx: click.Context, message_id: str, code: str, span: str | None, coder: str) -> None:
    """Code a message, or a span of it, by hand or from a script.

    \b
    Example:
      fokus codings add 348822158517432_1001 krise/under --span 0:42 --coder ingrid
    """
    from fokus.api.codings import code_by_hand

    bounds = None
    if span:
        try:
            start_text, end_text = span.split(":")
            bounds = int(start_text), int(end_text)
        except ValueError:
            raise click.BadParameter(_("write the span as START:END, e.g. 0:42"), param_hint="--span") from None
    project = open_ctx(ctx)
    with project.begin() as session:
        report = code_by_hand(session, message_id, code, bounds, coder, display="fokus codings add")
    _echo_codings(report)


FLAGGED_COLUMNS = ["coding_id", "message_id", "code", "coder", "status", "state", "old_text", "start", "end", "text"]
FLAGGED_TERMINAL = ["coding_id", "message_id", "code", "coder", "state", "old_text", "text"]


@dataclass
class FlaggedReport:
    """The flagged codings as an analysis-style report, so every --format works."""

    items: list[dict[str, Any]]
    english_title: str = N_("Codings to review after an edit")

    @property
    def title(self) -> str:
        return _(self.english_title)

    def heading(self, column: str) -> str:
        return heading(column)

    def columns(self) -> list[str]:
        return [*FLAGGED_COLUMNS, "ratio", "at"]

    def terminal_columns(self) -> list[str]:
        return FLAGGED_TERMINAL

    def rows(self) -> list[dict[str, Any]]:
        return self.items

    def as_json(self) -> Any:
        return {"title": self.english_title, "codings": self.items}  # JSON is for programs: its words stay put

    def markdown(self) -> str:
        from fokus.analysis.report import markdown_table

        if not self.items:
            none = _("None: every coding covers the text it was given.")
            return f"# {self.title}\n\n{none}\n"
        return f"# {self.title}\n\n{markdown_table(self.items, FLAGGED_COLUMNS)}\n"


@codings_group.command("flagged")
@click.option(
    "--reviewed",
    "reviewed",
    multiple=True,
    type=int,
    metavar="CODING_ID",
    help="Mark a coding as reviewed: its flag is removed (repeatable; logged, so undo knows).",
)
@click.option("--coder", envvar="FOKUS_CODER", help="Who reviewed (with --reviewed; also FOKUS_CODER).")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def flagged_command(
    ctx: click.Context, reviewed: tuple[int, ...], coder: str | None, fmt: str, output: str | None
) -> None:
    """List the codings a newer export moved to edited text (moved) or could not place (lost).

    Each row shows the message, code and coder, the text the coding covered before the edit (old_text) and the
    text it covers now; a coding whose span runs past its message's text is listed as outside. Fix the span in the
    TUI or with `fokus codings add`, then mark the coding reviewed.

    \b
    Examples:
      fokus codings flagged
      fokus codings flagged --reviewed 1812 --reviewed 1813 --coder ingrid
    """
    from fokus.api.reanchor import clear_flags, flagged_codings

    project = open_ctx(ctx)
    if reviewed:
        if not coder:
            raise click.UsageError(_("say who reviewed: --coder NAME (or FOKUS_CODER)"))
        from fokus.domain.coders import human_coder
        from fokus.domain.events import new_batch

        with project.begin() as session:
            coder_id = human_coder(session, coder)
            cleared = clear_flags(session, reviewed, batch=new_batch(), coder_id=coder_id)
        asked = len(set(reviewed))
        click.echo(
            ngettext(
                "Marked {cleared} of {count} coding reviewed.", "Marked {cleared} of {count} codings reviewed.", asked
            ).format(cleared=number(cleared), count=number(asked)),
            err=True,
        )
        return
    with project.read() as session:
        items = flagged_codings(session)
    emit(FlaggedReport(items), fmt, output)
