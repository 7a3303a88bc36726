"""Re-anchoring speed: codings of a long message mapped to its edited text, beside a plain word diff.

A message of 20,000 and one of 60,000 characters (the demo corpus's own texts, one after another, as a long post
pasted in) is edited as a newer export edits it: a typo fixed near the start, a sentence inserted, one deleted,
one rewritten, a few words changed here and there, a line added at the end. It carries a coding every 400
characters or so. Three figures for each size, in this one run:

- ``reanchor()``, in this process: the diff and every coding's new place (what re-importing runs for the message);
- the reference, in this process: ``difflib.SequenceMatcher`` on the words (``text.split()``, ``autojunk=False``),
  only the opcodes, no placement: what a careful engineer would reach for first (on fokus's own tokens, which keep
  the white space between words so that offsets can be mapped back, difflib takes 2.4 s and 22 s);
- ``fokus import`` of the edited export, as a whole process (interpreter, parsing, re-anchoring, writing), after a
  project was made, the first version imported and its codings imported with ``fokus codings import``.

Before issue 14 the diff was by characters: 11 s for 20,000 characters and 126 s for 60,000, holding the write lock.

    python bench/reanchor.py [--sizes 20000,60000] [--json]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Rows, Say, parse, private, quiet, run_fokus, show, under, workspace

from fokus.api.reanchor_spans import EXACT, LOST, MOVED, reanchor

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "source"
HEAD = ["id", "thread_id", "parent_id", "author", "created_time", "text"]


def _texts(node: object) -> list[str]:
    """Every message text of a demo master file, in file order."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for key, value in node.items() if key != "text" for t in _texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def long_message(size: int) -> str:
    """``size`` characters of the demo's messages, one paragraph each (repeated if the corpus runs out)."""
    texts = [t for f in sorted(CORPUS.glob("threads_*.yaml")) for t in _texts(yaml.safe_load(f.read_text("utf-8")))]
    out: list[str] = []
    length, k = 0, 0
    while length < size:
        out.append(texts[k % len(texts)])
        length += len(out[-1]) + 2
        k += 1
    return "\n\n".join(out)[:size].rstrip() + "."


def edited(text: str) -> str:
    """The text as a newer export has it (see the module docstring)."""
    n = len(text)

    def sentence_at(pos: int) -> tuple[int, int]:
        start = text.rfind(". ", 0, pos) + 2
        return start, text.find(".", start) + 1

    s1, e1 = sentence_at(n // 2)
    s2, e2 = sentence_at(3 * n // 4)
    insert = n // 4
    new = (
        text[:insert]
        + " Dette er en ny setning som kom inn i den nye eksporten."
        + text[insert:s1]
        + text[e1:s2]
        + "Kommunen skrev om hele dette avsnittet etterpå, med andre ord."
        + text[e2:]
        + "\nRedigert: lagt til en linje på slutten."
    )
    new = re.sub(r"\bkommunen\b", "Kommunen", new, count=3)  # a typo fixed near the start
    for step in range(1, 10):  # a few words changed here and there
        at = new.find(" og ", step * len(new) // 10)
        if at >= 0:
            new = new[:at] + " samt " + new[at + 4 :]
    return new


def spans(text: str) -> list[tuple[int, int]]:
    """A coding every 400 characters or so: from a word's start to a sentence's end."""
    found = []
    for pos in range(0, len(text) - 200, 400):
        start = text.find(" ", pos) + 1
        end = text.find(".", start + 40) + 1
        if 0 < start < end <= len(text):
            found.append((start, end))
    return found


def _timed(run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


def measure(sizes: tuple[int, ...] = (20_000, 60_000), *, workdir: Path | None = None, say: Say = quiet) -> list:
    rows = Rows("reanchor", "one edited message of " + " and ".join(f"{s:,}" for s in sizes) + " characters")
    with workspace(workdir) as base, private(base / "reanchor") as folder:
        for size in sizes:
            old = long_message(size)
            new = edited(old)
            coded = spans(old)
            placements: list = []
            fokus = _timed(lambda: placements.extend(reanchor(old, new, coded)))  # noqa: B023
            a, b = old.split(), new.split()
            reference = _timed(lambda: SequenceMatcher(None, a, b, autojunk=False).get_opcodes())  # noqa: B023
            states = [p.state for p in placements]
            say(
                f"{size:,} characters, {len(coded)} codings: {states.count(EXACT)} follow their text,"
                f" {states.count(MOVED)} moved, {states.count(LOST)} lost"
            )
            rows.add(f"re-anchor {size:,} chars, seconds", fokus, reference, goal=under(1, "s"), digits=3)
            whole = _imported(folder / str(size), old, new, coded)
            say(whole.stdout.strip())
            rows.add(f"fokus import of the {size:,}-char edit, seconds", whole.seconds)
    return rows.rows


def _imported(folder: Path, old: str, new: str, coded: list[tuple[int, int]]) -> object:
    """The whole `fokus import` of the edited export into a project holding the first version and its codings."""
    folder.mkdir(parents=True)
    db = str(folder / "fokus.db")
    for name, text, when in (("a.csv", old, "2013-03-01T10:00:00+00:00"), ("b.csv", new, "2013-03-01T10:00:00+00:00")):
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([HEAD, ["p1", "p1", "", "Kari Holmen", when, text]])
    with (folder / "codings.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["message_id", "code", "start", "end", "coder"])
        writer.writerows(["p1", "krise", s, e, "ingrid"] for s, e in coded)
    run_fokus("--db", db, "init")
    run_fokus("--db", db, "import", str(folder / "a.csv"))
    run_fokus("--db", db, "codings", "import", str(folder / "codings.csv"))
    return run_fokus("--db", db, "import", str(folder / "b.csv"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,60000", help="Message lengths in characters (default: %(default)s)")
    args, say = parse(parser)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    show(measure(sizes, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
