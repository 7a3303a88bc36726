"""Metrics per page over a window: what phase 1 of a study scores the municipalities' pages on.

For each page and the posts it made in the window (days in Norwegian time, as everywhere in fokus), with n posts
and F followers (at the window's end, else at its start):

- ``posts`` and ``posts_per_week`` (n over the window's weeks; without ``--from``/``--to`` the window is the days
  from the first to the last post of any page, so pages are measured over the same weeks);
- Bonsón & Ratkai's indices: popularity P1 (share of posts with at least one like), P2 (likes per post), P3 (P2 per
  1,000 followers); commitment C1-C3 and virality V1-V3 the same with comments and shares; engagement E = P3 + C3 +
  V3. A post's likes are the export's likes where it tells them apart, else its reactions (Graph API feeds and
  CrowdTangle count every reaction). A post the export gave no count for is left out of that index (a missing count
  is not a post nobody liked), and said so in a note;
- ``engagement_rate``: (likes + comments + shares) per post over F, in per cent;
- ``dialogue_share``: the share of posts that ask or invite (:func:`invites`);
- ``questions``, ``answered``, ``response_rate``: the public's comments holding a '?' under the window's posts, and
  those the page answered (a reply by the page under the question, or a comment by the page later in the same post);
  ``response_hours``: the median hours from such a question to the page's first answer;
- ``follower_growth`` ((end - start) / start) and ``reach_per_capita`` (followers at the end / population).

A figure that cannot be computed (no followers known, no post in the window, no question asked) is empty, never 0,
and the report says why in a note. No commenter appears: comments are counted, never named.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fokus.analysis.report import Figure, Phrase, cell, heading, markdown_table, shown
from fokus.domain.collation import norwegian
from fokus.domain.local_time import DISPLAY_ZONE, local_time
from fokus.errors import FokusError
from fokus.files.criteria import METRICS
from fokus.i18n import N_, _, formats
from fokus.model import Case, Page, PageComment, PagePost

FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2099, 12, 31)  # as fokus.importers.times takes times
_Query = TypeVar("_Query", bound=Select)  # type: ignore[type-arg]  # any Select, its row type kept
#: Every column, in order (stable keys for CSV and JSON): the page, then the metrics a criteria file may name.
COLUMNS = ("page", "name", "case", *METRICS)
#: What fits a terminal: the rest is in CSV, JSON and Markdown.
TERMINAL_COLUMNS = (
    "name",
    "posts",
    "posts_per_week",
    "E",
    "engagement_rate",
    "dialogue_share",
    "response_rate",
    "response_hours",
    "follower_growth",
    "reach_per_capita",
)
PAGE_HEADINGS = {
    "page": N_("page"),
    "followers": N_("followers"),
    "posts": N_("posts"),
    "posts_per_week": N_("posts per week"),
    "engagement_rate": N_("engagement rate (%)"),
    "dialogue_share": N_("dialogue share"),
    "questions": N_("questions"),
    "answered": N_("answered"),
    "response_rate": N_("response rate"),
    "response_hours": N_("response time (hours)"),
    "follower_growth": N_("follower growth"),
    "reach_per_capita": N_("reach per capita"),
}

# Posts that ask or invite: a question mark, or an inviting phrase in Bokmål or Nynorsk, matched on the lowercased
# text. A word list, not the spaCy pipeline: tagging 33,000 posts takes minutes, and these phrases are few and
# fixed; inflected forms are written out (meiner/mener, høre/høyre, fortell/fortel).
INVITING = re.compile(
    r"\?"
    r"|\b(?:hva|kva) (?:mener|meiner|synes|syns|tenker|tykkjer) (?:du|dere|de)\b"
    r"|\b(?:si|sei|gi) (?:din|di|deres|dykkar) (?:mening|meining)\b"
    r"|\b(?:send|tips|skriv til|kontakt|fortell|fortel) (?:oss|gjerne)\b"
    r"|\bdel (?:gjerne|bildene|bileta|bilder|bilete|dine|erfaringer|erfaringar)\b"
    r"|\bkommenter(?:er)?\b|\bkommentarfelte[tn]?\b|\bskriv (?:gjerne|en kommentar|ein kommentar)\b"
    r"|\bvi vil (?:gjerne )?(?:høre|høyre)\b|\bvi ønsker (?:innspill|dine innspel|innspel)\b"
    r"|\b(?:gi|gje) (?:oss )?(?:innspill|innspel|tilbakemelding)\b|\bsvar (?:gjerne|oss)\b"
)


def invites(text: str) -> bool:
    """Whether a post asks or invites the public to answer (see :data:`INVITING`)."""
    return INVITING.search(text.lower()) is not None


@dataclass(frozen=True)
class Window:
    """Days in Norwegian time, both included; None is open (the data's first or last day)."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        """Refuse a window no export holds (and whose midnight in Oslo Python cannot turn into UTC)."""
        for day in (self.start, self.end):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise FokusError(
                    _("a window's days lie from 1970 to 2099, not {day}").format(day=day.isoformat()),
                    hint=_("give days as YYYY-MM-DD"),
                )
        if self.start and self.end and self.end < self.start:
            raise FokusError(
                _("the window ends ({end}) before it starts ({start})").format(
                    end=self.end.isoformat(), start=self.start.isoformat()
                ),
                hint=_("the window runs from --from to --to"),
            )

    def utc_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The first instant of the start day and the first instant after the end day, in UTC."""
        low = datetime.combine(self.start, time(), DISPLAY_ZONE).astimezone(UTC) if self.start else None
        high = (
            datetime.combine(self.end + timedelta(days=1), time(), DISPLAY_ZONE).astimezone(UTC) if self.end else None
        )
        return low, high


@dataclass
class PageMetricsReport:
    """Every page's metrics over one window (rows keyed by :data:`COLUMNS`), with notes on what is missing."""

    window: Window  # as asked
    days: tuple[date, date] | None  # the window measured (the data's days where open); None without posts
    pages: list[dict[str, Any]]
    notes: list[Phrase] = field(default_factory=list)
    title: str = ""

    def __post_init__(self) -> None:
        self.title = _("Metrics per page")

    def columns(self) -> list[str]:
        return list(COLUMNS)

    def terminal_columns(self) -> list[str]:
        return list(TERMINAL_COLUMNS)

    def heading(self, column: str) -> str:
        label = PAGE_HEADINGS.get(column)
        return _(label) if label else heading(column)

    def rows(self) -> list[dict[str, Any]]:
        return self.pages

    def as_json(self) -> Any:
        return {
            "window": {
                "from": _iso(self.days[0] if self.days else None),
                "to": _iso(self.days[1] if self.days else None),
            },
            "pages": self.pages,
            "notes": [str(note) for note in self.notes],
        }

    def window_sentence(self) -> str:
        if self.days is None:
            return _("No posts in the window.")
        return _("Posts from {start} to {end} ({weeks} weeks), days in Norwegian time.").format(
            start=formats.date(self.days[0]), end=formats.date(self.days[1]), weeks=cell(_weeks(self.days))
        )

    def markdown(self) -> str:
        table = markdown_table(self.pages, list(COLUMNS)).split("\n")
        table[0] = "| " + " | ".join(self.heading(column) for column in COLUMNS) + " |"
        lines = [f"# {self.title}", "", self.window_sentence(), "", *table, ""]
        lines.append(_("A post's likes are its likes where the export tells them apart, else all its reactions."))
        if self.notes:
            lines += ["", f"## {_('Notes')}", ""] + [f"- {shown(note)}" for note in self.notes]
        return "\n".join(lines) + "\n"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _weeks(days: tuple[date, date]) -> float:
    return ((days[1] - days[0]).days + 1) / 7


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _per_thousand(value: float | None, followers: int | None) -> float | None:
    return value / followers * 1000 if value is not None and followers else None


@dataclass
class _Counts:
    """One engagement count (likes, comments or shares) over a page's posts."""

    counted: int = 0  # posts with a count
    nonzero: int = 0
    total: int = 0

    def add(self, value: int | None) -> None:
        if value is None:
            return
        self.counted += 1
        self.nonzero += value > 0
        self.total += value

    def indices(self, followers: int | None) -> tuple[float | None, float | None, float | None]:
        mean = self.total / self.counted if self.counted else None
        return _share(self.nonzero, self.counted), mean, _per_thousand(mean, followers)


def within_window(query: _Query, window: Window) -> _Query:
    """``query`` kept to the posts made in ``window``."""
    low, high = window.utc_bounds()
    if low is not None:
        query = query.where(PagePost.created_at >= low)
    if high is not None:
        query = query.where(PagePost.created_at < high)
    return query


def _posts(session: Session, window: Window) -> list[Any]:
    columns = (PagePost.id, PagePost.page_id, PagePost.created_at, PagePost.text, PagePost.likes)
    more = (PagePost.reactions, PagePost.comments, PagePost.shares)
    return list(session.execute(within_window(select(*columns, *more), window)))


def _answers(session: Session, window: Window, page_of: dict[int, int]) -> dict[int, tuple[int, list[float]]]:
    """Per page: how many of the public's questions under the window's posts it answered, and in how many hours."""
    columns = (PageComment.id, PageComment.post_id, PageComment.parent_id, PageComment.created_at)
    in_window = PageComment.post_id.in_(within_window(select(PagePost.id), window).scalar_subquery())
    questions = session.execute(
        select(*columns).where(in_window, PageComment.by_page.is_(False), PageComment.text.contains("?"))
    ).all()
    by_page = session.execute(select(*columns).where(in_window, PageComment.by_page.is_(True))).all()
    replies: dict[int, datetime] = {}  # question id -> the page's first reply under it
    in_post: dict[int, list[datetime]] = defaultdict(list)  # post id -> the page's comments, in time order
    for _id, post_id, parent_id, at in by_page:
        in_post[post_id].append(at)
        if parent_id is not None:
            replies[parent_id] = min(at, replies.get(parent_id, at))
    for times in in_post.values():
        times.sort()
    result: dict[int, tuple[int, list[float]]] = {}
    for question_id, post_id, _parent, at in questions:
        later = in_post.get(post_id, ())
        after = bisect_right(later, at)
        answers = ([later[after]] if after < len(later) else []) + (
            [replies[question_id]] if question_id in replies else []
        )
        asked, hours = result.get(page_of[post_id], (0, []))
        if answers:
            hours.append(max(0.0, (min(answers) - at).total_seconds() / 3600))
        result[page_of[post_id]] = (asked + 1, hours)
    return result


def page_metrics(session: Session, window: Window = Window()) -> PageMetricsReport:
    """Every page's metrics over ``window`` (see the module docstring), pages in Norwegian alphabetical order."""
    pages = list(session.scalars(select(Page)))
    cases = dict(session.execute(select(Case.id, Case.name)).all())
    posts = _posts(session, window)
    answers = _answers(session, window, {post.id: post.page_id for post in posts})
    days = _days(window, posts)
    by_page: dict[int, list[Any]] = defaultdict(list)
    for post in posts:
        by_page[post.page_id].append(post)
    notes: list[Phrase] = []
    rows = []
    for page in sorted(pages, key=lambda p: (norwegian(p.name), p.external_id)):
        row = _row(page, cases.get(page.case_id) if page.case_id else None, by_page[page.id], days, notes)
        asked, hours = answers.get(page.id, (0, []))
        row["questions"] = asked
        row["answered"] = len(hours)
        row["response_rate"] = _share(len(hours), asked)
        row["response_hours"] = statistics.median(hours) if hours else None
        rows.append(row)
    return PageMetricsReport(window=window, days=days, pages=rows, notes=notes)


def _days(window: Window, posts: Sequence[Any]) -> tuple[date, date] | None:
    if window.start and window.end:
        return window.start, window.end
    if not posts:
        return None
    local = [local_time(post.created_at).date() for post in posts]
    return window.start or min(local), window.end or max(local)


def _row(
    page: Page, case: str | None, posts: list[Any], days: tuple[date, date] | None, notes: list[Phrase]
) -> dict[str, Any]:
    followers = page.followers_end if page.followers_end is not None else page.followers_start
    likes, comments, shares = _Counts(), _Counts(), _Counts()
    for post in posts:
        likes.add(post.likes if post.likes is not None else post.reactions)
        comments.add(post.comments)
        shares.add(post.shares)
    n = len(posts)
    row: dict[str, Any] = {"page": page.external_id, "name": page.name, "case": case, "followers": followers}
    row["posts"] = n
    row["posts_per_week"] = n / _weeks(days) if days else None
    for prefix, counts in (("P", likes), ("C", comments), ("V", shares)):
        row[f"{prefix}1"], row[f"{prefix}2"], row[f"{prefix}3"] = counts.indices(followers)
    parts = (row["P3"], row["C3"], row["V3"])
    row["E"] = sum(parts) if all(part is not None for part in parts) else None
    means = (row["P2"], row["C2"], row["V2"])
    row["engagement_rate"] = sum(means) / followers * 100 if followers and None not in means else None
    row["dialogue_share"] = _share(sum(invites(post.text or "") for post in posts), n)
    start, end = page.followers_start, page.followers_end
    row["follower_growth"] = (end - start) / start if start and end is not None else None
    row["reach_per_capita"] = end / page.population if end is not None and page.population else None
    _note_missing(page, n, followers, (likes, comments, shares), notes)
    return row


def _note_missing(page: Page, n: int, followers: int | None, counts: tuple[_Counts, ...], notes: list[Phrase]) -> None:
    """A note for each of the page's figures left empty, saying why (``counts``: likes, comments, shares)."""
    name = page.name
    if n == 0:
        notes.append(Phrase(N_("{page}: no posts in the window, so its indices are empty."), page=name))
    elif not followers:
        notes.append(
            Phrase(N_("{page}: no follower count, so P3, C3, V3, E and the engagement rate are empty."), page=name)
        )
    messages = (
        N_("{page}: {missing} of {posts} posts have no count of likes or reactions; P1-P3 leave them out."),
        N_("{page}: {missing} of {posts} posts have no count of comments; C1-C3 leave them out."),
        N_("{page}: {missing} of {posts} posts have no count of shares; V1-V3 leave them out."),
    )
    for message, count in zip(messages, counts, strict=True):
        if count.counted < n:
            missing = Figure(n - count.counted, "int")
            notes.append(Phrase(message, page=name, missing=missing, posts=Figure(n, "int")))
    if page.followers_end is None:
        notes.append(
            Phrase(
                N_("{page}: no followers at the window's end, so its growth and reach per capita are empty."), page=name
            )
        )
    elif not page.followers_start:
        notes.append(Phrase(N_("{page}: no followers at the window's start, so its growth is empty."), page=name))
    if page.followers_end is not None and not page.population:
        notes.append(Phrase(N_("{page}: no population, so its reach per capita is empty."), page=name))


def plot_page_metrics(
    report: PageMetricsReport, path: Path, *, measure: str = "E", out: BinaryIO | None = None
) -> None:
    """The distribution of one metric over the pages (a histogram) beside the 20 highest pages (bars)."""
    from fokus.analysis.plots import _check, _pyplot, _save

    _check(path)
    plt = _pyplot()
    valued = [(row["name"], row[measure]) for row in report.pages if row.get(measure) is not None]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 6), layout="constrained")
    label = report.heading(measure)
    left.hist([value for _name, value in valued] or [0], bins=min(30, max(5, len(valued) // 5)))
    left.set_xlabel(label)
    left.set_ylabel(_("pages"))
    left.set_title(_("Over all pages"))
    top = sorted(valued, key=lambda item: -item[1])[:20]
    right.barh(range(len(top)), [value for _name, value in top])
    right.set_yticks(range(len(top)), [name for name, _value in top])
    right.invert_yaxis()
    right.set_xlabel(label)
    right.set_title(_("The 20 highest"))
    figure.suptitle(_("{title}: {measure}").format(title=report.title, measure=label))
    try:
        _save(figure, path, out)
    finally:
        plt.close(figure)
