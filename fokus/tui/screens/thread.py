"""One thread as a conversation: post, comments, replies indented; codings in their code's colour, suggestions
underlined, each message's codes and suggestions named under it. The cursor moves by sentence (``j``/``k``); ``c``
codes the sentence, ``m`` writes a memo on the message, ``g`` marks the sentence as good practice.

The codes panel (:mod:`fokus.tui.widgets.codes_panel`; beside the conversation, or below it at 80 columns) lists
every coding and open suggestion on the sentence or selection. ``tab`` or a number chooses one; ``e`` recodes it,
``x`` removes it, ``M`` writes a memo on it, ``a``/``r`` accept or reject a suggestion. With one candidate the key
acts on it, with several it asks which; every notification names the coding. Coding the same code again over a
span you coded asks first (extend the coding there is, or code again). Opened from the thread list after a
free-text filter, the thread starts at the first sentence with the words and marks them."""

from __future__ import annotations

import re

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import Header, Static

from fokus.api.browse import MessageView, conversation, text_matches, thread_sentences
from fokus.api.good_practice import mark_good_practice
from fokus.api.memos import add_memo, memo_on_case
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.thread_coding import CodingKeys, Cursor
from fokus.tui.widgets.codes_panel import CodesPanel, entries_on
from fokus.tui.widgets.memo import MemoEditor

#: Where the codes panel goes beside the conversation rather than below it.
WIDE = 120
FOUND = "bold black on yellow"  # the words of the thread list's free-text filter


def render_message(view: MessageView, cursor: Cursor | None, found: str | None = None) -> Text:
    """A message's header and text with its codings (and the cursor, and the words ``found``) styled; under it the
    codes coded there and the codes suggested there (underlined like their passages)."""
    who = view.participant + (f" ({view.case})" if view.case else "")
    text = Text(f"{view.created_at:%Y-%m-%d %H:%M}  {who}\n", style="bold")
    body = Text(view.text)
    for coding in view.codings:
        if coding.status == "accepted":
            body.stylize(f"on {coding.color or '#555555'}", coding.start, coding.end)
        elif coding.status == "suggested":
            body.stylize(f"underline {coding.color or 'yellow'}", coding.start, coding.end)
    for start, end in text_matches(view.text, found or ""):
        body.stylize(FOUND, start, end)
    if cursor is not None:
        body.stylize("reverse", cursor.start, cursor.end)
    text.append_text(body)
    codes = sorted({f"{c.code} ({c.coder})" for c in view.codings if c.status == "accepted"})
    if codes:
        text.append("\n" + ", ".join(codes), style="dim italic")
    suggested = {c.code: c.color for c in view.codings if c.is_suggestion}
    if suggested:
        text.append("\nforslag: ", style="dim italic")
        for index, code in enumerate(sorted(suggested)):
            text.append(", " if index else "", style="dim italic")
            text.append(code, style=f"italic underline {suggested[code] or 'yellow'}")
    return text


#: Keys that pair up in the key bar, each pair with one label: "j/k Neste/forrige setning".
MOVE = Binding.Group("Neste/forrige setning")
BY_SENTENCE = Binding.Group("Utvid/krymp en setning")
BY_WORD = Binding.Group("Utvid/krymp et ord")


class ThreadScreen(CodingKeys):
    BINDINGS = [
        Binding("escape", "back", "Tilbake", id="thread.back"),
        Binding("j,down", "next", "Neste setning", id="thread.next", group=MOVE),
        Binding("k,up", "previous", "Forrige setning", id="thread.previous", group=MOVE),
        Binding("J", "extend_sentence", "Utvid med en setning", id="thread.extend_sentence", group=BY_SENTENCE),
        Binding("K", "shrink_sentence", "Krymp med en setning", id="thread.shrink_sentence", group=BY_SENTENCE),
        Binding("l", "extend_word", "Utvid med et ord", id="thread.extend_word", group=BY_WORD),
        Binding("h", "shrink_word", "Krymp med et ord", id="thread.shrink_word", group=BY_WORD),
        Binding("c", "code", "Kod utvalget", id="thread.code"),
        # choosing an entry of the codes panel: its title says how, so they stay out of the key bar
        Binding("tab", "next_entry", "Velg neste koding i panelet", show=False, id="thread.next_entry"),
        Binding("shift+tab", "previous_entry", "Velg forrige koding i panelet", show=False, id="thread.previous_entry"),
        Binding(
            "1", "choose(1)", "Velg koding nummer 1–9 i panelet", key_display="1–9", show=False, id="thread.choose1"
        ),
        *(Binding(str(n), f"choose({n})", "", show=False, id=f"thread.choose{n}") for n in range(2, 10)),
        Binding("e", "recode", "Endre koden", id="thread.recode"),
        Binding("x", "uncode", "Fjern din koding", id="thread.uncode"),
        Binding("a", "accept", "Godta forslag", id="thread.accept"),
        Binding("r", "reject", "Avvis forslag", id="thread.reject"),
        Binding("m", "memo", "Memo om meldingen", id="thread.memo"),
        Binding("M", "memo_coding", "Memo om din koding", id="thread.memo_coding"),
        Binding("n", "memo_case", "Memo om kommunen", id="thread.memo_case"),
        Binding("g", "good_practice", "God praksis", id="thread.good"),
    ]

    def __init__(self, thread_id: int, *, start_at: tuple[int, int] | None = None, found: str | None = None) -> None:
        """``start_at``: (message id, offset) of the sentence to put the cursor on, as when opening a passage.
        ``found``: the thread list's free-text filter; its words are marked, and without ``start_at`` the cursor
        starts at the first sentence that holds them."""
        super().__init__()
        self.thread_id = thread_id
        self.start_at = start_at
        self.found = found.strip() if found and found.strip() else None
        self.views: list[MessageView] = []
        self.cursors: list[Cursor] = []
        self.position = 0
        self.extent: tuple[int, int] | None = None  # a selection grown beyond the current sentence

    def compose(self) -> ComposeResult:
        yield Header()
        wide = self.app.size.width >= WIDE  # laid out once, before the messages are
        with Container(id="thread-body") as body:
            body.styles.layout = "horizontal" if wide else "vertical"
            yield VerticalScroll(id="conversation")
            yield CodesPanel(id="codes-panel", classes="" if wide else "-compact")

    def on_mount(self) -> None:
        self.load()
        if self.start_at is None and self.found is not None:
            self.move_to(self._first_found())
        if self.start_at is not None:
            message, offset = self.start_at
            for position, cursor in enumerate(self.cursors):
                view = self.views[cursor.message]
                if view.message_id == message and cursor.start <= offset < max(cursor.end, cursor.start + 1):
                    self.move_to(position)
                    break

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out(event.size.width)

    def _lay_out(self, width: int) -> None:
        """The codes panel beside the conversation where there is room, below it (one line an entry) where not."""
        wide = width >= WIDE
        body = self.query_one("#thread-body", Container)
        if body.styles.layout is None or body.styles.layout.name != ("horizontal" if wide else "vertical"):
            body.styles.layout = "horizontal" if wide else "vertical"
            self.panel.set_class(not wide, "-compact")

    def _first_found(self) -> int:
        """The first sentence that holds the free-text filter's words (the first sentence if none does: the words
        may be in the thread's title)."""
        for position, cursor in enumerate(self.cursors):
            text = self.views[cursor.message].text
            if any(start < cursor.end and cursor.start < end for start, end in text_matches(text, self.found or "")):
                return position
        return 0

    def _show_panel(self) -> None:
        found = self.current
        if found is None:
            self.panel.show("", [], self.fokus.coder_name)
            return
        view, cursor = found
        me = self.fokus.coder_name
        self.panel.show(view.text, entries_on(view.codings, cursor.start, cursor.end, me), me)
        if self.panel.compact:
            self.call_after_refresh(self._keep_in_view)  # the panel below may have grown over the sentence

    def _keep_in_view(self) -> None:
        found = self.current
        if found is not None and self.is_mounted:
            self.query_one(f"#message-{found[1].message}", Static).scroll_visible(animate=False)

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
                widget.update(render_message(view, current if here else None, self.found))
                widget.set_class(here, "current")
            self._show_panel()
            return
        widgets = []
        for index, view in enumerate(self.views):
            here = current is not None and current.message == index
            classes = f"message depth-{min(view.depth, 2)}" + (" current" if here else "")  # styled once, mounted
            widgets.append(
                Static(
                    render_message(view, current if here else None, self.found), id=f"message-{index}", classes=classes
                )
            )
        holder.mount_all(widgets)
        self._show_panel()

    def _redraw(self, old: int) -> None:
        found = self.current
        if found is None:
            return
        current = found[1]
        for index in {self.cursors[old].message, current.message}:
            widget = self.query_one(f"#message-{index}", Static)
            widget.update(render_message(self.views[index], current if current.message == index else None, self.found))
            widget.set_class(current.message == index, "current")
        self.query_one(f"#message-{current.message}", Static).scroll_visible()
        self._show_panel()

    def move_to(self, position: int) -> None:
        old, self.position, self.extent = self.position, position, None
        self.panel.forget()
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
        self.panel.forget()
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
