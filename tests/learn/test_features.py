"""The fast features (fokus.learn.features): the same matrix, bit for bit, as scikit-learn's ``transform``."""

from __future__ import annotations

import random

import numpy as np

from fokus.learn.features import transform
from fokus.learn.model import make_features
from fokus.learn.storage import from_bytes, to_bytes
from tests.learn.test_learning import DIALOG, FLOOD, OTHER, TAIL

WORDS = "flom stenge vei vann stige elv varsle svare innbygger spørsmål brøyting kaffe god møte torsdag".split()


def sentences(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    made = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 9))) for _ in range(count)]
    return made + [s.lower() for s in (*FLOOD, *DIALOG, *OTHER, *TAIL)]


def same(a: object, b: object) -> bool:
    a, b = a.tocsr(), b.tocsr()  # type: ignore[attr-defined]
    return bool(
        a.shape == b.shape
        and a.dtype == b.dtype
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and a.data.tobytes() == b.data.tobytes()
    )


def test_features_are_scikit_learns_bit_for_bit() -> None:
    features = make_features()
    features.fit(sentences(300, seed=1))
    odd = [
        "",  # no words
        "   flom   ",  # white space around
        "flom flom flom elv",  # a word and a pair that repeat in one sentence
        "Flom ELV",  # capitals
        "flom\u00a0elv\tvei\nvann",  # other white space
        "ukjent ordforråd helt nytt",  # no word of the vocabulary
        "e",  # shorter than every n-gram
    ]
    for texts in (sentences(500, seed=2), odd, odd[:1], ["flom"]):
        assert same(transform(features, texts), features.transform(texts)), texts


def test_a_saved_models_features_are_the_same_too() -> None:
    """The features of a model read back from its file (vocabularies and idf only) transform as the fitted ones."""
    from fokus.learn.examples import Examples
    from fokus.learn.model import train

    texts = sentences(120, seed=3)
    labels = np.array([[1 if "flom" in t or "elv" in t else 0] for t in texts], dtype=np.int8)
    examples = Examples(np.arange(len(texts)), texts, ["krise/flom"], labels, [], [])
    model = train(examples, min_examples=3)
    loaded = from_bytes(to_bytes(model))
    new = sentences(200, seed=4)
    assert same(transform(loaded.features, new), model.features.transform(new))
    assert np.array_equal(loaded.probabilities(new), model.probabilities(new))


def test_l2_normalization_is_scikit_learns_bit_for_bit() -> None:
    """Rows long enough that another order of adding the squares would round differently, and an empty row."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from fokus.learn.features import l2_normalized

    rng = np.random.default_rng(5)
    dense = rng.random((40, 300)).astype(np.float32) * (rng.random((40, 300)) < 0.4)
    dense[7] = 0
    ours = l2_normalized(sparse.csr_matrix(dense))
    theirs = normalize(sparse.csr_matrix(dense), norm="l2")
    assert same(ours, theirs)
    assert not same(ours, sparse.csr_matrix(dense))


def test_a_saved_model_scores_without_scikit_learn(tmp_path: object) -> None:
    """Reading a model and scoring sentences never imports scikit-learn (its import was most of `fokus suggest`'s
    loading): a fresh interpreter, the same probabilities."""
    import subprocess
    import sys
    from pathlib import Path

    from fokus.learn.examples import Examples
    from fokus.learn.model import train

    texts = sentences(120, seed=3)
    labels = np.array([[1 if "flom" in t or "elv" in t else 0] for t in texts], dtype=np.int8)
    model = train(Examples(np.arange(len(texts)), texts, ["krise/flom"], labels, [], []), min_examples=3)
    saved = Path(str(tmp_path)) / "model.npz"
    saved.write_bytes(to_bytes(model))
    new = sentences(50, seed=6)
    script = (
        "import sys, numpy as np\n"
        "from pathlib import Path\n"
        "from fokus.learn.storage import from_bytes\n"
        f"p = from_bytes(Path({str(saved)!r}).read_bytes()).probabilities({new!r})\n"
        "sys.stdout.write(p.tobytes().hex() + ' ' + ','.join(m for m in sys.modules if m.startswith('sklearn')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    scores, imported = done.stdout.split(" ")
    assert imported == ""
    assert bytes.fromhex(scores) == model.probabilities(new).tobytes()
