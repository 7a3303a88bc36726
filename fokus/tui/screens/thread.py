"""One thread as a conversation: post, comments, replies indented; codings in their code's colour, suggestions
underlined. The cursor moves by sentence (``j``/``k``); ``c`` codes the sentence, ``x`` removes your coding on it,
``m`` writes a memo on the message, ``g`` marks the sentence as good practice."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from fokus.api.browse import MessageView, conversation, sentences
from fokus.api.coding_actions import add_coding, remove_coding
from fokus.api.memos import add_memo, mark_good_practice
from fokus.model import Code
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.code_picker import CodePicker
from fokus.tui.widgets.memo import MemoEditor


@dataclass(frozen=True)
class Cursor:
    message: int  # index into the conversation
    start: int
    end: int


def render_message(view: MessageView, cursor: Cursor | None) -> Text:
    """A message's header and text with its codings (and the cursor) styled."""
    who = view.participant + (f" ({view.case})" if view.case else "")
    text = Text(f"{view.created_at:%Y-%m-%d %H:%M}  {who}\n", style="bold")
    body = Text(view.text)
    for coding in view.codings:
        if coding.status == "accepted":
            body.stylize(f"on {coding.color or '#555555'}", coding.start, coding.end)
        elif coding.status == "suggested":
            body.stylize(f"underline {coding.color or 'yellow'}", coding.start, coding.end)
    if cursor is not None:
        body.stylize("reverse", cursor.start, cursor.end)
    text.append_text(body)
    codes = sorted({f"{c.code} ({c.coder})" for c in view.codings if c.status == "accepted"})
    if codes:
        text.append("\n" + ", ".join(codes), style="dim italic")
    return text


class ThreadScreen(FokusScreen):
    BINDINGS = [
        Binding("escape", "back", "Tilbake", id="thread.back"),
        Binding("j,down", "next", "Neste setning", id="thread.next"),
        Binding("k,up", "previous", "Forrige setning", id="thread.previous"),
        Binding("c", "code", "Kod setningen", id="thread.code"),
        Binding("x", "uncode", "Fjern din koding", id="thread.uncode"),
        Binding("m", "memo", "Memo", id="thread.memo"),
        Binding("g", "good_practice", "God praksis", id="thread.good"),
    ]

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.views: list[MessageView] = []
        self.cursors: list[Cursor] = []
        self.position = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="conversation")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        with self.fokus.reading() as session:
            self.views = conversation(session, self.thread_id)
            self.cursors = []
            for index, view in enumerate(self.views):
                spans = sentences(session, view.message_id) or [(0, len(view.text))]
                self.cursors.extend(Cursor(index, start, end) for start, end in spans if end > start)
        self.position = min(self.position, max(len(self.cursors) - 1, 0))
        holder = self.query_one("#conversation", VerticalScroll)
        current = self.cursors[self.position] if self.cursors else None
        shown = list(holder.query(Static))
        if len(shown) == len(self.views):  # the same messages: restyle them in place
            for index, (widget, view) in enumerate(zip(shown, self.views, strict=True)):
                here = current is not None and current.message == index
                widget.update(render_message(view, current if here else None))
                widget.set_class(here, "current")
            return
        widgets = []
        for index, view in enumerate(self.views):
            here = current is not None and current.message == index
            widget = Static(render_message(view, current if here else None), id=f"message-{index}")
            widget.set_classes(f"message depth-{min(view.depth, 2)}" + (" current" if here else ""))
            widgets.append(widget)
        holder.mount_all(widgets)

    def _redraw(self, old: int) -> None:
        for index in {self.cursors[old].message, self.cursors[self.position].message}:
            current = self.cursors[self.position]
            widget = self.query_one(f"#message-{index}", Static)
            widget.update(render_message(self.views[index], current if current.message == index else None))
            widget.set_class(current.message == index, "current")
        self.query_one(f"#message-{self.cursors[self.position].message}", Static).scroll_visible()

    def action_next(self) -> None:
        if self.position + 1 < len(self.cursors):
            self.position += 1
            self._redraw(self.position - 1)

    def action_previous(self) -> None:
        if self.position > 0:
            self.position -= 1
            self._redraw(self.position + 1)

    def action_back(self) -> None:
        self.app.pop_screen()

    @property
    def current(self) -> tuple[MessageView, Cursor] | None:
        if not self.cursors:
            return None
        cursor = self.cursors[self.position]
        return self.views[cursor.message], cursor

    def action_code(self) -> None:
        found = self.current
        if found is None:
            return
        view, cursor = found
        with self.fokus.reading() as session:
            codes = [(c.path, c.name) for c in session.query(Code).filter(Code.codable).order_by(Code.position)]

        def chosen(code: str | None) -> None:
            if code is None:
                return
            app = self.fokus
            done = app.write(lambda s: add_coding(s, view.message_id, code, cursor.start, cursor.end, app.coder_id))
            if done is not None:
                app.remember_code(code)
                self.notify(f"Kodet som {code}")
                self.load()

        self.app.push_screen(CodePicker(codes, self.fokus.recent_codes), chosen)

    def action_uncode(self) -> None:
        found = self.current
        if found is None:
            return
        view, cursor = found
        mine = [
            c
            for c in view.codings
            if c.status == "accepted"
            and c.coder == self.fokus.coder_name
            and c.start < cursor.end
            and cursor.start < c.end
        ]
        if not mine:
            self.notify("Du har ingen koding her")
            return
        app = self.fokus
        if app.write(lambda s: remove_coding(s, mine[-1].coding_id, app.coder_id)) is not None:
            self.notify(f"Fjernet {mine[-1].code}")
            self.load()

    def action_memo(self) -> None:
        found = self.current
        if found is None:
            return
        view, _ = found
        app = self.fokus

        def saved(text: str | None) -> None:
            if (
                text
                and app.write(lambda s: add_memo(s, text, coder_id=app.coder_id, message_id=view.message_id))
                is not None
            ):
                self.notify("Memo lagret")

        app.push_screen(MemoEditor(f"Memo om meldingen fra {view.participant}"), saved)

    def action_good_practice(self) -> None:
        found = self.current
        if found is None:
            return
        view, cursor = found
        app = self.fokus

        def saved(summary: str | None) -> None:
            if (
                summary
                and app.write(
                    lambda s: mark_good_practice(s, view.message_id, cursor.start, cursor.end, summary, app.coder_id)
                )
                is not None
            ):
                self.notify("Merket som god praksis")
                self.load()

        app.push_screen(MemoEditor("God praksis: kort oppsummering"), saved)

    def on_codings_changed(self, _: CodingsChanged) -> None:
        self.load()
