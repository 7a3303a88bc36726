"""TUI speed on a generated 100,000-message project, driven through Textual's Pilot.

A keypress is timed from sending it until Textual has handled it (``pilot.press``). Prints the time to the first
usable screen (the thread list with its first page), the time per keypress when moving through the thread list,
opening threads and going through the review queue, and the peak memory, beside a plain Textual app with one
DataTable of the same first page, measured the same way: Pilot's own floor per keypress is in that column.
Goals from the issue: first screen under 1.5 s, keypresses under 50 ms, peak memory under 400 MB.

    python bench/tui.py [--messages 100000] [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive, tagged_project
from measure import Row, Rows, Say, parse, private, quiet, run_fokus, run_python, show, under, workspace

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "kommune-sosiale-medier.yaml"

DRIVE = """
import asyncio, statistics, time
start = time.perf_counter()
from fokus.store import open_project
from fokus.tui.app import FokusApp

async def main():
    app = FokusApp(open_project({db!r}), "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - start
        def timed():
            return time.perf_counter()
        moves = []
        for _ in range(40):
            t = timed(); await pilot.press("down"); moves.append(timed() - t)
        opens = []
        for _ in range(5):
            t = timed(); await pilot.press("enter"); opens.append(timed() - t)
            t2 = timed(); await pilot.press("j"); moves.append(timed() - t2)
            await pilot.press("escape"); await pilot.pause(); await pilot.press("down"); await pilot.pause()
        await pilot.press("v"); await pilot.pause()
        reviews = []
        for _ in range(30):
            t = timed(); await pilot.press("s"); reviews.append(timed() - t)
        print(f"first {{first:.3f}}")
        print(f"move {{statistics.median(moves) * 1000:.1f}} {{max(moves) * 1000:.1f}}")
        print(f"open {{statistics.median(opens) * 1000:.1f}} {{max(opens) * 1000:.1f}}")
        print(f"review {{statistics.median(reviews) * 1000:.1f}} {{max(reviews) * 1000:.1f}}")

asyncio.run(main())
"""

PLAIN = """
import asyncio, sqlite3, statistics, time
start = time.perf_counter()
from textual.app import App
from textual.widgets import DataTable

class Plain(App):
    def compose(self):
        yield DataTable(cursor_type="row")
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Dato", "Tråd", "Meldinger")
        rows = sqlite3.connect({db!r}).execute(
            "SELECT t.created_at, substr(m.text, 1, 60), (SELECT count(*) FROM messages x WHERE x.thread_id = t.id)"
            " FROM threads t JOIN messages m ON m.external_id = t.external_id ORDER BY t.created_at DESC LIMIT 200"
        ).fetchall()
        for row in rows:
            table.add_row(*map(str, row))
        table.focus()

async def main():
    app = Plain()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - start
        moves = []
        for _ in range(40):
            t = time.perf_counter()
            await pilot.press("down")
            moves.append(time.perf_counter() - t)
        print(f"first {{first:.3f}}")
        print(f"move {{statistics.median(moves) * 1000:.1f}} {{max(moves) * 1000:.1f}}")

asyncio.run(main())
"""


def figures(output: str) -> dict[str, list[float]]:
    return {line.split()[0]: [float(x) for x in line.split()[1:]] for line in output.splitlines() if line.strip()}


def measure(messages: int = 100_000, *, workdir: Path | None = None, say: Say = quiet) -> list[Row]:
    """The TUI on a tagged ``messages``-message project, and the plain DataTable app on the same first page.

    The project is the one bench/tag.py left in ``workdir`` if it did (the same archive, codebook and commands), else
    it is built here the same way.
    """
    with workspace(workdir) as base, private(base / "tui") as own:
        shared = tagged_project(base, messages)
        if (shared / "done").exists():
            db = str(shared / "fokus.db")
            say(f"the tagged project of bench/tag.py: {db}")
        else:
            folder, _ = archive(base, messages)
            db = str(own / "tui.db")
            run_fokus("--db", db, "init", "--codebook", str(CODEBOOK))
            run_fokus("--db", db, "import", str(folder))
            run_fokus("--db", db, "tag")
        fokus = run_python(DRIVE.format(db=db))
        plain = run_python(PLAIN.format(db=db))
    mine, floor = figures(fokus.stdout), figures(plain.stdout)
    keypress = under(50, "ms")
    rows = Rows("tui", f"the TUI on the {messages:,}-message project, tagged")
    rows.add("first usable screen, s", mine["first"][0], floor["first"][0], goal=under(1.5, "s"), ratio=False)
    rows.add(
        "move in the thread list, ms (median)", mine["move"][0], floor["move"][0], goal=keypress, ratio=False, digits=1
    )
    rows.add("move in the thread list, ms (max)", mine["move"][1], floor["move"][1], ratio=False, digits=1)
    rows.add("open a thread, ms (median)", mine["open"][0], goal=keypress, digits=1)
    rows.add("open a thread, ms (max)", mine["open"][1], digits=1)
    rows.add("next in the review queue, ms (median)", mine["review"][0], goal=keypress, digits=1)
    rows.add("next in the review queue, ms (max)", mine["review"][1], digits=1)
    rows.add("peak memory, MB", fokus.peak_mb, plain.peak_mb, goal=under(400, "MB"), ratio=False, digits=0)
    say("reference: a plain Textual app with one DataTable of the same first page (Pilot's floor per keypress)")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=100_000,
        help="Messages in the generated, tagged project (default: %(default)s)",
    )
    args, say = parse(parser)
    show(measure(args.messages, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
