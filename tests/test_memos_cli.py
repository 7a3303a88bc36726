"""`fokus memos`: list (every format, filters), show, edit (undoable), delete, export; names redacted like every
export unless --real-names; one-line errors, nothing written on failure. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from fokus.api.coding_actions import add_coding
from fokus.api.memos import add_memo, memo_on_code
from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.domain.coders import CoderRegistry
from fokus.model import CoderKind, Memo, Message
from fokus.store import Project
from tests.conftest import at, parsed, record

SECOND = "Takk, Kari! Flommen tok veien."
REAL_NAMES_WARNING = (
    "fokus: warning: this export contains participants' real names (--real-names); keep it as safe as the project"
    " itself, and do not share it.\n"
)


@pytest.fixture
def noted(project: Project) -> tuple[str, dict[str, int]]:
    """A project with three memos: on a message (naming Kari), on a coding, on a code. Returns its --db and the ids."""
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("m1", "Kari Holmen", "Flommen kom i natt. Vi svarte.", when=at(1), case="Bodø"),
                    record("c1", "Ragnhild Vik", SECOND, when=at(1, 11), thread="m1", case="Voss"),
                )
            ],
        )
        ingrid = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
        ids = dict(session.execute(select(Message.external_id, Message.id)).all())
        coding = add_coding(session, ids["m1"], "krise/flom", 0, 19, ingrid).coding_id
        memos = {
            "message": add_memo(session, "Kari svarer raskt\nog vennlig", coder_id=ingrid, message_id=ids["c1"]),
            "coding": add_memo(session, "Tydelig flom", coder_id=ingrid, coding_id=coding),
            "code": memo_on_code(session, "dialog", "Definisjonen er vid", coder_id=ingrid),
        }
    db = project.display
    project.close()
    return db, memos


def run(db: str, *args: str, ok: bool = True) -> Result:
    result = CliRunner(env={"FOKUS_CODER": "ingrid", "COLUMNS": "200"}).invoke(main, ["--db", db, *args])
    assert (result.exit_code == 0) == ok, result.output + result.stderr
    return result


def texts(db: str) -> dict[int, str]:
    from fokus.store import open_project

    project = open_project(db)
    try:
        with project.read() as session:
            return {m.id: m.text for m in session.scalars(select(Memo))}
    finally:
        project.close()


def test_list_in_every_format_with_filters(noted: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = noted
    table = run(db, "memos", "list").output
    assert "Definisjonen er vid" in table
    assert "code dialog" in table
    assert "og vennlig" not in table  # the terminal shows the first line
    rows = json.loads(run(db, "memos", "list", "--format", "json").output)["memos"]
    assert [r["memo_id"] for r in rows] == [ids["code"], ids["coding"], ids["message"]]  # newest first
    coding = next(r for r in rows if r["about"] == "coding")
    assert (coding["code"], coding["start"], coding["end"], coding["excerpt"], coding["case"]) == (
        "krise/flom",
        0,
        19,
        "Flommen kom i natt.",
        "Bodø",
    )
    assert coding["participant"] == "Deltaker 01"
    assert coding["coder"] == "ingrid"
    about = json.loads(run(db, "memos", "list", "--about", "coding", "--format", "json").output)["memos"]
    assert [r["memo_id"] for r in about] == [ids["coding"]]
    found = json.loads(run(db, "memos", "list", "--search", "FLOM", "--format", "json").output)["memos"]
    assert [r["memo_id"] for r in found] == [ids["coding"]]  # its text and its code both say flom
    assert run(db, "memos", "list", "--search", "ingenting").output == "Memos matching 'ingenting': none.\n"
    csv = run(db, "memos", "list", "--format", "csv").output.splitlines()
    assert csv[0] == "memo_id,about,message_id,participant,case,code,start,end,excerpt,coder,created_at,updated_at,text"
    out = tmp_path / "memoer.md"
    run(db, "memos", "list", "--format", "md", "-o", str(out))
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# Memos\n")
    assert f"## Memo {ids['coding']}: coding krise/flom 0:19 of message m1 (Deltaker 01)" in markdown
    assert "> Flommen kom i natt." in markdown
    wrong = run(db, "memos", "list", "--about", "thread", ok=False)
    assert wrong.exit_code == 2


def test_names_are_redacted_unless_real_names(noted: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = noted
    shown = run(db, "memos", "show", str(ids["message"]))
    assert shown.output.splitlines()[0] == f"Memo {ids['message']}: message c1 (Deltaker 02)"
    assert "> Takk, [Deltaker 01]! Flommen tok veien." in shown.output
    assert "[Deltaker 01] svarer raskt\nog vennlig" in shown.output
    assert "Kari" not in shown.output
    real = run(db, "memos", "show", str(ids["message"]), "--real-names")
    assert "Kari svarer raskt" in real.output
    assert real.stderr == REAL_NAMES_WARNING
    out = tmp_path / "memoer.csv"
    exported = run(db, "memos", "export", "-o", str(out))
    assert exported.stderr == f"Wrote 3 memos to {out}.\n"
    assert "Kari" not in out.read_text(encoding="utf-8")
    run(db, "memos", "export", "-o", str(tmp_path / "ekte.json"), "--format", "json", "--real-names")
    memos = json.loads((tmp_path / "ekte.json").read_text(encoding="utf-8"))["memos"]
    assert {m["text"] for m in memos} == {"Kari svarer raskt\nog vennlig", "Tydelig flom", "Definisjonen er vid"}
    run(db, "memos", "export", "-o", str(tmp_path / "memoer.md"), "--format", "md")
    assert "Kari" not in (tmp_path / "memoer.md").read_text(encoding="utf-8")


def test_edit_and_delete_are_undone_by_fokus_undo(noted: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = noted
    memo = ids["code"]
    before = texts(db)
    done = run(db, "memos", "edit", str(memo), "--text", "Definisjonen må snevres inn")
    assert done.output == f"Memo {memo} changed; `fokus undo` takes it back.\n"
    assert texts(db)[memo] == "Definisjonen må snevres inn"
    again = run(db, "memos", "edit", str(memo), "--text", "Definisjonen må snevres inn")
    assert again.output == f"Memo {memo} already says that; nothing changed.\n"
    note = tmp_path / "memo.txt"
    note.write_text("Fra fil\n\nmed avsnitt\n", encoding="utf-8")
    run(db, "memos", "edit", str(memo), "--file", str(note))
    assert texts(db)[memo] == "Fra fil\n\nmed avsnitt"
    deleted = run(db, "memos", "delete", str(memo))
    assert deleted.output == f"Memo {memo} deleted; `fokus undo` brings it back.\n"
    assert memo not in texts(db)
    for _ in range(3):  # the deletion, the edit from the file, the first edit
        run(db, "undo")
    assert texts(db) == before


def test_what_the_commands_refuse(noted: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    db, ids = noted
    before = texts(db)
    missing = run(db, "memos", "show", "999", ok=False)
    assert (missing.exit_code, missing.stderr) == (
        1,
        "fokus: error: memo 999 does not exist (any more) (see `fokus memos list`)\n",
    )
    assert run(db, "memos", "edit", "999", "--text", "x", ok=False).stderr == (
        "fokus: error: memo 999 does not exist (any more) (see `fokus memos list`)\n"
    )
    assert run(db, "memos", "delete", "999", ok=False).exit_code == 1
    empty = run(db, "memos", "edit", str(ids["code"]), "--text", "  ", ok=False)
    assert empty.stderr == f"fokus: error: memo {ids['code']} needs some text (to remove it, delete it)\n"
    neither = run(db, "memos", "edit", str(ids["code"]), ok=False)
    assert neither.exit_code == 2
    assert "give the new text with --text TEXT or --file FILE (one of them)" in neither.stderr
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Blåbær".encode("latin-1"))
    bad = run(db, "memos", "edit", str(ids["code"]), "--file", str(latin), ok=False)
    assert bad.stderr == f"fokus: error: {latin}: not UTF-8 text (byte 2)\n"
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * 1_000_001)
    big = run(db, "memos", "edit", str(ids["code"]), "--file", str(huge), ok=False)
    assert big.stderr == f"fokus: error: {huge}: 1000001 bytes is more than a memo (at most 1000000)\n"
    assert texts(db) == before  # nothing written
