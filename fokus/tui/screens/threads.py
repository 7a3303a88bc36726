"""The thread list: newest first, paged from the database as the cursor moves, filtered by free text (``/``)."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from fokus.api.browse import ThreadFilter, ThreadRow, longest_case_name, thread_count, thread_page
from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext, pgettext
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.columns import Column, fitted
from fokus.tui.widgets.header import Header

PAGE = 200

#: The filter's fields, by the words a person writes before the colon: Norwegian or English, whatever the language.
FIELDS = {
    "kommune": "case",
    "municipality": "case",
    "deltaker": "participant",
    "participant": "participant",
    "kode": "code",
    "code": "code",
    "status": "status",
    "fra": "since",
    "from": "since",
    "til": "until",
    "to": "until",
}
#: Where the counts' headings are written out rather than short.
WIDE = 100
COUNTS = ("messages", "codings", "suggestions")
#: The widest the municipality column gets (wide, and below WIDE), whatever names the project holds.
CASE_WIDEST, CASE_WIDEST_NARROW = 18, 14


def headings(width: int) -> dict[str, str]:
    """Each column's heading in the language shown, by the column's key; the counts' are short below WIDE."""
    wide = width >= WIDE
    return {
        "date": _("Date"),
        "thread": _("Thread"),
        "case": _("Municipality"),
        "participant": _("Participant"),
        "messages": _("Messages") if wide else pgettext("short column heading", "Msgs"),
        "codings": _("Codings") if wide else pgettext("short column heading", "Codes"),
        "suggestions": _("Suggestions") if wide else pgettext("short column heading", "Sugg"),
    }


class ThreadsScreen(FokusScreen):
    BINDINGS = [
        Binding("slash", "filter", N_("Filter"), key_display="/", id="threads.filter"),
        Binding("escape", "clear_filter", N_("Clear filter / back"), id="threads.clear"),
        Binding("enter", "open", N_("Open thread"), id="threads.open"),
        Binding("F", "municipality_page", N_("Municipality's page"), id="threads.page"),
    ]

    def __init__(self, filters: ThreadFilter | None = None) -> None:
        super().__init__()
        self.filters = filters or ThreadFilter()
        self.loaded = 0
        self.total = 0
        self.rows: list[ThreadRow] = []  # the rows shown, as they were read
        self.shown = False  # resumed once: shown for the first time
        self.columns: tuple[Column, ...] = ()  # (key, width)
        self.headings: dict[str, str] = {}
        self.case_width = 10  # the longest municipality name, read when mounted

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=_("free text, municipality:…, participant:…, code:…, status:…"), id="thread-filter")
        yield DataTable(id="threads", cursor_type="row", zebra_stripes=True)
        yield Static(id="threads-count")

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        with self.fokus.reading() as session:
            self.case_width = longest_case_name(session)
        self.columns, self.headings = self.layout_columns(self.size.width, self.case_width), headings(self.size.width)
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        columns = self.layout_columns(event.size.width, self.case_width)
        if columns != self.columns:
            self.columns, self.headings = columns, headings(event.size.width)
            self.reload()

    @staticmethod
    def layout_columns(width: int, case_width: int = 10) -> tuple[Column, ...]:
        """(key, width) of each column for a terminal ``width`` wide: the counts and the municipality always show;
        the participant only where there is room; the thread's title takes what is left. The municipality is as wide
        as the longest name it shows (``case_width``; "Lillehammer" whole), up to a limit; a column is at least as
        wide as its heading in the language shown."""
        wide = width >= WIDE
        fixed = [("date", 10), ("case", min(max(case_width, 6), CASE_WIDEST if wide else CASE_WIDEST_NARROW))]
        if width >= 120:
            fixed.append(("participant", 12))
        fixed += [("messages", 9), ("codings", 5), ("suggestions", 7)] if wide else [(k, 4) for k in COUNTS]
        shown = headings(width)
        return fitted([(key, max(size, cell_len(shown[key]))) for key, size in fixed], "thread", 1, width, 16)

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, width in self.columns:
            table.add_column(self.headings[key], width=width, key=key)
        self.loaded = 0
        self.rows = []
        with self.fokus.reading() as session:
            self.total = thread_count(session, self.filters)
        self.load_more()

    def load_more(self) -> None:
        table = self.query_one(DataTable)
        with self.fokus.reading() as session:
            rows = thread_page(session, self.filters, offset=self.loaded, limit=PAGE)
        for row in rows:
            table.add_row(*self._cells(row), key=str(row.thread_id))
        self.rows += rows
        self.loaded += len(rows)
        shown = ngettext("{loaded} of {total} thread", "{loaded} of {total} threads", self.total)
        self.query_one("#threads-count", Static).update(shown.format(loaded=self.loaded, total=self.total))

    def _cells(self, row: ThreadRow) -> list[str | Text | None]:
        cells: dict[str, str | Text | None] = {
            "date": f"{row.created_at:%Y-%m-%d}",
            "thread": row.title,
            "case": row.case or "",
            "participant": row.participant,
        }
        numbers = (row.messages, row.codings, row.suggestions or None)
        for key, n in zip(COUNTS, numbers, strict=True):
            cells[key] = Text(str(n) if n is not None else "", justify="right")
        return [cells[key] for key, _width in self.columns]

    def refresh_rows(self) -> None:
        """Show what changed in the rows shown (codings made in a thread, or by someone else meanwhile), in place:
        the cursor stays on its row. Where other threads came or went, the list is read again (the cursor on the same
        row). The list used to be read again on every return from a thread, which put the cursor back on the first."""
        with self.fokus.reading() as session:
            total = thread_count(session, self.filters)
            rows = thread_page(session, self.filters, offset=0, limit=self.loaded)
        table = self.query_one(DataTable)
        if total != self.total or [r.thread_id for r in rows] != [r.thread_id for r in self.rows]:
            row = table.cursor_row
            self.reload()
            table.move_cursor(row=min(row, max(table.row_count - 1, 0)))
            return
        keys = [column.key for column in table.ordered_columns]
        for old, new in zip(self.rows, rows, strict=True):
            if new != old:
                for key, value in zip(keys, self._cells(new), strict=True):
                    table.update_cell(str(new.thread_id), key, value)
        self.rows = rows

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - 20 and self.loaded < self.total:
            self.load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(int(str(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self._open(int(str(key.value)))

    def action_municipality_page(self) -> None:
        """The page of the municipality of the row the cursor is on."""
        table = self.query_one(DataTable)
        if table.row_count and table.cursor_row < len(self.rows):
            from fokus.tui.screens.page import open_case_page

            open_case_page(self, self.rows[table.cursor_row].case)

    def _open(self, thread_id: int) -> None:
        from fokus.tui.screens.thread import open_thread

        open_thread(self.app, thread_id, found=self.filters.text)  # starts at the words

    def action_filter(self) -> None:
        field = self.query_one(Input)
        field.display = True
        field.focus()

    def action_clear_filter(self) -> None:
        """Clear the filter; on a list opened from another screen (a code's threads, from the codebook), go back."""
        if len(self.app.screen_stack) > 2 and self is not self.app.screen_stack[1]:
            self.app.pop_screen()
            return
        field = self.query_one(Input)
        field.value = ""
        field.display = False
        self.filters = ThreadFilter()
        self.reload()
        self.query_one(DataTable).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            filters = parse_filter(event.value)
            with self.fokus.reading() as session:
                thread_count(session, filters)  # names an unknown case, code or participant before anything changes
        except FokusError as exc:
            self.notify(str(exc), severity="error")
            return
        self.filters = filters
        self.reload()
        self.query_one(DataTable).focus()

    def on_codings_changed(self, _: CodingsChanged) -> None:
        self.refresh_rows()

    def on_screen_resume(self) -> None:
        if self.shown:  # back from another screen
            self.refresh_rows()
        self.shown = True


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FokusError(
            _("{value!r} is not a date").format(value=value),
            hint=_("write it as {example}").format(example="2013-03-01"),
        ) from None


def parse_filter(text: str) -> ThreadFilter:
    """ "kommune:Bodø kode:krise fra:2013-03-01 flom" (or "municipality:Bodø code:krise from:2013-03-01 flom") ->
    case Bodø, code krise, from 1 March, free text "flom"."""
    fields: dict[str, str] = {}
    words = []
    for part in text.split():
        key, sep, value = part.partition(":")
        if sep and key in FIELDS and value:
            fields[FIELDS[key]] = value
        else:
            words.append(part)
    return ThreadFilter(
        since=_date(fields.get("since")),
        until=_date(fields.get("until")),
        case=fields.get("case"),
        participant=fields.get("participant", "").replace("_", " ") or None,
        code=fields.get("code"),
        status=fields.get("status"),
        text=" ".join(words) or None,
    )
