"""Behaviour hypotheses: what the municipalities did (their pages' metrics) and answered (a survey's items), as
case-level variables compared between groups of cases; see :mod:`fokus.analysis.hypotheses` and, for the file,
:mod:`fokus.files.hypothesis_variables`.

Each case gets one value of a variable:

- ``metric``: the column of :func:`fokus.analysis.page_metrics.page_metrics` over the hypothesis' window (all the
  posts when none is given). A case with several pages is measured by its main page: the one with most followers
  (then most posts in the window, then the lowest page id), since the metrics are rates and medians that do not add
  up across pages, and a municipality's main page is the one it is scored on. A page linked to no case is left out;
- ``value``: a number case attribute as stored (a score, a survey's Likert item imported as an integer);
- ``code``: the share (or count) of the case's units (``measure_unit``) that carry the code, as a case-level group
  difference counts it.

A case without a value (no page, a metric that is empty for its page such as response time without questions, no
answer to the survey item) is left out and counted in ``excluded``. A group difference is Mann-Whitney U with the
rank-biserial r and its interval, as for a code at case level (3 cases in each group at least); a correlation is
:mod:`fokus.analysis.hypothesis_correlation`. In a project with no pages, a hypothesis on a metric has too little
data (no page data), so one file serves a project before and after its pages are imported.

The evidence is what lies behind the focal group's figures (a correlation's: the cases highest on its first
variable), looked up in at most :data:`EVIDENCE_CASES` cases, a few per case (:data:`PER_CASE`; the first
``EVIDENCE_CAP`` in all): for the response metrics, the public's questions under the window's posts with the
page's first answer and its delay in hours; for ``dialogue_share``, the posts that ask or invite; for the
engagement and posting metrics, the posts with most likes, comments and shares; for a value, each case's answer
(with the survey's question when a survey import made the attribute);
for a code, its passages. Followers, growth and reach are figures of the page itself: no posts lie behind them. No
commenter is named: only the text of a question and the page's answer are shown.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from fokus.analysis.frame import value_label
from fokus.analysis.hypothesis_behaviour_text import variable_phrase
from fokus.analysis.hypothesis_data import EVIDENCE_CAP, MINIMUMS, HypothesisData
from fokus.analysis.hypothesis_groups import case_groups
from fokus.analysis.hypothesis_report import MANN_WHITNEY, HypothesisResult, effect_text, median
from fokus.analysis.page_metrics import Window, invites, within_window
from fokus.analysis.report import Figure, Phrase
from fokus.analysis.statistics import mann_whitney
from fokus.domain.settings import SURVEY_ITEMS_SETTING, get_setting
from fokus.files.hypotheses import Hypothesis, HypothesisFile
from fokus.files.hypothesis_variables import Variable
from fokus.i18n import N_
from fokus.model import PageComment, PagePost

PER_CASE = 3  # evidence items per case
EVIDENCE_CASES = 30  # the evidence is looked up in the first this many cases (a group or a correlation's highest)
QUESTION_METRICS = frozenset({"questions", "answered", "response_rate", "response_hours"})
PAGE_FIGURES = frozenset({"followers", "follower_growth", "reach_per_capita"})
NO_PAGES = Phrase(N_("the project has no page data (import the pages with `fokus pages import`)"))


def window_of(h: Hypothesis) -> Window:
    return Window(*h.window) if h.window else Window()


def case_values(data: HypothesisData, h: Hypothesis, v: Variable, population: str) -> dict[int, float]:
    """Each case's value of ``v`` (see the module docstring); cases without one are not in it. A code's share is
    of the case's units in ``population`` (coded or all), as for a code at case level."""
    cases = data.frame.cases
    if v.kind == "value":
        return {cid: float(x) for cid, x in cases.values[v.name].items() if x is not None}
    if v.kind == "metric":
        rows = main_pages(data, window_of(h))
        return {cid: float(row[v.name]) for cid, row in rows.items() if row.get(v.name) is not None}
    level = v.measure_unit
    units, unit_case = data.unit_cases(level, population)
    carrying = np.isin(units, data.units_with(v.name, level))
    linked = unit_case >= 0
    total = np.bincount(unit_case[linked], minlength=1)
    with_code = np.bincount(unit_case[linked & carrying], minlength=len(total))
    found = {}
    for cid in cases.name:
        n = int(total[cid]) if cid < len(total) else 0
        if n:
            found[cid] = int(with_code[cid]) / n if v.measure == "share" else float(with_code[cid])
    return found


def main_pages(data: HypothesisData, window: Window) -> dict[int, dict[str, Any]]:
    """Each case's main page's metrics (most followers, then most posts, then the lowest page id)."""
    ids = {name: cid for cid, name in data.frame.cases.name.items()}
    pages = data.page_ids()
    chosen: dict[int, dict[str, Any]] = {}
    for row in data.page_rows(window):
        cid = ids.get(row["case"]) if row["case"] is not None else None
        if cid is None:
            continue
        key = (-(row["followers"] or 0), -row["posts"], pages[row["page"]])
        held = chosen.get(cid)
        if held is None or key < (-(held["followers"] or 0), -held["posts"], pages[held["page"]]):
            chosen[cid] = row
    return chosen


def minimum_per_group(h: Hypothesis, r: HypothesisResult) -> int:
    minimum = dict(MINIMUMS["group-difference/case"])
    if h.min_n is not None:
        minimum["cases_per_group"] = h.min_n
    r.minimum_text = Phrase(N_("at least {n} cases in each group"), n=Figure(minimum["cases_per_group"], "int"))
    r.minimum = {**minimum, "text": str(r.minimum_text)}
    return minimum["cases_per_group"]


def behaviour_difference(data: HypothesisData, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
    """A page metric, a number attribute or a code's share compared between two groups of cases."""
    v = h.variables[0]
    what = variable_phrase(v)
    r.method = MANN_WHITNEY
    r.why = Phrase(
        N_(
            "each case gives one value ({what}); with few cases and skewed values, a rank test compares the groups"
            " without assuming a normal distribution"
        ),
        what=what,
    )
    needed = minimum_per_group(h, r)
    if h.needs_pages and not data.has_pages():
        r.short = NO_PAGES
        return
    group_of, labels, _split = case_groups(data, h, spec)
    values = case_values(data, h, v, r.population)
    names = data.frame.cases.name
    r.excluded["cases_without_value"] = len(names) - len(group_of)
    r.excluded[f"cases_without_{v.name}"] = sum(cid not in values for cid in group_of)
    kept = sorted((cid for cid in group_of if cid in values), key=lambda cid: (group_of[cid], names[cid], cid))
    attribute = data.frame.cases.values[h.attribute or ""]
    r.counts = [
        {
            "case": names[cid],
            "group": labels[group_of[cid]],
            "value": value_label(attribute.get(cid)),
            v.label: values[cid],
        }
        for cid in kept
    ]
    r.n = len(kept)
    focal_cases = [cid for cid in kept if group_of[cid] == 0]
    focal = np.array([values[cid] for cid in focal_cases], dtype=np.float64)
    rest = np.array([values[cid] for cid in kept if group_of[cid] == 1], dtype=np.float64)
    r.table = {"groups": labels, "cases": [len(focal), len(rest)], "medians": [median(focal), median(rest)]}
    fill_evidence(data, h, r, v, focal_cases, labels[0])
    if min(len(focal), len(rest)) < needed:
        r.short = Phrase(
            N_("{focal} cases with {group} and {rest} in the rest; the test needs {needed} in each"),
            focal=Figure(len(focal), "int"),
            group=labels[0],
            rest=Figure(len(rest), "int"),
            needed=Figure(needed, "int"),
        )
        return
    test = mann_whitney(focal.tolist(), rest.tolist(), h.direction)
    take(r, test, N_("U"))
    r.result = Phrase(
        N_(
            "The median {what} is {focal_median} in the {focal} cases of {group} and {rest_median} in the {rest}"
            " others (U = {u}): {effect}."
        ),
        what=what,
        focal_median=Figure(median(focal), "cell"),
        focal=Figure(len(focal), "int"),
        group=labels[0],
        rest_median=Figure(median(rest), "cell"),
        rest=Figure(len(rest), "int"),
        u=Figure(test.statistic, "g"),
        effect=effect_text(test.effect),
    )


def take(r: HypothesisResult, test: Any, name: str) -> None:
    """Keep a test's outcome (a MannWhitneyResult or SpearmanResult) in the result."""
    r.alternative, r.statistic, r.statistic_name = test.alternative, test.statistic, name
    r.p_value, r.effect = test.p_value, test.effect


def fill_evidence(
    data: HypothesisData, h: Hypothesis, r: HypothesisResult, v: Variable, cases: Sequence[int], among: Any
) -> None:
    """The evidence behind ``v`` in ``cases`` (in that order), ``among`` saying which cases they are."""
    names = data.frame.cases.name
    cases = cases[:EVIDENCE_CASES]
    if v.kind == "code":
        frame = data.frame
        rows = np.flatnonzero(data.code_rows(v.name) & np.isin(frame.case, list(cases)))
        r.evidence_what = Phrase(N_("the passages coded {code} in {cases}"), code=v.name, cases=among)
        r.evidence_total, r.evidence = data.passages(rows, frame.message[rows])
        return
    if v.kind == "value":
        values = data.frame.cases.values[v.name]
        r.evidence_unit = "value"
        question = survey_question(data, v.name)
        r.evidence_what = (
            Phrase(N_("each case's answer to the survey's {question!r} in {cases}"), question=question, cases=among)
            if question
            else Phrase(N_("each case's {attribute} in {cases}"), attribute=v.name, cases=among)
        )
        shown = [{"kind": "value", "case": names[c], "attribute": v.name, "value": values.get(c)} for c in cases]
        r.evidence_total, r.evidence = len(shown), shown[:EVIDENCE_CAP]
        return
    if v.name in PAGE_FIGURES:
        r.evidence_what = Phrase(N_("{metric} is a figure of the page itself: no posts lie behind it"), metric=v.name)
        return
    window = window_of(h)
    pages = data.page_ids()
    main = main_pages(data, window)
    page_of = {pages[main[c]["page"]]: c for c in cases if c in main}
    if v.name in QUESTION_METRICS:
        r.evidence_unit = "question"
        r.evidence_what = Phrase(
            N_("the public's questions to the pages of {cases}, with the pages' answers"), cases=among
        )
        found = _questions(data, window, list(page_of))
    elif v.name == "dialogue_share":
        r.evidence_unit = "post"
        r.evidence_what = Phrase(N_("the posts that ask or invite on the pages of {cases}"), cases=among)
        found = {
            page: [p for p in posts if invites(p["text"])] for page, posts in _posts(data, window, page_of).items()
        }
    else:
        r.evidence_unit = "post"
        r.evidence_what = Phrase(N_("the posts with most engagement on the pages of {cases}"), cases=among)
        found = {
            page: sorted(posts, key=lambda p: (-p["engagement"], p["created_at"]))
            for page, posts in _posts(data, window, page_of).items()
        }
    r.evidence_total = sum(len(items) for items in found.values())
    shown = []
    for page, cid in page_of.items():
        for item in found.get(page, [])[:PER_CASE]:
            shown.append({**item, "case": names[cid], "page": main[cid]["name"]})
    r.evidence = shown[:EVIDENCE_CAP]


def survey_question(data: HypothesisData, attribute: str) -> str | None:
    """The survey's question behind an attribute, if a survey import made it (fokus.api.survey keeps each item's
    question in the setting ``survey.items``)."""
    try:
        items = json.loads(get_setting(data.frame.session, SURVEY_ITEMS_SETTING) or "{}")
    except ValueError:
        return None
    item = items.get(attribute) if isinstance(items, dict) else None
    question = item.get("question") if isinstance(item, dict) else None
    return question if isinstance(question, str) and question.strip() else None


def _posts(data: HypothesisData, window: Window, page_of: dict[int, int]) -> dict[int, list[dict[str, Any]]]:
    """The window's posts of these pages, in time order."""
    query = select(PagePost).where(PagePost.page_id.in_(list(page_of))).order_by(PagePost.created_at, PagePost.id)
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for post in data.frame.session.scalars(within_window(query, window)):
        likes = post.likes if post.likes is not None else post.reactions
        counts = {"likes": likes, "comments": post.comments, "shares": post.shares}
        found[post.page_id].append(
            {
                "kind": "post",
                "post": post.external_id,
                "created_at": post.created_at.isoformat(),
                "text": post.text or "",
                **counts,
                "engagement": sum(c or 0 for c in counts.values()),
                "url": post.url,
            }
        )
    return found


def _questions(data: HypothesisData, window: Window, pages: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The public's questions under the window's posts of ``pages``, in time order: the first PER_CASE of each page
    with the page's first answer (a reply under the question or a later comment by the page in the same post, as
    page_metrics counts them), the rest as counted placeholders (only the shown ones are looked up in full)."""
    session = data.frame.session
    query = select(PagePost.id, PagePost.page_id, PagePost.external_id).where(PagePost.page_id.in_(pages))
    posts = {pid: (page, ext) for pid, page, ext in session.execute(within_window(query, window))}
    asked = session.execute(
        select(PageComment.id, PageComment.post_id, PageComment.created_at)
        .where(
            PageComment.post_id.in_(within_window(query.with_only_columns(PagePost.id), window).scalar_subquery()),
            PageComment.by_page.is_(False),
            PageComment.text.contains("?"),
        )
        .order_by(PageComment.created_at, PageComment.id)
    ).all()
    counted: dict[int, list[tuple[int, int, datetime]]] = defaultdict(list)
    for qid, post_id, at in asked:
        counted[posts[post_id][0]].append((qid, post_id, at))
    shown = [q for questions in counted.values() for q in questions[:PER_CASE]]
    answers = _first_answers(data, shown)
    texts = _texts(data, [q[0] for q in shown] + [a[0] for a in answers.values()])
    found: dict[int, list[dict[str, Any]]] = {}
    for page, questions in counted.items():
        found[page] = [{"kind": "question"}] * len(questions)  # counted, not shown
        for index, (qid, post_id, at) in enumerate(questions[:PER_CASE]):
            answer = answers.get(qid)
            found[page][index] = {
                "kind": "question",
                "post": posts[post_id][1],
                "comment": texts[qid][0],
                "created_at": at.isoformat(),
                "text": texts[qid][1],
                "answer": texts[answer[0]][1] if answer else None,
                "answered_at": answer[1].isoformat() if answer else None,
                "hours": max(0.0, (answer[1] - at).total_seconds() / 3600) if answer else None,
            }
    return found


def _first_answers(data: HypothesisData, questions: list[tuple[int, int, datetime]]) -> dict[int, tuple[int, datetime]]:
    """Each question's first answer by the page: (comment id, time)."""
    posts = list({post_id for _qid, post_id, _at in questions})
    by_page = data.frame.session.execute(
        select(PageComment.id, PageComment.post_id, PageComment.parent_id, PageComment.created_at)
        .where(PageComment.post_id.in_(posts), PageComment.by_page.is_(True))
        .order_by(PageComment.created_at, PageComment.id)
    ).all()
    found = {}
    for qid, post_id, at in questions:
        later = [
            (c.created_at, c.id) for c in by_page if c.parent_id == qid or (c.post_id == post_id and c.created_at > at)
        ]
        if later:
            when, cid = min(later)
            found[qid] = (cid, when)
    return found


def _texts(data: HypothesisData, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(external id, text) of these comments."""
    query = select(PageComment.id, PageComment.external_id, PageComment.text).where(PageComment.id.in_(ids))
    return {cid: (ext, text or "") for cid, ext, text in data.frame.session.execute(query)}
