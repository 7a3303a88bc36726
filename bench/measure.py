"""What every benchmark shares: whole-process runs with wall time and peak memory, the row each figure becomes, and
the table, Markdown and JSON the rows are printed as.

Whole processes, because that is what a researcher waits for: interpreter start, imports, parsing and writing.
Each script's ``measure(...)`` returns its figures as :class:`Row` objects (so ``bench/run_all.py`` can put them all
in one table); its ``main()`` prints them with :func:`show`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# The scripts read fokus's summaries ("Added 100,000 messages"): in English, whatever the machine's locale.
os.environ["FOKUS_LANG"] = "en"

Say = Callable[[str], None]
"""Where a benchmark tells what it measured beyond its figures (sizes, the commands' own summaries)."""

# The process's own high-water mark: VmHWM belongs to the program exec'd, whereas Linux's ru_maxrss keeps the forking
# parent's (a run_all.py grown to 500 MB made every later figure at least 500 MB).
_WRAPPER = """
import atexit, resource, sys
def _peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
atexit.register(lambda: print("PEAK_KB", _peak_kb(), file=sys.stderr))
{body}
"""


def quiet(_: str) -> None:
    """A ``say`` that says nothing."""


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    stdout: str


def run_python(body: str, *, cwd: str | None = None) -> Measurement:
    """Run ``body`` in a fresh interpreter; raise with its stderr if it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER.format(body=body)], capture_output=True, text=True, cwd=cwd, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"benchmark process failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = next((line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB")), "0")
    return Measurement(seconds, int(peak) / 1024, done.stdout)


def run_fokus(*args: str, cwd: str | None = None) -> Measurement:
    """The real `fokus` command line, as a user runs it."""
    argv = ["fokus", *args]
    return run_python(f"import sys\nsys.argv = {argv!r}\nfrom fokus.cli import main\nmain()", cwd=cwd)


# --- where generated data lives ---------------------------------------------------------------------------------


@contextmanager
def workspace(workdir: Path | None) -> Iterator[Path]:
    """``workdir`` if given (shared with other benchmarks, left in place), else a temporary folder removed after."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmp:
        yield Path(tmp)


@contextmanager
def private(folder: Path) -> Iterator[Path]:
    """An empty ``folder`` for one benchmark's own projects, removed afterwards so a full run does not fill the disk."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- figures ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """What an issue asks of a figure.

    ``on="ratio"``: the figure is at most ``limit`` times the reference's ("within 2x"); ``on="value"``: the figure
    itself is under ``limit``, in ``unit`` ("< 1.5 s").
    """

    limit: float
    on: Literal["ratio", "value"] = "ratio"
    unit: str = ""

    def __str__(self) -> str:
        if self.on == "ratio":
            return f"within {self.limit:g}x"
        return f"< {self.limit:g} {self.unit}".rstrip()

    def met(self, row: Row) -> bool | None:
        """Whether ``row`` meets the goal; None when it cannot be judged (a ratio goal without a reference)."""
        if self.on == "ratio":
            return None if row.ratio is None else row.ratio <= self.limit
        return row.fokus < self.limit


def within(limit: float) -> Goal:
    return Goal(limit, "ratio")


def under(limit: float, unit: str) -> Goal:
    return Goal(limit, "value", unit)


@dataclass(frozen=True)
class Row:
    """One figure of one benchmark: fokus's value beside the plain reference's, their ratio and the issue's goal.

    ``benchmark`` is the script's name (``import`` for bench/import.py); ``about`` says what it ran on (sizes), the
    same for every row of one run; ``digits`` is how the values are shown.
    """

    benchmark: str
    about: str
    figure: str
    fokus: float
    reference: float | None = None
    ratio: float | None = None
    goal: Goal | None = None
    digits: int = 2

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self)

    def cells(self) -> dict[str, str]:
        """The row as shown: values to ``digits``, "-" where there is nothing, "met"/"not met" where judged."""
        met = self.met
        return {
            "figure": self.figure,
            "fokus": f"{self.fokus:.{self.digits}f}",
            "reference": "-" if self.reference is None else f"{self.reference:.{self.digits}f}",
            "ratio": "-" if self.ratio is None else f"{self.ratio:.2f}x",
            "goal": "-" if self.goal is None else str(self.goal),
            "met": "" if met is None else ("met" if met else "not met"),
        }

    def as_dict(self) -> dict[str, Any]:
        goal = None if self.goal is None else {"text": str(self.goal), "on": self.goal.on, "limit": self.goal.limit}
        return {
            "benchmark": self.benchmark,
            "about": self.about,
            "figure": self.figure,
            "fokus": self.fokus,
            "reference": self.reference,
            "ratio": self.ratio,
            "goal": goal,
            "met": self.met,
        }


@dataclass
class Rows:
    """A benchmark's rows as it builds them: ``add`` one figure, or ``compared`` for seconds and peak memory."""

    benchmark: str
    about: str
    rows: list[Row] = field(default_factory=list)

    def add(
        self,
        figure: str,
        fokus: float,
        reference: float | None = None,
        *,
        goal: Goal | None = None,
        digits: int = 2,
        ratio: bool = True,
    ) -> None:
        """``ratio=False`` where dividing by the reference means nothing (a floor, an accuracy)."""
        quotient = fokus / reference if ratio and reference else None
        self.rows.append(Row(self.benchmark, self.about, figure, fokus, reference, quotient, goal, digits))

    def compared(
        self,
        label: str,
        fokus: Measurement,
        reference: Measurement,
        goal: Goal | None = None,
        memory: Goal | None = None,
    ) -> None:
        """The two rows most benchmarks print: seconds and peak memory (each with its goal), beside the reference."""
        self.add(f"{label}, seconds", fokus.seconds, reference.seconds, goal=goal)
        self.add(f"{label}, peak MB", fokus.peak_mb, reference.peak_mb, goal=memory, digits=0)


# --- printing ---------------------------------------------------------------------------------------------------

_COLUMNS = ("figure", "fokus", "reference", "ratio", "goal", "met")


def _grouped(rows: Sequence[Row]) -> Iterator[tuple[bool, Row]]:
    """Each row with whether it starts a new benchmark, so the benchmark is named once."""
    previous: tuple[str, str] | None = None
    for row in rows:
        key = (row.benchmark, row.about)
        yield key != previous, row
        previous = key


def table(rows: Sequence[Row], *, benchmarks: bool = False) -> str:
    """An aligned plain-text table; with ``benchmarks``, a first column naming each row's benchmark once."""
    header = (("benchmark",) if benchmarks else ()) + _COLUMNS
    lines = [header]
    for first, row in _grouped(rows):
        cells = row.cells()
        name = ((row.benchmark if first else ""),) if benchmarks else ()
        lines.append(name + tuple(cells[c] for c in _COLUMNS))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {"fokus", "reference", "ratio"}
    return "\n".join(
        "  ".join(
            (cell.rjust(w) if column in numeric else cell.ljust(w))
            for column, cell, w in zip(header, line, widths, strict=True)
        ).rstrip()
        for line in lines
    )


def markdown(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table for the README, each benchmark named once as `bench/<name>.py`: what it ran on."""
    out = ["| benchmark | " + " | ".join(_COLUMNS) + " |", "|---" * (len(_COLUMNS) + 1) + "|"]
    for first, row in _grouped(rows):
        cells = row.cells()
        name = f"`bench/{row.benchmark}.py`: {row.about}" if first else ""
        out.append("| " + " | ".join([name, *(cells[c] for c in _COLUMNS)]) + " |")
    return "\n".join(out)


def as_json(rows: Sequence[Row]) -> str:
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2)


# --- a script's command line ------------------------------------------------------------------------------------


def parse(parser: argparse.ArgumentParser) -> tuple[argparse.Namespace, Say]:
    """Add ``--json`` and parse; the ``say`` to pass to ``measure`` writes to stdout, or to stderr with ``--json``
    so that stdout is only the JSON."""
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON rows instead of a table.")
    args = parser.parse_args()

    def say(text: str) -> None:
        print(text, file=sys.stderr if args.json else sys.stdout, flush=True)

    return args, say


def show(rows: Sequence[Row], *, as_json_rows: bool = False) -> None:
    """What each script's ``main()`` prints: what it ran on, then its table (or the rows as JSON)."""
    if as_json_rows:
        print(as_json(rows))
        return
    for about in dict.fromkeys(row.about for row in rows):
        print(about)
    print(table(rows))
