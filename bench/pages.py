"""Page data speed: `fokus pages import` and `fokus pages score` of the demo's 275 pages, against plain Python.

The issue's goal: the demo's pages (about 33,000 posts and 300,000 comments) import and score in under 30 s. The
feeds are generated first, as `fokus demo` makes them (fokus.api.demo_pages, seeded). Then, each a whole process in
the same run:

- fokus: `fokus pages import --pages corpus/pages/pages.csv FEEDS/` into an empty SQLite project, then
  `fokus pages score codebooks/kriterier.yaml` over the study's window (1,000 drawn weightings, as by default);
- the reference for the import: json.load of every feed, posts, comments and replies flattened into rows and
  inserted with one sqlite3 executemany per table;
- the reference for the score: the reference's rows read back into NumPy and grouped by page (np.bincount) into
  posts, P3, C3, V3 and E, each page's z-score summed.

Wall time is inflated on a shared machine, so the CPU time of each process (user + system, from the children's
rusage) is measured too.

    python bench/pages.py [--posts 33000 --comments 300000] [--json]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Measurement, Row, Rows, Say, parse, private, quiet, run_fokus, run_python, show, under, workspace

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0
WINDOW = ("--from", "2013-01-14", "--to", "2013-05-13")

REFERENCE_IMPORT = """
import json, sqlite3, pathlib
db = sqlite3.connect({db!r})
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, page TEXT, created_time TEXT,"
           " text TEXT, reactions INTEGER, comments INTEGER, shares INTEGER)")
db.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, post TEXT, parent TEXT,"
           " by_page INTEGER, created_time TEXT, text TEXT, likes INTEGER)")
db.execute("CREATE INDEX ix_post ON comments (post)")
posts, comments = [], []
for path in sorted(pathlib.Path({folder!r}).glob("*.json")):
    page = json.loads(path.read_text(encoding="utf-8"))
    for post in page["posts"]["data"]:
        posts.append((post["id"], page["id"], post["created_time"], post["message"],
                      post["reactions"]["summary"]["total_count"], post["comments"]["summary"]["total_count"],
                      post.get("shares", {{}}).get("count", 0)))
        for comment in post["comments"]["data"]:
            comments.append((comment["id"], post["id"], None, comment["from"]["id"] == page["id"],
                             comment["created_time"], comment["message"], comment["like_count"]))
            for reply in comment.get("comments", {{}}).get("data", []):
                comments.append((reply["id"], post["id"], comment["id"], reply["from"]["id"] == page["id"],
                                 reply["created_time"], reply["message"], reply["like_count"]))
with db:
    db.executemany("INSERT INTO posts (external_id, page, created_time, text, reactions, comments, shares)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", posts)
    db.executemany("INSERT INTO comments (external_id, post, parent, by_page, created_time, text, likes)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", comments)
print(len(posts), len(comments))
"""

REFERENCE_SCORE = """
import csv, sqlite3
import numpy as np
db = sqlite3.connect({db!r})
rows = db.execute("SELECT page, reactions, comments, shares FROM posts").fetchall()
followers = {{row["side"].rsplit("/", 1)[-1]: int(row["følgere_slutt"])
             for row in csv.DictReader(open({pages!r}, encoding="utf-8"))}}
pages = sorted({{row[0] for row in rows}})
index = {{page: i for i, page in enumerate(pages)}}
which = np.array([index[row[0]] for row in rows])
counts = np.array([row[1:] for row in rows], dtype=float)
n = np.bincount(which, minlength=len(pages))
fans = np.array([followers[page] for page in pages], dtype=float)
per_post = np.stack([np.bincount(which, counts[:, k], len(pages)) / n for k in range(3)])
indices = per_post / fans * 1000
e = indices.sum(axis=0)
z = ((indices.T - indices.mean(axis=1)) / indices.std(axis=1)).sum(axis=1)
print(len(pages), int(np.argmax(z)), round(float(e.max()), 3))
"""


def timed(run: Callable[..., Measurement], *args: str) -> tuple[Measurement, float]:
    """A whole-process run and its CPU seconds (user + system of the finished child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, cpu


def measure(
    posts: int = 33_000, comments: int = 300_000, *, workdir: Path | None = None, say: Say = quiet
) -> list[Row]:
    """Generate the demo's page feeds (``posts`` and ``comments`` about their sizes), import and score them."""
    from fokus.api.demo_pages import generate, pages_file

    with workspace(workdir) as base, private(base / "pages") as own:
        start = time.perf_counter()
        made = generate(own / "feeds", posts=posts, comments=comments)
        generated = time.perf_counter() - start
        size = sum(p.stat().st_size for p in made.files) / 1e6
        say(f"generated {len(made.files)} feeds: {made.posts:,} posts, {made.comments:,} comments, {size:.0f} MB")
        ref_db, db = str(own / "ref.db"), str(own / "fokus.db")
        ref_import, ref_import_cpu = timed(run_python, REFERENCE_IMPORT.format(db=ref_db, folder=str(own / "feeds")))
        assert ref_import.stdout.split() == [str(made.posts), str(made.comments)], ref_import.stdout
        score_body = REFERENCE_SCORE.format(db=ref_db, pages=str(pages_file()))
        ref_score, ref_score_cpu = timed(run_python, score_body)
        run_fokus("--db", db, "init", "--empty")
        imported, import_cpu = timed(
            run_fokus, "--db", db, "pages", "import", "--pages", str(pages_file()), str(own / "feeds")
        )
        assert f"Posts: {made.posts:,} added" in imported.stdout, imported.stdout[-2000:]
        assert f"Comments: {made.comments:,} added" in imported.stdout, imported.stdout[-2000:]
        criteria = str(ROOT / "codebooks" / "kriterier.yaml")
        scored, score_cpu = timed(run_fokus, "--db", db, "pages", "score", criteria, *WINDOW, "--format", "csv")
        say("fokus pages score: " + scored.stdout.splitlines()[1][:100])
    about = f"the demo's {len(made.files)} pages: {made.posts:,} posts, {made.comments:,} comments ({size:.0f} MB)"
    rows = Rows("pages", about)
    rows.add("generate the feeds (in this process), seconds", generated)
    rows.compared("pages import", imported, ref_import)
    rows.add("pages import, CPU seconds", import_cpu, ref_import_cpu)
    rows.compared("pages score", scored, ref_score)
    rows.add("pages score, CPU seconds", score_cpu, ref_score_cpu)
    both = imported.seconds + scored.seconds
    goal = under(GOAL_SECONDS, "s")
    rows.add("import + score, seconds", both, ref_import.seconds + ref_score.seconds, goal=goal)
    rows.add("import + score, CPU seconds", import_cpu + score_cpu, ref_import_cpu + ref_score_cpu, goal=goal)
    say(
        f"goal: import + score under {GOAL_SECONDS:g} s: {both:.1f} s wall, {import_cpu + score_cpu:.1f} s CPU"
        f" ({'met' if both < GOAL_SECONDS else 'not met'} in wall time)"
    )
    say("references: json.load + one sqlite3 executemany per table; NumPy bincount of P3, C3, V3, E and a z-sum")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=33_000, help="Posts in all (default: %(default)s)")
    parser.add_argument("--comments", type=int, default=300_000, help="Comments in all (default: %(default)s)")
    args, say = parse(parser)
    show(measure(args.posts, args.comments, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
