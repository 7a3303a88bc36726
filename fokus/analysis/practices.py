"""Shared good practice: passages coded as good practice, grouped into practices that several municipalities describe.

The researchers mark what is worth sharing with the good-practice code (``god-praksis`` and its sub-codes). This
analysis asks which of those practices several municipalities have in common.

1. Passages. The accepted codings of the code (in the scope's statuses and coders), merged per message where they
   overlap: two coders marking the same sentence describe one passage twice, not two practices. A passage is the
   union of its codings' spans, so its text is exactly what was coded. It keeps the coding ids, the coders, the
   researchers' summaries (memos on those codings), the participant's pseudonym (never a real name: the identity
   table is not read), the municipality (case), and its themes: the top-level codes of the other codings in scope
   that overlap it (with ``scope.codes``, only those codes count as themes).
2. Features. The lemmas of the stored sentence units the passage's codings belong to (the rule of
   :func:`fokus.analysis.units.unit_keys`). A passage whose message was never split (``fokus tag`` not run since
   it was imported) is lemmatised on the spot with the project's pipeline, from its own text, rather than refused:
   the report says how many were. Dropped: spaCy's Norwegian stop words and their Ordbank lemmas (the list holds
   forms, the features are lemmas), a few common words the list lacks (Nynorsk, pronouns), the codebook's
   ``ubiquitous`` lemmas (facebook, kommune, ...), numbers and one-letter tokens. TF-IDF with sublinear term
   frequency and l2-normalised rows; the document frequencies come from every sentence of the project, not only
   the passages, so a word common anywhere in the group weighs little.
3. Similarity. ``(1 - theme_weight) * cosine(words) + theme_weight * cosine(themes)``, so passages on the same theme
   group a little more easily; where either passage has no theme at all, the words alone (a passage nobody coded
   a theme on is not evidence of a different theme). Sharing a theme alone never makes two passages one practice:
   ``theme_weight`` must stay below ``1 - threshold``.
4. Clustering. Average linkage on the distance ``1 - similarity``, cut at ``threshold`` (a practice is a group whose
   passages are on average at least ``1 - threshold`` similar): deterministic, no number of practices to guess,
   and unlike single linkage it does not chain unrelated passages through one in between. The default 0.8 (an
   average cosine of at least 0.2) suits the one-sentence passages focus groups give, where two descriptions of
   one practice share two or three content lemmas out of eight or so: on the demo, 0.75 splits the clear pairs
   and 0.85 starts to join passages on one generic verb. It is computed exactly
   but in pieces: two groups can only merge when some pair between them is at least ``1 - threshold`` similar, so
   average linkage never crosses the connected components of that sparse graph, and each component is clustered
   on its own (SciPy's ``linkage``) with a dense matrix the size of the component, not of the project. Fallback: a
   component of more than ``BLOCK_LIMIT`` passages (a chain through thousands of passages, in very large projects)
   is first cut at stricter similarities until its pieces fit; a piece still too large at similarity 0.99 (near
   duplicates) is one practice.
5. Shared: a practice is shared when at least ``min_cases`` distinct municipalities describe it; one municipality
   repeating itself counts once, and passages by participants linked to no municipality count for none. Shared
   practices come first (most municipalities first); the report says how many passages and municipalities remain
   in practices that are not shared, and lists those practices too when asked.

Each practice is named by the 2-4 lemmas with the highest mean TF-IDF weight in it ("vaktordning · helg · svar").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.analysis.frame import NONE, CodingFrame, IntArray, Scope, load_frame
from fokus.analysis.practice_groups import (
    DEFAULT_THEME_WEIGHT,
    DEFAULT_THRESHOLD,
    cluster,
    groups_of,
    tfidf,
    theme_matrix,
)
from fokus.analysis.report import markdown_table
from fokus.analysis.units import unit_keys
from fokus.domain.chunks import chunks
from fokus.domain.codes import GOOD_PRACTICE
from fokus.domain.passages import Passage
from fokus.errors import FokusError
from fokus.model import Memo, Message, Participant, Thread, Unit
from fokus.privacy import Redactor

ACCEPTED = Scope()  # the default scope: accepted codings by every coder
TITLE_WORDS = (2, 4)  # a title has 2 to 4 words ...
TITLE_SHARE = 0.5  # ... the first two always, the next ones while they weigh at least half of the top word
TOP_WORDS = 8
# Common words the spaCy list (Bokmål, from news text) lacks: Nynorsk forms, pronouns, question words.
_SHIFT = np.int64(1 << 32)  # message id and offset packed in one int64, for sorted searches


@dataclass(frozen=True)
class Summary:
    """A researcher's summary of a good-practice coding (a memo on the coding)."""

    coding_id: int
    coder: str | None
    text: str


@dataclass(frozen=True)
class PracticePassage(Passage):
    """One passage of a practice (overlapping codings of the practice code, merged): and what the researchers made
    of it."""

    thread: str  # external id
    coding_ids: tuple[int, ...]
    coders: tuple[str, ...]
    themes: tuple[str, ...]  # top-level code paths
    summaries: tuple[Summary, ...]
    lemmas: str  # what the features were computed from

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "participant": self.participant,
            "case": self.case,
            "message": self.message,
            "thread": self.thread,
            "start": self.start,
            "end": self.end,
            "coding_ids": list(self.coding_ids),
            "coders": list(self.coders),
            "themes": list(self.themes),
            "summaries": [{"coding_id": s.coding_id, "coder": s.coder, "text": s.text} for s in self.summaries],
            "lemmas": self.lemmas,
        }


@dataclass(frozen=True)
class Practice:
    """A group of passages that describe the same practice."""

    number: int
    title: str
    words: tuple[tuple[str, float], ...]  # lemma, mean TF-IDF weight in the practice
    themes: tuple[tuple[str, str, int], ...]  # path, name, passages
    cases: tuple[tuple[str, int], ...]  # municipality, passages (by passages, then name)
    passages: tuple[PracticePassage, ...]
    shared: bool

    @property
    def summaries(self) -> list[Summary]:
        return [s for p in self.passages for s in p.summaries]

    def as_json(self) -> dict[str, Any]:
        return {
            "practice": self.number,
            "title": self.title,
            "shared": self.shared,
            "municipalities": [{"case": name, "passages": n} for name, n in self.cases],
            "passages": len(self.passages),
            "words": [{"lemma": w, "weight": round(v, 4)} for w, v in self.words],
            "themes": [{"theme": path, "name": name, "passages": n} for path, name, n in self.themes],
            "quotes": [p.as_json() for p in self.passages],
            "summaries": [{"coding_id": s.coding_id, "coder": s.coder, "text": s.text} for s in self.summaries],
        }


@dataclass
class PracticesReport:
    """The practices found, shared ones first; implements :class:`fokus.analysis.report.Report`.

    ``practices`` holds every practice; the formats show the shared ones, and the others too with
    ``include_unshared``. The counts of what is not shared are always given.
    """

    code: str
    min_cases: int
    threshold: float
    theme_weight: float
    scope: Scope
    practices: list[Practice]
    passages: int
    lemmatised_now: int
    include_unshared: bool = False
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = f"Good practice ({self.code}) shared by at least {self.min_cases} municipalities"

    @property
    def shared(self) -> list[Practice]:
        return [p for p in self.practices if p.shared]

    @property
    def unshared(self) -> list[Practice]:
        return [p for p in self.practices if not p.shared]

    @property
    def listed(self) -> list[Practice]:
        return self.practices if self.include_unshared else self.shared

    def unshared_counts(self) -> dict[str, int]:
        rest = self.unshared
        return {
            "practices": len(rest),
            "passages": sum(len(p.passages) for p in rest),
            "municipalities": len({c for p in rest for c, _ in p.cases}),
        }

    def columns(self) -> list[str]:
        return [
            "practice",
            "title",
            "shared",
            "n_municipalities",
            "n_passages",
            "municipalities",
            "themes",
            "messages",
            "coding_ids",
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "practice": p.number,
                "title": p.title,
                "shared": p.shared,
                "n_municipalities": len(p.cases),
                "n_passages": len(p.passages),
                "municipalities": "; ".join(name for name, _ in p.cases),
                "themes": "; ".join(f"{path} ({n})" for path, _, n in p.themes),
                "messages": " ".join(dict.fromkeys(q.message for q in p.passages)),
                "coding_ids": " ".join(str(c) for q in p.passages for c in q.coding_ids),
            }
            for p in self.listed
        ]

    def as_json(self) -> Any:
        return {
            "title": self.title,
            "code": self.code,
            "min_cases": self.min_cases,
            "threshold": self.threshold,
            "theme_weight": self.theme_weight,
            "scope": {
                "statuses": list(self.scope.statuses),
                "coders": list(self.scope.coders),
                "themes": list(self.scope.codes),
            },
            "passages": self.passages,
            "lemmatised_now": self.lemmatised_now,
            "shared": len(self.shared),
            "unshared": self.unshared_counts(),
            "practices": [p.as_json() for p in self.listed],
        }

    def markdown(self) -> str:
        rest = self.unshared_counts()
        lines = [
            f"# {self.title}",
            "",
            f"{self.passages} passages coded `{self.code}` grouped into {len(self.practices)} practices"
            f" (average linkage on lemma TF-IDF and themes, distance threshold {self.threshold},"
            f" theme weight {self.theme_weight}); {len(self.shared)} are shared by at least {self.min_cases}"
            f" municipalities. Not shared: {rest['passages']} passages from {rest['municipalities']} municipalities"
            f" in {rest['practices']} practices.",
        ]
        if self.lemmatised_now:
            lines += ["", f"{self.lemmatised_now} passages were lemmatised now: their messages are not tagged yet."]
        if not self.listed:
            lines += ["", "No practice is shared by that many municipalities (`--all` lists every practice)."]
        else:
            overview = ["practice", "title", "n_municipalities", "n_passages", "municipalities"]
            lines += ["", markdown_table(self.rows(), overview)]
        for practice in self.listed:
            lines += ["", *_practice_markdown(practice)]
        return "\n".join(lines)


def _practice_markdown(p: Practice) -> list[str]:
    status = "shared" if p.shared else "not shared"
    lines = [
        f"## {p.number}. {p.title}",
        "",
        f"{len(p.cases)} municipalities ({status}), {len(p.passages)} passages.",
        "",
        "- Municipalities: " + (", ".join(f"{name} ({n})" for name, n in p.cases) or "none"),
        "- Themes: " + (", ".join(f"{name} ({n})" for _, name, n in p.themes) or "none"),
        "- Words: " + ", ".join(f"{w} ({v:.2f})" for w, v in p.words),
        "",
    ]
    for q in p.passages:
        ids = ", ".join(str(c) for c in q.coding_ids)
        where = f"{q.participant}, {q.case or '(no municipality)'} (message {q.message}; codings {ids})"
        lines += [f"> {' '.join(q.text.split())}", ">", f"> — {where}", ""]
    if p.summaries:
        lines += ["Summaries:", ""]
        lines += [f"- {' '.join(s.text.split())} ({s.coder or 'unknown'}, coding {s.coding_id})" for s in p.summaries]
        lines.append("")
    return lines


# --- the analysis ---------------------------------------------------------------------------------------------


def find_practices(
    session: Session,
    *,
    min_cases: int = 3,
    scope: Scope = ACCEPTED,
    code: str = GOOD_PRACTICE,
    threshold: float = DEFAULT_THRESHOLD,
    theme_weight: float = DEFAULT_THEME_WEIGHT,
    include_unshared: bool = False,
) -> PracticesReport:
    """Group the good-practice passages into practices and say which are shared; see the module docstring."""
    if min_cases < 1:
        raise FokusError(f"--min-cases must be at least 1, not {min_cases}")
    if not 0 < threshold < 1:
        raise FokusError(f"the distance threshold must be between 0 and 1, not {threshold}")
    if not 0 <= theme_weight < 1 - threshold:
        raise FokusError(
            f"theme weight {theme_weight} with threshold {threshold} would let a shared theme alone make a practice",
            hint=f"keep the theme weight below 1 - threshold = {1 - threshold:.3g}",
        )
    frame = load_frame(session, Scope(scope.statuses, scope.coders, ()))
    practice_codes = frame.tree.descendants(frame.tree.id_of(code))
    theme_codes = (
        {d for path in scope.codes for d in frame.tree.descendants(frame.tree.id_of(path))} if scope.codes else None
    )
    groups = _passage_groups(frame, practice_codes)
    redactor = Redactor(session)
    passages, lemmatised = _passages(frame, groups, practice_codes, theme_codes, redactor)
    practices: list[Practice] = []
    if passages:
        text, vocabulary = tfidf(session, [p.lemmas for p in passages])
        passages = [replace(p, lemmas=redactor.lemmas(p.lemmas)) for p in passages]  # shown without names
        themes = theme_matrix([p.themes for p in passages])
        labels = cluster(text, themes, threshold=threshold, theme_weight=theme_weight)
        practices = _practices(passages, labels, text, vocabulary, frame, min_cases, redactor)
    return PracticesReport(
        code, min_cases, threshold, theme_weight, scope, practices, len(passages), lemmatised, include_unshared
    )


@dataclass
class _Groups:
    """Good-practice codings (frame rows) grouped into passages: one row per passage, sorted by message and start."""

    rows: IntArray  # frame rows of the practice codings, sorted by (message, start, end)
    group: IntArray  # passage index of each of those rows
    message: IntArray
    start: IntArray
    end: IntArray


def _passage_groups(frame: CodingFrame, practice_codes: Sequence[int]) -> _Groups:
    """Merge overlapping good-practice codings of a message into one passage (vectorised sweep)."""
    rows = np.flatnonzero(np.isin(frame.code, np.asarray(practice_codes, dtype=np.int64)))
    order = np.lexsort((frame.end[rows], frame.start[rows], frame.message[rows]))
    rows = rows[order]
    message, start, end = frame.message[rows], frame.start[rows], frame.end[rows]
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return _Groups(rows, empty, empty, empty, empty)
    reach = np.maximum.accumulate(message * _SHIFT + end)  # the furthest end so far (earlier messages are smaller)
    new = np.r_[True, message[1:] * _SHIFT + start[1:] >= reach[:-1]]
    group = np.cumsum(new) - 1
    firsts = np.flatnonzero(new)
    return _Groups(
        rows,
        group,
        message[firsts],
        np.minimum.reduceat(start, firsts),
        np.maximum.reduceat(end, firsts),
    )


def _overlapping(groups: _Groups, message: IntArray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """(index into the given spans, passage) pairs for every span that overlaps a passage of its message.

    Passages of a message are disjoint and sorted, so the passages a span overlaps are one contiguous run.
    """
    starts = groups.message * _SHIFT + groups.start
    ends = groups.message * _SHIFT + groups.end
    first = np.searchsorted(ends, message * _SHIFT + start, side="right")
    last = np.searchsorted(starts, message * _SHIFT + end, side="left")
    count = np.maximum(last - first, 0)
    spans = np.repeat(np.arange(len(message), dtype=np.int64), count)
    offsets = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return spans, np.repeat(first, count) + offsets


def _passages(
    frame: CodingFrame,
    groups: _Groups,
    practice_codes: Sequence[int],
    theme_codes: set[int] | None,
    redactor: Redactor,
) -> tuple[list[PracticePassage], int]:
    """The passages with their texts, people, themes, summaries and lemmas; and how many were lemmatised now.

    Texts and summaries are as exports show them (names redacted, see fokus.privacy); lemmas are the stored text's.
    """
    session, tree = frame.session, frame.tree
    count = len(groups.message)
    if not count:
        return [], 0
    # themes: the top-level codes of the other codings overlapping each passage
    other = ~np.isin(frame.code, np.asarray(practice_codes, dtype=np.int64))
    if theme_codes is not None:
        other &= np.isin(frame.code, np.asarray(sorted(theme_codes), dtype=np.int64))
    other_rows = np.flatnonzero(other)
    spans, passage_of = _overlapping(groups, frame.message[other_rows], frame.start[other_rows], frame.end[other_rows])
    themes: list[set[str]] = [set() for _ in range(count)]
    for passage, code_id in set(zip(passage_of.tolist(), frame.code[other_rows[spans]].tolist(), strict=True)):
        themes[passage].add(tree.path[tree.theme(code_id)])

    message_ids = groups.message.tolist()
    message_query = select(Message.id, Message.external_id, Message.text, Message.thread_id, Message.participant_id)
    messages = _by_id(session, message_query, Message.id, message_ids)
    redactor.prepare_texts((mid, row[1]) for mid, row in messages.items())
    threads = dict(_rows(session, select(Thread.id, Thread.external_id), Thread.id, [m[2] for m in messages.values()]))
    pseudonyms = dict(
        _rows(session, select(Participant.id, Participant.pseudonym), Participant.id, [m[3] for m in messages.values()])
    )
    coding_ids = frame.id[groups.rows].tolist()
    summaries: dict[int, list[Summary]] = defaultdict(list)
    memo_query = select(Memo.coding_id, Memo.coder_id, Memo.text, Memo.id)
    for coding_id, coder_id, text, _ in sorted(
        _rows(session, memo_query, Memo.coding_id, coding_ids), key=lambda r: r[3]
    ):
        coder = frame.coders.get(coder_id) if coder_id else None
        summaries[coding_id].append(Summary(coding_id, coder, redactor.free(text) or ""))
    lemmas, lemmatised = _lemmas(frame, groups, messages)

    members: list[list[int]] = [[] for _ in range(count)]
    for row, passage in zip(groups.rows.tolist(), groups.group.tolist(), strict=True):
        members[passage].append(row)
    cases = frame.case[groups.rows]
    first_rows = np.r_[0, np.flatnonzero(np.diff(groups.group)) + 1]
    passages = []
    for index in range(count):
        ext, text, thread_id, participant_id = messages[message_ids[index]]
        rows = members[index]
        case_id = int(cases[first_rows[index]])
        start, end = int(groups.start[index]), int(groups.end[index])
        ids = tuple(sorted(int(frame.id[r]) for r in rows))
        passages.append(
            PracticePassage(
                message=redactor.message_id(message_ids[index], ext),
                thread=redactor.thread_id(thread_id, threads.get(thread_id, "")),
                participant=pseudonyms.get(participant_id, ""),
                case=frame.cases.name.get(case_id) if case_id != NONE else None,
                start=start,
                end=end,
                text=redactor.excerpt(message_ids[index], text, start, end),
                coding_ids=ids,
                coders=tuple(sorted({frame.coders.get(int(frame.coder[r]), "") for r in rows})),
                themes=tuple(sorted(themes[index])),
                summaries=tuple(s for cid in ids for s in summaries.get(cid, ())),
                lemmas=lemmas[index],
            )
        )
    return passages, lemmatised


def _rows(session: Session, query: Any, column: Any, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """``query`` restricted to ``column IN ids``, in chunks (SQLite limits the number of parameters)."""
    found: list[tuple[Any, ...]] = []
    for chunk in chunks(sorted(set(ids))):
        found.extend(tuple(row) for row in session.execute(query.where(column.in_(chunk))))
    return found


def _by_id(session: Session, query: Any, column: Any, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in _rows(session, query, column, ids)}


def _lemmas(frame: CodingFrame, groups: _Groups, messages: dict[int, tuple[Any, ...]]) -> tuple[list[str], int]:
    """Each passage's lemmas: those of the sentence units its codings belong to, or lemmatised now if untagged."""
    session = frame.session
    count = len(groups.message)
    tagged = {
        m for (m,) in _rows(session, select(Unit.message_id).distinct(), Unit.message_id, groups.message.tolist())
    }
    passage_of_row = np.full(len(frame), NONE, dtype=np.int64)
    passage_of_row[groups.rows] = groups.group
    mask = np.zeros(len(frame), dtype=bool)
    mask[groups.rows] = np.isin(frame.message[groups.rows], np.asarray(sorted(tagged), dtype=np.int64))
    sub_rows, unit_ids = unit_keys(frame.subset(mask), "sentence")
    passage_units = np.unique(np.c_[passage_of_row[mask][sub_rows], unit_ids], axis=0) if len(sub_rows) else None
    unit_lemmas = dict(_rows(session, select(Unit.id, Unit.lemmas), Unit.id, unit_ids.tolist()))
    lemmas: list[list[str]] = [[] for _ in range(count)]
    if passage_units is not None:
        for passage, unit in passage_units.tolist():
            lemmas[passage].append(unit_lemmas.get(unit, ""))
    untagged = [i for i in range(count) if int(groups.message[i]) not in tagged]
    if untagged:
        texts = [messages[int(groups.message[i])][1][int(groups.start[i]) : int(groups.end[i])] for i in untagged]
        for index, found in zip(untagged, _lemmatise(session, texts), strict=True):
            lemmas[index] = [found]
    return [" ".join(parts) for parts in lemmas], len(untagged)


def _lemmatise(session: Session, texts: Sequence[str]) -> list[str]:
    """Lemmas of texts whose messages were never split, with the pipeline `fokus tag` would use."""
    from fokus.domain.settings import MODEL_SETTING, get_setting
    from fokus.nlp import load_pipeline
    from fokus.nlp.rules import analyse

    nlp = load_pipeline(get_setting(session, MODEL_SETTING))
    found = []
    for doc in nlp.pipe(texts, batch_size=256):
        found.append(" ".join(w for s in analyse(doc, [(0, len(doc.text))]) for w in s.lemmas))
    return found


def _practices(
    passages: Sequence[PracticePassage],
    labels: IntArray,
    text: Any,
    vocabulary: Sequence[str],
    frame: CodingFrame,
    min_cases: int,
    redactor: Redactor,
) -> list[Practice]:
    """Name each group of passages, count its municipalities and themes, and order them: shared first."""
    theme_names = {path: frame.tree.name[cid] for cid, path in frame.tree.path.items()}
    groups = groups_of(labels)
    means = _mean_rows(groups, text, len(passages))
    built: list[tuple[tuple[Any, ...], Practice]] = []
    for index, members in enumerate(groups):
        group = [passages[i] for i in members.tolist()]
        group.sort(key=lambda p: (p.case is None, p.case or "", p.message, p.start))
        words = redactor.words(_top_words(means, index, vocabulary))  # no participant's name as a word
        by_case = Counter(p.case for p in group if p.case is not None)
        cases = tuple(sorted(by_case.items(), key=lambda kv: (-kv[1], kv[0])))
        theme_counts = Counter(t for p in group for t in p.themes)
        ranked = sorted(theme_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        themes = tuple((path, theme_names.get(path, path), n) for path, n in ranked)
        title = _title(words) or f"passage in {group[0].message}"
        shared = len(cases) >= min_cases
        practice = Practice(0, title, words, themes, cases, tuple(group), shared)
        built.append(((not shared, -len(cases), -len(group), int(members[0])), practice))
    built.sort(key=lambda item: item[0])
    return [_numbered(p, number) for number, (_, p) in enumerate(built, start=1)]


def _mean_rows(groups: Sequence[IntArray], text: Any, count: int) -> Any:
    """Each group's mean TF-IDF row, in one sparse product (group x passage weights times the passages)."""
    from scipy import sparse

    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    members = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    weights = sparse.csr_matrix((1.0 / sizes[owner], (owner, members)), shape=(len(groups), count))
    return (weights @ text).tocsr()


def _numbered(practice: Practice, number: int) -> Practice:
    return replace(practice, number=number)


def _top_words(means: Any, row: int, vocabulary: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """The words with the highest mean TF-IDF weight over a practice's passages (ties by the word)."""
    first, last = means.indptr[row], means.indptr[row + 1]
    weights, columns = means.data[first:last].tolist(), means.indices[first:last].tolist()
    ranked = sorted(zip(weights, columns, strict=True), key=lambda wc: (-wc[0], vocabulary[wc[1]]))[:TOP_WORDS]
    return tuple((vocabulary[c], float(w)) for w, c in ranked if w > 0)


def _title(words: Iterable[tuple[str, float]]) -> str:
    """2-4 top words: the first two, then more while they weigh at least half of the first."""
    listed = list(words)
    least, most = TITLE_WORDS
    chosen = [w for i, (w, v) in enumerate(listed[:most]) if i < least or v >= TITLE_SHARE * listed[0][1]]
    return " · ".join(chosen)
