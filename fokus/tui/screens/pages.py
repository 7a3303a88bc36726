"""The pages followed in phase 1, ranked: the latest score run's ranks and top N beside each page's metrics over that
run's window (metrics only, ordered by engagement E, before the first run). ``/`` filters by words of the page's or
the municipality's name (``topp:10`` keeps the top 10), ``enter`` opens a page (:mod:`fokus.tui.screens.page`).

The metrics of every page take a couple of seconds on the demo's 33,000 posts: they are computed in a worker, the
screen saying so meanwhile. A project without pages says how to bring them in.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from fokus.api.pages_view import RankedPage, Ranking, page_total
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number
from fokus.tui.screens.base import FokusScreen
from fokus.tui.screens.page import PageScreen, figure, measure, run_line, share, top_mark
from fokus.tui.widgets.columns import fitted
from fokus.tui.widgets.header import Header

#: Where the municipality, the response time and the reach per capita show too.
WIDE = 110
#: Each column's heading, by the column's key.
HEADINGS = {
    "rank": N_("Rank"),
    "name": N_("Page"),
    "case": N_("Municipality"),
    "score": N_("Score"),
    "top": N_("Top"),
    "posts": N_("Posts"),
    "E": N_("E"),
    "dialogue": N_("Dialogue"),
    "answered": N_("Answered"),
    "hours": N_("Hours"),
    "reach": N_("Reach"),
}
#: The filter's field for the top N, in Norwegian or English.
TOP_FIELDS = ("topp", "top")


def empty_state() -> str:
    return _(
        "The project has no pages yet. Import the pages' feeds and the pages file, then score them:\n\n"
        "  fokus pages import --pages pages.csv feeds/\n"
        "  fokus pages score criteria.yaml"
    )


class PagesScreen(FokusScreen):
    DEFAULT_CSS = """
    PagesScreen #pages-run { padding: 0 1; }
    PagesScreen #pages { height: 1fr; }
    PagesScreen #pages-count { padding: 0 1; }
    """
    BINDINGS = [
        Binding("slash", "filter", N_("Filter"), key_display="/", id="pages.filter"),
        Binding("escape", "back", N_("Clear filter / back"), id="pages.back"),
        Binding("enter", "open", N_("Open page"), id="pages.open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ranking: Ranking | None = None
        self.listed: list[RankedPage] = []
        self.words: list[str] = []
        self.top: int | None = None
        self.width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="pages-run", markup=False)
        yield Input(placeholder=_("words of the page or municipality, topp:10"), id="pages-filter")
        yield DataTable(id="pages", cursor_type="row", zebra_stripes=True)
        yield Static(id="pages-count", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        self.width = self.size.width
        with self.fokus.reading() as session:
            total = page_total(session)
        if not total:
            self.query_one("#pages-run", Static).update(empty_state())
            self.query_one(DataTable).display = False
            return
        measure(self, self.query_one("#pages-run", Static), self.show)

    def show(self, found: Ranking) -> None:
        self.ranking = found
        self.query_one("#pages-run", Static).update(run_line(found.run))
        self.fill()
        self.query_one(DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self.width:
            self.width = event.size.width
            if self.ranking is not None:
                self.fill()

    def columns(self) -> tuple[tuple[str, int], ...]:
        """(key, width) of each column: the page's name takes what the others leave."""
        wide = self.width >= WIDE
        keys = ["rank", "case", "score", "top", "posts", "E", "dialogue", "answered", "hours", "reach"]
        sizes = {"rank": 4, "case": 12, "score": 6, "top": 3, "posts": 5, "E": 6, "dialogue": 6, "answered": 6}
        sizes |= {"hours": 6, "reach": 5}
        if not wide:
            keys = [k for k in keys if k not in ("case", "hours", "reach")]
        fixed = [(k, max(sizes[k], cell_len(_(HEADINGS[k])))) for k in keys]
        return fitted(fixed, "name", 1, self.width, 14)

    def fill(self) -> None:
        """The table again, for the filter and the width as they are now (the cursor on the same page)."""
        assert self.ranking is not None
        table = self.query_one(DataTable)
        current = self.current()
        table.clear(columns=True)
        columns = self.columns()
        for key, width in columns:
            table.add_column(_(HEADINGS[key]), width=width, key=key)
        self.listed = [page for page in self.ranking.pages if self._passes(page)]
        for page in self.listed:
            cells = self._cells(page)
            table.add_row(*(cells[key] for key, _width in columns), key=str(page.page_id))
        ids = [page.page_id for page in self.listed]
        if current is not None and current.page_id in ids:
            table.move_cursor(row=ids.index(current.page_id))
        count = ngettext("{shown} of {total} page", "{shown} of {total} pages", len(self.ranking.pages))
        self.query_one("#pages-count", Static).update(
            count.format(shown=number(len(self.listed)), total=number(len(self.ranking.pages)))
        )

    def _passes(self, page: RankedPage) -> bool:
        if self.top is not None and not (page.rank is not None and page.rank <= self.top):
            return False
        names = f"{page.name} {page.case or ''}".casefold()
        return all(word in names for word in self.words)

    def _cells(self, page: RankedPage) -> dict[str, str | Text]:
        m = page.metrics
        assert self.ranking is not None

        def right(text: str) -> Text:
            return Text(text, justify="right")

        return {
            "rank": right("" if page.rank is None else str(page.rank)),
            "name": page.name,
            "case": page.case or "",
            "score": right(figure(page.score, 2)),
            "top": right(top_mark(page, self.ranking.tops)),
            "posts": right(number(m["posts"])),
            "E": right(figure(m.get("E"), 2)),
            "dialogue": right(share(m.get("dialogue_share"))),
            "answered": right(share(m.get("response_rate"))),
            "hours": right(figure(m.get("response_hours"))),
            "reach": right(figure(m.get("reach_per_capita"), 2)),
        }

    def current(self) -> RankedPage | None:
        table = self.query_one(DataTable)
        if not table.row_count or not self.listed:
            return None
        return self.listed[min(table.cursor_row, len(self.listed) - 1)]

    def action_open(self) -> None:
        page = self.current()
        if page is not None and self.ranking is not None:
            self.app.push_screen(PageScreen(page.page_id, page, self.ranking))

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open()

    def action_filter(self) -> None:
        if self.ranking is None:
            return
        field = self.query_one(Input)
        field.display = True
        field.focus()

    def action_back(self) -> None:
        field = self.query_one(Input)
        if self.words or self.top is not None or field.display:
            field.value, field.display = "", False
            self.words, self.top = [], None
            if self.ranking is not None:
                self.fill()
                self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        words, top = [], None
        for part in event.value.split():
            key, sep, value = part.partition(":")
            if sep and key.casefold() in TOP_FIELDS:
                if not value.isdigit() or not 1 <= int(value) <= 10_000:
                    self.notify(
                        _("{value!r} is not a top N: write it as topp:10").format(value=value), severity="error"
                    )
                    return
                top = int(value)
            else:
                words.append(part.casefold())
        self.words, self.top = words, top
        self.fill()
        self.query_one(DataTable).focus()
