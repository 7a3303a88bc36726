"""Turning sentences into a fitted model's features faster than scikit-learn does, with the same numbers.

The character n-grams (:class:`fokus.learn.model.CharGrams`) are most of the features and most of the time:
scikit-learn looks every n-gram of every word of every sentence up in the vocabulary, one at a time in Python
(about twelve n-grams a word; 100,000 sentences make millions of look-ups). Words repeat across a project (Zipf's
law), so :func:`char_counts` looks up each distinct word's n-grams once, as a row of a (words, n-grams) count
matrix, and gets every sentence's counts as one sparse product of a (sentences, words) count matrix with it. The
counts are the ones scikit-learn counts (small whole numbers, exact in float32), in the same sorted layout, and they
are weighted exactly as ``TfidfVectorizer.transform`` weights them (sublinear term frequency, idf, l2 norm), so
:func:`transform` gives the same matrix, bit for bit, as ``features.transform`` (a test checks it).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def transform(features: Any, texts: list[str]) -> Any:
    """``features.transform(texts)`` of a fitted :func:`fokus.learn.model.make_features` union, as CSR."""
    from scipy import sparse

    (_name, words), (_other, chars) = features.transformer_list
    word_x = weighted(words, word_counts(words, texts))
    return sparse.hstack([word_x, weighted(chars, char_counts(chars, texts))]).tocsr()


def word_counts(vectorizer: Any, texts: list[str]) -> Any:
    """(sentences, terms) counts of a fitted word and word-pair vectorizer (lower-cased, split on white space, as
    its token pattern ``\\S+`` splits), as CountVectorizer counts them; each distinct word and each distinct pair of
    words is looked up once."""
    from scipy import sparse

    vocabulary: dict[str, int] = vectorizer.vocabulary_
    word_ids: dict[str, int] = {}
    occurrences: list[int] = []
    indptr = [0]
    for text in texts:
        occurrences.extend([word_ids.setdefault(word, len(word_ids)) for word in text.lower().split()])
        indptr.append(len(occurrences))
    words = list(word_ids)
    tokens = np.asarray(occurrences, dtype=np.int64)
    bounds = np.asarray(indptr, dtype=np.int64)
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(bounds))
    word_column = np.array([vocabulary.get(word, -1) for word in words], dtype=np.int64)
    # a pair is two neighbouring words of one sentence
    paired = np.ones(max(len(tokens) - 1, 0), dtype=bool)
    ends = bounds[1:-1] - 1  # the last word of each sentence but the last pairs with no next one
    paired[ends[(ends >= 0) & (ends < len(paired))]] = False
    first = np.flatnonzero(paired)
    keys = tokens[first] * max(len(words), 1) + tokens[first + 1]
    distinct, which = np.unique(keys, return_inverse=True)
    pair_column = np.array(
        [vocabulary.get(f"{words[key // len(words)]} {words[key % len(words)]}", -1) for key in distinct.tolist()],
        dtype=np.int64,
    )
    rows = np.concatenate([row_of, row_of[first]])
    columns = np.concatenate([word_column[tokens], pair_column[which.reshape(-1)]])
    kept = columns >= 0
    counts = sparse.csr_matrix(
        (np.ones(int(kept.sum()), dtype=np.float32), (rows[kept], columns[kept])),
        shape=(len(texts), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts


def char_counts(vectorizer: Any, texts: list[str]) -> Any:
    """(sentences, n-grams) counts of a fitted character n-gram vectorizer's vocabulary, as CountVectorizer counts
    them (float32, sorted column indices)."""
    from scipy import sparse

    grams = vectorizer.analyzer  # a CharGrams: lower-cases, splits on white space, n-grams per word
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    word_ids: dict[str, int] = {}
    occurrences: list[int] = []
    indptr = [0]
    for text in texts:
        for word in text.lower().split():
            found = word_ids.get(word)
            if found is None:
                found = word_ids[word] = len(word_ids)
            occurrences.append(found)
        indptr.append(len(occurrences))
    in_sentences = sparse.csr_matrix(
        (np.ones(len(occurrences), dtype=np.float32), np.asarray(occurrences, dtype=np.int64), indptr),
        shape=(len(texts), len(word_ids)),
    )
    columns: list[int] = []
    word_indptr = [0]
    for word in word_ids:  # in id order
        columns.extend(column for gram in grams.grams(word) if (column := vocabulary.get(gram)) is not None)
        word_indptr.append(len(columns))
    in_words = sparse.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), np.asarray(columns, dtype=np.int64), word_indptr),
        shape=(len(word_ids), len(vocabulary)),
    )
    counts = (in_sentences @ in_words).tocsr()
    counts.sum_duplicates()  # also sorts each row's columns, as CountVectorizer leaves them
    return counts


def weighted(vectorizer: Any, counts: Any) -> Any:
    """``TfidfVectorizer.transform``'s weighting of ``counts``, done in place the way it does it."""
    counts = counts.astype(vectorizer.dtype, copy=False)
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= vectorizer.idf_[counts.indices]
    if vectorizer.norm != "l2":
        from sklearn.preprocessing import normalize

        return normalize(counts, norm=vectorizer.norm, copy=False)
    return l2_normalized(counts)


def l2_normalized(x: Any) -> Any:
    """``sklearn.preprocessing.normalize(x, norm="l2")`` of a CSR matrix, in place, with the same numbers and without
    importing scikit-learn (most of loading a model for `fokus suggest`): scikit-learn adds each row's squares (each
    square in the data's type) one after another in double precision and divides each value by the root in double
    precision; scipy's matrix-vector product adds them in the same order, in double precision."""
    from scipy import sparse

    squares = sparse.csr_matrix((np.square(x.data).astype(np.float64), x.indices, x.indptr), shape=x.shape, copy=False)
    norms = np.sqrt(squares @ np.ones(x.shape[1], dtype=np.float64))
    norms[norms == 0.0] = 1.0  # an empty row is left as it is
    per_value = np.repeat(norms, np.diff(x.indptr))
    x.data[:] = (x.data.astype(np.float64) / per_value).astype(x.data.dtype)
    return x
