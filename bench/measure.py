"""Run a Python snippet or the fokus CLI as a whole process and measure wall time and peak memory.

Whole processes, because that is what a researcher waits for: interpreter start, imports, parsing and writing.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

_WRAPPER = """
import atexit, resource, sys
atexit.register(lambda: print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
{body}
"""


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


def table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "fokus", "reference", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    return "\n".join(lines)


def compared(label: str, fokus: Measurement, reference: Measurement) -> list[tuple[str, str, str, str]]:
    """The two rows every benchmark prints: seconds and peak memory, beside the reference and their ratio."""
    return [
        (
            f"{label}, seconds",
            f"{fokus.seconds:.2f}",
            f"{reference.seconds:.2f}",
            f"{fokus.seconds / reference.seconds:.2f}x",
        ),
        (
            f"{label}, peak MB",
            f"{fokus.peak_mb:.0f}",
            f"{reference.peak_mb:.0f}",
            f"{fokus.peak_mb / reference.peak_mb:.2f}x",
        ),
    ]
