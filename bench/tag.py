"""Tagging speed: `fokus tag` on a generated 100,000-message project against a plain spaCy run.

Both run as whole processes over the same texts in the same run. The reference is what a careful engineer would
write by hand: spacy.blank("nb"), spaCy's sentencizer, each token's first lemma from the same Ordbank lexicon,
one PhraseMatcher on LEMMA with the codebook rules' words and phrases, matches written to SQLite with executemany.
fokus also chooses among lemma candidates, splits compounds, applies the full rules (proximity, exclusions,
requirements, patterns), stores every sentence as a coding unit with its lemmas, and writes suggestions with their
provenance and event log.

    python bench/tag.py [--messages 100000] [--n-process 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import write_graph_archive
from measure import compared, run_fokus, run_python, table

REFERENCE = """
import sqlite3, yaml, spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from fokus.nlp.lexicon import lexicon

db = sqlite3.connect({db!r})
texts = [t for (t,) in db.execute("SELECT text FROM messages ORDER BY id")]
ids = [i for (i,) in db.execute("SELECT id FROM messages ORDER BY id")]
lex = lexicon()
nlp = spacy.blank("nb")
nlp.add_pipe("sentencizer")

def lemmas(doc):
    for token in doc:
        found = lex.candidates(token.lower_)
        token.lemma_ = found[0][0] if found else token.lower_
    return doc

spacy.language.Language.component("plain_lemmas", func=lemmas)
nlp.add_pipe("plain_lemmas")
matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
codebook = yaml.safe_load(open({codebook!r}, encoding="utf-8"))

def walk(codes, parent=""):
    for code in codes:
        path = parent + code["id"]
        for rule in code.get("rules", []):
            words = list(rule.get("any", [])) + list(rule.get("phrases", []))
            if rule.get("near"):
                words += rule["near"]["a"]
            docs = []
            for phrase in words:
                doc = Doc(nlp.vocab, words=phrase.split())
                for token, word in zip(doc, phrase.split()):
                    token.lemma_ = word
                docs.append(doc)
            if docs:
                matcher.add(path + ":" + rule["id"], docs)
        walk(code.get("children", []), path + "/")

walk(codebook["codes"])
db.execute("CREATE TABLE plain_matches (message_id INTEGER, sentence_start INTEGER, sentence_end INTEGER, rule TEXT)")
rows = []
for mid, doc in zip(ids, nlp.pipe(texts, batch_size=256)):
    for match_id, start, end in matcher(doc):
        sent = doc[start].sent
        rows.append((mid, sent.start_char, sent.end_char, nlp.vocab.strings[match_id]))
with db:
    db.executemany("INSERT INTO plain_matches VALUES (?, ?, ?, ?)", rows)
print(len(rows))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--n-process", type=int, default=1)
    args = parser.parse_args()
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "kommune-sosiale-medier.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "graph"
        count = write_graph_archive(folder, args.messages)
        db = str(Path(tmp) / "fokus.db")
        run_fokus("--db", db, "init", "--codebook", str(codebook))
        run_fokus("--db", db, "import", str(folder))
        reference = run_python(REFERENCE.format(db=db, codebook=str(codebook)))
        fokus = run_fokus("--db", db, "tag", "--n-process", str(args.n_process))
        again = run_fokus("--db", db, "tag")
    print(f"{count} generated messages; plain matches: {reference.stdout.strip()}")
    print(fokus.stdout.strip())
    print(
        table(
            [
                *compared("tag", fokus, reference),
                ("tag again (nothing changed), seconds", f"{again.seconds:.1f}", "-", "-"),
            ]
        )
    )
    print("goal: within 1.3x of the plain run")


if __name__ == "__main__":
    main()
