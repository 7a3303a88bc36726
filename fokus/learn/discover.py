"""Emergent themes: a topic model over the sentences no accepted code covers, for the researchers to judge.

What the codebook does not name yet may still be said often, and by many municipalities. :func:`discover` fits a
topic model to what nobody has coded and lists each candidate theme with its words, its most representative quotes
and how far it reaches; :func:`adopt` turns a candidate the researchers find worth it into a new code, with its
quotes as suggestions to review. Machines only suggest: researchers decide.

1. Sentences. The stored sentence units (``fokus tag``) minus those an accepted coding belongs to, by the rule of
   :func:`fokus.analysis.units.unit_keys` (a coding belongs to a sentence it covers at least half of, or that covers
   at least half of it). Suggestions and rejections cover nothing: a sentence the machine only proposed a code for
   is still open. Messages never split are not seen (the report counts them).
2. Features. TF-IDF over the sentences' lemmas, without the Norwegian stop words, numbers, one-letter tokens and the
   codebook's ubiquitous lemmas (the words of :func:`fokus.analysis.practice_groups.stop_words`), and the talk
   that keeps a conversation going but names no theme (thanks, greetings, agreement, laughter, praise:
   ``CONVERSATION_WORDS``; on the demo they made a third of the topics), with sublinear
   term frequency and l2-normalised rows. A lemma counts only when it occurs in at least ``max(2, n / 2000)`` of the
   sentences: a word said once cannot make a theme, and in a large project rare words only slow the fit. A
   sentence takes part when it has at least ``MIN_WORDS`` such lemmas ("Takk, Kari!" is no theme).
3. Model. Non-negative matrix factorisation (scikit-learn's ``NMF``, ``init="nndsvda"``, coordinate descent, a
   fixed ``random_state``): the same project gives the same candidates. The sentence matrix stays sparse; only
   the sentence-by-topic weights (n x k) are dense.
4. How many themes (``k``). Given, or ``round(sqrt(n / 5))`` for ``n`` taking part, at least 2 and at most 30, and
   never more than ``n / min_sentences`` (each theme needs that many sentences; with fewer ``discover`` refuses).
   It grows with the project (about 10 themes for 500 open sentences, the cap at 4,500) and a researcher can
   predict it and override it with ``--k``. Scored grids were tried on the demo and rejected: the NPMI coherence
   of the top lemmas, over sentences or over messages, fell with every topic added (frequent words co-occur most,
   so it always prefers the fewest, broadest topics, which finds nothing new), and the reconstruction error falls
   almost linearly, with no elbow to pick.
5. Candidates. Each topic's lemma vector is scaled to unit length and the sentence weights by the same factor, so a
   sentence's weight on a topic is about the share of its (unit-length) TF-IDF vector the topic explains, 0 to 1.
   A sentence belongs to its strongest topic when that weight is at least ``FLOOR``. A candidate shows its top
   lemmas (weights in the unit vector), a title from the first two or three, its sentences, the quotes with the
   highest weights (one per distinct text; by pseudonym, never a real name), and how many municipalities (the
   speakers' cases; a participant linked to none counts for none), participants and messages it spans. Candidates
   come by municipalities, then sentences; a topic no sentence belongs to is left out and counted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from fokus.analysis.frame import NONE, IntArray, Scope, load_frame
from fokus.analysis.practice_groups import stop_words, word_analyzer
from fokus.analysis.units import unit_keys
from fokus.domain.chunks import chunks
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.learn.discovery_report import (
    FLOOR,
    K_MAX,
    K_SHARE,
    MIN_WORDS,
    Candidate,
    CandidateQuote,
    DiscoveryReport,
    FloatArray,
)
from fokus.model import Case, Message, Participant, Unit
from fokus.privacy import Redactor

TOO_LITTLE = N_("there is too little that no code covers yet: import and tag more messages")
MIN_DF = 2  # a lemma must occur in at least this many sentences ...
MIN_DF_SHARE = 1 / 2000  # ... and in this share of them
MIN_SENTENCES = 5  # sentences each theme needs
MAX_ITER = 400
TOP_WORDS = 10
TITLE_SHARE = 0.5  # a third title word when it weighs at least this share of the first
QUOTE_POOL = 4  # quotes looked at per quote shown, to skip repeated texts
CONVERSATION_WORDS = frozenset(
    "takk takke tusen hei hallo heisann hilsen velkommen enig uenig haha hehe hihi lol ok okei ja nei jada joda "
    "javel flott fin fint bra super supert kjempebra topp herlig artig morsom gøy interessant nyttig lærerik "
    "spennende hyggelig gratulere gratulerer lykke".split()
)


@dataclass
class _Open:
    """The open sentences: parallel arrays in unit id order, and the counts the report gives."""

    unit: IntArray
    message: IntArray
    start: IntArray
    end: IntArray
    lemmas: list[str]
    total: int
    covered: int
    untagged: int


def discover(
    session: Session,
    *,
    k: int | None = None,
    quotes: int = 5,
    seed: int = 0,
    min_sentences: int = MIN_SENTENCES,
) -> DiscoveryReport:
    """Candidate themes in the sentences no accepted code covers; see the module docstring.

    Raises FokusError when the project is not split into sentences, or has too few open sentences for ``k``.
    """
    if k is not None and k < 1:
        raise FokusError(_("k must be at least 1, not {k}").format(k=k))
    if quotes < 0 or min_sentences < 1:
        raise FokusError(_("quotes must be 0 or more, and min_sentences at least 1"))
    pool = _open_sentences(session)
    matrix, vocabulary, min_df, taking_part = _features(session, pool.lemmas)
    n = int(taking_part.sum())
    asked = k is not None
    if k is None:
        k = min(max(2, round(math.sqrt(n / K_SHARE))), K_MAX, n // min_sentences, len(vocabulary))
    if k < 1 or n < k * min_sentences or k > len(vocabulary):
        fits = min(n // min_sentences, len(vocabulary))
        hint = _("each theme needs {needed} sentences: ask for --k {fits} or fewer") if fits else TOO_LITTLE
        raise FokusError(
            _("{sentences} open sentences with {words} recurring words are too few for {k} candidate themes").format(
                sentences=number(n), words=number(len(vocabulary)), k=k
            ),
            hint=_(hint).format(needed=number(min_sentences), fits=fits),
        )
    rows = np.flatnonzero(taking_part)
    weights, topics, iterations = _fit(matrix[rows], k, seed)
    best = weights.argmax(axis=1)
    strength = weights[np.arange(len(rows)), best]
    people = _People.load(session)
    redactor = Redactor(session)
    drafts: list[Candidate] = []
    ranks: list[tuple[int, int, int]] = []
    for topic in range(k):
        members = np.flatnonzero((best == topic) & (strength >= FLOOR))
        if not len(members):
            continue
        members = members[np.lexsort((pool.unit[rows[members]], -strength[members]))]  # strongest first
        picked = rows[members]
        messages = pool.message[picked]
        words = redactor.words(_top_words(topics[topic], vocabulary))  # no participant's name as a word
        cases = people.case_counts(people.case_of(messages))
        drafts.append(
            Candidate(
                number=0,
                title=_title(words),
                words=words,
                quotes=(),
                cases=cases,
                participants=len(np.unique(people.participant_of(messages))),
                messages=len(np.unique(messages)),
                units=pool.unit[picked],
                unit_messages=messages,
                starts=pool.start[picked],
                ends=pool.end[picked],
                weights=strength[members].astype(np.float64),
            )
        )
        ranks.append((-len(cases), -len(members), topic))
    order = sorted(range(len(drafts)), key=ranks.__getitem__)
    texts = _texts(session, [m for d in drafts for m in d.unit_messages[: quotes * QUOTE_POOL].tolist()])
    redactor.prepare_texts((mid, text) for mid, (_, text) in texts.items())
    candidates = [
        replace(drafts[i], number=number, quotes=_quotes(drafts[i], texts, people, quotes, redactor))
        for number, i in enumerate(order, start=1)
    ]
    return DiscoveryReport(
        k=k,
        k_source="asked" if asked else "rule",
        seed=seed,
        min_df=min_df,
        sentences=pool.total,
        covered=pool.covered,
        short=len(pool.lemmas) - n,
        fitted=n,
        vocabulary=len(vocabulary),
        iterations=iterations,
        converged=iterations < MAX_ITER,
        untagged=pool.untagged,
        empty_topics=k - len(drafts),
        candidates=candidates,
    )


def _open_sentences(session: Session) -> _Open:
    """Every stored sentence that no accepted coding belongs to (the rule of :func:`unit_keys`)."""
    total = session.scalar(select(func.count()).select_from(Unit)) or 0
    if not total:
        raise FokusError(_("the project's messages are not split into sentences yet"), hint=_("run `fokus tag` first"))
    frame = load_frame(session, Scope())
    covered = np.unique(unit_keys(frame, "sentence")[1])
    ids: list[int] = []
    messages: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    lemmas: list[str] = []
    query = select(Unit.id, Unit.message_id, Unit.start, Unit.end, Unit.lemmas).order_by(Unit.id)
    for unit_id, message_id, start, end, text in session.connection().execute(
        query.execution_options(yield_per=20_000)
    ):
        ids.append(unit_id)
        messages.append(message_id)
        starts.append(start)
        ends.append(end)
        lemmas.append(text)
    unit = np.asarray(ids, dtype=np.int64)
    keep = ~np.isin(unit, covered)
    untagged = session.scalar(
        select(func.count()).select_from(Message).where(~exists().where(Unit.message_id == Message.id))
    )
    return _Open(
        unit[keep],
        np.asarray(messages, dtype=np.int64)[keep],
        np.asarray(starts, dtype=np.int64)[keep],
        np.asarray(ends, dtype=np.int64)[keep],
        [text for text, kept in zip(lemmas, keep.tolist(), strict=True) if kept],
        len(unit),
        int((~keep).sum()),
        int(untagged or 0),
    )


def _features(session: Session, texts: Sequence[str]) -> tuple[Any, list[str], int, np.ndarray[Any, Any]]:
    """The TF-IDF matrix (sparse, l2 rows), its vocabulary, the minimum document frequency used, and which rows
    have enough words to take part."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df = max(MIN_DF, math.ceil(len(texts) * MIN_DF_SHARE))
    vectorizer = TfidfVectorizer(
        analyzer=word_analyzer(stop_words(session) | CONVERSATION_WORDS),
        min_df=min_df,
        sublinear_tf=True,
        norm="l2",
        dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # no word left (or fewer sentences than min_df): nothing to model
        raise FokusError(
            _("{sentences} open sentences share too few words to find themes in").format(sentences=number(len(texts))),
            hint=_(TOO_LITTLE),
        ) from None
    vocabulary = [str(w) for w in vectorizer.get_feature_names_out()]
    return matrix, vocabulary, min_df, np.asarray(matrix.getnnz(axis=1) >= MIN_WORDS)


def _fit(matrix: Any, k: int, seed: int) -> tuple[FloatArray, FloatArray, int]:
    """Sentence weights (n x k) and topics (k x vocabulary), scaled so each topic has unit length; iterations."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=MAX_ITER, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the report says whether it converged
        weights = np.asarray(model.fit_transform(matrix), dtype=np.float64)
    topics = np.asarray(model.components_, dtype=np.float64)
    norms = np.linalg.norm(topics, axis=1)
    scaled_topics = topics / np.where(norms > 0, norms, 1.0)[:, None]
    return weights * norms[None, :], scaled_topics, int(model.n_iter_)


def _top_words(topic: FloatArray, vocabulary: Sequence[str]) -> tuple[tuple[str, float], ...]:
    order = np.lexsort((np.arange(len(topic)), -topic))[:TOP_WORDS]
    return tuple((vocabulary[i], float(topic[i])) for i in order.tolist() if topic[i] > 0)


def _title(words: Sequence[tuple[str, float]]) -> str:
    """The first two lemmas, and the third when it weighs at least half of the first."""
    picked = [w for w, _ in words[:2]]
    if len(words) > 2 and words[2][1] >= TITLE_SHARE * words[0][1]:
        picked.append(words[2][0])
    return " · ".join(picked)


@dataclass
class _People:
    """Who said each message: participant and case lookups by id, pseudonyms and case names."""

    message_participant: IntArray
    participant_case: IntArray
    pseudonym: dict[int, str]
    case_name: dict[int, str]

    @classmethod
    def load(cls, session: Session) -> _People:
        from fokus.analysis.frame import flat_ints

        connection = session.connection()
        messages = flat_ints(connection.execute(select(Message.id, Message.participant_id)), 2)
        participants = session.execute(select(Participant.id, Participant.case_id, Participant.pseudonym)).all()
        by_message = np.full(int(messages[:, 0].max()) + 1 if len(messages) else 1, NONE, dtype=np.int64)
        by_message[messages[:, 0]] = messages[:, 1]
        size = max((pid for pid, _, _ in participants), default=0) + 1
        by_participant = np.full(size, NONE, dtype=np.int64)
        for pid, case_id, _name in participants:
            if case_id is not None:
                by_participant[pid] = case_id
        names = dict(session.execute(select(Case.id, Case.name)).all())
        return cls(by_message, by_participant, {pid: name for pid, _, name in participants}, names)

    def participant_of(self, messages: IntArray) -> IntArray:
        return self.message_participant[messages]

    def case_of(self, messages: IntArray) -> IntArray:
        return self.participant_case[self.participant_of(messages)]

    def case_counts(self, cases: IntArray) -> tuple[tuple[str, int], ...]:
        ids, counts = np.unique(cases[cases != NONE], return_counts=True)
        named = [(self.case_name[int(c)], int(n)) for c, n in zip(ids.tolist(), counts.tolist(), strict=True)]
        return tuple(sorted(named, key=lambda item: (-item[1], item[0])))


def _texts(session: Session, message_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """External id and text of the messages quotes may come from."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks(sorted(set(message_ids))):
        query = select(Message.id, Message.external_id, Message.text).where(Message.id.in_(chunk))
        found.update({mid: (ext, text) for mid, ext, text in session.execute(query)})
    return found


def _quotes(
    candidate: Candidate, texts: dict[int, tuple[str, str]], people: _People, limit: int, redactor: Redactor
) -> tuple[CandidateQuote, ...]:
    """The candidate's strongest sentences, one per distinct text, as exports show them (names redacted)."""
    quotes: list[CandidateQuote] = []
    seen: set[str] = set()
    for index in range(min(candidate.sentences, limit * QUOTE_POOL)):
        if len(quotes) >= limit:
            break
        message_id = int(candidate.unit_messages[index])
        start, end = int(candidate.starts[index]), int(candidate.ends[index])
        external, text = texts[message_id]
        said = text[start:end]
        key = " ".join(said.lower().split())
        if key in seen:
            continue
        seen.add(key)
        participant = int(people.message_participant[message_id])
        case_id = int(people.participant_case[participant])
        quotes.append(
            CandidateQuote(
                unit=int(candidate.units[index]),
                message=redactor.message_id(message_id, external),
                message_id=message_id,
                start=start,
                end=end,
                text=redactor.excerpt(message_id, text, start, end),
                participant=people.pseudonym[participant],
                case=people.case_name.get(case_id) if case_id != NONE else None,
                weight=float(candidate.weights[index]),
            )
        )
    return tuple(quotes)
