"""The key bar: every key the screen answers to, wrapped onto as many lines as the terminal's width needs.

Textual's ``Footer`` is one line: on a thread at 80 columns it showed four keys and cut the fifth (``c Kod utva▏``),
so ``e x m M n g u`` were found only through ``?``. The key bar shows them all; the screen's own keys come first,
the app's (open a screen, undo, quit) after, and a key and its label never break apart. Where all the keys take
more than three lines, the app's keys that open other screens give way; ``?`` lists every key.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

from fokus.i18n import _

#: At most this many lines; past it, the app's keys that open other screens give way (``?`` lists every key).
MAX_LINES = 3
#: The app's keys that stay however narrow the terminal: undo, redo, help, quit.
ESSENTIAL = frozenset({"undo", "redo", "help", "quit"})


class Key(NamedTuple):
    shown: str  # the key as the app displays it
    label: str
    enabled: bool
    action: str
    of_app: bool  # bound by the app rather than the screen
    group: Binding.Group | None = None  # keys of one group share an entry: "j/k Next/previous sentence"


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        padding: 0 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[Key] | None = None  # the keys shown (None: to be read from the screen)
        self._lines: tuple[int, list[Text]] | None = None  # the width they were packed for, and the lines

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, screen: Screen[object]) -> None:
        """The screen's bindings changed (Textual says so on every focus change and every screen pushed or popped,
        for each screen): laid out again only when the keys shown change, so that opening a screen is one layout."""
        if not self.is_attached or screen is not self.screen:
            return
        keys = self.keys()
        if keys != self._keys:
            self._keys, self._lines = keys, None
            self.refresh(layout=True)

    def keys(self) -> list[Key]:
        """Every binding a footer would show, each action once, the screen's own before the app's."""
        own: list[Key] = []
        app_wide: list[Key] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding: Binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            of_app = active.node is self.app
            shown = self.app.get_key_display(binding)
            listed = app_wide if of_app else own
            group = binding.group
            if group is not None and listed and listed[-1].group is group:  # "j/k Next/previous sentence"
                last = listed[-1]
                listed[-1] = last._replace(shown=f"{last.shown}/{shown}", enabled=last.enabled or active.enabled)
                continue
            label = shown_description(group.description if group is not None else binding.description)
            listed.append(Key(shown, label, active.enabled, binding.action, of_app, group))
        return own + app_wide

    def lines(self, width: int) -> list[Text]:
        """The keys packed into lines of ``width`` cells, a key never parted from its label (packed once for the
        layout's height and the paint)."""
        if self._keys is None:
            self._keys, self._lines = self.keys(), None
        if self._lines is None or self._lines[0] != width:
            self._lines = (width, self._pack(self._keys, width))
        return self._lines[1]

    def _pack(self, keys: list[Key], width: int) -> list[Text]:
        packed = _pack(keys, width)
        if len(packed) > MAX_LINES:
            keys = [k for k in keys if not k.of_app or k.action in ESSENTIAL]
            packed = _pack(keys, width)
        colour = self.app.get_css_variables().get("footer-key-foreground", "")
        shown = []
        for line in packed:
            text = Text(no_wrap=True, overflow="ellipsis")
            for index, key in enumerate(line):
                if index:
                    text.append("  ")
                # the space goes with the key: an SVG screenshot drops a span's leading space
                text.append(key.shown + " ", style=f"bold {colour}" + ("" if key.enabled else " dim"))
                text.append(key.label, style="" if key.enabled else "dim")
            shown.append(text)
        return shown

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines(width)))

    def render(self) -> RenderableType:
        return Text("\n").join(self.lines(self.content_size.width))


def shown_description(description: str) -> str:
    """A binding's description in the chosen language: bindings are declared with ``N_()`` English at import time,
    before a language is chosen, and translated where they are shown (an empty description stays empty: gettext
    answers ``""`` with the catalogue's header)."""
    return _(description) if description else description


def _pack(keys: list[Key], width: int) -> list[list[Key]]:
    lines: list[list[Key]] = []
    used = 0
    for entry in keys:
        size = cell_len(entry.shown) + 1 + cell_len(entry.label)
        if lines and used + 2 + size <= width:
            lines[-1].append(entry)
            used += 2 + size
        else:
            lines.append([entry])
            used = size
    return lines
