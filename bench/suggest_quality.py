"""Suggestion quality: the rules, the model and the two combined, on the demo (cross-validated) and on held-out text.

Two measurements, each with the three rows of issue 17 (micro precision, recall and F1 over the default codebook's
ten themes):

- **the demo, cross-validated by thread**: `fokus evaluate --cross-validate` on the demo's hand coding; each
  fold's model and combiner are trained on the other folds' threads only;
- **held out**: bench/heldout/themes.tsv, sentences written and coded for fokus without looking at the rules or
  the demo, and never used to write rules or choose anything. A copy of the demo learns from all its coding
  (`fokus learn`); the held-out threads are imported as a CSV export (`fokus import`) and tagged (`fokus tag`, which
  applies the model's combiner); then per held-out sentence: *rules* = a code's rules fire on it (run afresh),
  *model* = the model's probability reaches its code's threshold, *combined* = the open suggestions on it, what the
  review queue shows. fokus's sentences are matched to the held-out ones by their character spans.

Each also has a fourth row, *rules or model*: what the review queue showed before the combiner (the rules'
suggestions and the model's above its own thresholds, added together).

Like bench/lemmas.py this measures answers, not time, so it runs in this process (the commands as subprocesses).

    python bench/suggest_quality.py [--keep DIR] [--json]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, Rows, Say, parse, quiet, run_fokus, show, workspace

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = ROOT / "bench" / "heldout" / "themes.tsv"


def read_held_out(path: Path = HELD_OUT) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def held_out_csv(rows: list[dict[str, str]], target: Path) -> dict[tuple[str, int, int], set[str]]:
    """Write the held-out threads as a CSV export; return each sentence's themes by (message id, start, end)."""
    messages: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        messages[(row["thread"], row["message"])].append(row)
    gold: dict[tuple[str, int, int], set[str]] = {}
    with target.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "thread_id", "parent_id", "author", "created_time", "text", "case"])
        for (thread, number), sentences in messages.items():
            mid = f"heldout-{thread}-{number}"
            post = f"heldout-{thread}-0"
            text = ""
            for sentence in sentences:
                if text:
                    text += " "
                start = len(text)
                text += sentence["text"]
                gold[(mid, start, len(text))] = {t for t in sentence["themes"].split(",") if t}
            minute = int(number)
            author = f"Deltaker {(int(thread) * 7 + minute) % 9 + 1}"
            when = f"2013-06-{int(thread) % 28 + 1:02d}T10:{minute:02d}:00+02:00"
            case = f"Kommune {(int(thread) + minute) % 6 + 1}"
            out.writerow([mid, post, "" if mid == post else post, author, when, text, case])
    return gold


def _figures(truth: list[set[str]], guess: list[set[str]]) -> tuple[float, float, float]:
    tp = sum(len(t & g) for t, g in zip(truth, guess, strict=True))
    fp = sum(len(g - t) for t, g in zip(truth, guess, strict=True))
    fn = sum(len(t - g) for t, g in zip(truth, guess, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def held_out(folder: Path, demo: Path, say: Say) -> dict[str, tuple[float, float, float]]:
    """The three sources' (precision, recall, F1) on the held-out sentences; see the module docstring."""
    import numpy as np
    from sqlalchemy import select

    from fokus.api.evidence import around, fresh_rule_evidence, model_probabilities
    from fokus.api.learning import load_model, models_folder
    from fokus.model import Code, Coding, Message, Unit
    from fokus.nlp import load_pipeline
    from fokus.store.project import open_project

    db = folder / "heldout.db"
    shutil.copy(demo, db)
    gold = held_out_csv(read_held_out(), folder / "heldout.csv")
    for args in (("learn",), ("import", str(folder / "heldout.csv")), ("tag",)):
        run_fokus("--db", str(db), *args, cwd=str(folder))
    project = open_project(db)
    with project.read() as session:
        external = dict(session.execute(select(Message.id, Message.external_id)).all())
        units = session.execute(
            select(Message.external_id, Message.id).where(Message.external_id.like("heldout-%"))
        ).all()
        mids = {mid for _ext, mid in units}
        unit_ids = [u for u, m in session.execute(select(Unit.id, Unit.message_id)) if m in mids]
        sentences = around(session, unit_ids)
        keep = np.isin(sentences.messages, list(mids))
        sentences = sentences.take(np.flatnonzero(keep))
        codes = sorted(path for (path,) in session.execute(select(Code.path).where(Code.codable.is_(True))))
        rules, _count = fresh_rule_evidence(session, load_pipeline(None), sentences, codes)
        _version, model = load_model(session, models_folder(db))
        probabilities = model_probabilities(model, sentences, codes)
        own = dict(zip(model.codes, model.thresholds.tolist(), strict=True))
        threshold = np.array([own.get(code, np.inf) for code in codes])
        threshold[np.isnan(threshold)] = np.inf
        model_pick = np.nan_to_num(probabilities, nan=0.0) >= threshold
        open_ = defaultdict(set)
        query = (
            select(Coding.message_id, Coding.start, Coding.end, Code.path)
            .join(Code, Code.id == Coding.code_id)
            .where(Coding.status == "suggested", Coding.message_id.in_(mids))
        )
        for mid, start, end, path in session.execute(query):
            open_[(mid, start, end)].add(path.split("/")[0])
    by_gold: dict[tuple[str, int, int], dict[str, set[str]]] = {
        key: {"rules": set(), "model": set(), "combined": set()} for key in gold
    }
    spans = defaultdict(list)
    for key in gold:
        spans[key[0]].append(key)
    for i in range(len(sentences)):
        mid, start, end = int(sentences.messages[i]), int(sentences.starts[i]), int(sentences.ends[i])
        for key in spans[external[mid]]:
            shared = min(end, key[2]) - max(start, key[1])
            if shared * 2 >= min(end - start, key[2] - key[1]) and shared > 0:
                themes = by_gold[key]
                themes["rules"] |= {codes[j].split("/")[0] for j in np.flatnonzero(rules[i] > 0)}
                themes["model"] |= {codes[j].split("/")[0] for j in np.flatnonzero(model_pick[i])}
                themes["combined"] |= open_.get((mid, start, end), set())
    keys = list(gold)
    say(f"held out: {len(keys)} sentences in {len({k[0] for k in keys})} messages")
    for themes in by_gold.values():
        themes["rules or model"] = themes["rules"] | themes["model"]
    return {
        source: _figures([gold[k] for k in keys], [by_gold[k][source] for k in keys])
        for source in ("rules", "model", "combined", "rules or model")
    }


def cross_validated_demo(demo: Path) -> dict[str, tuple[float, float, float]]:
    """`fokus evaluate --cross-validate`'s micro figures per theme, and the rules' or the model's together."""
    from fokus.api.suggestion_quality import cross_validated, quality
    from fokus.nlp import load_pipeline
    from fokus.store.project import open_project

    project = open_project(demo)
    with project.read() as session:
        predictions = cross_validated(session, load_pipeline(None))
    project.close()
    predictions.by_source["rules or model"] = predictions.by_source["rules"] | predictions.by_source["model"]
    summary = {row["source"]: row for row in quality(predictions).summary}
    union = quality(predictions, sources=("rules or model",)).summary[0]
    return {
        source: (row["precision"] or 0.0, row["recall"] or 0.0, row["f1"] or 0.0)
        for source, row in [*summary.items(), ("rules or model", union)]
    }


def measure(*, workdir: Path | None = None, say: Say = quiet) -> list[Row]:
    rows = Rows("suggest_quality", "the demo's hand coding (cross-validated by thread) and bench/heldout (held out)")
    with workspace(workdir) as shared:
        folder = shared / "suggest_quality"  # its own folder in a shared one (bench/run_all.py)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        run_fokus("demo", "--no-tui", cwd=str(folder))
        demo = folder / "fokus-demo.db"
        for source, figures in cross_validated_demo(demo).items():
            for what, value in zip(("precision", "recall", "f1"), figures, strict=True):
                rows.add(f"demo (cross-validated), {source}, {what}", value, digits=3, ratio=False)
        for source, figures in held_out(folder, demo, say).items():
            for what, value in zip(("precision", "recall", "f1"), figures, strict=True):
                rows.add(f"held out, {source}, {what}", value, digits=3, ratio=False)
    return rows.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Work in this folder and leave it in place.")
    args, say = parse(parser)
    show(measure(workdir=args.keep, say=say), as_json_rows=args.json)


if __name__ == "__main__":
    main()
