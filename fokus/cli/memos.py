"""`fokus memos`: list, search, read, edit, delete and export the researchers' memos.

Memos are the researchers' own text, but they sit beside the participants' words (a memo on a message shows its
excerpt) and name people themselves: what these commands print or write is redacted like every export (names
replaced, ids that may name someone shown as ``redacted:m<N>``), unless --real-names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import (
    CODER_OPTION,
    FORMAT_OPTION,
    OUTPUT_OPTION,
    RAW_CSV_OPTION,
    coder_id,
    emit,
    heading,
    open_ctx,
    open_output,
    raw_csv,
    warn_real_names,
    wrote,
)
from fokus.i18n import N_, _

ABOUT_CHOICES = ("message", "coding", "code", "case", "project")
REAL_NAMES_OPTION = click.option(
    "--real-names", is_flag=True, help="Leave participants' names in the texts (prints a warning)."
)
#: A memo's text read from --file: far more than any note, far less than a file that is no note.
MAX_MEMO_BYTES = 1_000_000


def subject(row: dict[str, Any]) -> str:
    """What a memo is about, in a few words: "coding krise/flom 0:19 of message 123_456 (Deltaker 03)"."""
    about = row["about"]
    if about == "message":
        return _("message {message} ({participant})").format(message=row["message_id"], participant=row["participant"])
    if about == "coding":
        return _("coding {code} {start}:{end} of message {message} ({participant})").format(
            code=row["code"],
            start=row["start"],
            end=row["end"],
            message=row["message_id"],
            participant=row["participant"],
        )
    if about == "code":
        return _("code {code}").format(code=row["code"])
    if about == "case":
        return _("case {case}").format(case=row["case"])
    return _("the project")


#: What a memo can be about, as a listing's title names it ("Memos about a coding").
ABOUT_LABELS = {
    "message": N_("Memos about a message"),
    "coding": N_("Memos about a coding"),
    "code": N_("Memos about a code"),
    "case": N_("Memos about a case"),
    "project": N_("Memos about a project"),
}


def memos_title(about: str | None, search: str | None, translate: Callable[[str], str] = _) -> str:
    """A listing's title, in the reader's language (or, with ``translate=str``, in English, as JSON keeps it)."""
    title = translate(ABOUT_LABELS[about]) if about else translate(N_("Memos"))
    if search:
        return translate(N_("{memos} matching {search!r}")).format(memos=title, search=search)
    return title


@dataclass
class MemoReport:
    """Memo rows as a report, so every --format works: the terminal table shows what each is about and the text's
    first line; CSV and JSON every column; Markdown each memo in full. The title and headings are in the reader's
    language; JSON keeps the English title, as it keeps the keys."""

    items: list[dict[str, Any]]
    about: str | None = None
    search: str | None = None
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = memos_title(self.about, self.search)

    def heading(self, column: str) -> str:
        return heading(column)

    def columns(self) -> list[str]:
        from fokus.api.memos import MEMO_COLUMNS

        return list(MEMO_COLUMNS)

    def terminal_columns(self) -> list[str]:
        return ["memo_id", "subject", "case", "coder", "updated", "first_line"]

    def rows(self) -> list[dict[str, Any]]:
        return self.items

    def as_json(self) -> Any:
        english = memos_title(self.about, self.search, translate=str)
        return {"title": english, "memos": [{c: row.get(c) for c in self.columns()} for row in self.items]}

    def markdown(self) -> str:
        if not self.items:
            return f"# {self.title}\n\n" + _("No memos.") + "\n"
        return f"# {self.title}\n\n" + "\n".join(f"## {in_full(row)}" for row in self.items)


def in_full(row: dict[str, Any]) -> str:
    """One memo as `fokus memos show` prints it (and Markdown, after ``## ``): what it is about, who wrote it and
    when, the excerpt it is about, and its text."""
    where = f" · {row['case']}" if row["case"] else ""
    written, updated = _minute(row["created_at"]), _minute(row["updated_at"])
    if updated != written:
        when = _("written {written}, changed {updated}").format(written=written, updated=updated)
    else:
        when = _("written {written}").format(written=written)
    parts = [
        _("Memo {id}: {subject}").format(id=row["memo_id"], subject=subject(row)) + "\n",
        f"{row['coder'] or _('unknown')}{where} · {when}\n",
    ]
    if row["excerpt"]:
        parts.append("> " + " ".join(row["excerpt"].split()) + "\n")
    parts.append(row["text"] + "\n")
    return "\n".join(parts)


def _minute(iso: str | None) -> str:
    """ "2026-12-06T20:43:25.741987+01:00" as "2026-12-06 20:43" (Norwegian time, as the rows hold it)."""
    return (iso or "")[:16].replace("T", " ")


def _rows(session: Any, items: Any, real_names: bool) -> list[dict[str, Any]]:
    from fokus.api.memos import memo_rows

    rows = list(memo_rows(session, items, real_names=real_names))
    for row in rows:
        row["updated"] = (row["updated_at"] or "")[:10]
        row["first_line"] = next((line.strip() for line in row["text"].splitlines() if line.strip()), "")
        row["subject"] = subject(row)
    return rows


@click.group("memos")
def memos_group() -> None:
    """Memos: the researchers' notes on messages, codings, codes, cases and the project."""


@memos_group.command("list")
@click.option("--about", type=click.Choice(ABOUT_CHOICES), help="Only memos about this kind of thing.")
@click.option("--search", metavar="TEXT", help="Only memos with every word of TEXT in them or in what they are about.")
@FORMAT_OPTION
@OUTPUT_OPTION
@REAL_NAMES_OPTION
@click.pass_context
def memos_list(
    ctx: click.Context, about: str | None, search: str | None, fmt: str, output: str | None, real_names: bool
) -> None:
    """List memos, newest change first: what each is about, the case, who wrote it, when, and its text.

    --search looks for every word in the memo's text and in what it is about (the code, the case, the participant),
    in any case. The terminal shows each memo's first line; csv, json and md have the whole text and the excerpt of
    the message it is about.

    \b
    Examples:
      fokus memos list
      fokus memos list --about coding --search flom
      fokus memos list --format md -o memoer.md
    """
    from fokus.api.memos import list_memos

    project = open_ctx(ctx)
    if real_names:
        warn_real_names()
    with project.read() as session:
        rows = _rows(session, list_memos(session, about=about, search=search), real_names)
    report = MemoReport(rows, about, search)
    if not rows and fmt == "table" and output is None:
        click.echo(_("{title}: none.").format(title=report.title))
        return
    emit(report, fmt, output)


@memos_group.command("show")
@click.argument("memo_id", type=int)
@REAL_NAMES_OPTION
@click.pass_context
def memos_show(ctx: click.Context, memo_id: int, real_names: bool) -> None:
    """Show one memo in full: what it is about, who wrote it and when, the passage, and its text.

    \b
    Example:
      fokus memos show 12
    """
    from fokus.api.memos import get_memo

    project = open_ctx(ctx)
    if real_names:
        warn_real_names()
    with project.read() as session:
        (row,) = _rows(session, [get_memo(session, memo_id)], real_names)
    click.echo(in_full(row).rstrip())


@memos_group.command("edit")
@click.argument("memo_id", type=int)
@click.option("--text", help="The memo's new text.")
@click.option(
    "--file",
    "text_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the new text from a UTF-8 file instead.",
)
@CODER_OPTION
@click.pass_context
def memos_edit(ctx: click.Context, memo_id: int, text: str | None, text_file: Path | None, coder: str | None) -> None:
    """Give a memo a new text (a step `fokus undo` takes back).

    \b
    Examples:
      fokus memos edit 12 --text "Flom, ikke ras: se melding 40"
      fokus memos edit 12 --file memo12.txt --coder ingrid
    """
    from fokus.api.memos import edit_memo

    if (text is None) == (text_file is None):
        raise click.UsageError(_("give the new text with --text TEXT or --file FILE (one of them)"))
    if text_file is not None:
        text = _read_text(text_file)
    assert text is not None
    project = open_ctx(ctx)
    with project.begin() as session:
        step = edit_memo(session, memo_id, text, coder_id(session, coder))
    if step.changed:
        click.echo(_("Memo {id} changed; `fokus undo` takes it back.").format(id=memo_id))
    else:
        click.echo(_("Memo {id} already says that; nothing changed.").format(id=memo_id))


def _read_text(path: Path) -> str:
    from fokus.errors import FokusError

    data = path.read_bytes()
    if len(data) > MAX_MEMO_BYTES:
        raise FokusError(
            _("{size} bytes is more than a memo (at most {limit})").format(size=len(data), limit=MAX_MEMO_BYTES),
            path=str(path),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FokusError(_("not UTF-8 text (byte {offset})").format(offset=exc.start), path=str(path)) from None


@memos_group.command("delete")
@click.argument("memo_id", type=int)
@CODER_OPTION
@click.pass_context
def memos_delete(ctx: click.Context, memo_id: int, coder: str | None) -> None:
    """Delete a memo (a step `fokus undo` takes back, the memo as it was).

    \b
    Example:
      fokus memos delete 12
    """
    from fokus.api.memos import delete_memo

    project = open_ctx(ctx)
    with project.begin() as session:
        delete_memo(session, memo_id, coder_id(session, coder))
    click.echo(_("Memo {id} deleted; `fokus undo` brings it back.").format(id=memo_id))


@memos_group.command("export")
@click.option("-o", "--output", required=True, type=click.Path(), help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md"]), default="csv", show_default=True)
@RAW_CSV_OPTION
@REAL_NAMES_OPTION
@click.pass_context
def memos_export(ctx: click.Context, output: str, fmt: str, real_names: bool) -> None:
    """Export every memo with what it is about (csv and json: one row per memo, every column; md: each in full).

    \b
    Examples:
      fokus memos export -o memoer.csv
      fokus memos export -o memoer.md --format md
    """
    from fokus.analysis.report import write_report
    from fokus.api.memos import list_memos

    project = open_ctx(ctx)
    if real_names:
        warn_real_names()
    with project.read() as session:
        report = MemoReport(_rows(session, list_memos(session), real_names))
    with open_output(output) as out:
        write_report(report, fmt, out, raw_csv=raw_csv())
    click.echo(wrote("memos", len(report.items), output), err=True)
