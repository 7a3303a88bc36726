"""What the thread's keys do to the codings of the sentence or selection, through its codes panel
(:class:`~fokus.tui.widgets.codes_panel.CodesPanel`): ``c`` codes, ``e`` recodes, ``x`` removes, ``M`` writes a
memo, ``a``/``r`` accept or reject a suggestion; ``tab`` and ``1``-``9`` choose the entry they act on.

A key acts on the entry chosen in the panel; with none chosen, on the only candidate (your codings for ``e x M``,
the open suggestions for ``a r``), or it asks which. Only your own codings can be changed or removed; a memo may be
about anyone's. Every notification names the coding: code, the start of its passage, coder (or rule/model and
confidence). Coding a code again over a span you coded with it asks first; see
:meth:`CodingKeys._ask_before_duplicate`.

:class:`ThreadScreen` (``fokus.tui.screens.thread``) is the screen; this is the part of it that changes codings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fokus.api.browse import CodingView, MessageView, overlapping_codings
from fokus.api.coding_actions import accept_as, add_coding, decide, extend_coding, recode, remove_coding
from fokus.api.memos import add_memo
from fokus.domain.excerpts import excerpt
from fokus.i18n import _
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.code_picker import CodePicker
from fokus.tui.widgets.codes_panel import Choice, CodesPanel, describe, quoted


@dataclass(frozen=True)
class Cursor:
    """A selection in a thread: a sentence of a message, or what it grew to."""

    message: int  # index into the conversation
    start: int
    end: int


class CodingKeys(FokusScreen):
    """The coding keys of a screen that has a selection (``current``), a codes panel (``#codes-panel``) and
    reloads what it shows with ``load``."""

    @property
    def current(self) -> tuple[MessageView, Cursor] | None:
        raise NotImplementedError

    def load(self) -> None:
        raise NotImplementedError

    @property
    def panel(self) -> CodesPanel:
        return self.query_one("#codes-panel", CodesPanel)

    def _pick(
        self,
        question: str,
        candidate: Callable[[CodingView], bool],
        none: str,
        why_not: Callable[[CodingView], str | None],
        then: Callable[[MessageView, CodingView], None],
    ) -> None:
        """Act with ``then`` on the entry chosen in the codes panel (unless ``why_not`` says why it can't be), or
        on the only ``candidate`` among its entries, or ask which of the candidates (``none`` when there is none)."""
        found = self.current
        if found is None:
            return
        view, _cursor = found
        panel = self.panel
        chosen = panel.chosen_entry
        if chosen is not None:
            reason = why_not(chosen)
            if reason:
                self.notify(reason)
            else:
                then(view, chosen)
            return
        candidates = [entry for entry in panel.entries if candidate(entry)]
        if not candidates:
            self.notify(none)
            return
        if len(candidates) == 1:
            then(view, candidates[0])
            return
        by_id = {str(c.coding_id): c for c in candidates}

        def answered(key: str | None) -> None:
            if key in by_id:
                then(view, by_id[key])

        answers = [(key, describe(c, view.text)) for key, c in by_id.items()]
        self.app.push_screen(Choice(question, answers), answered)

    def _is_mine(self, coding: CodingView) -> bool:
        return not coding.is_suggestion and coding.coder == self.fokus.coder_name

    def _only_mine(self, coding: CodingView) -> str | None:
        if coding.is_suggestion:
            return _("That is a suggestion: accept it with a or reject it with r")
        if coding.coder != self.fokus.coder_name:
            return _("The coding is {coder}'s: you can change or remove only your own").format(coder=coding.coder)
        return None

    def action_next_entry(self) -> None:
        self.panel.cycle(1)

    def action_previous_entry(self) -> None:
        self.panel.cycle(-1)

    def action_choose(self, number: int) -> None:
        if self.panel.choose(number) is None:
            self.notify(_("There is no coding number {number} here").format(number=number))

    def action_recode(self) -> None:
        """Give a coding of yours another code (or accept a chosen suggestion as another code)."""

        def why_not(coding: CodingView) -> str | None:
            return None if coding.is_suggestion else self._only_mine(coding)

        self._pick(_("Change which coding?"), self._is_mine, _("You have no coding here"), why_not, self._recode)

    def _recode(self, view: MessageView, coding: CodingView) -> None:
        app = self.fokus
        passage = quoted(excerpt(view.text[coding.start : coding.end]))

        def chosen(code: str | None) -> None:
            if not code:
                return
            if coding.is_suggestion:
                if app.write(lambda s: accept_as(s, coding.coding_id, code, app.coder_id)) is not None:
                    app.remember_code(code)
                    self.notify(
                        _("Suggestion {suggested} accepted as {code} ({passage})").format(
                            suggested=coding.code, code=code, passage=passage
                        )
                    )
                    self.load()
            elif app.write(lambda s: recode(s, coding.coding_id, code, app.coder_id)) is not None:
                app.remember_code(code)
                self.notify(
                    _("{old} is now {code} ({passage}, {coder})").format(
                        old=coding.code, code=code, passage=passage, coder=coding.coder
                    )
                )
                self.load()

        title = _("Change {coding} to …").format(coding=describe(coding, view.text))
        self.app.push_screen(CodePicker(app.codable_codes(), app.recent_codes, title=title), chosen)

    def action_code(self) -> None:
        """Code the selection; coding a code again over a span you coded with it asks first."""
        found = self.current
        if found is None:
            return
        view, cursor = found
        app = self.fokus

        def chosen(code: str | None) -> None:
            if code is None:
                return
            suggested = [
                c
                for c in self.panel.entries
                if c.is_suggestion and c.code == code and (c.start, c.end) == (cursor.start, cursor.end)
            ]
            if suggested:  # the machine suggested just that: accepting it keeps where the suggestion came from
                self._decide(view, suggested[0], True)
                return
            with app.reading() as session:
                there = overlapping_codings(session, view.message_id, code, cursor.start, cursor.end, app.coder_id)
            if any((c.start, c.end) == (cursor.start, cursor.end) for c in there):
                self.notify(_("You already coded this as {code}").format(code=code))
            elif there:
                self._ask_before_duplicate(view, cursor, code, there)
            else:
                self._add(view, cursor, code)

        self.app.push_screen(CodePicker(app.codable_codes(), app.recent_codes), chosen)

    def _add(self, view: MessageView, cursor: Cursor, code: str) -> None:
        app = self.fokus
        done = app.write(lambda s: add_coding(s, view.message_id, code, cursor.start, cursor.end, app.coder_id))
        if done is not None:
            app.remember_code(code)
            passage = quoted(excerpt(view.text[cursor.start : cursor.end]))
            self.notify(_("Coded as {code} ({passage})").format(code=code, passage=passage))
            self.load()

    def _ask_before_duplicate(self, view: MessageView, cursor: Cursor, code: str, there: list[CodingView]) -> None:
        """You coded ``code`` over part of the selection already: counted twice, it would weigh double in every
        frequency, so ask. Offered first (``enter``): stretch the coding there is over the selection."""
        app = self.fokus

        def span(start: int, end: int) -> str:
            return f"{quoted(excerpt(view.text[start:end]))} ({start}–{end})"

        answers: list[tuple[str, str]] = []
        start, end = cursor.start, cursor.end
        if len(there) == 1:
            start, end = min(start, there[0].start), max(end, there[0].end)
            if (start, end) != (there[0].start, there[0].end):
                answers.append(("extend", _("Extend the coding to {span}").format(span=span(start, end))))
        answers += [
            ("again", _("Code anyway: one more coding with the same code, overlapping")),
            ("cancel", _("Cancel")),
        ]
        coded = "; ".join(span(c.start, c.end) for c in there)
        question = _("You already coded {code} over part of the selection: {coded}").format(code=code, coded=coded)

        def answered(answer: str | None) -> None:
            if answer == "again":
                self._add(view, cursor, code)
            elif answer == "extend":
                step = app.write(lambda s: extend_coding(s, there[0].coding_id, start, end, app.coder_id))
                if step is not None:
                    self.notify(_("Extended {code} to {span}").format(code=code, span=span(start, end)))
                    self.load()

        self.app.push_screen(Choice(question, answers), answered)

    def action_uncode(self) -> None:
        """Remove a coding of yours on the selection."""
        self._pick(
            _("Remove which coding?"), self._is_mine, _("You have no coding here"), self._only_mine, self._remove
        )

    def _remove(self, view: MessageView, coding: CodingView) -> None:
        app = self.fokus
        if app.write(lambda s: remove_coding(s, coding.coding_id, app.coder_id)) is not None:
            self.notify(_("Removed {coding}").format(coding=describe(coding, view.text)))
            self.load()

    def action_accept(self) -> None:
        """Accept an open suggestion on the selection: it becomes your coding."""
        self._pick(
            _("Accept which suggestion?"), _suggested, _("No open suggestions here"), _not_suggested, self._accept
        )

    def action_reject(self) -> None:
        self._pick(
            _("Reject which suggestion?"), _suggested, _("No open suggestions here"), _not_suggested, self._reject
        )

    def _accept(self, view: MessageView, coding: CodingView) -> None:
        self._decide(view, coding, True)

    def _reject(self, view: MessageView, coding: CodingView) -> None:
        self._decide(view, coding, False)

    def _decide(self, view: MessageView, coding: CodingView, accept: bool) -> None:
        app = self.fokus
        done = app.write(lambda s: decide(s, coding.coding_id, accept, app.coder_id))
        if done is not None:
            said = _("Accepted the suggestion {coding}") if accept else _("Rejected the suggestion {coding}")
            self.notify(said.format(coding=describe(coding, view.text)))
        self.load()  # decided by someone else meanwhile (shown as a notification): show it as it is now

    def action_memo_coding(self) -> None:
        """A memo on a coding of the selection: yours, or the one chosen in the panel (anyone's)."""

        def why_not(coding: CodingView) -> str | None:
            return _("Accept the suggestion (a) before writing a memo on the coding") if coding.is_suggestion else None

        self._pick(_("Memo on which coding?"), self._is_mine, _("You have no coding here"), why_not, self._memo_on)

    def _memo_on(self, view: MessageView, coding: CodingView) -> None:
        """Your memo on the coding opens to edit (as ``m`` does on the message), else a new one."""
        from fokus.api.memos import coder_memo
        from fokus.tui.widgets.memo import write_memo

        app = self.fokus
        with app.reading() as session:
            own = coder_memo(session, app.coder_id, coding_id=coding.coding_id)
        write_memo(
            self,
            app,
            _("Memo on the coding {coding}").format(coding=describe(coding, view.text)),
            own,
            lambda s, text: add_memo(s, text, coder_id=app.coder_id, coding_id=coding.coding_id),
            then=self.load,
        )


def _suggested(coding: CodingView) -> bool:
    return coding.is_suggestion


def _not_suggested(coding: CodingView) -> str | None:
    if coding.is_suggestion:
        return None
    return _("That is a coding, not a suggestion: choose a suggestion with tab or its number")
