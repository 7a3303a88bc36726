"""The thread's part of the combiner's evidence (fokus.api.evidence.context), against its definition."""

from __future__ import annotations

import numpy as np

from fokus.api.evidence import Sentences, context


def test_context_is_the_best_of_the_other_sentences_and_of_the_opening_post() -> None:
    """Ties (several sentences of a message with its best probability), NaN as 0, one-sentence messages, posts
    whose sentences are elsewhere in the list, a thread without a post: each value as the docstring defines it."""
    rng = np.random.default_rng(11)
    n, codes = 400, 5
    messages = rng.integers(0, 60, n)
    posts = np.where(messages % 7 == 0, -1, messages - messages % 10)  # messages 0, 10, 20...: posts; some none
    probs = rng.choice([0.0, 0.25, 0.5, 0.5, 1.0, np.nan], size=(n, codes))
    sentences = Sentences(
        np.arange(n), messages, messages // 10, posts, np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64),
        [""] * n,
    )  # fmt: skip
    in_message, in_post = context(sentences, probs)
    clean = np.nan_to_num(probs, nan=0.0)
    for i in range(n):
        others = (messages == messages[i]) & (np.arange(n) != i)
        expected = clean[others].max(axis=0) if others.any() else np.zeros(codes)
        assert np.array_equal(in_message[i], expected), i
        in_the_post = messages == posts[i]
        post = clean[in_the_post].max(axis=0) if posts[i] != messages[i] and in_the_post.any() else np.zeros(codes)
        assert np.array_equal(in_post[i], post), i
