"""TUI speed on a generated 100,000-message project, driven through Textual's Pilot.

A keypress is timed from sending it until Textual has handled it (``pilot.press``). Prints the time to the first
usable screen (the thread list with its first page), the time per keypress when moving through the thread list,
opening threads (and the next sentence in each) and going through the review queue, and the peak memory, beside a
plain Textual app with one DataTable of the same first page, measured the same way: its median move is Pilot's own
floor per keypress, in the reference column. Goals from the issue: first screen under 1.5 s, moves under 50 ms,
opening a thread (and the keys in it) under 50 ms above the floor at the median and the 95th percentile, peak memory
under 400 MB.

    python bench/tui.py [--messages 100000] [--opens 20] [--workdir FOLDER] [--json]
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive, tagged_project
from measure import Row, Rows, Say, parse, private, quiet, run_fokus, run_python, show, under, workspace

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "kommune-sosiale-medier.yaml"

DRIVE = """
import asyncio, time
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
        opens, reads = [], []
        for _ in range({opens}):
            t = timed(); await pilot.press("enter"); opens.append(timed() - t)
            t2 = timed(); await pilot.press("j"); reads.append(timed() - t2)
            await pilot.press("escape"); await pilot.pause(); await pilot.press("down"); await pilot.pause()
        await pilot.press("v"); await pilot.pause()
        reviews = []
        for _ in range(30):
            t = timed(); await pilot.press("s"); reviews.append(timed() - t)
        print("first", first)
        for name, times in (("move", moves), ("open", opens), ("read", reads), ("review", reviews)):
            print(name, *(f"{{x * 1000:.1f}}" for x in times))

asyncio.run(main())
"""

PLAIN = """
import asyncio, sqlite3, time
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
        print("first", first)
        print("move", *(f"{{x * 1000:.1f}}" for x in moves))

asyncio.run(main())
"""


def figures(output: str) -> dict[str, list[float]]:
    """Each line of a run's output: a name and its values (the seconds to the first screen; milliseconds per key)."""
    return {line.split()[0]: [float(x) for x in line.split()[1:]] for line in output.splitlines() if line.strip()}


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): what one keypress in twenty takes or more."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def measure(messages: int = 100_000, *, opens: int = 20, workdir: Path | None = None, say: Say = quiet) -> list[Row]:
    """The TUI on a tagged ``messages``-message project, and the plain DataTable app on the same first page;
    ``opens`` threads are opened one after the other (each followed by one ``j``).

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
            if workdir is not None:  # kept for the next run, as bench/tag.py leaves it
                shutil.rmtree(shared, ignore_errors=True)
                shared.mkdir(parents=True)
            db = str((shared if workdir is not None else own) / "fokus.db")
            run_fokus("--db", db, "init", "--codebook", str(CODEBOOK))
            run_fokus("--db", db, "import", str(folder))
            run_fokus("--db", db, "tag")
            if workdir is not None:
                (shared / "done").touch()
        fokus = run_python(DRIVE.format(db=db, opens=opens))
        plain = run_python(PLAIN.format(db=db))
    mine, plain_run = figures(fokus.stdout), figures(plain.stdout)
    floor = statistics.median(plain_run["move"])
    keypress = under(50, "ms")
    above = under(floor + 50, "ms")  # the goal for what the TUI does beyond Pilot's own floor
    rows = Rows("tui", f"the TUI on the {messages:,}-message project, tagged")
    rows.add("first usable screen, s", mine["first"][0], plain_run["first"][0], goal=under(1.5, "s"), ratio=False)
    rows.add(
        "move in the thread list, ms (median)",
        statistics.median(mine["move"]),
        floor,
        goal=keypress,
        ratio=False,
        digits=1,
    )
    rows.add("move in the thread list, ms (max)", max(mine["move"]), max(plain_run["move"]), ratio=False, digits=1)
    for key, label in (
        ("open", "open a thread"),
        ("read", "next sentence in a thread"),
        ("review", "next in the review queue"),
    ):
        rows.add(f"{label}, ms (median)", statistics.median(mine[key]), floor, goal=above, ratio=False, digits=1)
        rows.add(f"{label}, ms (95th percentile)", p95(mine[key]), floor, goal=above, ratio=False, digits=1)
        rows.add(f"{label}, ms (max)", max(mine[key]), digits=1)
    rows.add("peak memory, MB", fokus.peak_mb, plain.peak_mb, goal=under(400, "MB"), ratio=False, digits=0)
    say(
        "reference: a plain Textual app with one DataTable of the same first page; its median move is Pilot's floor "
        f"per keypress ({floor:.1f} ms), and the goal for opening a thread, reading on and reviewing is that floor "
        "+ 50 ms"
    )
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=100_000,
        help="Messages in the generated, tagged project (default: %(default)s)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Keep the generated archive and tagged project in this folder and reuse them on the next run "
        "(default: a temporary folder, removed after)",
    )
    parser.add_argument(
        "--opens", type=int, default=20, help="Threads opened, one after another (default: %(default)s)"
    )
    args, say = parse(parser)
    show(measure(args.messages, opens=args.opens, workdir=args.workdir, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
