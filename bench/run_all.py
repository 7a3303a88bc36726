"""Every benchmark in one run and one table: figure, fokus, reference, ratio, the issue's goal and whether it is met.

Runs each script's ``measure()`` in turn (import, tag, tui, analysis, qdpx, learn, lemmas, suggest_quality,
postgres, pages), each as it runs alone: whole fokus processes on generated data of the sizes the issues name.
They share one scratch folder, so data that is the same is generated once: the Graph API archive of a given size,
and the tagged project bench/tag.py leaves for bench/tui.py (the same archive, codebook and commands tui.py would
run itself). Progress goes to stderr; the table to stdout. A full run takes many minutes on two cores; ``--quick``
checks the harness itself in about one.

    python bench/run_all.py [--only import,tag] [--quick] [--markdown | --json]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, as_json, markdown, table

BENCH = Path(__file__).resolve().parent

ORDER = ("import", "tag", "tui", "analysis", "qdpx", "learn", "lemmas", "suggest_quality", "postgres", "pages")

QUICK: dict[str, dict[str, Any]] = {
    "import": {"messages": 2_000},
    "tag": {"messages": 2_000},
    "tui": {"messages": 2_000},
    "analysis": {"messages": 2_000, "codings": 20_000},
    "qdpx": {"messages": 2_000, "codings": 20_000},
    "learn": {"sentences": 5_000, "coded": 1_000},
    "lemmas": {},
    "suggest_quality": {},
    "postgres": {"messages": 2_000, "codings": 20_000},
    "pages": {"posts": 3_300, "comments": 30_000},
}
"""Sizes for a smoke run of the harness; the figures mean little at these sizes."""


def load(name: str) -> ModuleType:
    """bench/<name>.py as a module (``import`` is a keyword, so not through an import statement)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no benchmark script {BENCH / name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def machine() -> str:
    """The machine in the README's words: cores, CPU model, memory, Python."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model, memory = platform.processor() or platform.machine(), ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        kb = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:"))
        memory = f", {kb / 1024**2:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{cores} cores of an {model}{memory}, Python {platform.python_version()}"


def chosen(only: str | None) -> list[str]:
    if not only:
        return list(ORDER)
    names = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        raise SystemExit(f"run_all.py: unknown benchmark {', '.join(unknown)} (choose from {', '.join(ORDER)})")
    return [n for n in ORDER if n in names]


def progress(name: str) -> Callable[[str], None]:
    def say(text: str) -> None:
        for line in text.splitlines():
            print(f"[{name}] {line}", file=sys.stderr, flush=True)

    return say


def run(names: list[str], *, quick: bool, workdir: Path) -> tuple[list[Row], list[str]]:
    """Every named benchmark's rows, and the names of those that failed (each failure is told on stderr and the
    others still run: one broken script should not cost the other figures of a long run)."""
    rows: list[Row] = []
    failed: list[str] = []
    for name in names:
        say = progress(name)
        sizes = QUICK[name] if quick else {}
        say(f"running {name}.measure({', '.join(f'{k}={v}' for k, v in sizes.items())})")
        start = time.perf_counter()
        try:
            rows += load(name).measure(**sizes, workdir=workdir, say=say)
        except Exception:
            failed.append(name)
            say(f"FAILED after {time.perf_counter() - start:.0f} s:\n{traceback.format_exc()}")
            continue
        say(f"done in {time.perf_counter() - start:.0f} s")
    return rows, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"Comma-separated benchmarks to run, of {','.join(ORDER)} (default: all).")
    parser.add_argument(
        "--quick", action="store_true", help="A smoke run with small sizes (about a minute), to check the harness."
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="Print a Markdown table for the README.")
    output.add_argument("--json", action="store_true", help="Print the rows as JSON.")
    args = parser.parse_args()
    names = chosen(args.only)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fokus-bench-") as tmp:
        rows, failed = run(names, quick=args.quick, workdir=Path(tmp))
    print(f"[run_all] {len(names)} benchmarks in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.json:
        print(as_json(rows))
    elif args.markdown:
        quick = " (a --quick smoke run: small sizes, not the issues')" if args.quick else ""
        print(f"Measured on {date.today().isoformat()} on {machine()}{quick}:\n")
        print(markdown(rows))
    else:
        for about in dict.fromkeys(f"{row.benchmark}: {row.about}" for row in rows):
            print(about)
        print()
        print(table(rows, benchmarks=True))
    if failed:
        print(f"[run_all] failed: {', '.join(failed)} (see above)", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
