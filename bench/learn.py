"""Learning speed: `fokus learn` on 20,000 coded sentences and `fokus suggest` over 100,000, with peak memory.

A project is generated from the demo corpus's own sentences, each with two more corpus words so that sentences are
distinct as in a real project (a Graph API archive, tagged with `fokus tag`), and 20,000 of its sentences get the
codes the demo's two researchers gave the sentence it was made from (real decisions, on new text), imported with
`fokus codings import`. Then, as whole processes:

- `fokus learn` (features, cross-validation (3 folds past 5,000 sentences, else 5) and calibration per code,
  thresholds, the saved model) against a plain scikit-learn script on the same sentences and labels: one
  TfidfVectorizer and a one-vs-rest LogisticRegression fitted once, with no cross-validation, calibration or
  thresholds;
- `fokus suggest` (scoring every sentence and writing the suggestions) against loading that plain model and its
  predict_proba over the same 100,000 sentences.

    python bench/learn.py [--sentences 100000] [--coded 20000] [--keep DIR] [--json]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sqlite3
import sys
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive, strip_noise
from measure import Row, Rows, Say, parse, private, quiet, run_fokus, run_python, show, under, workspace

ROOT = Path(__file__).resolve().parents[1]

REFERENCE = """
import sqlite3, csv
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
db = sqlite3.connect({db!r})
lemmas = dict(db.execute("SELECT id, lemmas FROM units"))
labels = {{}}
for unit, code in csv.reader(open({labels!r}, encoding="utf-8")):
    labels.setdefault(int(unit), set()).add(code)
units = sorted(labels)
binarizer = MultiLabelBinarizer()
y = binarizer.fit_transform([labels[u] for u in units])
features = TfidfVectorizer(sublinear_tf=True, min_df=2)
x = features.fit_transform([lemmas[u] for u in units])
model = OneVsRestClassifier(LogisticRegression(max_iter=200)).fit(x, y)
import joblib
joblib.dump((features, model), {saved!r})
"""
PREDICT = """
import sqlite3, joblib
db = sqlite3.connect({db!r})
lemmas = [t for (t,) in db.execute("SELECT lemmas FROM units ORDER BY id")]
features, model = joblib.load({saved!r})
scores = model.predict_proba(features.transform(lemmas))
print(int((scores >= 0.5).sum()))
"""


NOISE = 2  # corpus words added to every generated sentence, so that sentences are distinct as in a real project


def _original(text: str) -> str:
    return " ".join(strip_noise(" ".join(text.split()), NOISE).split())


def coded_texts() -> dict[str, set[str]]:
    """The demo's hand coding: each coded sentence's text and the codes either researcher gave it."""
    found: dict[str, set[str]] = defaultdict(set)
    with (ROOT / "corpus" / "codings.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[" ".join(row["text"].split())].add(row["code"])
    return found


def build(base: Path, shared: Path, sentences: int, coded: int) -> tuple[str, int]:
    """The tagged project in ``base`` with ``coded`` sentences coded (its archive in ``shared``); returns its path
    and its number of sentences."""
    db = str(base / "bench.db")
    messages = int(sentences / 2.7) + 1  # the generator writes about 2.7 sentences a message
    graph, _ = archive(shared, messages, noise=NOISE)
    run_fokus("--db", db, "init", "--codebook", str(ROOT / "codebooks" / "kommune-sosiale-medier.yaml"))
    run_fokus("--db", db, "import", str(graph))
    run_fokus("--db", db, "tag")
    known = coded_texts()
    with sqlite3.connect(db) as conn:
        units = conn.execute(
            'SELECT u.id, m.external_id, u.start, u."end", substr(m.text, u.start + 1, u."end" - u.start)'
            " FROM units u JOIN messages m ON m.id = u.message_id"
        ).fetchall()
    matching = [u for u in units if _original(u[4]) in known]
    rng = random.Random(7)
    chosen = rng.sample(matching, min(coded, len(matching)))
    with (
        (base / "codings.csv").open("w", newline="", encoding="utf-8") as out,
        (base / "labels.csv").open("w", newline="", encoding="utf-8") as labels,
    ):
        writer, label_writer = csv.writer(out), csv.writer(labels)
        writer.writerow(["message_id", "code", "start", "end", "coder"])
        for uid, message, start, end, text in chosen:
            for code in sorted(known[_original(text)]):
                writer.writerow([message, code, start, end, "ingrid"])
                label_writer.writerow([uid, code])
    run_fokus("--db", db, "codings", "import", str(base / "codings.csv"))
    return db, len(units)


def measure(
    sentences: int = 100_000,
    coded: int = 20_000,
    *,
    keep: Path | None = None,
    workdir: Path | None = None,
    say: Say = quiet,
) -> list[Row]:
    """`fokus learn` on ``coded`` of ``sentences`` sentences and `fokus suggest` over all, beside the plain model;
    with ``keep``, the project is kept in (or reused from) that folder."""
    with workspace(workdir) as shared, nullcontext(keep) if keep else private(shared / "learn") as base:
        base.mkdir(parents=True, exist_ok=True)
        db = str(base / "bench.db")
        if (base / "bench.db").exists():
            with sqlite3.connect(db) as conn:
                total = conn.execute("SELECT count(*) FROM units").fetchone()[0]
        else:
            db, total = build(base, shared, sentences, coded)
        shutil.rmtree(base / "bench.db.models", ignore_errors=True)
        labels = str(base / "labels.csv")
        learnt = run_fokus("--db", db, "learn", "--format", "json", "-o", str(base / "learn.json"))
        saved = str(base / "reference.joblib")
        reference = run_python(REFERENCE.format(db=db, labels=labels, saved=saved))
        suggested = run_fokus("--db", db, "suggest")
        predicted = run_python(PREDICT.format(db=db, saved=saved))
        with sqlite3.connect(db) as conn:
            coded_sentences = conn.execute("SELECT sentences FROM learned_models ORDER BY version DESC").fetchone()[0]
    say(suggested.stdout.strip())
    rows = Rows("learn", f"{total:,} sentences, {coded_sentences:,} of them coded with the demo's codes")
    rows.compared("`fokus learn` (cross-validation, calibration, thresholds)", learnt, reference, under(15, "s"))
    rows.compared("`fokus suggest` (score every sentence, write)", suggested, predicted, under(5, "s"))
    say("reference: TfidfVectorizer + one-vs-rest LogisticRegression fitted once (and predict_proba), no CV")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sentences",
        type=int,
        default=100_000,
        help="Sentences in the generated, tagged project (default: %(default)s)",
    )
    parser.add_argument(
        "--coded",
        type=int,
        default=20_000,
        help="Sentences coded with the demo researchers' codes (default: %(default)s)",
    )
    parser.add_argument("--keep", type=Path, help="Keep (or reuse) the generated project in this folder.")
    args, say = parse(parser)
    show(measure(args.sentences, args.coded, keep=args.keep, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
