"""A thread's conversation as one scrolling widget that paints only the lines in view (Textual's Line API).

Each message is a header (time, speaker, municipality), its text with its codings in their code's colour, its
suggestions underlined, the selection reversed and the thread list's free-text words marked; under it the codes
coded there and the codes suggested there. Answers are indented by depth; the message with the selection has a
lighter background. A thread used to be one ``Static`` per message, laid out and composited by Textual, which made
opening a 33-message thread take half a second; here a message is wrapped when the width is known (to know its
height) and turned into painted lines only when it scrolls into view, and moving the selection repaints the one or
two messages it leaves and enters.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fokus.api.browse import MessageView, text_matches
from fokus.i18n import _

FOUND = "bold black on yellow"  # the words of the thread list's free-text filter
INDENT = 4  # columns an answer is indented by, per level
DEEPEST = 2  # answers to answers and deeper are indented as much as answers to answers
PADDING = 1  # columns left and right of a message's text, in its background


def render_message(view: MessageView, selection: tuple[int, int] | None, found: str | None = None) -> Text:
    """A message's header and text with its codings (and the ``selection``, and the words ``found``) styled; under
    it the codes coded there and the codes suggested there (underlined like their passages)."""
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
    if selection is not None:
        body.stylize("reverse", *selection)
    text.append_text(body)
    codes = sorted({f"{c.code} ({c.coder})" for c in view.codings if c.status == "accepted"})
    if codes:
        text.append("\n" + ", ".join(codes), style="dim italic")
    suggested = {c.code: c.color for c in view.codings if c.is_suggestion}
    if suggested:
        text.append("\n" + _("suggestions:") + " ", style="dim italic")
        for index, code in enumerate(sorted(suggested)):
            text.append(", " if index else "", style="dim italic")
            text.append(code, style=f"italic underline {suggested[code] or 'yellow'}")
    return text


@dataclass
class _Laid:
    """A message wrapped at the conversation's width: its text, its lines, where each line starts in the text, and
    (once it has been in view) the lines painted."""

    text: Text
    lines: list[Text]
    starts: list[int]
    body: int  # where the message's own text starts in ``text`` (after the header)
    strips: list[Strip] | None = None


class Conversation(ScrollView, can_focus=False):
    """The messages of a thread (``show``), one of them holding the selection (``select``). A click on a message
    posts :class:`Conversation.Clicked` with the offset in its text under the pointer."""

    COMPONENT_CLASSES = {"conversation--current"}
    DEFAULT_CSS = """
    Conversation {
        overflow-x: hidden;
        overflow-y: auto;
    }
    Conversation > .conversation--current {
        background: $boost;
    }
    """

    class Clicked(Message):
        """A click on message ``index`` of the conversation, at ``offset`` in its text."""

        def __init__(self, index: int, offset: int) -> None:
            super().__init__()
            self.index = index
            self.offset = offset

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.views: Sequence[MessageView] = []
        self.found: str | None = None
        self.selection: tuple[int, int, int] | None = None  # message index, start, end
        self._laid: list[_Laid | None] = []
        self._tops: list[int] = []  # the first line of each message; one more: the line after the last
        self._width = 0  # the width the messages are wrapped at (0: not yet)
        self._laid_size = Size(0, 0)  # the size they were laid out for
        self._line_width = 0  # the width of the lines painted now
        self._in_view = False  # bring the selection into view once the messages are laid out

    # --- what is shown ------------------------------------------------------------------------------------------

    def show(self, views: Sequence[MessageView], selection: tuple[int, int, int] | None, found: str | None) -> None:
        """Show ``views``, with ``selection`` (message index, start, end) and the words ``found`` marked. The
        scroll position stays (a thread shown again after a change keeps its place)."""
        self.views, self.selection, self.found = views, selection, found
        self._laid = [None] * len(views)
        self._width = 0
        self._in_view = True
        self._lay_out()

    def select(self, selection: tuple[int, int, int] | None) -> None:
        """Move the selection; the messages it leaves and enters are painted again, and it is brought into view."""
        old, self.selection = self.selection, selection
        for index in {old[0] if old else None, selection[0] if selection else None} - {None}:
            assert index is not None
            if index < len(self._laid) and self._laid[index] is not None:
                self._laid[index] = self._wrap(index, self._width)  # same text and width: same height
        self.refresh()
        self.keep_in_view()

    def message_text(self, index: int) -> Text:
        """Message ``index`` as it is shown: header, text with its marks, codes."""
        laid = self._laid[index] if index < len(self._laid) else None
        return laid.text if laid is not None else self._text(index)

    def keep_in_view(self) -> None:
        """Scroll the selection into view: its whole message where it fits, else the selection's lines."""
        self._in_view = True
        if not self._width or self.selection is None or self.selection[0] >= len(self.views):
            return
        self._in_view = False
        index, start, end = self.selection
        top, bottom = self._tops[index], self._tops[index + 1]
        window = self.scrollable_content_region.height
        if bottom - top > window:
            laid = self._get(index)
            first = top + _line_of(laid, laid.body + start)
            last = top + _line_of(laid, laid.body + max(end - 1, start))
            top, bottom = first, min(last + 1, first + window)
        self.scroll_to_region(Region(0, top, 1, bottom - top), animate=False, force=True, immediate=True)

    # --- laying out and painting --------------------------------------------------------------------------------

    def _text(self, index: int) -> Text:
        selection = self.selection
        here = selection[1:] if selection is not None and selection[0] == index else None
        return render_message(self.views[index], here, self.found)

    def _wrap(self, index: int, width: int) -> _Laid:
        text = self._text(index)
        depth = min(self.views[index].depth, DEEPEST)
        room = max(width - depth * INDENT - 2 * PADDING, 1)
        lines: list[Text] = []
        starts: list[int] = []
        plain = text.plain
        at = 0
        for paragraph in text.split("\n", allow_blank=True):
            position = at
            wrapped = paragraph.wrap(self.app.console, room, justify="default", overflow="fold")
            for line in wrapped[:-1]:
                line.rstrip()  # the space a line is cut at is not shown (as Textual does)
            for line in wrapped:
                starts.append(min(position, len(plain)))
                lines.append(line)
                position += len(line.plain)
                while position < len(plain) and plain[position] in " \t" and position < at + len(paragraph):
                    position += 1  # the spaces a line was cut at
            at += len(paragraph) + 1
        header = plain.find("\n") + 1
        return _Laid(text, lines, starts, header)

    def _get(self, index: int) -> _Laid:
        laid = self._laid[index]
        if laid is None:
            laid = self._laid[index] = self._wrap(index, self._width)
        return laid

    def _lay_out(self) -> None:
        """Wrap every message at the width there is (its height is needed for the scroll bar), with room for a
        scroll bar when the messages are taller than the window; leave painting for when it comes into view.
        Done when the conversation is first painted or resized, so that a thread opens in one paint."""
        size = self.size
        if self._laid_size == size and self._width:
            return
        self._laid_size = size
        if not size.width or not self.views:
            self._width = 0
            self._tops = [0] * (len(self.views) + 1)
            self.virtual_size = Size(0, 0)
            return
        bar = self.styles.scrollbar_size_vertical
        fits = self._tops[-1] <= size.height if self._width else None
        if self._width in (size.width - bar, size.width) and fits == (self._width == size.width):
            return  # the height changed, but not whether there is a scroll bar: the lines are the same
        for width in (size.width - bar, size.width):
            self._width = width
            self._laid = [self._wrap(index, width) for index in range(len(self.views))]
            self._tops = [0]
            for laid in self._laid:
                assert laid is not None
                self._tops.append(self._tops[-1] + len(laid.lines) + 1)
            if self._tops[-1] > size.height or not bar:
                break
        self.virtual_size = Size(self._width, self._tops[-1])
        if self._in_view:
            self.keep_in_view()
        self.refresh()

    def on_resize(self, _: events.Resize) -> None:
        self._lay_out()

    def _paint(self, index: int) -> list[Strip]:
        laid = self._get(index)
        if laid.strips is not None:
            return laid.strips
        base = self.visual_style.rich_style
        here = self.selection is not None and self.selection[0] == index
        style = self.get_visual_style("conversation--current").rich_style if here else base
        margin = Strip.blank(min(self.views[index].depth, DEEPEST) * INDENT, base)
        pad = Strip.blank(PADDING, style)
        room = max(self._width - margin.cell_length - 2 * PADDING, 1)
        console = self.app.console
        strips = [
            Strip.join([margin, pad, _fitted(_strip(line, console).apply_style(style), room, style), pad])
            for line in laid.lines
        ]
        strips.append(Strip.join([margin, Strip.blank(self._width - margin.cell_length, style)]))
        laid.strips = strips
        return strips

    def render_lines(self, crop: Region) -> list[Strip]:
        """Lay out (once a paint: a widget's size is looked up in the screen's map) before painting the lines."""
        self._lay_out()
        self._line_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = y + self.scroll_offset.y
        width = self._line_width
        if not self._width or not 0 <= line < self._tops[-1]:
            return Strip.blank(width, self.visual_style.rich_style)
        index = bisect_right(self._tops, line) - 1
        return _fitted(self._paint(index)[line - self._tops[index]], width, self.visual_style.rich_style)

    def on_click(self, event: events.Click) -> None:
        """The offset in a message's text under the pointer (its start for a click on the header)."""
        offset = event.get_content_offset(self)
        if offset is None or not self._width:
            return
        line = offset.y + self.scroll_offset.y
        if not 0 <= line < self._tops[-1]:
            return
        index = bisect_right(self._tops, line) - 1
        laid = self._get(index)
        row = min(line - self._tops[index], len(laid.lines) - 1)
        column = max(offset.x - min(self.views[index].depth, DEEPEST) * INDENT - PADDING, 0)
        at = laid.starts[row] + min(column, len(laid.lines[row].plain))
        self.post_message(self.Clicked(index, min(max(at - laid.body, 0), len(self.views[index].text))))


def _strip(line: Text, console: Console) -> Strip:
    """A wrapped line's segments (Rich leaves out the text's own style on a line without spans)."""
    if line.spans:
        return Strip(line.render(console))
    return Strip([Segment(line.plain, console.get_style(line.style))])


def _fitted(strip: Strip, width: int, style: Style) -> Strip:
    """``strip`` cut or padded to ``width`` cells. A strip already that wide is itself: Textual's ``crop_extend``
    would return it too, but keep it in its own cache, a reference cycle that only a full garbage collection frees
    (every line painted, collected in one stall)."""
    return strip if strip.cell_length == width else strip.crop_extend(0, width, style)


def _line_of(laid: _Laid, offset: int) -> int:
    """The line of a laid-out message that holds ``offset`` of its text."""
    return max(bisect_right(laid.starts, offset) - 1, 0)
