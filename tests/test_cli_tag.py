"""`fokus tag` and `fokus evaluate` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import fokus

CODEBOOK = """\
ubiquitous: [facebook]
codes:
  - id: krise
    name: Krise
    rules:
      - id: flom
        any: [flom, beredskap]
        weight: 0.8
  - id: dialog
    name: Dialog
"""
CSV = (
    "id,author,created_time,text\n"
    "1,Kari Holmen,2013-03-01 10:00,Flommen kom i natt. Vi svarte alle.\n"
    "2,Geir Mathisen,2013-03-01 11:00,Beredskapsplanen virket.\n"
)


def test_tag_then_evaluate(tmp_path: Path) -> None:
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    fokus("init", "--codebook", str(tmp_path / "cb.yaml"))
    fokus("import", str(tmp_path / "m.csv"))
    out = fokus("tag")
    assert "read 2 of 2 messages (3 sentences)" in out
    assert "Suggestions: 2 new" in out
    assert "Nothing new or affected: all 2 messages are tagged" in fokus("tag")
    suggested = json.loads(fokus("codings", "export", "--status", "suggested", "--format", "json"))
    assert [(s["message_id"], s["text"], s["origin"]) for s in suggested] == [
        ("1", "Flommen kom i natt.", "rule:krise:flom"),
        ("2", "Beredskapsplanen virket.", "rule:krise:flom"),
    ]
    fokus("codings", "add", "1", "krise", "--span", "0:19", "--coder", "ingrid")
    fokus("codings", "add", "1", "dialog", "--span", "20:35", "--coder", "ingrid")
    result = json.loads(fokus("evaluate", "--format", "json"))
    rows = {row["theme"]: row for row in result["rows"]}
    assert result["units"] == 2
    assert (rows["krise"]["precision"], rows["krise"]["recall"]) == (1.0, 1.0)
    assert (rows["dialog"]["recall"], rows["dialog"]["false_negatives"]) == (0.0, 1)
    assert "| krise | 1.0 | 1.0 | 1.0 |" in fokus("evaluate", "--format", "md")


def test_an_unknown_model_is_one_line(tmp_path: Path, codebook_file: Path) -> None:
    fokus("init", "--codebook", str(codebook_file))
    err = fokus("tag", "--model", str(tmp_path / "missing-model"), ok=False)
    assert err.startswith("fokus: error: cannot load the spaCy pipeline")
    assert err.count("\n") == 1
