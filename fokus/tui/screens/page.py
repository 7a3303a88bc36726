"""One page: where it stands (rank, score, top N, and how often it stays in each top N when the weights vary), its
metrics over the score run's window with their labels in the reader's language, and its posts, newest first.

The posts are read a hundred at a time as the cursor nears the last one read (the demo's pages have some 120 each,
a real page may have thousands), and the table paints only the rows in view; the pane under it holds the post the
cursor is on in full. Opened from the ranking, the page's figures come with it; opened from a thread (the thread's
municipality's page) they are measured in a worker, as the ranking measures them.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from fokus.analysis.page_metrics import PAGE_HEADINGS
from fokus.api.pages_view import (
    PageInfo,
    PostRow,
    RankedPage,
    Ranking,
    RunLine,
    case_of_thread,
    page_info,
    page_of_case,
    page_posts,
    ranking,
)
from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import date, number, percent
from fokus.tui.screens.base import FokusScreen
from fokus.tui.screens.report_table import clip
from fokus.tui.widgets.columns import fitted
from fokus.tui.widgets.header import Header

PAGE = 100
#: Where the metrics stand in three columns rather than two, and the posts' times show their hour.
WIDE = 120
#: The metrics shown, in order, with their digits (None: a share, shown in per cent).
SHOWN = (
    ("posts", 0),
    ("posts_per_week", 1),
    ("followers", 0),
    ("E", 2),
    ("engagement_rate", 2),
    ("dialogue_share", None),
    ("questions", 0),
    ("answered", 0),
    ("response_rate", None),
    ("response_hours", 1),
    ("follower_growth", None),
    ("reach_per_capita", 2),
)
#: Bonsón's indices, a line each: the share of posts with one, the mean per post, per 1,000 followers.
INDICES = (
    ("P", N_("popularity P1 · P2 · P3")),
    ("C", N_("commitment C1 · C2 · C3")),
    ("V", N_("virality V1 · V2 · V3")),
)
LABELS = {"E": N_("engagement E")}
POST_HEADINGS = {
    "date": N_("Date"),
    "text": N_("Post"),
    "likes": N_("Likes"),
    "comments": N_("Comments"),
    "shares": N_("Shares"),
    "invites": N_("Asks"),
    "answered": N_("Answered"),
    "hours": N_("Hours"),
}


def figure(value: float | None, digits: int = 1) -> str:
    """A number in the reader's language, or nothing where there is none."""
    return "" if value is None else number(value, digits)


def share(value: float | None) -> str:
    return "" if value is None else percent(value)


def run_line(run: RunLine | None) -> str:
    """The sentence naming where the ranks come from."""
    if run is None:
        return _("No score run yet: pages ordered by engagement E. Rank them with: fokus pages score criteria.yaml")
    start, end = run.window
    return _("Score run {run} of {at}, criteria file sha256 {sha}…, window {start} to {end}").format(
        run=run.run,
        at=date(run.at.date()) if run.at else "—",
        sha=run.criteria_sha256[:12],
        start=date(start) if start else "—",
        end=date(end) if end else "—",
    )


def top_mark(page: RankedPage, tops: tuple[int, ...]) -> str:
    """The smallest top N the page is in (``10`` in the top 10 and the top 30), or nothing."""
    return next((str(n) for n in sorted(tops) if page.tops.get(n)), "")


def label(metric: str) -> str:
    key = LABELS.get(metric) or PAGE_HEADINGS.get(metric)
    return _(key) if key else metric


def standing(page: RankedPage, found: Ranking) -> list[str]:
    """Where the page stands in the score run: its rank and score, and the share of weightings that keep it in
    each top N."""
    if found.run is None:
        return [_("Not scored yet: fokus pages score criteria.yaml ranks the pages.")]
    if page.rank is None:
        return [_("Not ranked in score run {run}: too few posts in its window.").format(run=found.run.run)]
    ranked = sum(p.rank is not None for p in found.pages)
    mark = top_mark(page, found.tops)
    line = _("Rank {rank} of {ranked}, score {score}").format(
        rank=page.rank, ranked=number(ranked), score=figure(page.score, 2)
    )
    if mark:
        line += " · " + _("in the top {n}").format(n=mark)
    lines = [line]
    stays = [(n, s) for n, s in page.stays.items() if s is not None]
    if stays and found.run.samples:
        parts = [_("in the top {n} in {share}").format(n=n, share=percent(s)) for n, s in stays]
        lines.append(
            _("When the weights vary ({samples} weightings): {parts}.").format(
                samples=number(found.run.samples), parts="; ".join(parts)
            )
        )
    return lines


def metric_cells(metrics: dict[str, object]) -> list[tuple[str, str]]:
    """(label, value) of each metric shown, in the reader's language."""
    cells = []
    for key, digits in SHOWN:
        value = _number(metrics.get(key))
        cells.append((label(key), share(value) if digits is None else figure(value, digits)))
    return cells


def index_cells(metrics: dict[str, object]) -> list[tuple[str, str]]:
    """(label, values) of each of Bonsón's indices: the share of posts with one, per post, per 1,000 followers."""
    cells = []
    for prefix, name in INDICES:
        values = [_number(metrics.get(f"{prefix}{i}")) for i in (1, 2, 3)]
        shown = [share(values[0]), figure(values[1], 1), figure(values[2], 2)]
        cells.append((_(name), " · ".join(v or "—" for v in shown)))
    return cells


def _number(value: object) -> float | None:
    return value if isinstance(value, int | float) else None


def metrics_grid(cells: list[tuple[str, str]], width: int, across: int) -> str:
    """The metrics ``across`` columns, each label and its value on one line (a label too long for its column cut
    short)."""
    size = max(20, (width - 4) // across) - 1
    lines = []
    for start in range(0, len(cells), across):
        parts = []
        for name, value in cells[start : start + across]:
            part = f"{clip(name, size - cell_len(value) - 2)}: {value}"
            parts.append(part + " " * max(size - cell_len(part), 0))
        lines.append(" ".join(parts).rstrip())
    return "\n".join(lines)


def measure(screen: FokusScreen, pane: Static, done: Callable[[Ranking], object]) -> None:
    """Measure every page in a worker (its own read session), ``pane`` saying so meanwhile (or naming what went
    wrong), and hand the ranking to ``done``."""
    pane.update(_("Measuring the pages …"))

    def run() -> None:
        worker = get_current_worker()
        try:
            with screen.fokus.project.read() as session:
                found = ranking(session)
        except FokusError as exc:
            if not worker.is_cancelled:
                screen.app.call_from_thread(pane.update, str(exc))
            return
        if not worker.is_cancelled:
            screen.app.call_from_thread(done, found)

    screen.run_worker(run, thread=True, group="pages", exclusive=True, exit_on_error=False)


class PageScreen(FokusScreen):
    DEFAULT_CSS = """
    PageScreen #page-about { padding: 0 1; }
    PageScreen #page-metrics { padding: 0 1; }
    PageScreen #page-posts { height: 1fr; }
    PageScreen #page-post { padding: 0 1; max-height: 3; color: $text-muted; }
    PageScreen #page-count { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="page.back"),
        Binding("m", "metrics", N_("Hide/show metrics"), id="page.metrics"),
    ]

    def __init__(self, page_id: int, page: RankedPage | None = None, found: Ranking | None = None) -> None:
        super().__init__()
        self.page_id = page_id
        self.page = page
        self.found = found
        self.info: PageInfo | None = None
        self.posts: list[PostRow] = []
        self.keys: list[str] = []  # the posts' columns shown
        self.width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="page-about", markup=False)
        yield Static(id="page-metrics", markup=False)
        yield DataTable(id="page-posts", cursor_type="row", zebra_stripes=True)
        yield Static(id="page-post", markup=False)
        yield Static(id="page-count", markup=False)

    def on_mount(self) -> None:
        self.width = self.size.width
        with self.fokus.reading() as session:
            self.info = page_info(session, self.page_id)
        if self.info is None:
            self.query_one("#page-about", Static).update(_("The page is no longer in the project."))
            return
        self.columns()
        self.load_more()
        self.query_one(DataTable).focus()
        if self.page is not None and self.found is not None:
            self.describe()
        else:
            measure(self, self.query_one("#page-metrics", Static), self.measured)

    def measured(self, found: Ranking) -> None:
        self.found = found
        self.page = next((p for p in found.pages if p.page_id == self.page_id), None)
        self.describe()

    def describe(self) -> None:
        """The page's name, municipality and standing, and its metrics, for the width as it is."""
        assert self.info is not None
        title = self.info.name + (f" · {self.info.case}" if self.info.case else "")
        about = [title]
        if self.page is not None and self.found is not None:
            about += standing(self.page, self.found)
            if self.width >= WIDE:  # the ranking names the run too; at 80 columns the posts need the lines
                about.append(run_line(self.found.run))
            wide = self.width >= WIDE  # three columns; at 80, two, and the indices (longer) one a line
            grid = metrics_grid(metric_cells(self.page.metrics), self.width, 3 if wide else 2)
            indices = metrics_grid(index_cells(self.page.metrics), self.width, 3 if wide else 1)
            self.query_one("#page-metrics", Static).update(f"{grid}\n{indices}")
        self.query_one("#page-about", Static).update("\n".join(about))

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self.width and self.info is not None:
            self.width = event.size.width
            rows = len(self.posts)
            self.posts = []
            self.columns()
            self._add(self._read(0, max(rows, PAGE)))
            if self.page is not None:
                self.describe()

    def columns(self) -> None:
        """The posts' columns for the width: at 80 columns the shares, whether the post asks and the hours to an
        answer give way to the post's text (the pane under the table has them)."""
        wide = self.width >= WIDE
        sizes = {"date": 16 if wide else 10, "likes": 5, "comments": 5, "shares": 5, "invites": 4}
        sizes |= {"answered": 6, "hours": 5}
        if not wide:
            sizes = {key: size for key, size in sizes.items() if key not in ("shares", "invites", "hours")}
        fixed = [(key, max(size, cell_len(_(POST_HEADINGS[key])))) for key, size in sizes.items()]
        table = self.query_one(DataTable)
        table.clear(columns=True)
        columns = fitted(fixed, "text", 1, self.width, 16)
        self.keys = [key for key, _width in columns]
        for key, width in columns:
            table.add_column(_(POST_HEADINGS[key]), width=width, key=key)

    def _read(self, offset: int, limit: int) -> list[PostRow]:
        with self.fokus.reading() as session:
            return page_posts(session, self.page_id, offset=offset, limit=limit)

    def load_more(self) -> None:
        self._add(self._read(len(self.posts), PAGE))

    def _add(self, rows: list[PostRow]) -> None:
        assert self.info is not None
        table = self.query_one(DataTable)
        when = "%Y-%m-%d %H:%M" if self.width >= WIDE else "%Y-%m-%d"

        def right(value: int | None) -> Text:
            return Text("" if value is None else number(value), justify="right")

        for post in rows:
            first = next((line for line in post.text.splitlines() if line.strip()), "")
            cells: dict[str, str | Text] = {
                "date": post.created_at.strftime(when),
                "text": first,
                "likes": right(_likes(post)),
                "comments": right(post.comments),
                "shares": right(post.shares),
                "invites": Text("?" if post.invites else "", justify="center"),
                "answered": Text(f"{post.answered}/{post.questions}" if post.questions else "", justify="right"),
                "hours": Text(figure(post.answer_hours), justify="right"),
            }
            table.add_row(*(cells[key] for key in self.keys), key=str(post.post_id))
        self.posts += rows
        count = ngettext("{loaded} of {total} post", "{loaded} of {total} posts", self.info.posts)
        self.query_one("#page-count", Static).update(
            count.format(loaded=number(len(self.posts)), total=number(self.info.posts))
        )
        if not self.info.posts:
            self.query_one("#page-post", Static).update(_("No posts from this page in the project."))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not 0 <= event.cursor_row < len(self.posts):
            return
        post = self.posts[event.cursor_row]
        detail = _(
            "Likes {likes} · comments {comments} · shares {shares} · the page's comments {answers} · asks or"
            " invites: {invites}"
        ).format(
            likes=_count(_likes(post)),
            comments=_count(post.comments),
            shares=_count(post.shares),
            answers=number(post.answers),
            invites=_("yes") if post.invites else _("no"),
        )
        detail += " · " + answered(post)
        self.query_one("#page-post", Static).update(f"{detail}\n{' '.join(post.text.split())}")
        if event.cursor_row >= len(self.posts) - 20 and self.info is not None and len(self.posts) < self.info.posts:
            self.load_more()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_metrics(self) -> None:
        """Hide the metrics to give the posts the screen (at 80x24 they leave the posts four lines), or show them."""
        pane = self.query_one("#page-metrics", Static)
        pane.display = not pane.display


def _likes(post: PostRow) -> int | None:
    """The post's likes where the export tells them apart, else its reactions (as the metrics count them)."""
    return post.likes if post.likes is not None else post.reactions


def answered(post: PostRow) -> str:
    """How the page answered the public's questions under the post."""
    if not post.questions:
        return _("no questions from the public")
    if not post.answered:
        return ngettext(
            "{questions} question from the public, not answered",
            "{questions} questions from the public, none answered",
            post.questions,
        ).format(questions=number(post.questions))
    return ngettext(
        "{answered} of {questions} question from the public answered, median {hours} hours",
        "{answered} of {questions} questions from the public answered, median {hours} hours",
        post.questions,
    ).format(answered=number(post.answered), questions=number(post.questions), hours=figure(post.answer_hours))


def _count(value: int | None) -> str:
    return "—" if value is None else number(value)


def open_case_page(screen: FokusScreen, case: str | None) -> None:
    """Open the page of the municipality ``case``, or say that it has none (or that no municipality is known)."""
    if case is None:
        screen.notify(_("No municipality here, so no page to open."), severity="warning")
        return
    with screen.fokus.reading() as session:
        page_id = page_of_case(session, case)
    if page_id is None:
        screen.notify(_("{case} has no page in the project.").format(case=case), severity="warning")
        return
    screen.app.push_screen(PageScreen(page_id))


def open_thread_page(screen: FokusScreen, thread_id: int, case: str | None = None) -> None:
    """Open the page of the municipality ``case`` (of the message in focus), or where it has none, of the thread's
    municipality (the case of the participant who wrote its post)."""
    if case is None:
        with screen.fokus.reading() as session:
            case = case_of_thread(session, thread_id)
    open_case_page(screen, case)
