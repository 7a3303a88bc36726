"""REFI-QDA speed: exporting and importing a project of 500 sources and 100,000 codings, with peak memory.

A project is generated (a Graph API archive of about 500 threads, then 100,000 codings by three coders imported
from CSV), exported with `fokus qdpx export`, and imported into an empty project with `fokus import`. The reference,
in the same run, writes and reads a .qdpx of the same size with nothing but zipfile and ElementTree: the cost of the
format itself, without a database, GUID bookkeeping, validation or safety checks.

    python bench/qdpx.py [--codings 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import write_graph_archive
from measure import compared, run_fokus, run_python, table

REFERENCE = """
import uuid, zipfile
from xml.etree import ElementTree as ET
NS = "urn:QDA-XML:project:1.0"
root = ET.Element("{{%s}}Project" % NS, name="ref")
sources = ET.SubElement(root, "{{%s}}Sources" % NS)
texts = {{}}
for s in range({sources}):
    guid = str(uuid.uuid4())
    texts[guid] = "x" * 2000
    source = ET.SubElement(sources, "{{%s}}TextSource" % NS, guid=guid, plainTextPath="internal://%s.txt" % guid)
    for c in range({codings} // {sources}):
        sel = ET.SubElement(source, "{{%s}}PlainTextSelection" % NS, guid=str(uuid.uuid4()), startPosition="0",
                            endPosition="10")
        coding = ET.SubElement(sel, "{{%s}}Coding" % NS, guid=str(uuid.uuid4()))
        ET.SubElement(coding, "{{%s}}CodeRef" % NS, targetGUID=str(uuid.uuid4()))
with zipfile.ZipFile({out!r}, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("project.qde", ET.tostring(root, encoding="utf-8", xml_declaration=True))
    for guid, text in texts.items():
        z.writestr("sources/%s.txt" % guid, text)
with zipfile.ZipFile({out!r}) as z:
    back = ET.fromstring(z.read("project.qde"))
    print(sum(1 for _ in back.iter("{{%s}}Coding" % NS)))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    args = parser.parse_args()
    codebook = Path(__file__).resolve().parents[1] / "codebooks" / "kommune-sosiale-medier.yaml"
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        write_graph_archive(base / "graph", 6700)
        db = str(base / "source.db")
        run_fokus("--db", db, "init", "--codebook", str(codebook))
        run_fokus("--db", db, "import", str(base / "graph"))
        with sqlite3.connect(db) as conn:
            messages = conn.execute("SELECT external_id, length(text) FROM messages").fetchall()
            threads = conn.execute("SELECT count(*) FROM threads").fetchone()[0]
            codes = [p for (p,) in conn.execute("SELECT path FROM codes WHERE codable")]
        with (base / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["message_id", "code", "start", "end", "coder"])
            seen = set()
            while len(seen) < args.codings:
                message, length = rng.choice(messages)
                start = rng.randrange(0, max(length - 5, 1))
                row = (message, rng.choice(codes), start, min(length, start + rng.randint(5, 80)), rng.choice("abc"))
                if row[3] > row[2] and row not in seen:
                    seen.add(row)
                    writer.writerow([*row[:4], f"koder-{row[4]}"])
        imported = run_fokus("--db", db, "codings", "import", str(base / "codings.csv"))
        out = base / "project.qdpx"
        export = run_fokus("--db", db, "qdpx", "export", str(out))
        target = str(base / "target.db")
        run_fokus("--db", target, "init", "--empty")
        back = run_fokus("--db", target, "import", str(out))
        status = json.loads(run_fokus("--db", target, "status", "--json").stdout)
        reference = run_python(REFERENCE.format(sources=threads, codings=args.codings, out=str(base / "ref.qdpx")))
        size = out.stat().st_size / 1e6
    print(f"{threads} sources, {len(messages)} messages, {args.codings} codings; the .qdpx is {size:.1f} MB")
    print(export.stdout.strip())
    print(back.stdout.strip())
    assert status["codings"]["accepted"] == args.codings, status
    print(
        table(
            [
                *compared("export", export, reference),
                *compared("import", back, reference),
                ("codings import from CSV, seconds", f"{imported.seconds:.2f}", "-", "-"),
            ]
        )
    )
    print("reference: writing and reading the same volume with zipfile and ElementTree alone")


if __name__ == "__main__":
    main()
