"""The demo: the bundled corpus builds a realistic project, again without duplicates, with no real name in exports."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from fokus.resources import bundled
from tests.test_cli import digest, fokus


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    folder = tmp_path_factory.mktemp("demo")
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        out = fokus("demo", "--no-tui")
    finally:
        os.chdir(cwd)
    assert "Built the demo" in out
    # the whole study: phase 1's pages scored into the ten best, phase 2's survey in, then the focus group's coding
    assert re.search(r"^Phase 1: 275 municipalities' pages with [\d,]+ posts and [\d,]+ comments", out, re.M), out
    assert re.search(r"^Phase 2: the survey of the 30 best, \d+ closed items as case attributes", out, re.M), out
    # the study's hypotheses are checked on the demo's coding, each with a verdict
    from fokus.files.hypotheses import load_hypotheses
    from fokus.resources import default_hypotheses

    for hypothesis in load_hypotheses(default_hypotheses()).hypotheses:
        assert re.search(rf"^  {hypothesis.id}\s+(supported|not supported|too little data) ", out, re.M), out
    return folder / "fokus-demo.db"


def test_the_demo_is_a_realistic_focus_group(demo_db: Path) -> None:
    status = json.loads(fokus("--db", str(demo_db), "status", "--json"))
    assert status["messages"] >= 800
    assert status["threads"] >= 60
    assert status["participants"] >= 40
    assert status["cases"] >= 30
    assert status["participants_with_case"] >= 40
    assert status["group"] == "Kommunene i sosiale medier"
    assert status["codes"] >= 10
    assert set(status["coders"]) == {"ingrid", "magnus", "fokus"}  # two researchers and the rules
    messages = json.loads(fokus("--db", str(demo_db), "export", "messages", "--format", "json"))
    kinds = {m["kind"] for m in messages}
    assert kinds == {"post", "comment", "reply"}
    first, last = min(m["created_at"] for m in messages), max(m["created_at"] for m in messages)
    assert first.startswith("2013-01")
    assert last.startswith("2013-05")
    # the exports merged: messages from every format, each once
    texts = [m["text"] for m in messages]
    assert len(texts) == len({(m["participant"], m["created_at"], m["text"]) for m in messages})
    assert any("å" in t or "ø" in t for t in texts)  # mojibake repaired
    assert not any("Ã" in t for t in texts)


def test_the_status_counts_phase_1_apart_from_the_focus_group(demo_db: Path) -> None:
    status = json.loads(fokus("--db", str(demo_db), "status", "--json"))
    assert status["pages"] == 275
    assert status["page_posts"] > 30_000
    assert status["page_comments"] > status["page_posts"]
    assert re.search(r"^  pages +275 public pages, [\d,]+ posts", fokus("--db", str(demo_db), "status"), re.M)


def test_the_hand_coding_has_two_coders_and_real_disagreement(demo_db: Path) -> None:
    exported = json.loads(fokus("--db", str(demo_db), "codings", "export", "--format", "json"))
    rows = [row for row in exported if row["coder"] in ("ingrid", "magnus")]
    by_sentence: dict[tuple[str, int, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        by_sentence[(row["message_id"], row["start"], row["end"])][row["coder"]].add(row["code"])
    both = [codes for codes in by_sentence.values() if len(codes) == 2]
    assert len(by_sentence) >= 300
    agree = sum(1 for codes in both if codes["ingrid"] == codes["magnus"])
    assert 0.6 < agree / len(by_sentence) < 0.95
    top = {row["code"].split("/")[0] for row in rows}
    assert top >= {"dialog", "omdomme", "krise", "medvirkning", "eierskap", "ressurser", "plattform", "ungdom",
                   "politikk", "god-praksis"}  # fmt: skip


def test_running_the_demo_again_adds_nothing_and_keeps_new_coding(demo_db: Path) -> None:
    db = str(demo_db)
    message = json.loads(fokus("--db", db, "export", "messages", "--format", "json"))[0]["message_id"]
    fokus("--db", db, "codings", "add", message, "krise", "--coder", "tester")
    before = digest(demo_db)
    out = fokus("--db", db, "demo", "--no-tui")
    assert "0 messages added" in out
    assert "0 hand codings added" in out
    assert digest(demo_db) == before
    assert "tester" in json.loads(fokus("--db", db, "status", "--json"))["coders"]


def test_no_real_name_appears_in_any_export_outside_message_text(demo_db: Path) -> None:
    """Exports never read the identity table; names people write inside their messages are data (see redaction)."""
    db = str(demo_db)
    with (bundled("corpus") / "participants.csv").open(encoding="utf-8") as handle:
        names = [row["navn"] for row in csv.DictReader(handle)]

    def without_text(rows: list[dict[str, object]]) -> str:
        return json.dumps([{k: v for k, v in row.items() if k != "text"} for row in rows], ensure_ascii=False)

    outputs = [
        without_text(json.loads(fokus("--db", db, "export", "messages", "--format", "json"))),
        without_text(json.loads(fokus("--db", db, "codings", "export", "--format", "json"))),
        fokus("--db", db, "participants", "list", "--format", "csv"),
        fokus("--db", db, "cases", "list", "--format", "csv"),
        fokus("--db", db, "status", "--json"),
    ]
    assert all("Deltaker" in output for output in outputs[:3])
    for output in outputs:
        for name in names:
            assert name not in output
            assert name.split()[-1] not in output.split(",")


def test_fresh_deletes_only_demo_projects(tmp_path: Path, codebook_file: Path) -> None:
    fokus("--db", str(tmp_path / "mine.db"), "init", "--codebook", str(codebook_file))
    err = fokus("--db", str(tmp_path / "mine.db"), "demo", "--fresh", "--no-tui", ok=False)
    assert "is not a demo project" in err
    assert (tmp_path / "mine.db").exists()


def test_the_demo_opens_with_rule_suggestions_to_review(demo_db: Path) -> None:
    status = json.loads(fokus("--db", str(demo_db), "status", "--json"))
    assert status["codings"]["suggested"] > 100
    suggestions = json.loads(
        fokus("--db", str(demo_db), "codings", "export", "--status", "suggested", "--format", "json")
    )
    assert all(row["origin"].startswith("rule:") and row["coder"] == "fokus" for row in suggestions)
    assert all(0 < row["confidence"] < 1 for row in suggestions)


def test_evaluation_of_the_default_rules_on_the_hand_coding(demo_db: Path) -> None:
    """The default rules were written from the codebook alone, never against this corpus: precision first."""
    result = json.loads(fokus("--db", str(demo_db), "evaluate", "--format", "json"))
    assert result["units"] >= 600
    assert result["micro"]["precision"] >= 0.8
    assert result["micro"]["recall"] >= 0.3
    themes = {row["theme"] for row in result["rows"]}
    assert themes >= {"dialog", "krise", "medvirkning", "eierskap", "ressurser", "plattform", "politikk"}


def test_the_focus_group_alone_without_phase_1(tmp_path: Path) -> None:
    """`--focus-group-only` builds the focus group alone: without the 275 generated pages and the survey."""
    db = str(tmp_path / "small.db")
    out = fokus("--db", db, "demo", "--no-tui", "--focus-group-only")
    assert "Built the demo" in out
    assert "Phase 1" not in out
    assert "Phase 2" not in out
    assert fokus("--db", db, "pages", "list", "--format", "csv").splitlines()[1:] == []
    status = json.loads(fokus("--db", db, "status", "--json"))
    assert status["messages"] >= 800
    assert status["pages"] == 0
    assert "pages" not in fokus("--db", db, "status")
