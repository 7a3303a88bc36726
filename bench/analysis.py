"""Analysis speed: `fokus freq` and `fokus cooc` on 1,000,000 codings over 100,000 messages and 60 codes.

A project is generated: a Graph API archive of 100,000 messages by 200 participants linked to 40 municipalities, a
codebook of 10 themes with 5 sub-codes each (60 codes), and 1,000,000 codings by three coders imported from CSV with
`fokus codings import` (its time is reported beside a plain sqlite3 script that reads the same CSV with csv.reader,
looks up the ids in dicts and inserts the rows with one executemany, into a copy of the project as it was before the
import). Then, each as a whole process, in the same run:

- `fokus freq --no-rollup` (codings, messages, threads, participants and cases per code) against a plain sqlite3
  script that computes the same table with one indexed GROUP BY; `fokus freq` (sub-codes rolled up) is shown too;
- `fokus cooc --unit message` against a plain script that reads the distinct (message, code) pairs with sqlite3 and
  multiplies the sparse incidence matrix with SciPy.

    python bench/analysis.py [--codings 1000000] [--messages 100000] [--keep DIR] [--import-only] [--json]

``--import-only``: only the codings import and its reference (the project is still generated).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sqlite3
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive
from measure import (
    Measurement,
    Row,
    Rows,
    Say,
    parse,
    private,
    quiet,
    run_fokus,
    run_python,
    show,
    under,
    within,
    workspace,
)

FREQ_REFERENCE = """
import sqlite3
db = sqlite3.connect({db!r})
rows = db.execute(
    "SELECT codes.path, count(*), count(DISTINCT c.message_id), count(DISTINCT m.thread_id),"
    " count(DISTINCT m.participant_id), count(DISTINCT p.case_id)"
    " FROM codings c JOIN messages m ON m.id = c.message_id JOIN participants p ON p.id = m.participant_id"
    " JOIN codes ON codes.id = c.code_id WHERE c.status = 'accepted' GROUP BY c.code_id ORDER BY codes.path"
).fetchall()
for row in rows:
    print(",".join(map(str, row)))
"""

IMPORT_REFERENCE = """
import csv, sqlite3
from datetime import datetime, timezone
db = sqlite3.connect({db!r})
messages = dict(db.execute("SELECT external_id, id FROM messages"))
codes = dict(db.execute("SELECT path, id FROM codes"))
coders = {{}}
now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")
rows = []
with open({csv!r}, newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    next(reader)
    for message, code, start, end, coder in reader:
        if coder not in coders:
            coders[coder] = db.execute("INSERT INTO coders (name, kind) VALUES (?, 'human')", (coder,)).lastrowid
        rows.append((messages[message], codes[code], coders[coder], int(start), int(end), now, now))
with db:
    db.executemany(
        'INSERT INTO codings (message_id, code_id, coder_id, start, "end", status, origin, created_at, updated_at)'
        " VALUES (?, ?, ?, ?, ?, 'accepted', 'human', ?, ?)",
        rows,
    )
print(len(rows))
"""

COOC_REFERENCE = """
import sqlite3
import numpy as np
from scipy import sparse
db = sqlite3.connect({db!r})
pairs = np.array(
    db.execute("SELECT DISTINCT message_id, code_id FROM codings WHERE status = 'accepted'").fetchall(), dtype=np.int64
)
units, rows = np.unique(pairs[:, 0], return_inverse=True)
x = sparse.csr_matrix((np.ones(len(rows)), (rows, pairs[:, 1])), shape=(len(units), pairs[:, 1].max() + 1))
product = (x.T @ x).tocoo()
upper = product.row < product.col
for a, b, n in zip(product.row[upper], product.col[upper], product.data[upper]):
    print(a, b, int(n))
"""


def write_codebook(path: Path) -> list[str]:
    lines = ["codebook: Benchmark", 'version: "1"', "codes:"]
    codes = []
    for theme in range(10):
        lines += [f"  - id: tema{theme}", f"    name: Tema {theme}", "    children:"]
        codes.append(f"tema{theme}")
        for child in range(5):
            lines += [f"      - id: kode{child}", f"        name: Kode {theme}.{child}"]
            codes.append(f"tema{theme}/kode{child}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return codes


def build(base: Path, graph: Path, codings: int, *, run: Callable[..., Measurement] = run_fokus) -> tuple[str, float]:
    """The project in ``base`` from the archive in ``graph``; returns its path and the seconds `fokus codings import`
    took. ``run`` runs each fokus process (bench/postgres.py passes one that records them)."""
    codes = write_codebook(base / "codebook.yaml")
    db = str(base / "bench.db")
    run("--db", db, "init", "--codebook", str(base / "codebook.yaml"))
    run("--db", db, "import", str(graph))
    with (base / "participants.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["navn", "kommune"])
        for i in range(200):
            writer.writerow([f"Person {i:04d} Nordmann", f"Kommune {i % 40:02d}"])
    run("--db", db, "participants", "link", str(base / "participants.csv"))
    with sqlite3.connect(db) as conn:
        texts = conn.execute("SELECT external_id, length(text) FROM messages").fetchall()
    rng = random.Random(5)
    seen: set[tuple[str, str, int, int, str]] = set()
    with (base / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["message_id", "code", "start", "end", "coder"])
        while len(seen) < codings:
            message, length = rng.choice(texts)
            start = rng.randrange(0, max(length - 5, 1))
            row = (message, rng.choice(codes), start, min(length, start + rng.randint(5, 120)), rng.choice("abc"))
            if row[3] > row[2] and row not in seen:
                seen.add(row)
                writer.writerow([*row[:4], f"koder-{row[4]}"])
    shutil.copy(db, base / "before-codings.db")  # for the reference (no fokus process is open: nothing in a WAL)
    imported = run("--db", db, "codings", "import", str(base / "codings.csv"))
    assert f"Codings: {codings:,} added" in imported.stdout, imported.stdout
    return db, imported.seconds


def measure(
    codings: int = 1_000_000,
    messages: int = 100_000,
    *,
    keep: Path | None = None,
    workdir: Path | None = None,
    import_only: bool = False,
    say: Say = quiet,
) -> list[Row]:
    """freq, cooc and agreement on ``codings`` codings over ``messages`` messages; with ``keep``, the project is
    kept in (or reused from) that folder, and the codings import is not timed when it is reused; ``import_only``:
    the codings import beside its reference, nothing else."""
    with workspace(workdir) as shared, nullcontext(keep) if keep else private(shared / "analysis") as base:
        base.mkdir(parents=True, exist_ok=True)
        db = str(base / "bench.db")
        imported: tuple[float, Measurement] | None = None
        if not (base / "bench.db").exists():
            db, seconds = build(base, archive(shared, messages)[0], codings)
            reference = run_python(
                IMPORT_REFERENCE.format(db=str(base / "before-codings.db"), csv=str(base / "codings.csv"))
            )
            assert int(reference.stdout) == codings, reference.stdout
            imported = seconds, reference
        if not import_only:
            out = str(base / "out.csv")
            freq_plain = run_fokus("--db", db, "freq", "--no-rollup", "--format", "csv", "-o", out)
            freq_ref = run_python(FREQ_REFERENCE.format(db=db))
            freq_rollup = run_fokus("--db", db, "freq", "--format", "csv", "-o", out)
            cooc = run_fokus("--db", db, "cooc", "--unit", "message", "--format", "csv", "-o", out)
            cooc_ref = run_python(COOC_REFERENCE.format(db=db))
            agree = run_fokus(
                "--db", db, "agreement", "--unit", "message", "--format", "csv", "-o", str(base / "a.csv")
            )
            _check(db, base / "out.csv", cooc_ref.stdout)
        with sqlite3.connect(db) as conn:
            total = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
            in_messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    rows = Rows("analysis", f"{total:,} codings over {in_messages:,} messages, 60 codes, 3 coders, 40 municipalities")
    if not import_only:
        rows.compared("`fokus freq --no-rollup` (five measures)", freq_plain, freq_ref, within(1.5))
        rows.add("`fokus freq` (rolled up), seconds", freq_rollup.seconds)
        rows.compared("`fokus cooc --unit message`", cooc, cooc_ref, within(1.5))
        rows.add("`fokus agreement --unit message` (3 coders), seconds", agree.seconds)
        rows.add("agreement, peak MB", agree.peak_mb, digits=0)
    if imported is not None:
        seconds, reference = imported
        rows.add("`fokus codings import` from CSV, seconds", seconds, reference.seconds, goal=under(15, "s"))
    say("references: one indexed GROUP BY in sqlite3; a SciPy sparse product over the distinct (message, code) pairs;")
    say("for the codings import, csv.reader, ids from dicts and one sqlite3 executemany (no checks, no event log)")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--codings",
        type=int,
        default=1_000_000,
        help="Codings by three coders, imported from CSV (default: %(default)s)",
    )
    parser.add_argument(
        "--messages", type=int, default=100_000, help="Messages the codings fall in (default: %(default)s)"
    )
    parser.add_argument("--keep", type=Path, help="Keep (or reuse) the generated project in this folder.")
    parser.add_argument(
        "--import-only", action="store_true", help="Only `fokus codings import` and its reference, no analyses."
    )
    args, say = parse(parser)
    rows = measure(args.codings, args.messages, keep=args.keep, import_only=args.import_only, say=say)
    show(rows, as_json_rows=args.json)


def _check(db: str, cooc_csv: Path, reference: str) -> None:
    """fokus and the reference agree on every pair (so the figures compare the same work)."""
    with sqlite3.connect(db) as conn:
        paths = dict(conn.execute("SELECT id, path FROM codes"))
    expected = {}
    for line in reference.split("\n"):
        if line.strip():
            a, b, n = line.split()
            expected[tuple(sorted((paths[int(a)], paths[int(b)])))] = int(n)
    with cooc_csv.open(encoding="utf-8") as handle:
        found = {tuple(sorted((r["code_a"], r["code_b"]))): int(r["n_ab"]) for r in csv.DictReader(handle)}
    assert found == expected, "fokus cooc and the reference disagree"


if __name__ == "__main__":
    main()
