"""`fokus rules suggest`: triggers mined from the researchers' coding, and --write adding them to the codebook file
losslessly, on both backends."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.cli import main
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import Code, Coding, CodingStatus, Message
from fokus.nlp import load_pipeline
from fokus.store import open_project
from tests.conftest import at, parsed, record

CODEBOOK = """\
# A test codebook: every comment, quote and blank line must survive --write.
codebook: Testbok
ubiquitous: [kommune]   # never a trigger alone

codes:
  - id: krise
    name: "Krise"        # quoted on purpose
    rules:
      # the rule the researchers started with
      - id: flom
        any: [flom]
        weight: 0.8
    # the children come after the rules
    children:
      - id: strom
        name: 'Strøm'
  - id: dialog
    name: Dialog
    description: >-
      Spørsmål og svar.
    children:
      - id: tone
        name: Tone
"""

#: message id -> (text, the code a researcher gave the whole message, or None for an uncoded message)
MESSAGES = {
    "m1": ("Strømbruddet varte hele natten.", "krise"),
    "m2": ("Vi hadde strømbrudd i hele kommunen.", "krise"),
    "m3": ("Etter strømbruddet la vi ut beskjed.", "krise"),
    "m4": ("Flommen tok veien.", "krise"),
    "m5": ("Vi svarer på spørsmål om strømbrudd.", "dialog"),
    "m6": ("Vi må hente svar fra fagetaten.", "dialog"),
    "m7": ("Vi henter svar hos rådmannen.", "dialog"),
    "m8": ("Kan dere hente svar i dag?", "dialog"),
    "m9": ("Vi henter posten i dag.", "krise"),
    "m10": ("Takk for svar!", "krise"),
    "m11": ("Strømbruddet kom i går.", None),
}

runner = CliRunner()


@pytest.fixture
def coded(db: str, tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "kodebok.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    project = open_project(db, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(path))
        records = [record(mid, "Kari", text, when=at(i + 1)) for i, (mid, (text, _)) in enumerate(MESSAGES.items())]
        import_messages(session, [parsed(*records)])
        rows = [
            CodingRow(mid, code, None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, mid)
            for mid, (_, code) in MESSAGES.items()
            if code is not None
        ]
        import_codings(session, rows, display="test")
        tag_messages(session, load_pipeline("fokus-nb"))
    project.close()
    return db, path


def fokus(db: str, *args: str) -> Result:
    return runner.invoke(main, ["--db", db, *args], catch_exceptions=False)


def rules_of(db: str) -> dict[str, list[dict[str, object]]]:
    project = open_project(db)
    with project.read() as session:
        found = {path: rules or [] for path, rules in session.execute(select(Code.path, Code.rules))}
    project.close()
    return found


def test_suggest_finds_the_lemma_and_the_phrase_that_separate_a_code(coded: tuple[str, Path]) -> None:
    db, _ = coded
    result = fokus(db, "rules", "suggest", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sentences"] == 10  # the ten coded messages, one sentence each; m11 nobody decided on
    codes = {entry["code"]: entry for entry in report["codes"]}
    assert list(codes) == ["krise", "krise/strom", "dialog", "dialog/tone"]  # codebook order
    krise = codes["krise"]
    # m1-m4, m9, m10 are krise; its rule (flom) catches m4 only; m5 (dialog) also holds strømbrudd
    assert (krise["accepted"], krise["other"], krise["caught_by_rules"]) == (6, 4, 1)
    [strom] = krise["proposals"]
    assert (strom["kind"], strom["trigger"], strom["positives"], strom["wrong"], strom["new"]) == (
        "lemma",
        "strømbrudd",
        3,
        1,
        3,
    )
    assert strom["precision"] == 0.75
    assert strom["threads"] == 3  # every message is a thread of its own here
    assert strom["score"] == pytest.approx(3 * 0.3006, abs=0.01)  # Wilson lower bound of 3/4, times 3 new
    assert krise["weight"] == 0.67  # (3 + 1) / (4 + 2)
    dialog = codes["dialog"]
    assert (dialog["accepted"], dialog["other"], dialog["caught_by_rules"]) == (4, 6, 0)
    rows = [(p["kind"], p["trigger"], p["positives"], p["wrong"], p["new"]) for p in dialog["proposals"]]
    # "svar" (m5 as a reading of "svarer", m6-m8; wrongly m10) first; the phrase "hente svar" is right every time;
    # "hente" alone (wrong in m9) adds nothing the phrase does not
    assert rows == [("lemma", "svar", 4, 1, 4), ("phrase", "hente svar", 3, 0, 3)]
    assert dialog["together"] == {"positives": 4, "wrong": 1, "new": 4}
    assert codes["krise/strom"]["proposals"] == []


def test_suggest_for_one_code_with_thresholds_and_the_table(coded: tuple[str, Path]) -> None:
    db, _ = coded
    result = fokus(db, "rules", "suggest", "dialog", "--min-precision", "0.9")
    assert result.exit_code == 0, result.output
    assert "hente svar" in result.output
    assert "strømbrudd" not in result.output
    assert "dialog: 4 accepted sentences, the rules catch 0; the 1 proposals together catch 3 more" in result.output
    result = fokus(db, "rules", "suggest", "dialog", "--min-support", "5")
    assert "dialog: 4 accepted sentences, the rules catch 0; no trigger adds 5 or more of them at a precision of" in (
        " ".join(result.output.split())
    )


EXPECTED = CODEBOOK.replace(
    """        weight: 0.8
""",
    """        weight: 0.8
      # learnt by fokus rules suggest: right in 3 of 4 decided sentences, 3 missed by the rules above
      - id: learnt-1
        any: [strømbrudd]
        weight: 0.67
""",
).replace(
    """      Spørsmål og svar.
""",
    """      Spørsmål og svar.
    rules:
      # learnt by fokus rules suggest: right in 4 of 5 decided sentences, 4 missed by the rules above
      - id: learnt-1
        any: [svar]
        phrases: [hente svar]
        weight: 0.71
""",
)


def test_write_adds_the_rules_and_nothing_else_and_tag_uses_them(coded: tuple[str, Path]) -> None:
    db, path = coded
    result = fokus(db, "rules", "suggest", "--write", "--codebook", str(path), "--coder", "ingrid")
    assert result.exit_code == 0, result.output
    assert f"Added rule krise:learnt-1 (1 triggers, weight 0.67) to {path}." in result.output
    assert f"Added rule dialog:learnt-1 (2 triggers, weight 0.71) to {path}." in result.output
    assert f"Loaded {path} into the project (updated krise, dialog)." in result.output
    after = path.read_text(encoding="utf-8")
    assert after == EXPECTED
    diff = list(difflib.ndiff(CODEBOOK.splitlines(), after.splitlines()))
    assert not [line for line in diff if line.startswith("- ")]  # every line of the file is still there, in order
    assert len([line for line in diff if line.startswith("+ ")]) == 10
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".kodebok")] == []  # no file left behind
    rules = rules_of(db)
    assert rules["krise"][-1] == {"id": "learnt-1", "any": ["strømbrudd"], "compounds": True, "weight": 0.67}
    assert rules["dialog"] == [
        {"id": "learnt-1", "any": ["svar"], "phrases": ["hente svar"], "compounds": True, "weight": 0.71}
    ]
    assert fokus(db, "tag").exit_code == 0
    project = open_project(db)
    with project.read() as session:
        query = select(Coding.origin).join(Message).where(Message.external_id == "m11")
        origins = set(session.scalars(query))
    project.close()
    assert "rule:krise:learnt-1" in origins
    # asked again, the code's new rule catches what it proposed: nothing more to add
    again = json.loads(fokus(db, "rules", "suggest", "krise", "--format", "json").output)
    assert again["codes"][0]["caught_by_rules"] == 4
    assert again["codes"][0]["proposals"] == []


def test_pick_writes_the_chosen_trigger_and_undo_takes_the_load_back(coded: tuple[str, Path]) -> None:
    db, path = coded
    result = fokus(db, "rules", "suggest", "dialog", "--pick", "hente svar", "--write", "--codebook", str(path))
    assert result.exit_code == 0, result.output
    assert f"Added rule dialog:learnt-1 (1 triggers, weight 0.8) to {path}." in result.output  # (3 + 1) / (3 + 2)
    assert "      - id: learnt-1\n        phrases: [hente svar]\n        weight: 0.8\n" in path.read_text(
        encoding="utf-8"
    )
    assert rules_of(db)["dialog"][0]["phrases"] == ["hente svar"]
    assert fokus(db, "undo").exit_code == 0
    assert rules_of(db)["dialog"] == []


def test_write_takes_the_next_free_id_and_keeps_crlf(coded: tuple[str, Path]) -> None:
    db, path = coded
    text = CODEBOOK.replace("- id: flom", "- id: learnt-1").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))
    assert fokus(db, "codebook", "load", str(path)).exit_code == 0
    result = fokus(db, "rules", "suggest", "krise", "--write", "--codebook", str(path))
    assert result.exit_code == 0, result.output
    after = path.read_bytes().decode("utf-8")
    assert "      - id: learnt-2\r\n        any: [strømbrudd]\r\n        weight: 0.67\r\n" in after
    assert after.replace("\r\n", "\n").count("\n") == after.count("\r\n")
    assert [r["id"] for r in rules_of(db)["krise"]] == ["learnt-1", "learnt-2"]


def _symlink(path: Path) -> Path:
    link = path.parent / "lenke.yaml"
    link.symlink_to(path)
    return link


def _folder(path: Path) -> Path:
    folder = path.parent / "mappe.yaml"
    folder.mkdir()
    return folder


def _text_file(path: Path) -> Path:
    other = path.parent / "kodebok.txt"
    other.write_text(CODEBOOK, encoding="utf-8")
    return other


def _broken(path: Path) -> Path:
    other = path.parent / "brukket.yaml"
    other.write_text("codes: [\n", encoding="utf-8")
    return other


def _without_krise(path: Path) -> Path:
    other = path.parent / "annen.yaml"
    other.write_text("codebook: Testbok\ncodes:\n  - id: dialog\n    name: Dialog\n", encoding="utf-8")
    return other


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_symlink, "{file}: not a regular file (a link, a folder or a device); give the codebook file itself"),
        (_folder, "{file}: not a regular file (a link, a folder or a device); give the codebook file itself"),
        (_text_file, "{file}: not a YAML codebook (.yaml or .yml): fokus adds rules to YAML codebooks only"),
        (_broken, "{file}:line 2: not valid YAML: expected the node content, but found '<stream end>'"),
        (_without_krise, "{file}: code 'krise' is not in this codebook; nothing was written"),
    ],
)
def test_write_refuses_a_file_it_cannot_edit(coded: tuple[str, Path], make: object, message: str) -> None:
    db, path = coded
    target = make(path)  # type: ignore[operator]
    before = {p.name: (p.read_bytes() if p.is_file() else None) for p in path.parent.iterdir()}
    rules_before = rules_of(db)
    result = runner.invoke(main, ["--db", db, "rules", "suggest", "krise", "--write", "--codebook", str(target)])
    assert result.exit_code == 1, result.output
    assert result.stderr == "fokus: error: " + message.format(file=target) + "\n"
    assert {p.name: (p.read_bytes() if p.is_file() else None) for p in path.parent.iterdir()} == before
    assert rules_of(db) == rules_before


def test_errors_on_the_command_line(coded: tuple[str, Path]) -> None:
    db, path = coded
    result = runner.invoke(main, ["--db", db, "rules", "suggest", "nope"])
    assert (result.exit_code, result.stderr) == (
        1,
        "fokus: error: unknown code 'nope' (`fokus codebook show` lists the codes)\n",
    )
    result = runner.invoke(main, ["--db", db, "rules", "suggest", "krise", "--write"])
    assert (result.exit_code, result.stderr) == (
        1,
        "fokus: error: --write needs --codebook FILE: the YAML codebook to add the rules to\n",
    )
    result = runner.invoke(main, ["--db", db, "rules", "suggest", "krise", "--write", "--codebook", "borte.yaml"])
    assert (result.exit_code, result.stderr) == (1, "fokus: error: borte.yaml: no such file\n")
    result = runner.invoke(main, ["--db", db, "rules", "suggest", "krise", "--codebook", str(path)])
    assert result.exit_code == 2
    assert "Error: --codebook is the file --write edits; give --write too" in result.stderr
    grouping = path.parent / "gruppe.yaml"
    grouping.write_text(CODEBOOK.replace("      - id: tone\n", "      - id: tone\n        codable: false\n"), "utf-8")
    assert fokus(db, "codebook", "load", str(grouping)).exit_code == 0
    result = runner.invoke(main, ["--db", db, "rules", "suggest", "dialog/tone"])
    assert (result.exit_code, result.stderr) == (
        1,
        "fokus: error: code 'dialog/tone' only groups other codes (codable: false); it takes no rules\n",
    )
    assert path.read_text(encoding="utf-8") == CODEBOOK
