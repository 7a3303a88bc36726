"""Lemma accuracy of the built-in Norwegian pipeline on hand-lemmatised text, beside a plain spaCy pipeline.

The gold standard is tests/nlp/data/gold_lemmas.tsv: 49 sentences (602 tokens, 8 in Nynorsk) of municipal
Facebook talk, written and lemmatised for fokus following the Universal Dependencies conventions. With ``--ud`` (by
default ../shared/data/no_bokmaal-ud-test.conllu beside the repository, skipped with a message when it is not
there) also the UD Norwegian Bokmål test split with its gold tokens, overall and by part of speech (UPOS): each
sentence's words go to the pipeline as one Doc, so tokenizer and sentence splitter are bypassed. The reference is
spacy.blank("nb") with spaCy's lookup lemmatizer over the same spacy-lookups-data tables. Punctuation, symbols,
numbers and X are not counted; lemmas are compared case-insensitively (fokus lowercases the lemmas of common words
and the treebank capitalises proper nouns). Unlike the other benchmarks this one runs in this process: it measures
answers, not time.

    python bench/lemmas.py [--ud PATH] [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, Rows, Say, parse, quiet, show

if TYPE_CHECKING:
    from spacy.language import Language

REPOSITORY = Path(__file__).resolve().parents[1]
GOLD = REPOSITORY / "tests" / "nlp" / "data" / "gold_lemmas.tsv"
UD = REPOSITORY.parent / "shared" / "data" / "no_bokmaal-ud-test.conllu"


def measure(
    gold_file: Path = GOLD, *, ud: Path | None = UD, workdir: Path | None = None, say: Say = quiet
) -> list[Row]:
    """Accuracy of fokus's pipeline and of the plain one on the gold file, and on the UD treebank ``ud`` when it
    exists (``workdir`` is not needed)."""
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
    if ud is None:
        return rows.rows
    if not ud.is_file():
        say(f"UD treebank not measured: {ud} is not there (give its path with --ud)")
        return rows.rows
    return rows.rows + _treebank(ud, fokus, plain, say)


def _treebank(path: Path, fokus: Language, plain: Language, say: Say) -> list[Row]:
    """Accuracy on a CoNLL-U treebank with its gold tokens, overall and by UPOS, fokus beside the plain pipeline."""
    from fokus.nlp.gold import lemma_accuracy
    from fokus.nlp.ud import read_conllu

    sentences = read_conllu(path)
    mine = lemma_accuracy(fokus, sentences, gold_tokens=True)
    theirs = lemma_accuracy(plain, sentences, gold_tokens=True)
    rows = Rows("lemmas", f"UD treebank {path.name}: {len(sentences)} sentences, gold tokens ({mine.tokens} words)")
    rows.add("UD lemma accuracy, all", mine.accuracy, theirs.accuracy, digits=3, ratio=False)
    for pos, count in mine.by_pos.most_common():
        rows.add(
            f"UD lemma accuracy, {pos} ({count})",
            mine.correct_by_pos[pos] / count,
            theirs.correct_by_pos[pos] / count,
            digits=3,
            ratio=False,
        )
    say(f"UD treebank: {path} ({len(sentences)} sentences; case-insensitive; PUNCT, SYM, NUM and X not counted)")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ud",
        type=Path,
        default=UD,
        help="A CoNLL-U treebank to measure on with its gold tokens (default: %(default)s; skipped when absent).",
    )
    args, say = parse(parser)
    show(measure(ud=args.ud, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
