"""The demo's page data (phase 1 of the study): 275 municipalities' Facebook pages over four months, generated.

The study followed 275 pages from 14 January to 13 May 2013 and scored them. The demo cannot ship real page data
(the public's comments are real people's words), and 33,000 posts with 300,000 comments are some 90 MB of JSON, too
big for the wheel, so they are generated from ``corpus/pages/pages.csv`` (the pages, their followers and
populations, written once by ``corpus/pages/source/generate.py``) and the texts in ``corpus/pages/texts.yaml``,
deterministically: the same seed gives byte-identical files on every machine, because only Python's
``random.Random`` (stable across versions for a given seed) draws, never NumPy's streams.

How a page behaves follows from a hidden quality between 0 and 1. The 36 municipalities of the focus group
(:data:`STANDOUTS`, the ten best first) are given a high one; the others draw theirs. Quality sets habits, not
scores: how often the page posts (log-normal over pages), how often a post asks or invites, how many of the public's
questions it answers and how fast (log-normal delays in hours), and how much its followers engage. Each post then
draws its likes, comments and shares (negative binomial, with a heavy-tailed "virality" shared by the three), its
comments (some with questions, some answered by the page in a reply or later in the post), so that the scoring
finds the standouts by what they did. The public's names are fictional combinations, and fokus stores none.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.files.cases import CaseRow, CaseTable
from fokus.importers.pages.listing import page_key
from fokus.model import PagePost
from fokus.resources import bundled

if TYPE_CHECKING:
    from fokus.analysis.page_scores import ScoreReport
    from fokus.api.pages import PagesReport

SEED = 2013
FIRST_DAY = date(2013, 1, 14)
LAST_DAY = date(2013, 5, 13)
#: When the feeds were harvested: comments written later are not in them.
HARVEST = datetime(2013, 5, 21, 6, 0, tzinfo=UTC)
POSTS = 33_000
COMMENTS = 300_000
OSLO = ZoneInfo("Europe/Oslo")
#: The focus group's municipalities, as corpus/cases.csv lists them: the ten best first.
STANDOUTS = (
    "Bodø", "Sandnes", "Kristiansand", "Voss", "Tromsø", "Bærum", "Levanger", "Ålesund", "Lillehammer", "Drammen",
    "Fredrikstad", "Hamar", "Førde", "Arendal", "Larvik", "Skien", "Stjørdal", "Harstad", "Molde", "Sogndal",
    "Gjøvik", "Asker", "Stord", "Alta", "Kongsberg", "Lørenskog", "Sortland", "Ørsta", "Halden", "Steinkjer",
    "Vinje", "Hemsedal", "Vadsø", "Tønsberg", "Lyngdal", "Trondheim",
)  # fmt: skip
TOP = 10
#: The case attributes the scoring writes: corpus/cases.csv's hand-set columns of the same names are left out when
#: the demo scores its pages, or every new run of the demo would put them back over the computed ones.
SCORED = ("score", "rank", "topp10", "topp30")


def quality(name: str, seed: int = SEED) -> float:
    """A page's hidden quality: 1.0 down to 0.93 for the ten best, 0.76 down to 0.685 for the rest of the focus
    group, at most 0.5 (most far lower) for the other municipalities."""
    if name in STANDOUTS:
        place = STANDOUTS.index(name)
        return 1.0 - 0.008 * place if place < TOP else 0.76 - 0.003 * (place - TOP)
    return 0.5 * math.pow(Random(f"{seed}/quality/{name}").random(), 1.5)


def spread(name: str) -> float:
    """How much a page's habits stray from what its quality says: the focus group's pages are steadier."""
    if name in STANDOUTS:
        return 0.25 if STANDOUTS.index(name) < TOP else 0.4
    return 1.0


def followers(name: str, population: int, seed: int = SEED) -> tuple[int, int]:
    """Followers at the window's start and end: a share of the population that rises with quality and falls slowly
    with size (a small place's page reaches more of it), grown over the four months by 2 to 15 %."""
    rng = Random(f"{seed}/followers/{name}")
    q, noise = quality(name, seed), spread(name)
    reach = (0.07 + 0.2 * q) * math.exp(rng.gauss(0, 0.2 * noise)) * (population / 10_000) ** -0.05
    end = max(30, round(population * min(reach, 0.7)))
    growth = max(0.01, 0.02 + 0.12 * q + rng.gauss(0, 0.015 * noise))
    return round(end / (1 + growth)), end


@dataclass(frozen=True)
class PageRow:
    """A row of the demo's pages file."""

    municipality: str
    page_id: str
    name: str
    language: str  # "nb" or "nn"
    followers_start: int
    followers_end: int
    population: int


def pages_file() -> Path:
    return bundled("corpus") / "pages" / "pages.csv"


def read_pages(path: Path | None = None) -> list[PageRow]:
    """The demo's pages file (a bundled file of ours, so read plainly; ``fokus pages import`` reads it as any)."""
    path = path or pages_file()
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            PageRow(
                municipality=row["kommune"],
                page_id=page_key(row["side"], "demo"),
                name=row["navn"],
                language="nn" if row["målform"] == "nynorsk" else "nb",
                followers_start=int(row["følgere_start"]),
                followers_end=int(row["følgere_slutt"]),
                population=int(row["innbyggertall"]),
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class Habits:
    """How a page behaves: posts per week, the share of its posts that invite, the public's engagement per 1,000
    followers per post, the share of their comments that ask, the share of questions it answers and its median
    delay in hours."""

    posts_per_week: float
    invite: float
    likes: float
    comments: float
    shares: float
    asks: float
    answers: float
    delay_hours: float


def habits(row: PageRow, seed: int = SEED) -> Habits:
    rng = Random(f"{seed}/habits/{row.page_id}")
    q, noise = quality(row.municipality, seed), spread(row.municipality)
    engaged = math.exp(1.2 * q + rng.gauss(0, 0.2 * noise)) * (row.followers_end / 1000) ** -0.05
    return Habits(
        posts_per_week=math.exp(math.log(2.5) + 1.6 * q + rng.gauss(0, 0.45 * noise)),
        invite=min(0.8, max(0.01, 0.03 + 0.42 * q + rng.gauss(0, 0.03 * noise))),
        likes=8.0 * engaged,
        comments=1.0 * engaged,
        shares=0.5 * engaged,
        asks=0.25 + 0.15 * q,
        answers=min(0.98, max(0.0, 0.1 + 0.85 * q + rng.gauss(0, 0.05 * noise))),
        delay_hours=math.exp(math.log(12) - 3.0 * q + rng.gauss(0, 0.25 * noise)),
    )


VIRALITY = 0.8  # sigma of a post's log-normal virality
REPLIED = 0.12  # the share of the public's plain comments that answer another comment
PAGE_NOTES = 0.03  # the share of posts where the page adds a comment of its own
MAX_PER_WEEK = 21.0  # three posts a day: the busiest municipal pages
WEEKS = ((LAST_DAY - FIRST_DAY).days + 1) / 7


def scaled(rows: list[PageRow], seed: int = SEED, posts: int = POSTS, comments: int = COMMENTS) -> dict[str, Habits]:
    """Every page's habits, posting rates and comments scaled so the demo holds about ``posts`` posts and
    ``comments`` comments (the issue's sizes unless a benchmark asks for others), whatever the draws."""
    raw = {row.page_id: habits(row, seed) for row in rows}
    rate = 1.0
    for _ in range(4):  # the cap of three posts a day takes some posts away: scale the others up again
        rate *= posts / sum(min(h.posts_per_week * rate, MAX_PER_WEEK) * WEEKS for h in raw.values())
    mean_virality = math.exp(VIRALITY**2 / 2)
    expected = 0.0
    for row in rows:
        h = raw[row.page_id]
        per_post = row.followers_end / 1000 * h.comments * mean_virality * (1 + h.invite)
        expected += min(h.posts_per_week * rate, MAX_PER_WEEK) * WEEKS * per_post * (1 + h.asks * h.answers)
    factor = comments / expected
    return {
        key: Habits(
            min(h.posts_per_week * rate, MAX_PER_WEEK), h.invite, h.likes, h.comments * factor, h.shares, h.asks,
            h.answers, h.delay_hours,
        )
        for key, h in raw.items()
    }  # fmt: skip


def poisson(rng: Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def negative_binomial(rng: Random, mean: float, shape: float) -> int:
    """A count with ``mean`` and variance mean + mean²/shape (a gamma-mixed Poisson)."""
    return poisson(rng, rng.gammavariate(shape, mean / shape)) if mean > 0 else 0


def graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class _PageWriter:
    """Draws one page's posts with their comments, as a Graph API page object."""

    def __init__(self, row: PageRow, h: Habits, texts: dict[str, Any], seed: int) -> None:
        self.row, self.h, self.texts = row, h, texts
        self.rng = Random(f"{seed}/posts/{row.page_id}")
        self.topics = texts["topics"]
        self.people = [self.person(i) for i in range(max(12, row.followers_end // 25))]
        self.page_from = {"id": row.page_id, "name": row.name}
        self.serial = 0
        self.times: dict[str, datetime] = {}  # each comment's time, for the replies under it

    def person(self, index: int) -> dict[str, str]:
        rng = self.rng
        name = f"{rng.choice(self.texts['first_names'])} {rng.choice(self.texts['last_names'])}"
        return {"id": str(10**14 + rng.randrange(9 * 10**14)), "name": name}

    def fill(self, template: str) -> str:
        rng, texts = self.rng, self.texts
        day = FIRST_DAY + timedelta(days=rng.randrange(14, 140))
        return template.format(
            kommune=self.row.municipality,
            sted=rng.choice(texts["places"]),
            dag=rng.choice(texts["weekdays"][self.row.language]),
            dato=f"{day.day}. {texts['months'][day.month - 1]}",
            klokke=f"{rng.randrange(8, 20)}.{rng.choice(('00', '30'))}",
        )

    def next_id(self) -> str:
        self.serial += 1
        return f"{self.row.page_id[-9:]}{self.serial:06d}"

    def feed(self) -> dict[str, Any]:
        count = poisson(self.rng, self.h.posts_per_week * WEEKS)
        times = sorted(self.post_time() for _ in range(count))
        posts = [self.post(at) for at in reversed(times)]  # newest first, as the Graph API gives them
        return {"id": self.row.page_id, "name": self.row.name, "posts": {"data": posts}}

    def post_time(self) -> datetime:
        rng = self.rng
        while True:
            day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
            if day.weekday() < 5 or rng.random() < 0.25:
                break
        hour = min(22, max(6, round(rng.gauss(11.5, 2.5))))
        at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), OSLO)
        return at.astimezone(UTC)  # in UTC, so that hours added later are hours (31 March has 23 in Oslo)

    def post(self, at: datetime) -> dict[str, Any]:
        rng, h, row, language = self.rng, self.h, self.row, self.row.language
        months = [t for t in self.topics if at.astimezone(OSLO).month in t["months"]]
        topic = rng.choice(months)
        inviting = rng.random() < h.invite
        text = self.fill(rng.choice(topic["invites" if inviting else "posts"][language]))
        scale = row.followers_end / 1000 * rng.lognormvariate(0, VIRALITY)
        post_id = f"{row.page_id}_{self.next_id()}"
        comments = self.comments(post_id, at, topic, scale * h.comments * (2 if inviting else 1))
        post: dict[str, Any] = {
            "id": post_id,
            "created_time": graph_time(at),
            "message": text,
            "from": self.page_from,
            "permalink_url": f"https://www.facebook.com/{row.page_id}/posts/{post_id.partition('_')[2]}",
            "status_type": rng.choice(("mobile_status_update", "added_photos", "added_photos", "shared_story")),
            "reactions": {"data": [], "summary": {"total_count": negative_binomial(rng, scale * h.likes, 2.0)}},
        }
        shares = negative_binomial(rng, scale * h.shares, 1.0)
        if shares:  # the Graph API leaves out the shares of a post nobody shared
            post["shares"] = {"count": shares}
        total = len(comments) + sum(len(c.get("comments", {}).get("data", [])) for c in comments)
        post["comments"] = {"data": comments, "summary": {"total_count": total}}
        return post

    def comments(self, post_id: str, at: datetime, topic: dict[str, Any], mean: float) -> list[dict[str, Any]]:
        rng, h = self.rng, self.h
        top: list[dict[str, Any]] = []
        number = negative_binomial(rng, mean, 1.5)
        for _ in range(number):
            when = at + timedelta(hours=rng.lognormvariate(math.log(1.5), 1.3))
            if when >= HARVEST:
                continue
            if rng.random() < h.asks:
                text = rng.choice(topic["questions"])
            elif top and rng.random() < REPLIED:
                self.reply(rng.choice(top), self.fill(self.public_text(topic)), self.person_of())
                continue
            else:
                text = self.public_text(topic)
            comment = self.comment(post_id, when, self.fill(text), self.person_of())
            top.append(comment)
            if "?" in text and rng.random() < h.answers:
                self.answer(post_id, top, comment, when)
        if rng.random() < PAGE_NOTES:
            when = at + timedelta(hours=rng.lognormvariate(math.log(3), 1.0))
            if when < HARVEST:
                top.append(self.comment(post_id, when, self.fill(rng.choice(self.texts["replies"][self.row.language])),
                                        self.page_from))  # fmt: skip
        top.sort(key=lambda c: c["created_time"])
        return top

    def public_text(self, topic: dict[str, Any]) -> str:
        return str(self.rng.choice(topic["comments"] if self.rng.random() < 0.6 else self.texts["comments"]))

    def person_of(self) -> dict[str, str]:
        return self.people[int(len(self.people) * self.rng.random() ** 2)]  # a few comment often

    def answer(self, post_id: str, top: list[dict[str, Any]], question: dict[str, Any], asked: datetime) -> None:
        rng = self.rng
        when = asked + timedelta(hours=rng.lognormvariate(math.log(self.h.delay_hours), 0.8))
        if when >= HARVEST:
            return
        text = self.fill(rng.choice(self.texts["replies"][self.row.language]))
        if rng.random() < 0.8:
            self.reply(question, text, self.page_from, when)
        else:  # answered further down the post, not under the question
            top.append(self.comment(post_id, when, text, self.page_from))

    def reply(self, parent: dict[str, Any], text: str, author: dict[str, str], when: datetime | None = None) -> None:
        """A reply under ``parent``: the page's at ``when``, the public's some hours after the parent."""
        if when is None:
            when = self.times[parent["id"]] + timedelta(hours=self.rng.lognormvariate(math.log(2), 1.0))
        if when >= HARVEST:
            return
        replies = parent.setdefault("comments", {"data": []})["data"]
        replies.append(self.comment(parent["id"].partition("_")[0], when, text, author))
        replies.sort(key=lambda c: c["created_time"])

    def comment(self, post_id: str, when: datetime, text: str, author: dict[str, str]) -> dict[str, Any]:
        comment_id = f"{post_id.rpartition('_')[2]}_{self.next_id()}"
        self.times[comment_id] = when
        return {
            "id": comment_id,
            "created_time": graph_time(when),
            "message": text,
            "from": author,
            "like_count": negative_binomial(self.rng, 0.8, 0.5),
        }


def load_texts() -> dict[str, Any]:
    with (bundled("corpus") / "pages" / "texts.yaml").open(encoding="utf-8") as handle:
        texts: dict[str, Any] = yaml.safe_load(handle)
    return texts


@dataclass
class Generated:
    """What :func:`generate` wrote: one Graph API feed file per page."""

    folder: Path
    files: list[Path]
    posts: int
    comments: int


def generate(
    folder: Path,
    *,
    seed: int = SEED,
    rows: list[PageRow] | None = None,
    posts: int = POSTS,
    comments: int = COMMENTS,
    progress: Callable[[int, int], Any] | None = None,
) -> Generated:
    """Write each page's feed as ``<folder>/<page id>.json`` (a Graph API page object with its posts); ``posts``
    and ``comments`` are about how many the feeds hold in all."""
    rows = read_pages() if rows is None else rows
    texts = load_texts()
    plans = scaled(rows, seed, posts, comments)
    folder.mkdir(parents=True, exist_ok=True)
    result = Generated(folder, [], 0, 0)
    for index, row in enumerate(rows):
        feed = _PageWriter(row, plans[row.page_id], texts, seed).feed()
        path = folder / f"{row.page_id}.json"
        path.write_text(json.dumps(feed, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        result.files.append(path)
        for post in feed["posts"]["data"]:
            result.posts += 1
            result.comments += post["comments"]["summary"]["total_count"]
        if progress is not None:
            progress(index + 1, len(rows))
    return result


def without_scores(table: CaseTable) -> CaseTable:
    """The case table without the attributes the scoring writes (:data:`SCORED`)."""
    return CaseTable(
        [spec for spec in table.attributes if spec.name not in SCORED],
        [
            CaseRow(row.name, {key: value for key, value in row.values.items() if key not in SCORED}, row.line)
            for row in table.rows
        ],
    )


@dataclass
class DemoPagesReport:
    """What the demo's phase 1 did: the feeds generated, what their import changed, and the score run (all None
    when the project already held the pages and their scores)."""

    generated: Generated | None
    imported: PagesReport | None
    scored: ScoreReport | None


def build_demo_pages(session: Session) -> DemoPagesReport:
    """Phase 1 of the study in the demo: generate the feeds into a temporary folder, import them with the pages file
    as ``fokus pages import`` does, and score the pages on ``codebooks/kriterier.yaml`` over the study's window, so
    that ``score``, ``rank``, ``topp10`` and ``topp30`` on the cases come from the pages (replacing the hand-set
    columns of corpus/cases.csv). Run again on a project with page posts and a score run, it does nothing (and
    generates nothing: that takes seconds)."""
    from fokus.analysis.page_metrics import Window
    from fokus.api.page_scores import latest_run, score_into_cases
    from fokus.api.pages import import_page_data
    from fokus.files.criteria import load_criteria
    from fokus.importers.pages.detect import read_feeds
    from fokus.importers.pages.listing import read_listing

    if latest_run(session) is not None and session.scalar(select(PagePost.id).limit(1)) is not None:
        return DemoPagesReport(None, None, None)
    with tempfile.TemporaryDirectory(prefix="fokus-demo-pages-") as folder:
        made = generate(Path(folder))
        feeds = read_feeds([Path(folder)])
    imported = import_page_data(session, feeds, read_listing(pages_file()))
    criteria = load_criteria(bundled("codebooks") / "kriterier.yaml")
    scored = score_into_cases(session, criteria, Window(FIRST_DAY, LAST_DAY), replace=True)
    return DemoPagesReport(made, imported, scored)
