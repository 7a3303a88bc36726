"""Lemma accuracy of the built-in Norwegian pipeline on hand-lemmatised text, beside a plain spaCy pipeline.

The gold standard is tests/nlp/data/gold_lemmas.tsv: 49 sentences (602 tokens, 8 in Nynorsk) of municipal
Facebook talk, written and lemmatised for fokus following the Universal Dependencies conventions. The reference is
spacy.blank("nb") with spaCy's lookup lemmatizer over the same spacy-lookups-data tables. Punctuation, symbols and
numbers are not counted. Unlike the other benchmarks this one runs in this process: it measures answers, not time.

    python bench/lemmas.py [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, Rows, Say, parse, quiet, show

GOLD = Path(__file__).resolve().parents[1] / "tests" / "nlp" / "data" / "gold_lemmas.tsv"


def measure(gold_file: Path = GOLD, *, workdir: Path | None = None, say: Say = quiet) -> list[Row]:
    """Accuracy of fokus's pipeline and of the plain one on the gold file (``workdir`` is not needed)."""
    import spacy  # here, so that run_all.py loads spaCy only when this benchmark runs

    from fokus.nlp import describe, load_pipeline
    from fokus.nlp.gold import lemma_accuracy, read_gold

    gold = read_gold(gold_file)
    bokmal = [s for s in gold if not s.nynorsk]
    plain = spacy.blank("nb")
    plain.add_pipe("lemmatizer", config={"mode": "lookup"})
    plain.initialize()
    fokus = load_pipeline("fokus-nb")
    mine, theirs = lemma_accuracy(fokus, gold), lemma_accuracy(plain, gold)
    mine_nb, theirs_nb = lemma_accuracy(fokus, bokmal), lemma_accuracy(plain, bokmal)
    rows = Rows("lemmas", f"lemma accuracy on {len(gold)} hand-lemmatised sentences ({mine.tokens} words)")
    rows.add("lemma accuracy, all", mine.accuracy, theirs.accuracy, digits=3, ratio=False)
    rows.add("lemma accuracy, bokmål", mine_nb.accuracy, theirs_nb.accuracy, digits=3, ratio=False)
    rows.add("words scored", mine.tokens, theirs.tokens, digits=0, ratio=False)
    say(f"fokus: {describe(fokus)}; reference: blank nb + lookup lemmatizer")
    by_pos = ", ".join(f"{pos} {mine.correct_by_pos[pos]}/{n}" for pos, n in mine.by_pos.most_common())
    say(f"fokus by part of speech: {by_pos}")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args, say = parse(parser)
    show(measure(say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
