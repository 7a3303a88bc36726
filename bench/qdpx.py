"""REFI-QDA speed: exporting and importing a project of 500 sources and 100,000 codings, with peak memory.

A project is generated (a Graph API archive of about 500 threads, then 100,000 codings by three coders imported
from CSV), exported with `fokus qdpx export`, and imported into an empty project with `fokus import`. The reference,
in the same run, writes and reads a .qdpx of the same size with nothing but zipfile and ElementTree: the cost of the
format itself, without a database, GUID bookkeeping, validation or safety checks.

The peer tool qc (the `qualitative-coding` package) imports the same .qdpx with `qc init --import` when its Python
is given (``--qc-python``, or the environment variable ``FOKUS_BENCH_QC_PYTHON``: the interpreter of a separate venv
where it is installed, never the project's own); the issue's goal is an import at least 10x faster than qc's and under
300 MB. Without it, that row is left out.

    python -m venv /tmp/qcvenv && /tmp/qcvenv/bin/pip install qualitative-coding
    python bench/qdpx.py [--codings 100000] [--qc-python /tmp/qcvenv/bin/python] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphgen import archive
from measure import (
    Measurement,
    Row,
    Rows,
    Say,
    parse,
    private,
    quiet,
    run_fokus,
    run_python,
    show,
    under,
    within,
    workspace,
)

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "kommune-sosiale-medier.yaml"

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


QC = """
import atexit, resource, sys
atexit.register(lambda: print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
sys.argv = ["qc", "init", "--import", {qdpx!r}]
from qualitative_coding.cli import cli
cli()
"""


def for_qc(qdpx: Path, out: Path) -> Path:
    """A copy of ``qdpx`` that qc can import: qc writes each source to a file named after it, so each source's name
    is made a unique file name (a thread's title may hold "/" or repeat another's); nothing else changes."""
    with zipfile.ZipFile(qdpx) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "project.qde":
                ET.register_namespace("", "urn:QDA-XML:project:1.0")
                root = ET.fromstring(data)
                for n, element in enumerate(root.iter("{urn:QDA-XML:project:1.0}TextSource")):
                    element.set("name", f"{n:04d} {element.get('name', '').replace('/', '-')[:80]}")
                data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
            copy.writestr(info, data)
    return out


def run_qc(python: str, qdpx: Path, folder: Path) -> Measurement:
    """qc's import of ``qdpx`` into the empty ``folder`` (its own project), as a whole process, with its peak memory."""
    folder.mkdir()
    start = time.perf_counter()
    quiet_debugger = {**os.environ, "PYTHONBREAKPOINT": "0"}  # qc 1.7.8's import stops at a breakpoint() left in
    done = subprocess.run(
        [python, "-c", QC.format(qdpx=str(qdpx))],
        capture_output=True,
        text=True,
        cwd=folder,
        env=quiet_debugger,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"qc failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = next((line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB")), "0")
    return Measurement(seconds, int(peak) / 1024, done.stdout)


def measure(
    codings: int = 100_000,
    messages: int = 6700,
    *,
    qc_python: str | None = os.environ.get("FOKUS_BENCH_QC_PYTHON"),
    workdir: Path | None = None,
    say: Say = quiet,
) -> list[Row]:
    """Export a project of ``messages`` messages and ``codings`` codings to .qdpx and import it into an empty one;
    qc imports it too when ``qc_python`` names the Python of a venv that has it."""
    rng = random.Random(3)
    with workspace(workdir) as shared, private(shared / "qdpx") as base:
        folder, _ = archive(shared, messages)
        db = str(base / "source.db")
        run_fokus("--db", db, "init", "--codebook", str(CODEBOOK))
        run_fokus("--db", db, "import", str(folder))
        with sqlite3.connect(db) as conn:
            texts = conn.execute("SELECT external_id, length(text) FROM messages").fetchall()
            threads = conn.execute("SELECT count(*) FROM threads").fetchone()[0]
            codes = [p for (p,) in conn.execute("SELECT path FROM codes WHERE codable")]
        with (base / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["message_id", "code", "start", "end", "coder"])
            seen: set[tuple[str, str, int, int, str]] = set()
            while len(seen) < codings:
                message, length = rng.choice(texts)
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
        reference = run_python(REFERENCE.format(sources=threads, codings=codings, out=str(base / "ref.qdpx")))
        qc = run_qc(qc_python, for_qc(out, base / "qc.qdpx"), base / "qc") if qc_python else None
        size = out.stat().st_size / 1e6
    say(export.stdout.strip())
    say(back.stdout.strip())
    assert status["codings"]["accepted"] == codings, status
    about = f"{threads:,} sources, {len(texts):,} messages, {codings:,} codings ({size:.1f} MB .qdpx)"
    rows = Rows("qdpx", about)
    rows.compared("export", export, reference)
    rows.compared("import into an empty project", back, reference)
    if qc is not None:
        rows.add("import, seconds, beside qc's import", back.seconds, qc.seconds, goal=within(0.1))
        rows.add("import, peak MB, beside qc's import", back.peak_mb, qc.peak_mb, goal=under(300, "MB"), digits=0)
    else:
        say("qc's import left out: no --qc-python (or FOKUS_BENCH_QC_PYTHON) naming a Python that has qc")
    rows.add("codings import from CSV, seconds", imported.seconds)
    say("reference: writing and reading the same volume with zipfile and ElementTree alone")
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--codings",
        type=int,
        default=100_000,
        help="Codings by three coders in the exported project (default: %(default)s)",
    )
    parser.add_argument(
        "--qc-python",
        default=os.environ.get("FOKUS_BENCH_QC_PYTHON"),
        help="The Python of a separate venv with qc (pip install qualitative-coding), to import the same .qdpx with"
        " it (default: $FOKUS_BENCH_QC_PYTHON; left out when neither is given)",
    )
    args, say = parse(parser)
    show(measure(args.codings, qc_python=args.qc_python, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
