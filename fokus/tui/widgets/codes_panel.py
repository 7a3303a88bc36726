"""The codes panel of a thread: every coding and every open suggestion on the sentence or selection, numbered.

The researcher chooses one (its number, or ``tab``) and the thread's keys act on it: ``e`` recodes, ``x`` removes,
``M`` writes a memo, ``a``/``r`` accept or reject a suggestion. Your own codings come first (oldest first), then
the other coders', then the suggestions (surest first). Beside the conversation the panel gives each entry two
lines (code, coder or origin and confidence, memo mark; then the passage); below it, at 80 columns, one line each.

:class:`Choice` is the small question the thread asks when a key has several candidates and none is chosen, or
before a duplicate coding.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from fokus.api.browse import CodingView
from fokus.domain.excerpts import excerpt
from fokus.i18n import N_, _, formats

MEMO_MARK = "✎"


def quoted(passage: str) -> str:
    """A participant's words between the language's quotation marks: “…” in English, «…» in Norwegian."""
    return _("“{passage}”").format(passage=passage)


def describe(coding: CodingView, text: str) -> str:
    """ "dialog (“Dear all: today we close …”, ingrid)": a coding as notifications name it."""
    who = coding.coder if not coding.is_suggestion else origin_label(coding)
    return f"{coding.code} ({quoted(excerpt(text[coding.start : coding.end]))}, {who})"


#: Where a suggestion comes from, by the origin's kind (its first part, as stored: "rule:...", "model:...").
ORIGINS = {"rule": N_("rule"), "model": N_("model")}


def origin_label(coding: CodingView) -> str:
    """ "rule 0.82", "model 0.64" ("regel 0,82" in Norwegian): where a suggestion comes from, and how sure it is."""
    return origin_phrase(coding.origin, coding.confidence)


def origin_phrase(origin: str, confidence: float | None) -> str:
    """ "rule 0.82" for a stored origin ("rule:ungdom:ungdom") and confidence, the number as the language writes it;
    an origin of another kind shows as stored."""
    kind = origin.split(":", 1)[0]
    label = _(ORIGINS[kind]) if kind in ORIGINS else kind
    return label + (f" {formats.number(confidence, 2)}" if confidence is not None else "")


def entries_on(codings: Sequence[CodingView], start: int, end: int, me: str) -> list[CodingView]:
    """The codings and open suggestions that overlap ``start``:``end``, in the panel's order."""
    here = [c for c in codings if c.start < end and start < c.end and c.status in ("accepted", "suggested")]
    mine = sorted((c for c in here if not c.is_suggestion and c.coder == me), key=lambda c: c.coding_id)
    others = sorted(
        (c for c in here if not c.is_suggestion and c.coder != me), key=lambda c: (c.coder, c.start, c.coding_id)
    )
    suggestions = sorted(
        (c for c in here if c.is_suggestion), key=lambda c: (-(c.confidence or 0.0), c.start, c.coding_id)
    )
    return [*mine, *others, *suggestions]


class CodesPanel(Widget, can_focus=False):
    """The entries of the current selection; one of them may be chosen (``chosen``, a coding id)."""

    DEFAULT_CSS = """
    CodesPanel {
        width: 46;
        height: 1fr;
        border: round $primary-darken-1;
        border-title-color: $text;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CodesPanel.-compact {
        width: 1fr;
        height: auto;
        max-height: 5;
        border: none;
        border-top: solid $primary-darken-1;
        padding: 0 1;
    }
    """

    HINT = (N_("tab/1–9 choose · e recode · x remove"), N_("M memo · a accept · r reject"))

    def __init__(self, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.entries: list[CodingView] = []
        self.text = ""
        self.me = ""
        self.chosen: int | None = None

    def show(self, text: str, entries: list[CodingView], me: str) -> None:
        """Show ``entries`` (of a message whose text is ``text``); a choice still among them stays chosen."""
        self.text, self.entries, self.me = text, entries, me
        if self.chosen not in {e.coding_id for e in entries}:
            self.chosen = None
        self._title()
        self.refresh(layout=True)

    def choose(self, number: int) -> CodingView | None:
        """Choose the entry numbered ``number`` (from 1); None, and nothing chosen, when there is no such entry."""
        if 1 <= number <= len(self.entries):
            self.chosen = self.entries[number - 1].coding_id
        self.refresh()
        return self.chosen_entry

    def cycle(self, step: int) -> None:
        """Choose the next (``step`` 1) or previous (-1) entry, round."""
        if not self.entries:
            return
        ids = [e.coding_id for e in self.entries]
        at = ids.index(self.chosen) if self.chosen in ids else (-1 if step > 0 else 0)
        self.chosen = ids[(at + step) % len(ids)]
        self.refresh()

    def forget(self) -> None:
        self.chosen = None
        self.refresh()

    @property
    def chosen_entry(self) -> CodingView | None:
        return next((e for e in self.entries if e.coding_id == self.chosen), None)

    def number_of(self, coding: CodingView) -> int:
        return next(i for i, e in enumerate(self.entries, 1) if e.coding_id == coding.coding_id)

    @property
    def compact(self) -> bool:
        return self.has_class("-compact")

    def _title(self) -> None:
        count = len(self.entries)
        if self.compact:
            title = (
                _("Codes here ({count}) · tab/1–9 choose · e x M a r")
                if count
                else _("Codes here · tab/1–9 choose · e x M a r")
            )
        else:
            title = _("Codes here ({count})") if count else _("Codes here")
        self.border_title = title.format(count=count)

    def on_resize(self, _: events.Resize) -> None:
        self._title()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.entries:
            return 1
        return min(len(self.entries), 4) if self.compact else 2 * len(self.entries) + 3

    def _shown(self) -> tuple[range, int]:
        """The entries that fit (the chosen one among them) and the rows each takes; where not all fit, the last
        row says how many more there are."""
        per = 1 if self.compact else 2
        room = max((self.size.height - (0 if self.compact else 3)) // per, 1)
        count = len(self.entries)
        if count <= room:
            return range(count), per
        rows = max(room - 1, 1)
        at = next((i for i, e in enumerate(self.entries) if e.coding_id == self.chosen), 0)
        first = min(max(at - rows // 2, 0), count - rows)
        return range(first, first + rows), per

    def render(self) -> Text:
        if not self.entries:
            return Text(_("No codings or suggestions here"), style="dim", no_wrap=True, overflow="ellipsis")
        shown, _per = self._shown()
        lines = [line for index in shown for line in self._entry(index)]
        if len(shown) < len(self.entries):
            more = _("… {count} more: tab scrolls").format(count=len(self.entries) - len(shown))
            lines.append(Text(f"   {more}", style="dim"))
        if not self.compact:
            lines += [Text(""), *(Text(_(hint), style="dim") for hint in self.HINT)]
        text = Text("\n").join(lines)
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

    def _entry(self, index: int) -> list[Text]:
        coding = self.entries[index]
        chosen = coding.coding_id == self.chosen
        line = Text(f"{index + 1}", style="bold" if chosen else "dim")
        line.append("▶ " if chosen else "  ", style="bold")
        color = coding.color or ("yellow" if coding.is_suggestion else "#888888")
        if coding.is_suggestion:
            line.append(coding.code, style=f"underline {color}")
            line.append("  " + _("suggestion, {origin}").format(origin=origin_label(coding)), style="italic")
        else:
            line.append("█ ", style=color)
            line.append(coding.code, style="bold")
            line.append(f"  {coding.coder}", style="" if coding.coder == self.me else "dim")
        if coding.has_memo:
            line.append(f" {MEMO_MARK}", style="bold")
        if chosen:
            line.stylize("reverse")
        offsets = f" {coding.start}–{coding.end}"
        room = self.size.width - cell_len(offsets) - (cell_len(line.plain) + 4 if self.compact else 5)
        passage = quoted(excerpt(self.text[coding.start : coding.end], max(room, 12))) + offsets
        if self.compact:
            line.append(f"  {passage}", style="dim")
            return [line]
        return [line, Text(f"   {passage}", style="dim")]

    def on_click(self, event: events.Click) -> None:
        """A click on an entry chooses it."""
        offset = event.get_content_offset(self)
        if offset is None or not self.entries:
            return
        shown, per = self._shown()
        index = shown.start + offset.y // per
        if index in shown:
            self.choose(index + 1)


class Choice(ModalScreen[str | None]):
    """A question with a few answers: returns the chosen answer's key, or None (escape). ``1``-``9`` answer at once."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="choice.cancel"),
        Binding("1", "answer(1)", N_("Answer 1–9"), key_display="1–9", show=False, id="choice.answer1"),
        *(Binding(str(n), f"answer({n})", "", show=False, id=f"choice.answer{n}") for n in range(2, 10)),
    ]
    DEFAULT_CSS = """
    Choice { align: center middle; }
    Choice > Vertical {
        width: 90%; max-width: 84; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    Choice Label { width: 1fr; }
    Choice OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, question: str, answers: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.answers = list(answers)  # (key, label)

    def compose(self) -> ComposeResult:
        with Vertical():
            how = _("(1–{count} or enter, esc cancels)").format(count=len(self.answers))
            yield Label(Text.assemble(self.question, (f"  {how}", "dim")))
            yield OptionList(
                *(Option(Text(f"{n}  {label}"), id=key) for n, (key, label) in enumerate(self.answers, 1)),
                id="choice-answers",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_answer(self, number: int) -> None:
        if 1 <= number <= len(self.answers):
            self.dismiss(self.answers[number - 1][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
