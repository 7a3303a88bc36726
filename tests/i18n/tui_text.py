"""What a person sees on the TUI's screen, as lines of text, for the tests that look for English which escaped the
translation layer (tests/i18n/test_pseudo_tui_*.py).

Read from Textual's own SVG screenshot of the screen (the picture the snapshot tests pin): each `<text>` element is
a run of characters on one line, named by its clip path `terminal-line-N` and placed by `x`, so the lines are put
back together in order. Reading the rendered picture rather than the widgets' content catches every way a string
reaches the screen (compose, notifications, tables, tooltips drawn on screen, the key bar, the header).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from textual.app import App

from tests.i18n.test_pseudo_cli import escaped

TEXT = re.compile(
    r'<text [^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"'
    r'[^>]*?clip-path="url\(#[\w-]*?line-(\d+)\)"[^>]*>([^<]*)</text>'
)


def screen_lines(app: App[object]) -> list[str]:
    """The screen's lines of text, top to bottom, each run of characters at its column (blank cells are not drawn
    as text, so the gaps are filled with spaces: two words never run together); trailing spaces removed."""
    runs: dict[int, list[tuple[float, str]]] = defaultdict(list)
    cell = 0.0  # the width of one terminal cell in the picture, from the runs themselves
    for x, length, line, text in TEXT.findall(app.export_screenshot()):
        shown = html.unescape(text).replace("\xa0", " ")
        runs[int(line)].append((float(x), shown))
        if shown and not cell:
            cell = float(length) / len(shown)
    lines = []
    for line in sorted(runs):
        row = ""
        for x, shown in sorted(runs[line]):
            row = row.ljust(round(x / cell)) + shown if cell else row + shown
        lines.append(row.rstrip())
    return lines


def screen_escapes(app: App[object], allowed: frozenset[str]) -> list[str]:
    """The screen's lines holding English words of fokus's own messages outside ⟦ ⟧ (with `use("qps")`), once
    the words of the project's data (`allowed`) are left alone; empty when everything went through the layer."""
    return escaped("\n".join(screen_lines(app)), allowed)
