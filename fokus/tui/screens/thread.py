"""One thread as a conversation: post, comments, replies indented; codings in their code's colour, suggestions
underlined, each message's codes and suggestions named under it. The cursor moves by sentence (``j``/``k``); ``c``
codes the sentence, ``m`` writes a memo on the message, ``g`` marks the sentence as good practice.

The codes panel (:mod:`fokus.tui.widgets.codes_panel`; beside the conversation, or below it at 80 columns) lists
every coding and open suggestion on the sentence or selection. ``tab`` or a number chooses one; ``e`` recodes it,
``x`` removes it, ``M`` writes a memo on it, ``a``/``r`` accept or reject a suggestion. With one candidate the key
acts on it, with several it asks which; every notification names the coding. Coding the same code again over a
span you coded asks first (extend the coding there is, or code again). Opened from the thread list after a
free-text filter, the thread starts at the first sentence with the words and marks them.

The conversation is one widget (:mod:`fokus.tui.widgets.conversation`) that paints only the lines in view, and the
key bar is composed with the rest, so that a thread opens in one layout. The thread list opens its threads in one
screen (:func:`open_thread`), which it keeps: a new screen per thread was laid out, styled and resized twice, and
each closed one was left for a full garbage collection."""

from __future__ import annotations

import re

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container

from fokus.api.browse import MessageView, conversation, text_matches, thread_sentences
from fokus.api.good_practice import mark_good_practice
from fokus.api.memos import add_memo, memo_on_case
from fokus.i18n import N_, _, formats
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.thread_coding import CodingKeys, Cursor
from fokus.tui.widgets.codes_panel import CodesPanel, entries_on
from fokus.tui.widgets.conversation import Conversation
from fokus.tui.widgets.header import Header
from fokus.tui.widgets.keybar import KeyBar
from fokus.tui.widgets.memo import MemoEditor

#: Where the codes panel goes beside the conversation rather than below it.
WIDE = 120


#: Keys that pair up in the key bar, each pair with one label: "j/k Next/previous sentence".
MOVE = Binding.Group(N_("Next/previous sentence"))
BY_SENTENCE = Binding.Group(N_("Grow/shrink by sentence"))
BY_WORD = Binding.Group(N_("Grow/shrink by word"))


class ThreadScreen(CodingKeys):
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="thread.back"),
        Binding("j,down", "next", N_("Next sentence"), id="thread.next", group=MOVE),
        Binding("k,up", "previous", N_("Previous sentence"), id="thread.previous", group=MOVE),
        Binding("J", "extend_sentence", N_("Grow by a sentence"), id="thread.extend_sentence", group=BY_SENTENCE),
        Binding("K", "shrink_sentence", N_("Shrink by a sentence"), id="thread.shrink_sentence", group=BY_SENTENCE),
        Binding("l", "extend_word", N_("Grow by a word"), id="thread.extend_word", group=BY_WORD),
        Binding("h", "shrink_word", N_("Shrink by a word"), id="thread.shrink_word", group=BY_WORD),
        Binding("c", "code", N_("Code selection"), id="thread.code"),
        # choosing an entry of the codes panel: its title says how, so they stay out of the key bar
        Binding("tab", "next_entry", N_("Choose the next coding in the panel"), show=False, id="thread.next_entry"),
        Binding(
            "shift+tab",
            "previous_entry",
            N_("Choose the previous coding in the panel"),
            show=False,
            id="thread.previous_entry",
        ),
        Binding(
            "1", "choose(1)", N_("Choose coding 1–9 in the panel"), key_display="1–9", show=False, id="thread.choose1"
        ),
        *(Binding(str(n), f"choose({n})", "", show=False, id=f"thread.choose{n}") for n in range(2, 10)),
        Binding("e", "recode", N_("Recode"), id="thread.recode"),
        Binding("x", "uncode", N_("Remove your coding"), id="thread.uncode"),
        Binding("a", "accept", N_("Accept suggestion"), id="thread.accept"),
        Binding("r", "reject", N_("Reject suggestion"), id="thread.reject"),
        Binding("m", "memo", N_("Memo on message"), id="thread.memo"),
        Binding("M", "memo_coding", N_("Memo on coding"), id="thread.memo_coding"),
        Binding("n", "memo_case", N_("Memo on municipality"), id="thread.memo_case"),
        Binding("g", "good_practice", N_("Good practice"), id="thread.good"),
        Binding("F", "municipality_page", N_("Municipality's page"), id="thread.page"),
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
            yield Conversation(id="conversation")
            yield CodesPanel(id="codes-panel", classes="" if wide else "-compact")
        yield KeyBar()  # composed here, not mounted after the first layout (FokusScreen mounts one if not)

    def on_mount(self) -> None:
        self._start()

    def reopen(self, thread_id: int, *, start_at: tuple[int, int] | None = None, found: str | None = None) -> None:
        """Show another thread in this screen, as a new screen would (at its top, nothing chosen), without laying
        out and styling a new screen's widgets: the thread list opens every thread in one screen."""
        self.thread_id = thread_id
        self.start_at = start_at
        self.found = found.strip() if found and found.strip() else None
        self.position, self.extent = 0, None
        self.panel.forget()
        self.conversation.scroll_to(0, 0, animate=False, immediate=True, force=True)
        self._start()

    def _start(self) -> None:
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
        if self.is_mounted:
            self.conversation.keep_in_view()

    @property
    def conversation(self) -> Conversation:
        return self.query_one("#conversation", Conversation)

    def _selection(self) -> tuple[int, int, int] | None:
        found = self.current
        return None if found is None else (found[1].message, found[1].start, found[1].end)

    def load(self) -> None:
        with self.fokus.reading() as session:
            self.views = conversation(session, self.thread_id)
            spans_of = thread_sentences(session, self.thread_id)
            self.cursors = []
            for index, view in enumerate(self.views):
                spans = spans_of.get(view.message_id) or [(0, len(view.text))]
                self.cursors.extend(Cursor(index, start, end) for start, end in spans if end > start)
        self.position = min(self.position, max(len(self.cursors) - 1, 0))
        self.conversation.show(self.views, self._selection(), self.found)
        self._show_panel()

    def _redraw(self) -> None:
        if self.current is None:
            return
        self.conversation.select(self._selection())
        self._show_panel()

    def move_to(self, position: int) -> None:
        self.position, self.extent = position, None
        self.panel.forget()
        self._redraw()

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
        self._redraw()

    def action_extend_sentence(self) -> None:
        """Take in the next sentence of the same message."""
        found = self.current
        if found is None:
            return
        _view, selection = found
        following = [c for c in self.cursors if c.message == selection.message and c.start >= selection.end]
        if following:
            self._extend(following[0].end)

    def action_shrink_sentence(self) -> None:
        found = self.current
        if found is None:
            return
        _view, selection = found
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

    def on_conversation_clicked(self, event: Conversation.Clicked) -> None:
        """A click on a message puts the cursor on the sentence under it."""
        for position, cursor in enumerate(self.cursors):
            if cursor.message == event.index and cursor.end > event.offset:
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
        view, _cursor = found
        app = self.fokus
        with app.reading() as session:
            own = coder_memo(session, app.coder_id, message_id=view.message_id)
        write_memo(
            self,
            app,
            _("Memo on the message from {participant}").format(participant=view.participant),
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
        view, _cursor = found
        if view.case is None:
            self.notify(_("This participant is not linked to a municipality"))
            return
        app = self.fokus
        case = view.case
        with app.reading() as session:
            own = coder_memo(session, app.coder_id, case=case)
        write_memo(
            self,
            app,
            _("Memo on {case}").format(case=case),
            own,
            lambda s, text: memo_on_case(s, case, text, coder_id=app.coder_id),
        )

    def action_municipality_page(self) -> None:
        """The page of the municipality of the message in focus, else of the thread's post."""
        from fokus.tui.screens.page import open_thread_page

        found = self.current
        open_thread_page(self, self.thread_id, found[0].case if found else None)

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
        if at.others:
            title = _("Good practice: a short summary (marked by {coders})").format(coders=formats.listing(at.others))
        else:
            title = _("Good practice: a short summary")

        def saved(summary: str | None) -> None:
            if not summary:
                return
            step = app.write(
                lambda s: mark_good_practice(s, view.message_id, cursor.start, cursor.end, summary, app.coder_id)
            )
            if step is None:
                return
            if step.already_marked:
                if step.replaced:
                    self.notify(_("Your summary was changed"))
                elif at.own_summary:
                    self.notify(_("Your summary is unchanged"))
                else:
                    self.notify(_("Your summary was added to your mark"))
            elif step.others:
                self.notify(
                    _("Marked as good practice, together with {coders}").format(coders=formats.listing(step.others))
                )
            else:
                self.notify(_("Marked as good practice"))
            self.load()

        written = at.own_summary[1] if at.own_summary else ""
        self.app.push_screen(MemoEditor(title, written), saved)

    def on_codings_changed(self, _: CodingsChanged) -> None:
        self.load()


#: The name under which the app keeps the screen that the thread list opens its threads in.
READER = "thread-reader"


def open_thread(app: App[None], thread_id: int, *, found: str | None = None) -> None:
    """Open a thread (starting at the words ``found``) in the screen kept for reading, or in a new one while that
    screen is already open further down (a thread list opened on top of a thread)."""
    if not app.is_screen_installed(READER):
        app.install_screen(ThreadScreen(thread_id, found=found), READER)
        app.push_screen(READER)
        return
    reader = app.get_screen(READER)
    if reader in app.screen_stack or not isinstance(reader, ThreadScreen):
        app.push_screen(ThreadScreen(thread_id, found=found))
        return
    reader.reopen(thread_id, found=found)
    app.push_screen(reader)
