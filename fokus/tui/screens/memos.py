"""The memos (``N``): every memo of the project in a table, newest change first, with what it is about, the
municipality, who wrote it, when, and its first line; the memo in focus in full under the table.

``/`` searches (every word, in the text or in what the memo is about: code, municipality, participant), ``enter``
opens the thread at the message or coding a memo is about (a memo on a code, a municipality or the project opens in
full), ``e`` edits and ``d`` deletes; both are steps that ``u`` undoes.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from fokus.api.memos import MemoItem, delete_memo, list_memos, memo_matches
from fokus.domain.local_time import local_time
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import date, number
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.screens.passages import open_thread_at
from fokus.tui.widgets.header import Header
from fokus.tui.widgets.memo import write_memo

EXCERPT = 300  # characters of the message shown with a memo on it
#: The table's columns: key -> heading (translated where shown).
HEADINGS = {
    "about": N_("About"),
    "case": N_("Municipality"),
    "coder": N_("Coder"),
    "date": N_("Date"),
    "memo": N_("Memo"),
}


def about(item: MemoItem) -> str:
    """What a memo is about, in a few words: "Message · Deltaker 03", "Coding krise/flom · Deltaker 03"."""
    if item.about == "message":
        return _("Message · {participant}").format(participant=item.participant)
    if item.about == "coding":
        return _("Coding {code} · {participant}").format(code=item.code, participant=item.participant)
    if item.about == "code":
        return _("Code {code}").format(code=item.code)
    if item.about == "case":
        return _("Municipality {case}").format(case=item.case)
    return _("The project")


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def describe(item: MemoItem) -> Text:
    """A memo in full: what it is about, who wrote it and when, its text, and the passage it is about."""
    shown = Text()
    where = f" ({item.case})" if item.case and item.about in ("message", "coding") else ""
    shown.append(f"{about(item)}{where}", style="bold")
    coder = item.coder or _("unknown")
    written, changed = local_time(item.created_at), local_time(item.updated_at)
    if item.updated_at != item.created_at:
        line = _("{coder} · written {date} at {time}, changed {changed_date} at {changed_time}").format(
            coder=coder,
            date=date(written.date()),
            time=f"{written:%H:%M}",
            changed_date=date(changed.date()),
            changed_time=f"{changed:%H:%M}",
        )
    else:
        line = _("{coder} · written {date} at {time}").format(
            coder=coder, date=date(written.date()), time=f"{written:%H:%M}"
        )
    shown.append(f" · {line}\n", style="dim")
    shown.append(item.text)
    if item.excerpt:
        words = " ".join(item.excerpt.split())
        quote = words if len(words) <= EXCERPT else words[: EXCERPT - 1] + "…"
        shown.append("\n" + _("“{quote}”").format(quote=quote), style="dim italic")
    return shown


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class MemoView(ModalScreen[None]):
    """A memo in full (one on a code, a municipality or the project, which no thread shows)."""

    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"), id="memoview.close")]
    DEFAULT_CSS = """
    MemoView { align: center middle; }
    MemoView > Vertical {
        width: 90; max-width: 100%; height: auto; max-height: 90%; border: round $accent; background: $surface;
        padding: 0 1;
    }
    MemoView VerticalScroll { height: auto; max-height: 100%; }
    """

    def __init__(self, item: MemoItem) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(describe(self.item))
            yield Label(_("[dim]esc closes · e in the list edits[/]"))

    def action_close(self) -> None:
        self.dismiss(None)


class MemosScreen(FokusScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="memos.back"),
        Binding("enter", "open", N_("Open"), id="memos.open"),
        Binding("e", "edit", N_("Edit memo"), id="memos.edit"),
        Binding("d", "delete", N_("Delete memo"), id="memos.delete"),
        Binding("slash", "search", N_("Search"), key_display="/", id="memos.search"),
    ]
    DEFAULT_CSS = """
    MemosScreen #memos-search { margin: 0 1; }
    MemosScreen #memos-about { height: 1; padding: 0 1; color: $text-muted; }
    MemosScreen #memos { height: 1fr; min-height: 5; }
    MemosScreen #memo-pane { height: auto; max-height: 40%; border-top: solid $accent; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.memos: list[MemoItem] = []
        self.rows: list[MemoItem] = []  # as shown: searched
        self.layout_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=_("search the memos: text, code, municipality, participant"), id="memos-search")
        yield Static(id="memos-about")
        yield DataTable(id="memos", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="memo-pane"):
            yield Static(id="memo-detail")

    def on_mount(self) -> None:
        self.query_one("#memos-search", Input).display = False  # shown by /
        self.load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load()  # back from a thread, where a memo may have been written

    def on_codings_changed(self, _event: CodingsChanged) -> None:
        self.load()  # an undo or redo

    def on_resize(self) -> None:
        if self.size.width != self.layout_width:
            self.show()

    def load(self) -> None:
        with self.fokus.reading() as session:
            self.memos = list_memos(session)
        self.show()

    @property
    def search(self) -> str:
        return self.query_one("#memos-search", Input).value.strip()

    def show(self) -> None:
        """Fill the table with the memos the search lets through, keeping the cursor on its memo."""
        table = self.query_one(DataTable)
        current = self.focused_memo()
        words = self.search
        self.rows = [m for m in self.memos if not words or memo_matches(m, words)]
        self.layout_width = width = self.size.width
        # a column is at least as wide as its heading, in the language shown
        about_width = min(
            max([len(_(HEADINGS["about"])), *(len(about(m)) for m in self.rows)]), 40 if width >= 120 else 32
        )
        columns = [("about", about_width)]
        rest = width - about_width - 10 - 2 * 4 - 2  # the date; a space either side of each cell; the scrollbar
        case_width = min(max([len(_(HEADINGS["case"])), *(len(m.case or "") for m in self.rows)]), 14)
        coder_width = min(max([len(_(HEADINGS["coder"])), *(len(m.coder or "") for m in self.rows)]), 12)
        if rest - case_width - 2 >= 30:
            columns.append(("case", case_width))
            rest -= case_width + 2
        if rest - coder_width - 2 >= 30:
            columns.append(("coder", coder_width))
            rest -= coder_width + 2
        columns += [("date", 10), ("memo", max(rest, 20))]
        table.clear(columns=True)
        for key, column_width in columns:
            table.add_column(_(HEADINGS[key]), width=column_width, key=key)
        for memo in self.rows:
            cells = {
                "about": about(memo),
                "case": memo.case or "",
                "coder": memo.coder or "",
                "date": f"{local_time(memo.updated_at):%Y-%m-%d}",  # a column of dates: ISO, in every language
                "memo": first_line(memo.text),
            }
            table.add_row(*(_cut(cells[key], w) for key, w in columns), key=str(memo.id))
        if current is not None:
            for index, memo in enumerate(self.rows):
                if memo.id == current.id:
                    table.move_cursor(row=index, animate=False)
                    break
        total = len(self.memos)
        if not self.memos:
            about_line = _("No memos yet: m in a thread writes a memo on the message.")
        elif words:
            about_line = ngettext(
                "{shown} of {count} memo · search: {words} (/ changes it)",
                "{shown} of {count} memos · search: {words} (/ changes it)",
                total,
            ).format(shown=number(len(self.rows)), count=number(total), words=words)
        else:
            about_line = ngettext("{count} memo · / searches", "{count} memos · / searches", total).format(
                count=number(total)
            )
        self.query_one("#memos-about", Static).update(about_line)
        self._detail()

    def focused_memo(self) -> MemoItem | None:
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _detail(self) -> None:
        memo = self.focused_memo()
        pane = self.query_one("#memo-detail", Static)
        if memo is None:
            pane.update(_("No memos match the search: / and esc clear it.") if self.memos else "")
        else:
            pane.update(describe(memo))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = bool(event.value.strip())  # an empty search goes away
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        field = self.query_one("#memos-search", Input)
        field.display = True
        field.focus()

    def action_back(self) -> None:
        """In the search field: empty it and hide it; else leave the screen."""
        field = self.query_one("#memos-search", Input)
        if field.has_focus:
            field.value = ""
            field.display = False
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    def action_open(self) -> None:
        memo = self.focused_memo()
        if memo is None:
            return
        if memo.message is not None:
            open_thread_at(self, memo.message, memo.start or 0)
        else:
            self.app.push_screen(MemoView(memo))

    def action_edit(self) -> None:
        memo = self.focused_memo()
        if memo is None:
            return
        if memo.coder and memo.coder != self.fokus.coder_name:
            title = _("Memo on {about} ({coder}'s)").format(about=about(memo), coder=memo.coder)
        else:
            title = _("Memo on {about}").format(about=about(memo))
        write_memo(self, self.fokus, title, (memo.id, memo.text), _never, then=self.load)

    def action_delete(self) -> None:
        memo = self.focused_memo()
        if memo is None:
            return
        app = self.fokus
        if app.write(lambda s: delete_memo(s, memo.id, app.coder_id)) is not None:
            self.notify(
                _("Deleted the memo on {about}: “{text}” (u undoes)").format(
                    about=about(memo), text=_cut(first_line(memo.text), 40)
                )
            )
        self.load()


def _never(*_args: object) -> None:
    """The memo screen only edits memos that are there: a new memo is written where it belongs (in a thread)."""
    raise AssertionError("the memo screen writes no new memos")
