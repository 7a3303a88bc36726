"""What the TUI's pages screens read: the ranking of the pages (the latest score run's ranks beside each page's
metrics over that run's window), one page's description, and its posts a screenful at a time.

Read only, in the caller's session. The posts are read newest first with a LIMIT and an OFFSET, and the comments
only of the posts read, so that a page of the demo (some 120 posts among 33,000) opens without reading the rest.
No commenter is named: a post's comments are counted, and only the page's own answers are timed.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.analysis.page_metrics import Window, invites, page_metrics
from fokus.api.page_scores import latest_run
from fokus.domain.local_time import local_time
from fokus.domain.passages import spoken_messages
from fokus.model import Case, Message, Page, PageComment, PagePost

#: The most posts one call reads.
MAX_POSTS = 500


@dataclass(frozen=True)
class RunLine:
    """The score run a ranking comes from: when, the criteria file's sha256, and the window it measured."""

    run: int
    at: datetime | None
    criteria_sha256: str
    window: tuple[date | None, date | None]
    samples: int


@dataclass
class RankedPage:
    """One page as the ranking shows it: its score run's figures (None without a run, or where it was not ranked)
    and its metrics over the run's window (a dict keyed as :data:`fokus.analysis.page_metrics.COLUMNS`)."""

    page_id: int
    name: str
    case: str | None
    metrics: dict[str, Any]
    rank: int | None = None
    score: float | None = None
    tops: dict[int, bool] = field(default_factory=dict)  # N -> in the top N
    stays: dict[int, float | None] = field(default_factory=dict)  # N -> share of the weightings in the top N


@dataclass
class Ranking:
    """Every page, ranked ones first by rank, then the rest by engagement E (highest first), then by name."""

    pages: list[RankedPage]
    run: RunLine | None
    tops: tuple[int, ...]
    days: tuple[date, date] | None  # the days the metrics measured


def page_total(session: Session) -> int:
    """How many pages the project holds (the screen's empty state needs no metrics)."""
    return session.scalar(select(func.count()).select_from(Page)) or 0


def ranking(session: Session) -> Ranking:
    """The pages with their metrics over the latest score run's window (all the data without a run), ranked."""
    report = latest_run(session)
    window = Window(*report.window) if report is not None else Window()
    metrics = page_metrics(session, window)
    ids = dict(session.execute(select(Page.external_id, Page.id)).all())
    scored = {row["page"]: row for row in report.pages} if report is not None else {}
    tops = report.tops if report is not None else ()
    pages = []
    for row in metrics.pages:
        entry = RankedPage(ids[row["page"]], row["name"], row["case"], row)
        run_row = scored.get(row["page"])
        if run_row is not None:
            entry.rank, entry.score = run_row.get("rank"), run_row.get("score")
            entry.tops = {n: bool(run_row.get(f"topp{n}")) for n in tops}
            entry.stays = {n: run_row.get(f"stays_top{n}") for n in tops}
        pages.append(entry)
    order = {entry.page_id: index for index, entry in enumerate(pages)}  # the metrics' order: by name
    pages.sort(
        key=lambda p: (
            p.rank is None,
            p.rank or 0,
            p.metrics.get("E") is None,
            -(p.metrics.get("E") or 0.0),
            order[p.page_id],
        )
    )
    run = None
    if report is not None and report.run is not None:
        run = RunLine(report.run, report.at, report.criteria_sha256, report.window, report.samples)
    return Ranking(pages, run, tops, metrics.days)


@dataclass(frozen=True)
class PageInfo:
    page_id: int
    external_id: str
    name: str
    case: str | None
    url: str | None
    posts: int


def page_info(session: Session, page_id: int) -> PageInfo | None:
    row = session.execute(
        select(Page.id, Page.external_id, Page.name, Case.name, Page.url)
        .outerjoin(Case, Page.case_id == Case.id)
        .where(Page.id == page_id)
    ).first()
    if row is None:
        return None
    posts = session.scalar(select(func.count()).select_from(PagePost).where(PagePost.page_id == page_id)) or 0
    return PageInfo(*row, posts=posts)


def page_of_case(session: Session, case: str) -> int | None:
    """The page of the municipality named ``case`` (its first, if it has several), or None."""
    return session.scalar(
        select(Page.id).join(Case, Page.case_id == Case.id).where(Case.name == case).order_by(Page.id).limit(1)
    )


def case_of_thread(session: Session, thread_id: int) -> str | None:
    """The municipality of the thread: the case of the participant who wrote its post (as the thread list shows)."""
    case: str | None = session.scalar(
        spoken_messages(Case.name)
        .where(Message.thread_id == thread_id, Message.kind == "post", Message.parent_id.is_(None))
        .order_by(Message.created_at, Message.id)
        .limit(1)
    )
    return case


@dataclass(frozen=True)
class PostRow:
    """A post as the page's list shows it (``created_at`` in Norwegian time). ``likes`` is the likes where the
    export tells them apart, else the reactions (as the metrics count them); ``answers`` the page's own comments
    under it; ``questions`` and ``answered`` the public's questions and those the page answered, ``answer_hours``
    the median hours to an answer (None where none was answered)."""

    post_id: int
    created_at: datetime
    text: str
    likes: int | None
    reactions: int | None
    comments: int | None
    shares: int | None
    invites: bool
    answers: int
    questions: int
    answered: int
    answer_hours: float | None


def page_posts(session: Session, page_id: int, *, offset: int = 0, limit: int = 100) -> list[PostRow]:
    """The page's posts, newest first, ``limit`` (at most :data:`MAX_POSTS`) from ``offset``, with their answers."""
    posts = session.execute(
        select(
            PagePost.id,
            PagePost.created_at,
            PagePost.text,
            PagePost.likes,
            PagePost.reactions,
            PagePost.comments,
            PagePost.shares,
        )
        .where(PagePost.page_id == page_id)
        .order_by(PagePost.created_at.desc(), PagePost.id.desc())
        .offset(max(offset, 0))
        .limit(min(max(limit, 0), MAX_POSTS))
    ).all()
    answers = _answers(session, [post.id for post in posts])
    rows = []
    for post in posts:
        own, questions, hours = answers.get(post.id, (0, 0, []))
        rows.append(
            PostRow(
                post_id=post.id,
                created_at=local_time(post.created_at),
                text=post.text or "",
                likes=post.likes,
                reactions=post.reactions,
                comments=post.comments,
                shares=post.shares,
                invites=invites(post.text or ""),
                answers=own,
                questions=questions,
                answered=len(hours),
                answer_hours=statistics.median(hours) if hours else None,
            )
        )
    return rows


def _answers(session: Session, post_ids: list[int]) -> dict[int, tuple[int, int, list[float]]]:
    """Per post: the page's own comments, the public's questions, and the hours to the page's first answer of each
    question answered (a reply under it, or the page's next comment in the post: the metrics' rule)."""
    if not post_ids:
        return {}
    asks = PageComment.text.contains("?")
    rows = session.execute(
        select(PageComment.id, PageComment.post_id, PageComment.parent_id, PageComment.created_at)
        .add_columns(PageComment.by_page, asks)
        .where(PageComment.post_id.in_(post_ids))
    ).all()
    own: dict[int, list[datetime]] = defaultdict(list)
    replies: dict[int, datetime] = {}
    for _id, post_id, parent_id, at, by_page, _asks in rows:
        if by_page:
            own[post_id].append(at)
            if parent_id is not None:
                replies[parent_id] = min(at, replies.get(parent_id, at))
    for times in own.values():
        times.sort()
    result: dict[int, tuple[int, int, list[float]]] = {post_id: (len(own[post_id]), 0, []) for post_id in post_ids}
    for question_id, post_id, _parent, at, by_page, asks_something in rows:
        if by_page or not asks_something:
            continue
        later = own[post_id]
        after = bisect_right(later, at)
        found = ([later[after]] if after < len(later) else []) + (
            [replies[question_id]] if question_id in replies else []
        )
        count, questions, hours = result[post_id]
        if found:
            hours.append(max(0.0, (min(found) - at).total_seconds() / 3600))
        result[post_id] = (count, questions + 1, hours)
    return result
