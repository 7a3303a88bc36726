"""Tagging speed: `fokus tag` on a generated 100,000-message project against a plain spaCy run.

Both run as whole processes over the same texts in the same run. The reference is what a careful engineer would
write by hand: spacy.blank("nb"), spaCy's sentencizer, each token's first lemma from the same Ordbank lexicon,
one PhraseMatcher on LEMMA with the codebook rules' words and phrases, matches written to SQLite with executemany.
fokus also chooses among lemma candidates, splits compounds, applies the full rules (proximity, exclusions,
requirements, patterns), stores every sentence as a coding unit with its lemmas, and writes suggestions with their
provenance and event log.

    python bench/tag.py [--messages 100000] [--n-process 1] [--json]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive, tagged_project
from measure import Row, Rows, Say, parse, quiet, run_fokus, run_python, show, under, within, workspace

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "kommune-sosiale-medier.yaml"

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


def measure(messages: int = 100_000, n_process: int = 1, *, workdir: Path | None = None, say: Say = quiet) -> list[Row]:
    """`fokus tag` of a freshly imported ``messages``-message project, and the plain spaCy run on the same texts.

    The tagged project is left in ``workdir`` (see ``graphgen.tagged_project``) for bench/tui.py.
    """
    with workspace(workdir) as base:
        folder, count = archive(base, messages)
        project = tagged_project(base, messages)
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        db = str(project / "fokus.db")
        run_fokus("--db", db, "init", "--codebook", str(CODEBOOK))
        run_fokus("--db", db, "import", str(folder))
        reference = run_python(REFERENCE.format(db=db, codebook=str(CODEBOOK)))
        fokus = run_fokus("--db", db, "tag", "--n-process", str(n_process))
        again = run_fokus("--db", db, "tag")
        (project / "done").touch()
        with sqlite3.connect(db) as conn:
            sentences = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    say(f"{count} generated messages; plain matches: {reference.stdout.strip()}")
    say(fokus.stdout.strip())
    rows = Rows("tag", f"tagging the same {count:,} messages ({sentences:,} sentences) with the default codebook")
    rows.compared("tag", fokus, reference, within(2), under(350, "MB"))
    rows.add("tag again (nothing changed), seconds", again.seconds)
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages", type=int, default=100_000, help="Messages in the generated project to tag (default: %(default)s)"
    )
    parser.add_argument(
        "--n-process", type=int, default=1, help="Processes for `fokus tag --n-process` (default: %(default)s)"
    )
    args, say = parse(parser)
    show(measure(args.messages, args.n_process, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
