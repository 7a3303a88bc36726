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

The passages are read in :mod:`fokus.analysis.practice_passages`, their words and clusters computed in
:mod:`fokus.analysis.practice_groups`, and the report is :mod:`fokus.analysis.practice_report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from fokus.analysis.frame import CodingFrame, IntArray, Scope, load_frame
from fokus.analysis.practice_groups import (
    DEFAULT_THEME_WEIGHT,
    DEFAULT_THRESHOLD,
    cluster,
    groups_of,
    tfidf,
    theme_matrix,
)
from fokus.analysis.practice_passages import passage_groups, read_passages
from fokus.analysis.practice_report import Practice, PracticePassage, PracticesReport
from fokus.analysis.report import decimal
from fokus.domain.codes import GOOD_PRACTICE
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.privacy import Redactor

ACCEPTED = Scope()  # the default scope: accepted codings by every coder
TITLE_WORDS = (2, 4)  # a title has 2 to 4 words ...
TITLE_SHARE = 0.5  # ... the first two always, the next ones while they weigh at least half of the top word
TOP_WORDS = 8


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
        raise FokusError(_("--min-cases must be at least 1, not {n}").format(n=min_cases))
    if not 0 < threshold < 1:
        raise FokusError(
            _("the distance threshold must be between 0 and 1, not {threshold}").format(
                threshold=decimal(str(threshold))
            )
        )
    if not 0 <= theme_weight < 1 - threshold:
        raise FokusError(
            _("theme weight {weight} with threshold {threshold} would let a shared theme alone make a practice").format(
                weight=decimal(str(theme_weight)), threshold=decimal(str(threshold))
            ),
            hint=_("keep the theme weight below 1 - threshold = {limit}").format(limit=decimal(f"{1 - threshold:.3g}")),
        )
    frame = load_frame(session, Scope(scope.statuses, scope.coders, ()))
    practice_codes = frame.tree.descendants(frame.tree.id_of(code))
    theme_codes = (
        {d for path in scope.codes for d in frame.tree.descendants(frame.tree.id_of(path))} if scope.codes else None
    )
    groups = passage_groups(frame, practice_codes)
    redactor = Redactor(session)
    passages, lemmatised = read_passages(frame, groups, practice_codes, theme_codes, redactor)
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
