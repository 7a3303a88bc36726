"""The review queue (``v``): one suggestion at a time, in its sentence and message, with the words that triggered it.

``a`` accepts, ``r`` rejects, ``e`` accepts it as another code, ``s`` skips, ``u`` undoes, ``o`` changes the order
(by confidence, by code, by thread, most uncertain first). Every decision is written to the database at once.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fokus.api.coding_actions import accept_as, decide
from fokus.api.review import ReviewItem, review_progress, review_queue
from fokus.i18n import N_, _, formats, ngettext
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.code_picker import CodePicker
from fokus.tui.widgets.codes_panel import origin_phrase
from fokus.tui.widgets.header import Header

ORDERS = ("confidence", "code", "thread", "uncertain")
ORDER_NAMES = {
    "confidence": N_("surest first"),
    "code": N_("by code"),
    "thread": N_("by thread"),
    "uncertain": N_("most uncertain first"),
}
PAGE = 50


def render_item(item: ReviewItem, name: str | None = None) -> Text:
    """The suggestion's card: its code (``name``: the code's name in the reader's language, else the stored one),
    where it comes from and how sure, and its message with the sentence and the words that triggered it."""
    text = Text()
    text.append(f"{item.code}", style=f"bold {item.color or 'yellow'}")
    text.append(f"  {name or item.name}\n", style="bold")
    kind, _colon, rule = item.origin.partition(":")
    origin = origin_phrase(item.origin, item.confidence)
    origin += f" ({rule})" if kind == "rule" and rule else ""
    parts = [
        _("rules {confidence}").format(confidence=formats.number(item.rules, 2)) if item.rules else "",
        _("model {confidence}").format(confidence=formats.number(item.model, 2)) if item.model else "",
    ]
    said = ", ".join(part for part in parts if part)
    origin += f" ({said})" if said else ""
    line = _("{origin}  ·  {participant}")
    text.append(line.format(origin=origin, participant=item.participant), style="dim")
    text.append(f" ({item.case})\n\n" if item.case else "\n\n", style="dim")
    context = Text(item.context)
    context.stylize("bold", item.start, item.end)
    context.stylize("on grey23", item.start, item.end)
    for start, end in item.matched:
        context.stylize("reverse", start, end)
    text.append_text(context)
    return text


class ReviewScreen(FokusScreen):
    BINDINGS = [
        Binding("a", "accept", N_("Accept"), id="review.accept"),
        Binding("r", "reject", N_("Reject"), id="review.reject"),
        Binding("e", "accept_as", N_("Accept as another code"), id="review.accept_as"),
        Binding("s", "skip", N_("Skip"), id="review.skip"),
        Binding("o", "order", N_("Order"), id="review.order"),
        Binding("escape", "back", N_("Back"), id="review.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order = ORDERS[0]
        self.items: list[ReviewItem] = []
        self.skipped: set[int] = set()
        self.open_count = self.decided = 0
        self.names: dict[str, str] = {}  # code -> its name in the reader's language

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-card")
        yield Static(id="review-progress")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read a page of the queue and the counts; moving through the page then needs no query."""
        from fokus.api.codebook import codable_codes

        with self.fokus.reading() as session:
            self.names = dict(codable_codes(session))
            self.items = [
                item
                for item in review_queue(session, order=self.order, limit=PAGE + len(self.skipped))
                if item.coding_id not in self.skipped
            ]
            self.open_count, self.decided = review_progress(session)
        self.show()

    def show(self) -> None:
        card = self.query_one("#review-card", Static)
        if self.items:
            card.update(render_item(self.items[0], self.names.get(self.items[0].code)))
        else:
            card.update(_("No open suggestions to review.") if not self.open_count else _("You skipped the rest."))
        progress = ngettext(
            "{open} open suggestion · {decided} reviewed · order: {order}",
            "{open} open suggestions · {decided} reviewed · order: {order}",
            self.open_count,
        )
        self.query_one("#review-progress", Static).update(
            progress.format(open=self.open_count, decided=self.decided, order=_(ORDER_NAMES[self.order]))
        )

    def advance(self) -> None:
        """The next suggestion: from the page in memory, or a new page when it is used up."""
        self.items.pop(0)
        if self.items:
            self.show()
        else:
            self.reload()

    @property
    def item(self) -> ReviewItem | None:
        return self.items[0] if self.items else None

    def _decide(self, accept: bool) -> None:
        item = self.item
        if item is None:
            return
        app = self.fokus
        if app.write(lambda s: decide(s, item.coding_id, accept, app.coder_id)) is not None:
            self.open_count -= 1
            self.decided += 1
            self.advance()
        else:
            self.reload()  # decided by another coder meanwhile (shown as a notification): the queue moves on

    def action_accept(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    def action_skip(self) -> None:
        if self.item is not None:
            self.skipped.add(self.item.coding_id)
            self.advance()

    def action_accept_as(self) -> None:
        item = self.item
        if item is None:
            return
        app = self.fokus
        codes = app.codable_codes()

        def chosen(code: str | None) -> None:
            if code and app.write(lambda s: accept_as(s, item.coding_id, code, app.coder_id)) is not None:
                app.remember_code(code)
                self.reload()

        self.app.push_screen(
            CodePicker(codes, app.recent_codes, title=_("Accept as … (instead of {code})").format(code=item.code)),
            chosen,
        )

    def action_order(self) -> None:
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_codings_changed(self, _: CodingsChanged) -> None:
        self.reload()
