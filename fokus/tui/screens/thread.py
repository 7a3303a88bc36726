"""One thread as a conversation: post, comments, replies indented; codings in their code's colour, suggestions
underlined. The cursor moves by sentence (``j``/``k``); ``c`` codes the sentence, ``x`` removes your coding on it,
``m`` writes a memo on the message, ``g`` marks the sentence as good practice."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from fokus.api.browse import CodingView, MessageView, conversation, thread_sentences
from fokus.api.coding_actions import add_coding, recode, remove_coding
from fokus.api.good_practice import mark_good_practice
from fokus.api.memos import add_memo, memo_on_case
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
        Binding("J", "extend_sentence", "Utvid med en setning", id="thread.extend_sentence"),
        Binding("K", "shrink_sentence", "Krymp med en setning", id="thread.shrink_sentence"),
        Binding("l", "extend_word", "Utvid med et ord", id="thread.extend_word"),
        Binding("h", "shrink_word", "Krymp med et ord", id="thread.shrink_word"),
        Binding("c", "code", "Kod utvalget", id="thread.code"),
        Binding("e", "recode", "Endre koden", id="thread.recode"),
        Binding("x", "uncode", "Fjern din koding", id="thread.uncode"),
        Binding("m", "memo", "Memo om meldingen", id="thread.memo"),
        Binding("M", "memo_coding", "Memo om din koding", id="thread.memo_coding"),
        Binding("n", "memo_case", "Memo om kommunen", id="thread.memo_case"),
        Binding("g", "good_practice", "God praksis", id="thread.good"),
    ]

    def __init__(self, thread_id: int, *, start_at: tuple[int, int] | None = None) -> None:
        """``start_at``: (message id, offset) of the sentence to put the cursor on, as when opening a passage."""
        super().__init__()
        self.thread_id = thread_id
        self.start_at = start_at
        self.views: list[MessageView] = []
        self.cursors: list[Cursor] = []
        self.position = 0
        self.extent: tuple[int, int] | None = None  # a selection grown beyond the current sentence

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="conversation")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        if self.start_at is not None:
            message, offset = self.start_at
            for position, cursor in enumerate(self.cursors):
                view = self.views[cursor.message]
                if view.message_id == message and cursor.start <= offset < max(cursor.end, cursor.start + 1):
                    self.move_to(position)
                    break

    def load(self) -> None:
        with self.fokus.reading() as session:
            self.views = conversation(session, self.thread_id)
            spans_of = thread_sentences(session, self.thread_id)
            self.cursors = []
            for index, view in enumerate(self.views):
                spans = spans_of.get(view.message_id) or [(0, len(view.text))]
                self.cursors.extend(Cursor(index, start, end) for start, end in spans if end > start)
        self.position = min(self.position, max(len(self.cursors) - 1, 0))
        holder = self.query_one("#conversation", VerticalScroll)
        found = self.current
        current = found[1] if found else None
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
        found = self.current
        if found is None:
            return
        current = found[1]
        for index in {self.cursors[old].message, current.message}:
            widget = self.query_one(f"#message-{index}", Static)
            widget.update(render_message(self.views[index], current if current.message == index else None))
            widget.set_class(current.message == index, "current")
        self.query_one(f"#message-{current.message}", Static).scroll_visible()

    def move_to(self, position: int) -> None:
        old, self.position, self.extent = self.position, position, None
        self._redraw(old)

    def action_next(self) -> None:
        if self.position + 1 < len(self.cursors):
            self.move_to(self.position + 1)

    def action_previous(self) -> None:
        if self.position > 0:
            self.move_to(self.position - 1)

    def _extend(self, end: int) -> None:
        cursor = self.cursors[self.position]
        self.extent = (cursor.start, end) if end != cursor.end else None
        self._redraw(self.position)

    def action_extend_sentence(self) -> None:
        """Take in the next sentence of the same message."""
        found = self.current
        if found is None:
            return
        _, selection = found
        following = [c for c in self.cursors if c.message == selection.message and c.start >= selection.end]
        if following:
            self._extend(following[0].end)

    def action_shrink_sentence(self) -> None:
        found = self.current
        if found is None:
            return
        _, selection = found
        earlier = [
            c for c in self.cursors if c.message == selection.message and selection.start < c.end < selection.end
        ]
        if earlier:
            self._extend(max(e.end for e in earlier))

    def action_extend_word(self) -> None:
        found = self.current
        if found is None:
            return
        view, selection = found
        word = re.compile(r"\S+").search(view.text, selection.end)
        if word is not None:
            self._extend(word.end())

    def action_shrink_word(self) -> None:
        found = self.current
        if found is None:
            return
        view, selection = found
        words = [m.end() for m in re.finditer(r"\S+", view.text[selection.start : selection.end])]
        if len(words) > 1:
            self._extend(selection.start + words[-2])

    def on_click(self, event: events.Click) -> None:
        """A click on a message puts the cursor on the sentence under it (as near as the text's wrapping allows)."""
        widget = event.widget
        if not isinstance(widget, Static) or not widget.id or not widget.id.startswith("message-"):
            return
        index = int(widget.id.removeprefix("message-"))
        offset = _offset_at(self.views[index].text, event.y - 1, event.x, max(widget.content_region.width, 10))
        for position, cursor in enumerate(self.cursors):
            if cursor.message == index and cursor.end > offset:
                self.move_to(position)
                return

    def action_back(self) -> None:
        self.app.pop_screen()

    @property
    def current(self) -> tuple[MessageView, Cursor] | None:
        """The message in focus and the selection in it: the current sentence, or what the selection grew to."""
        if not self.cursors:
            return None
        cursor = self.cursors[self.position]
        if self.extent is not None:
            cursor = Cursor(cursor.message, *self.extent)
        return self.views[cursor.message], cursor

    def action_recode(self) -> None:
        """Give your coding on the selection another code."""
        mine = self._mine()
        if not mine:
            return
        app = self.fokus
        codes = app.codable_codes()

        def chosen(code: str | None) -> None:
            if code and app.write(lambda s: recode(s, mine[-1].coding_id, code, app.coder_id)) is not None:
                app.remember_code(code)
                self.notify(f"{mine[-1].code} er nå {code}")
                self.load()

        self.app.push_screen(CodePicker(codes, app.recent_codes, title=f"Endre {mine[-1].code} til …"), chosen)

    def action_code(self) -> None:
        found = self.current
        if found is None:
            return
        view, cursor = found
        codes = self.fokus.codable_codes()

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

    def _mine(self) -> list[CodingView]:
        """Your accepted codings that overlap the selection (a notification when there are none)."""
        found = self.current
        if found is None:
            return []
        view, cursor = found
        me = self.fokus.coder_name
        mine = [
            c
            for c in view.codings
            if c.status == "accepted" and c.coder == me and c.start < cursor.end and cursor.start < c.end
        ]
        if not mine:
            self.notify("Du har ingen koding her")
        return mine

    def action_uncode(self) -> None:
        mine = self._mine()
        if not mine:
            return
        app = self.fokus
        if app.write(lambda s: remove_coding(s, mine[-1].coding_id, app.coder_id)) is not None:
            self.notify(f"Fjernet {mine[-1].code}")
            self.load()

    def action_memo(self) -> None:
        """A memo on the message: the one you wrote opens to edit, else a new one."""
        from fokus.api.memos import coder_memo
        from fokus.tui.widgets.memo import write_memo

        found = self.current
        if found is None:
            return
        view, _ = found
        app = self.fokus
        with app.reading() as session:
            own = coder_memo(session, app.coder_id, message_id=view.message_id)
        write_memo(
            self,
            app,
            f"Memo om meldingen fra {view.participant}",
            own,
            lambda s, text: add_memo(s, text, coder_id=app.coder_id, message_id=view.message_id),
        )

    def action_memo_coding(self) -> None:
        mine = self._mine()
        if not mine:
            return
        app, coding = self.fokus, mine[-1]

        def saved(text: str | None) -> None:
            if text and app.write(lambda s: add_memo(s, text, coder_id=app.coder_id, coding_id=coding.coding_id)):
                self.notify("Memo lagret")

        self.app.push_screen(MemoEditor(f"Memo om kodingen {coding.code}"), saved)

    def action_memo_case(self) -> None:
        """A memo on the speaker's municipality: the one you wrote opens to edit, else a new one."""
        from fokus.api.memos import coder_memo
        from fokus.tui.widgets.memo import write_memo

        found = self.current
        if found is None:
            return
        view, _ = found
        if view.case is None:
            self.notify("Denne deltakeren er ikke knyttet til en kommune")
            return
        app = self.fokus
        case = view.case
        with app.reading() as session:
            own = coder_memo(session, app.coder_id, case=case)
        write_memo(
            self, app, f"Memo om {case}", own, lambda s, text: memo_on_case(s, case, text, coder_id=app.coder_id)
        )

    def action_good_practice(self) -> None:
        """Mark the selection as good practice, with a short summary. On a passage others marked, it becomes your own
        coding of their passage (one row on the board, with everyone's summary); on one you marked, the editor holds
        your summary to change."""
        from fokus.api.good_practice import marks_at

        found = self.current
        if found is None:
            return
        view, cursor = found
        app = self.fokus
        with app.reading() as session:
            at = marks_at(session, view.message_id, cursor.start, cursor.end, app.coder_id)
        others = f" (merket av {', '.join(at.others)})" if at.others else ""

        def saved(summary: str | None) -> None:
            if not summary:
                return
            step = app.write(
                lambda s: mark_good_practice(s, view.message_id, cursor.start, cursor.end, summary, app.coder_id)
            )
            if step is None:
                return
            if step.already_marked:
                done = "endret" if step.replaced else "uendret" if at.own_summary else "lagt til merkingen din"
                self.notify(f"Oppsummeringen din er {done}")
            elif step.others:
                self.notify(f"Merket som god praksis, sammen med {', '.join(step.others)}")
            else:
                self.notify("Merket som god praksis")
            self.load()

        written = at.own_summary[1] if at.own_summary else ""
        self.app.push_screen(MemoEditor(f"God praksis: kort oppsummering{others}", written), saved)

    def on_codings_changed(self, _: CodingsChanged) -> None:
        self.load()


def _offset_at(text: str, line: int, column: int, width: int) -> int:
    """The character offset shown at (line, column) when ``text`` is wrapped at ``width`` (approximately: words
    wrap as Rich wraps them)."""
    offset = 0
    row = 0
    for paragraph in text.split("\n"):
        position = 0
        while True:
            if row == line:
                return offset + min(position + column, len(paragraph))
            if len(paragraph) - position <= width:
                break
            cut = paragraph.rfind(" ", position, position + width + 1)
            position = cut + 1 if cut > position else position + width
            row += 1
        offset += len(paragraph) + 1
        row += 1
    return len(text)
