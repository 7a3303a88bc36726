"""Import speed: `fokus import` of a generated Graph API archive against a plain sqlite3 executemany.

Both run as whole processes on the same files in the same run. The reference reads the same JSON, flattens posts,
comments and replies into rows and inserts them with one executemany into a table with the same keys; fokus does
that and more (detection, validation, deduplication, pseudonymisation, threads, parents, an ORM schema).

    python bench/import.py [--messages 100000] [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive
from measure import Row, Rows, Say, parse, private, quiet, run_fokus, run_python, show, within, workspace

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


def measure(messages: int = 100_000, *, workdir: Path | None = None, say: Say = quiet) -> list[Row]:
    """`fokus import` of a ``messages``-message Graph API archive into an empty project, and the plain insert."""
    with workspace(workdir) as base, private(base / "import") as own:
        folder, count = archive(base, messages)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        reference = run_python(REFERENCE.format(db=str(own / "ref.db"), folder=str(folder)))
        assert int(reference.stdout) == count
        db = str(own / "fokus.db")
        run_fokus("--db", db, "init", "--empty")
        fokus = run_fokus("--db", db, "import", str(folder))
        again = run_fokus("--db", db, "import", str(folder))
        assert f"Added {count:,} messages" in fokus.stdout, fokus.stdout
        assert "Added 0 messages" in again.stdout, again.stdout
    rows = Rows("import", f"a generated Graph API archive of {count:,} messages ({size:.1f} MB of JSON)")
    rows.compared("import", fokus, reference, within(2))
    rows.add("re-import (all known), seconds", again.seconds)
    say("reference: the same JSON flattened and inserted with one sqlite3 executemany")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=100_000,
        help="Messages in the generated Graph API archive (default: %(default)s)",
    )
    args, say = parse(parser)
    show(measure(args.messages, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
