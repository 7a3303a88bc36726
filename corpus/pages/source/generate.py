#!/usr/bin/env python3
"""Write the demo's pages file, corpus/pages/pages.csv, from the municipalities in kommuner.csv; and, on request,
the page feeds themselves.

Run from the repository root with fokus installed (the checkout's venv):

    python corpus/pages/source/generate.py               # corpus/pages/pages.csv
    python corpus/pages/source/generate.py --feeds DIR   # also the 275 Graph API feeds, as `fokus demo` makes them

kommuner.csv holds the 416 municipalities of 2013 whose names are unique in Norway, with their county, an
approximate population of 2013 (rounded, from memory of Statistics Norway's tables: illustrative, not the study's
data) and their written standard. The study followed 275 pages: the 36 of the focus group and the largest of the
others (a small municipality was less likely to have a page in 2013). Followers and the growth over the window come
from fokus.api.demo_pages (a page's hidden quality); page ids are drawn from a seeded random stream. The output is
byte-identical from run to run.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from fokus.api.demo_pages import SEED, STANDOUTS, followers, generate, read_pages  # noqa: E402

SOURCE = ROOT / "corpus" / "pages" / "source" / "kommuner.csv"
CASES = ROOT / "corpus" / "cases.csv"
OUT = ROOT / "corpus" / "pages" / "pages.csv"
PAGES = 275
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A", " ": "-"})


def municipalities() -> list[dict[str, str]]:
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with CASES.open(encoding="utf-8", newline="") as handle:
        cases = {row["kommune"]: row for row in csv.DictReader(handle)}
    names = [row["kommune"] for row in rows]
    if len(set(names)) != len(names):
        raise SystemExit("kommuner.csv names a municipality twice")
    for name in STANDOUTS:
        if name not in cases or name not in names:
            raise SystemExit(f"{name} of the focus group is missing from cases.csv or kommuner.csv")
    for row in rows:
        case = cases.get(row["kommune"])
        if case and (case["innbyggertall"] != row["innbyggertall"] or case["maalform"] != row["maalform"]):
            raise SystemExit(f"{row['kommune']}: kommuner.csv and cases.csv disagree on population or målform")
    others = sorted((r for r in rows if r["kommune"] not in STANDOUTS), key=lambda r: -int(r["innbyggertall"]))
    chosen = {r["kommune"] for r in others[: PAGES - len(STANDOUTS)]} | set(STANDOUTS)
    return [row for row in rows if row["kommune"] in chosen]


def page_ids(names: list[str]) -> dict[str, str]:
    """A 15-digit id per page (as pages had in 2013), unique in its last nine digits (post ids are built on them)."""
    ids: dict[str, str] = {}
    tails: set[str] = set()
    for name in names:
        rng = Random(f"{SEED}/page/{name}")
        while (candidate := str(rng.randrange(10**14, 2 * 10**14)))[-9:] in tails:
            pass
        tails.add(candidate[-9:])
        ids[name] = candidate
    return ids


def write_pages() -> None:
    rows = municipalities()
    ids = page_ids([row["kommune"] for row in rows])
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["kommune", "fylke", "målform", "side", "navn", "følgere_start", "følgere_slutt", "innbyggertall"]
        )
        for row in rows:
            name = row["kommune"]
            start, end = followers(name, int(row["innbyggertall"]))
            slug = f"{name} kommune".translate(ASCII)
            url = f"https://www.facebook.com/pages/{slug}/{ids[name]}"
            writer.writerow(
                [name, row["fylke"], row["maalform"], url, f"{name} kommune", start, end, row["innbyggertall"]]
            )
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=Path, help="Also write the page feeds (Graph API JSON) into this folder.")
    args = parser.parse_args()
    write_pages()
    if args.feeds:
        made = generate(args.feeds, rows=read_pages(OUT))
        print(f"wrote {len(made.files)} feeds into {args.feeds}: {made.posts:,} posts, {made.comments:,} comments")


if __name__ == "__main__":
    main()
