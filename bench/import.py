"""Import speed: `fokus import` of a generated Graph API archive against a plain sqlite3 executemany.

Both run as whole processes on the same files in the same run. The reference reads the same JSON, flattens posts,
comments and replies into rows and inserts them with one executemany into a table with the same keys; fokus does
that and more (detection, validation, deduplication, pseudonymisation, threads, parents, an ORM schema).

    python bench/import.py [--messages 100000]
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
import json, sqlite3, pathlib
db = sqlite3.connect({db!r})
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, thread TEXT, parent TEXT,"
           " author TEXT, created_time TEXT, text TEXT, reactions INTEGER)")
db.execute("CREATE INDEX ix_thread ON messages (thread)")
rows = []
for path in sorted(pathlib.Path({folder!r}).glob("*.json")):
    for post in json.loads(path.read_text(encoding="utf-8"))["data"]:
        rows.append((post["id"], post["id"], None, post["from"]["name"], post["created_time"], post["message"],
                     post["reactions"]["summary"]["total_count"]))
        for comment in post.get("comments", {{}}).get("data", []):
            rows.append((comment["id"], post["id"], post["id"], comment["from"]["name"], comment["created_time"],
                         comment["message"], comment.get("like_count")))
            for reply in comment.get("comments", {{}}).get("data", []):
                rows.append((reply["id"], post["id"], comment["id"], reply["from"]["name"], reply["created_time"],
                             reply["message"], None))
with db:
    db.executemany("INSERT INTO messages (external_id, thread, parent, author, created_time, text, reactions)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
print(len(rows))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "graph"
        count = write_graph_archive(folder, args.messages)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        reference = run_python(REFERENCE.format(db=str(Path(tmp) / "ref.db"), folder=str(folder)))
        assert int(reference.stdout) == count
        db = str(Path(tmp) / "fokus.db")
        run_fokus("--db", db, "init", "--empty")
        fokus = run_fokus("--db", db, "import", str(folder))
        again = run_fokus("--db", db, "import", str(folder))
        assert f"Added {count} messages" in fokus.stdout, fokus.stdout
        assert "Added 0 messages" in again.stdout, again.stdout
    print(f"Graph API archive: {count} messages, {size:.0f} MB of JSON")
    print(
        table(
            [
                *compared("import", fokus, reference),
                ("re-import (all known), seconds", f"{again.seconds:.2f}", "-", "-"),
            ]
        )
    )
    print("goal: import within 2x of the plain insert")


if __name__ == "__main__":
    main()
