"""How good-practice passages become practices: their words (lemma TF-IDF against the whole project) and the
clustering (exact average linkage, run per connected component); see :mod:`fokus.analysis.practices`.

Kept apart from the passages and the report so each can be read, tested and tuned on its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.analysis.frame import NONE, IntArray
from fokus.model import Unit

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
DEFAULT_THRESHOLD = 0.8
DEFAULT_THEME_WEIGHT = 0.1
BLOCK_LIMIT = 3000  # passages clustered with one dense matrix (3000² float64 = 72 MB)
BACKGROUND_LIMIT = 50_000  # sentences read for document frequencies
EDGE_PUNCTUATION = ".,:;!?«»\"'()[]*-–—…"  # kept on some lemmas ("kl.")
EXTRA_STOP_WORDS = frozenset(
    "dere deres hva hvem hvor hvordan hvorfor hvis jo vel sånn slikt noe nokon noko ingen inga eg me dei dykk dykkar "
    "deira ein eit ei ikkje ikke frå kva kvar korleis kvifor berre òg mykje vere vore vart blei sjølv hjå medan "
    "difor då no sidan heile dette denne desse deim seg sin si sitt sine min mi mitt mine din di ditt dine vår våre "
    "vårt hennar hans også enda kanskje ganske egentlig liksom altså egen eigen hver hvert én to tre gjerne alltid "
    "aldri".split()
)


def stop_words(session: Session) -> frozenset[str]:
    """The words that never describe a practice: Norwegian stop words and the codebook's ubiquitous lemmas."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    from fokus.domain.settings import UBIQUITOUS_SETTING, get_setting

    stored = get_setting(session, UBIQUITOUS_SETTING)
    ubiquitous = json.loads(stored) if stored else []
    return _with_lemmas(frozenset(STOP_WORDS) | EXTRA_STOP_WORDS) | frozenset(str(w).lower() for w in ubiquitous)


@functools.cache
def _with_lemmas(words: frozenset[str]) -> frozenset[str]:
    """The stop words with every lemma the Ordbank gives them: the lists hold word forms ("alle", "gikk"), the
    features are lemmas ("all", "gå")."""
    from fokus.nlp.lexicon import lexicon

    table = lexicon()
    return words | frozenset(lemma for word in words for lemma, _ in table.candidates(word))


def word_analyzer(stop: frozenset[str]) -> Callable[[str], list[str]]:
    """Lemma strings to the words that count: no stop words, numbers or one-letter tokens."""

    class Words(dict[str, str]):
        """Each token as it counts ("" for none), worked out once per distinct token."""

        def __missing__(self, token: str) -> str:
            word = token.lower().strip(EDGE_PUNCTUATION)
            keep = len(word) > 1 and word not in stop and any(c.isalpha() for c in word)
            self[token] = word if keep else ""
            return self[token]

    known = Words()

    def words(text: str) -> list[str]:
        return [w for w in map(known.__getitem__, text.split()) if w]

    return words


def tfidf(session: Session, texts: Sequence[str]) -> tuple[Any, list[str]]:
    """The passages' TF-IDF rows (sparse, l2-normalised) and the vocabulary in column order.

    The vocabulary is the passages' words; their document frequencies come from every sentence of the project (see
    :func:`background`), which tells a word that is common anywhere in the group ("begynne", "legge ut") from one
    that names a practice ("kokevarsel") far better than a few hundred passages can.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = word_analyzer(stop_words(session))
    vocabulary = sorted({w for t in texts for w in analyzer(t)})
    if not vocabulary:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float64), []
    vectorizer = TfidfVectorizer(
        analyzer=analyzer, vocabulary=vocabulary, sublinear_tf=True, norm="l2", dtype=np.float64
    )
    vectorizer.fit([*background(session), *texts])
    return vectorizer.transform(texts).tocsr(), vocabulary


def background(session: Session, limit: int = BACKGROUND_LIMIT) -> list[str]:
    """The lemmas of the project's sentence units, for document frequencies: all of them, or ``limit`` spread
    evenly over them by id (deterministic) in a very large project."""
    total = session.scalar(select(func.count()).select_from(Unit)) or 0
    query = select(Unit.lemmas).order_by(Unit.id)
    if total > limit:
        query = query.where(Unit.id % -(-total // limit) == 0)  # every k-th id: ids are dense, this is close
    return list(session.scalars(query))


def theme_matrix(themes_of: Sequence[Sequence[str]]) -> FloatArray:
    """One l2-normalised row per passage (its themes) over the themes found (zeros for a passage with none)."""
    names = sorted({t for themes in themes_of for t in themes})
    column = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(themes_of), len(names)), dtype=np.float64)
    for row, themes in enumerate(themes_of):
        for theme in themes:
            matrix[row, column[theme]] = 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: FloatArray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return normalised


def cluster(
    text: Any,
    themes: FloatArray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    theme_weight: float = DEFAULT_THEME_WEIGHT,
    block_limit: int = BLOCK_LIMIT,
) -> IntArray:
    """A practice label per passage: average linkage on ``1 - similarity`` cut at ``threshold``; see the module
    docstring for why it may be computed per connected component, and the fallback for huge components.

    ``text``: l2-normalised sparse rows; ``themes``: l2-normalised dense rows (theme weight below 1 - threshold).
    Labels are numbered by each practice's first passage, so the same input gives the same labels.
    """
    from scipy.sparse.csgraph import connected_components

    count = text.shape[0]
    labels = np.full(count, NONE, dtype=np.int64)
    if not count:
        return labels
    floor = 1.0 - threshold
    rows, cols, sims = _edges(text, themes, theme_weight, floor - 1e-12)
    _, component = connected_components(_graph(count, rows, cols), directed=False)
    # components as contiguous runs of a reordered matrix: slicing a run is cheap, fancy indexing is not
    order = np.argsort(component, kind="stable")
    bounds = np.r_[0, np.flatnonzero(np.diff(component[order])) + 1, count]
    sizes = np.diff(bounds)
    single = sizes == 1
    labels[order[bounds[:-1][single]]] = np.arange(int(single.sum()), dtype=np.int64)
    next_label = int(single.sum())
    ordered_text, ordered_themes = text[order], themes[order]
    giants: list[tuple[IntArray, float]] = []
    for first, last in zip(bounds[:-1][~single].tolist(), bounds[1:][~single].tolist(), strict=True):
        members = order[first:last]
        if last - first > block_limit:
            giants.append((members, floor))
            continue
        for flat in _average_linkage(ordered_text[first:last], ordered_themes[first:last], theme_weight, threshold):
            labels[members[flat]] = next_label
            next_label += 1
    for members, cut in giants:  # grows while giant components are cut
        if len(members) > block_limit and cut < 0.99:
            # too large for one dense matrix: cut at a stricter similarity first (never crossed afterwards)
            stricter = min(cut + 0.05, 0.99)
            local = np.full(count, NONE, dtype=np.int64)
            local[members] = np.arange(len(members), dtype=np.int64)
            inside = (local[rows] != NONE) & (sims >= stricter - 1e-12)
            graph = _graph(len(members), local[rows[inside]], local[cols[inside]])
            _, parts = connected_components(graph, directed=False)
            giants.extend((piece, stricter) for piece in groups_of(parts, members))
        elif len(members) > block_limit:
            labels[members] = next_label  # near duplicates chained through thousands of passages: one practice
            next_label += 1
        else:
            for flat in _average_linkage(text[members], themes[members], theme_weight, threshold):
                labels[members[flat]] = next_label
                next_label += 1
    return _renumber(labels)


def _edges(text: Any, themes: FloatArray, theme_weight: float, floor: float) -> tuple[IntArray, IntArray, FloatArray]:
    """The pairs (both directions) at least ``floor`` similar, from a sparse product in blocks of rows.

    A pair's theme similarity is at most 1, so only pairs whose word similarity reaches
    ``(floor - theme_weight) / (1 - theme_weight)`` can qualify: the product is filtered on that first, in one
    pass, and the themes are looked at for the few pairs left.
    """
    count = text.shape[0]
    word_floor = (floor - theme_weight) / (1.0 - theme_weight)
    found_rows, found_cols, found_sims = [], [], []
    similarity = _ThemeSimilarity.of(themes)
    transposed = text.T.tocsr()
    step = max(1, min(count, 4_000_000 // max(1, count)))  # at most 4M pairs (about 50 MB) per block
    for first in range(0, count, step):
        block = text[first : first + step] @ transposed
        keep = np.flatnonzero(block.data >= word_floor)
        r = np.searchsorted(block.indptr, keep, side="right").astype(np.int64) - 1 + first
        c = block.indices[keep].astype(np.int64)
        sims = similarity.combine(block.data[keep], r, c, theme_weight)
        ok = (sims >= floor) & (r != c)
        found_rows.append(r[ok])
        found_cols.append(c[ok])
        found_sims.append(sims[ok])
    empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return (
        np.concatenate(found_rows) if found_rows else empty_i,
        np.concatenate(found_cols) if found_cols else empty_i,
        np.concatenate(found_sims) if found_sims else empty_f,
    )


@dataclass(frozen=True)
class _ThemeSimilarity:
    """Theme cosines by theme set: passages share a few hundred distinct theme sets at most, so a pair's theme
    similarity is a lookup in a small table instead of a product of two rows."""

    kind: IntArray  # each passage's theme set
    table: FloatArray  # cosine between theme sets
    themed: np.ndarray[Any, np.dtype[np.bool_]]  # whether a theme set is non-empty

    @classmethod
    def of(cls, themes: FloatArray) -> _ThemeSimilarity:
        if not themes.shape[1]:
            return cls(np.zeros(len(themes), dtype=np.int64), np.zeros((1, 1)), np.zeros(1, dtype=bool))
        sets, kind = np.unique(themes, axis=0, return_inverse=True)
        return cls(kind.ravel().astype(np.int64), sets @ sets.T, np.asarray(sets.any(axis=1), dtype=bool))

    def combine(self, words: FloatArray, rows: IntArray, cols: IntArray, theme_weight: float) -> FloatArray:
        """The similarity of the pairs (rows, cols) given their word similarity; see the module docstring."""
        if not theme_weight:
            return words
        a, b = self.kind[rows], self.kind[cols]
        mixed = (1.0 - theme_weight) * words + theme_weight * self.table[a, b]
        return np.where(self.themed[a] & self.themed[b], mixed, words)


def _graph(count: int, rows: IntArray, cols: IntArray) -> Any:
    from scipy import sparse

    return sparse.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(count, count))


def groups_of(labels: IntArray, members: IntArray | None = None) -> list[IntArray]:
    """The members of each label, each group sorted; groups in order of their first member."""
    ids = np.arange(len(labels), dtype=np.int64) if members is None else members
    order = np.argsort(labels, kind="stable")
    split = np.flatnonzero(np.diff(labels[order])) + 1
    groups = [ids[part] for part in np.split(order, split)] if len(order) else []
    return sorted(groups, key=lambda g: int(g[0]))


def _average_linkage(text: Any, themes: FloatArray, theme_weight: float, threshold: float) -> list[IntArray]:
    """Exact average linkage within one component: the flat clusters (indices into it) at ``threshold``."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if text.shape[0] == 1:
        return [np.zeros(1, dtype=np.int64)]
    words = (text @ text.T).toarray()
    similarity = words
    if theme_weight and themes.shape[1]:
        themed = np.asarray(themes.any(axis=1), dtype=bool)
        both = np.outer(themed, themed)
        similarity = np.where(both, (1.0 - theme_weight) * words + theme_weight * (themes @ themes.T), words)
    distance = np.clip(1.0 - similarity, 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    flat = fcluster(tree, t=threshold, criterion="distance").astype(np.int64)
    return groups_of(flat)


def _renumber(labels: IntArray) -> IntArray:
    """Labels 0, 1, ... in order of each practice's first passage."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    _, inverse = np.unique(labels, return_inverse=True)
    return rank[inverse]


# --- naming and ordering ---------------------------------------------------------------------------------------
