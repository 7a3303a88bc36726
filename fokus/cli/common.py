"""What every command module shares: opening the project, writing output, showing a report in a format."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

import click

from fokus.files.output import Outputs, open_text, protect, unprotect
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number

F = TypeVar("F", bound=Callable[..., Any])
RAW_CSV = "fokus.raw_csv"


def _remember_raw_csv(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[RAW_CSV] = value
    return value


#: For every command that writes CSV: the cells as they are, for a program (see fokus.files.spreadsheet).
RAW_CSV_OPTION = click.option(
    "--raw-csv",
    is_flag=True,
    expose_value=False,
    callback=_remember_raw_csv,
    help="CSV cells as they are, for programs: no ' before a cell that starts with = + - @ (which spreadsheets would"
    " run as a formula).",
)


def raw_csv() -> bool:
    """Whether this command was given --raw-csv."""
    return bool(click.get_current_context().meta.get(RAW_CSV, False))


def FORMAT_OPTION(function: F) -> F:  # a decorator, named as the options it stands for
    """--format, and --raw-csv for its CSV."""
    function = RAW_CSV_OPTION(function)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json", "md"]),
        default="table",
        show_default=True,
        help="table for the terminal, csv (tidy: one observation per row), json, or md (a report that reads on its"
        " own).",
    )(function)


OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Write to a file, not stdout (a file is replaced whole or not at all; a device or pipe is written into).",
)


def db_of(ctx: click.Context) -> str:
    return str(ctx.find_root().obj["db"])


def open_ctx(ctx: click.Context) -> Any:
    """Open (and if needed migrate) the project named by --db; closed when the command ends."""
    from fokus.store import open_project

    project = open_project(db_of(ctx))
    if project.sqlite_path is not None:  # `-o project.db` must not replace the project with an export
        protect(project.sqlite_path)
        ctx.call_on_close(partial(unprotect, project.sqlite_path))
    if project.backup is not None:
        click.echo(
            _("Migrated the project to the current schema; the old one is saved as {path}").format(path=project.backup),
            err=True,
        )
    ctx.call_on_close(project.close)
    return project


@contextmanager
def open_output(path: str | None, outputs: Outputs | None = None) -> Iterator[TextIO]:
    """stdout, or a file as fokus.files.output writes it (whole or not at all; a device or a pipe written into);
    with ``outputs``, one of the files written together with others."""
    if path is None or path == "-":
        with click.open_file("-", "w", encoding="utf-8") as stdout:
            yield cast(TextIO, stdout)  # click types it IO[Any]: it is a text stream
        return
    if outputs is not None:
        yield outputs.text(path)
        return
    with open_text(path) as out:
        yield out


def warn_real_names() -> None:
    """The one line an export with real names prints on stderr, so nobody makes one by accident."""
    click.echo(
        _(
            "fokus: warning: this export contains participants' real names (--real-names);"
            " keep it as safe as the project itself, and do not share it."
        ),
        err=True,
    )


def export_rows(
    ctx: click.Context,
    rows: Callable[..., Any],
    columns: Sequence[str],
    fmt: str,
    output: str | None,
    real_names: bool,
    noun: str,
) -> None:
    """Write ``rows(session, real_names=...)`` as CSV or JSON (fokus.files.codings.write_rows), with ``real_name`` as
    the last column and a warning when real names are asked for; one read session, the output written whole."""
    from fokus.files.codings import write_rows

    project = open_ctx(ctx)
    if real_names:
        warn_real_names()
    columns = (*columns, "real_name") if real_names else tuple(columns)
    with project.read() as session, open_output(output) as out:
        count = write_rows(rows(session, real_names=real_names), columns, fmt, out, raw_csv=raw_csv())
    if output:
        click.echo(wrote(noun, count, output), err=True)


def wrote(noun: str, count: int, path: str) -> str:
    """ "Wrote 916 messages to messages.csv.": one whole sentence per kind of row, so each language words it."""
    if noun == "codings":
        text = ngettext("Wrote {count} coding to {path}.", "Wrote {count} codings to {path}.", count)
    elif noun == "memos":
        text = ngettext("Wrote {count} memo to {path}.", "Wrote {count} memos to {path}.", count)
    elif noun == "codes":
        text = ngettext("Wrote {count} code to {path}.", "Wrote {count} codes to {path}.", count)
    else:
        text = ngettext("Wrote {count} message to {path}.", "Wrote {count} messages to {path}.", count)
    return text.format(count=number(count), path=path)


def emit(report: Any, fmt: str, path: str | None = None, outputs: Outputs | None = None) -> None:
    """Show an analysis report (fokus.analysis.report.Report) as a rich table, CSV, JSON or Markdown.

    With ``outputs`` the file is written with the others of the set (and the caller says what it wrote)."""
    from fokus.analysis.report import cell, write_report
    from fokus.analysis.report import heading as analysis_heading

    if fmt != "table":
        with open_output(path, outputs) as out:
            write_report(report, fmt, out, raw_csv=raw_csv())
        if path and outputs is None:
            click.echo(_("Wrote {path}.").format(path=path), err=True)
        return
    from rich.console import Console
    from rich.table import Table

    columns = getattr(report, "terminal_columns", report.columns)()  # a narrower choice for the terminal, if any
    # the columns' headings for people, in their language (CSV keeps the keys): the report's own (the CLI's reports
    # have one), else the analyses'
    head: Callable[[str], str] = getattr(report, "heading", analysis_heading)
    rows = report.rows()
    table = Table(title=report.title)
    for column in columns:
        values = [row.get(column) for row in rows if row.get(column) is not None]
        numeric = bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        table.add_column(head(column), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(cell(row.get(c), c) for c in columns))
    if path is None:
        Console().print(table)
        return
    with open_output(path, outputs) as out:
        Console(file=out, width=200).print(table)


#: The stages the library reports progress in, as the bar names them (other stages, such as tables, are data).
STAGES = {"reading": N_("reading"), "writing": N_("writing"), "parsing": N_("parsing"), "tagging": N_("tagging")}


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr when it is a terminal (`label`, in the reader's language); silent otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _stage, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                shown = _(STAGES[stage]) if stage in STAGES else stage
                tasks[stage] = bar.add_task(_("{task}: {stage}").format(task=label, stage=shown), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


#: The terminal's heading over each column the CLI's own tables show, in the reader's language (CSV and JSON keep
#: the keys), beyond those the analyses name (fokus.analysis.report.HEADINGS: case, messages, participant...); a
#: column neither names (a case attribute, say) is headed by its key.
HEADINGS = {
    "role": N_("role"),
    "first": N_("first"),
    "last": N_("last"),
    "theme": N_("theme"),
    "precision": N_("precision"),
    "recall": N_("recall"),
    "f1": N_("f1"),
    "true_positives": N_("true_positives"),
    "false_positives": N_("false_positives"),
    "false_negatives": N_("false_negatives"),
    "support": N_("support"),
    "f1_suggested_codes": N_("f1_suggested_codes"),
    "codes_suggested": N_("codes_suggested"),
    "codes_learnt": N_("codes_learnt"),
    "share_of_threads": N_("share_of_threads"),
    "memo_id": N_("memo_id"),
    "subject": N_("subject"),
    "updated": N_("updated"),
    "first_line": N_("first_line"),
}


def heading(column: str) -> str:
    """A column's heading for people, in their language."""
    if column in HEADINGS:
        return _(HEADINGS[column])
    from fokus.analysis.report import heading as analysis_heading

    return analysis_heading(column)


def shown(value: Any) -> str:
    """A cell of a table for people: a fraction with its digits and the reader's decimal sign, yes or no in their
    words, nothing for None; whole numbers as they are (a table's integers may be ids, such as a municipality's
    number, that no one groups)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        text = str(value)  # its digits, as they were stored and as English showed them ("1.0", "0.543")
        if not text.lstrip("-").replace(".", "", 1).isdigit():
            return text  # 1e-05, nan, inf: as Python writes them
        return number(value, len(text.split(".")[1]))
    return str(value)


def print_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    title: str,
    headings: Sequence[str] | None = None,
) -> None:
    """Rows as a rich table (``headings`` over the columns, in the reader's language), or as CSV or JSON on stdout
    (the columns' keys, in every language)."""
    from fokus.files.codings import write_rows

    if fmt in ("csv", "json"):
        with open_output(None) as out:
            write_rows(rows, columns, fmt, out, raw_csv=raw_csv())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for text in headings or [heading(c) for c in columns]:
        table.add_column(text)
    for row in rows:
        table.add_row(*(shown(row.get(c)) for c in columns))
    Console().print(table)


def default_coder() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "koder"


CODER_OPTION = click.option(
    "--coder", envvar="FOKUS_CODER", help="Who does it, for the event log and undo (also FOKUS_CODER; default: you)."
)


def coder_id(session: Any, coder: str | None) -> int:
    """The coder's id, created if new; the user's login name when none is given."""
    from fokus.domain.coders import human_coder

    return human_coder(session, coder or default_coder())


def backup_before(project: Any, label: str) -> Path | None:
    """A backup copy before a command that removes or rewrites work (SQLite projects; a server has its own)."""
    from fokus.store.backup import backup_sqlite
    from fokus.store.failures import read_only

    if project.read_only is not None:  # the command would be refused: say why before anything else
        raise read_only(project.display, project.read_only)
    if project.sqlite_path is None:
        return None
    path = backup_sqlite(project.sqlite_path, label)
    click.echo(_("Backed up the project first: {name}").format(name=path.name), err=True)
    return path
