"""Codebook surgery and backups: codings follow renamed, moved and merged codes; deletions and merges are undone
exactly from the event log; a changed codebook file moves codes instead of orphaning their codings; backups and
restores through SQLite's backup API."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fokus.api.codebook import codebook_rows, load_codebook
from fokus.api.codebook_edit import delete_code, merge_codes, move_code, rename_code
from fokus.api.coding_actions import redo, undo
from fokus.api.codings import import_codings
from fokus.api.memos import add_memo
from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import Code, CoderKind, Coding, CodingStatus
from fokus.store import Project
from tests.conftest import SMALL_CODEBOOK, at, parsed, record, sqlite_only


def coded(project: Project) -> int:
    """Messages m0..m5, coded krise, krise/flom and dialog by ingrid and magnus; returns ingrid's coder id."""
    rows = []
    for i in range(6):
        for code in ("krise", "krise/flom", "dialog"):
            for coder in ("ingrid", "magnus"):
                if (i + len(code) + len(coder)) % 3:
                    rows.append(
                        CodingRow(f"m{i}", code, 0, 5, None, CodingStatus.ACCEPTED, "human", None, coder, None, "r")
                    )
    with project.begin() as session:
        import_messages(
            session, [parsed(*(record(f"m{i}", "Kari", f"Flom nummer {i}.", when=at(i + 1)) for i in range(6)))]
        )
        import_codings(session, rows, display="t")
        return CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)


def state(project: Project) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Every code and every coding as plain tuples, to compare before and after."""
    with project.read() as session:
        codes = {(c.id, c.path, c.parent_id, c.name) for c in session.scalars(select(Code))}
        codings = {
            (c.id, c.message_id, c.code_id, c.coder_id, c.start, c.end, c.status)
            for c in session.scalars(select(Coding))
        }
    return codes, codings


def paths(project: Project) -> dict[str, int]:
    with project.read() as session:
        found = {}
        for code in session.scalars(select(Code)):
            found[code.path] = len(session.scalars(select(Coding.id).where(Coding.code_id == code.id)).all())
        return found


def test_rename_and_move_carry_codings_and_sub_codes_and_undo_puts_them_back(project: Project) -> None:
    me = coded(project)
    before = state(project)
    counts = paths(project)
    with project.begin() as session:
        report = rename_code(session, "krise", "beredskap", name="Beredskap", coder_id=me)
    assert report.codes == ["beredskap", "beredskap/flom"]
    after = paths(project)
    assert after["beredskap"] == counts["krise"]
    assert after["beredskap/flom"] == counts["krise/flom"]
    assert "krise" not in after
    with project.begin() as session:
        move_code(session, "beredskap/flom", "dialog", coder_id=me)
    assert paths(project)["dialog/flom"] == counts["krise/flom"]
    with project.begin() as session, pytest.raises(FokusError, match="under itself"):
        move_code(session, "dialog", "dialog/flom", coder_id=me)
    with project.begin() as session:
        assert undo(session, me) is not None
        assert undo(session, me) is not None
    assert state(project) == before
    with project.begin() as session:
        assert redo(session, me) is not None
    assert "beredskap/flom" in paths(project)


def test_merge_moves_codings_without_doubling_and_undo_restores_everything(project: Project) -> None:
    me = coded(project)
    before = state(project)
    counts = paths(project)
    with project.begin() as session:
        code_id = session.scalar(select(Code.id).where(Code.path == "dialog"))
        add_memo(session, "Om dialog", code_id=code_id)
        report = merge_codes(session, "dialog", "krise/flom", coder_id=me)
    merged = paths(project)
    assert "dialog" not in merged
    assert merged["krise/flom"] == counts["krise/flom"] + counts["dialog"] - report.duplicates
    assert report.duplicates > 0  # the same coder on the same span with both codes: one coding, not two
    assert report.memos == 1
    with project.begin() as session:
        undone = undo(session, me)
    assert undone is not None
    assert undone.conflicts == 0
    assert state(project) == before


def test_delete_is_recoverable_and_refuses_a_code_with_sub_codes(project: Project) -> None:
    me = coded(project)
    before = state(project)
    with project.begin() as session, pytest.raises(FokusError, match="has sub-codes"):
        delete_code(session, "krise", coder_id=me)
    with project.begin() as session:
        report = delete_code(session, "krise/flom", coder_id=me)
    assert report.codings == paths_before(before, "krise/flom")
    assert "krise/flom" not in paths(project)
    with project.begin() as session:
        assert undo(session, me) is not None
    assert state(project) == before


def paths_before(snapshot: tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]], path: str) -> int:
    codes, codings = snapshot
    code_id = next(c[0] for c in codes if c[1] == path)
    return sum(1 for c in codings if c[2] == code_id)


def test_a_changed_codebook_file_moves_a_code_instead_of_orphaning_it(project: Project, tmp_path: Path) -> None:
    coded(project)
    counts = paths(project)
    moved = tmp_path / "kodebok.yaml"
    moved.write_text(
        "codebook: Liten kodebok\ncodes:\n  - id: krise\n    name: Krise\n  - id: dialog\n    name: Dialog\n"
        "    children:\n      - id: flom\n        name: Flom\n",
        encoding="utf-8",
    )
    with project.begin() as session:
        report = load_codebook(session, read_codebook(moved))
    assert report.moved == ["krise/flom -> dialog/flom"]
    assert paths(project)["dialog/flom"] == counts["krise/flom"]
    assert "gruppe" in report.kept  # codes the file lacks are kept, and said so


def test_cli_surgery_asks_backs_up_and_undoes(project: Project, tmp_path: Path) -> None:
    coded(project)
    db = project.display
    before = state(project)
    project.close()
    runner = CliRunner(env={"FOKUS_CODER": "ingrid"})
    declined = runner.invoke(main, ["--db", db, "codebook", "delete", "dialog"], input="n\n")
    assert declined.exit_code == 1
    assert "removes" in declined.output
    done = runner.invoke(main, ["--db", db, "codebook", "delete", "dialog", "--yes"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert bool(list(tmp_path.glob("p.db.*.before-delete.bak"))) == (project.sqlite_path is not None)
    undone = runner.invoke(main, ["--db", db, "undo"], catch_exceptions=False)
    assert "Undid one step" in undone.output
    assert state(project) == before


@sqlite_only  # SQLite's online backup API; a server project's backup is a SQLite copy (tests/test_copy.py)
def test_backup_list_prune_and_restore(project: Project, tmp_path: Path) -> None:
    coded(project)
    db = str(project.sqlite_path)
    project.close()
    runner = CliRunner()
    for i in range(4):
        out = runner.invoke(main, ["--db", db, "backup", "--keep", "3", "--label", f"n{i}"], catch_exceptions=False)
        assert out.exit_code == 0, out.output
    copies = sorted(tmp_path.glob("p.db.*.bak"))
    assert len(copies) == 3
    assert not any(".n0.bak" in c.name for c in copies)  # the oldest went
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM codings")
    restored = runner.invoke(main, ["--db", db, "restore", str(copies[-1]), "--yes"], catch_exceptions=False)
    assert restored.exit_code == 0, restored.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] > 0
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert list(tmp_path.glob("p.db.*.before-restore.bak"))
    broken = tmp_path / "broken.bak"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    refused = runner.invoke(main, ["--db", db, "restore", str(broken), "--yes"])
    assert refused.exit_code == 1
    listed = runner.invoke(main, ["--db", db, "backup", "--list"])
    assert "before-restore" in listed.output


# --- loading a codebook file: a plan first, a move only when confirmed, one undoable step ---------------------------

TYPO = (  # the small codebook with its first theme's id mistyped: "kirse" would take over krise's children
    "codebook: Liten kodebok\ncodes:\n  - id: kirse\n    name: Krise og beredskap\n    children:\n"
    "      - id: flom\n        name: Flom\n  - id: dialog\n    name: Innbyggerdialog\n"
)


def _typo(tmp_path: Path) -> Path:
    path = tmp_path / "skrivefeil.yaml"
    path.write_text(TYPO, encoding="utf-8")
    return path


def test_a_plan_says_that_a_new_parent_takes_over_existing_codes(project: Project, tmp_path: Path) -> None:
    from fokus.api.codebook import plan_codebook

    before = state(project)
    with project.read() as session:
        plan = plan_codebook(session, read_codebook(_typo(tmp_path)))
    assert plan.moves
    assert plan.takeovers() == {"kirse": ["krise/flom"]}
    assert plan.lines() == [
        "New code kirse takes over 1 code that exists: krise/flom",
        "Moves 1 code: krise/flom -> kirse/flom",
        "Adds 1 code: kirse",
        "Keeps 3 codes the file does not have, with their codings: gruppe, gruppe/barn, krise",
    ]
    assert state(project) == before


def test_a_load_that_moves_codes_needs_yes_and_dry_run_writes_nothing(project: Project, tmp_path: Path) -> None:
    coded(project)
    db, path = project.display, _typo(tmp_path)
    before = state(project)
    project.close()
    runner = CliRunner(env={"FOKUS_CODER": "ingrid"})
    dry = runner.invoke(main, ["--db", db, "codebook", "load", str(path), "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[0] == "New code kirse takes over 1 code that exists: krise/flom"
    assert dry.output.splitlines()[-1] == "Dry run: nothing was changed."
    refused = runner.invoke(main, ["--db", db, "codebook", "load", str(path)])  # stdin is no terminal: no asking
    assert refused.exit_code == 1
    assert "Moves 1 code: krise/flom -> kirse/flom" in refused.output
    assert refused.stderr.strip() == (
        f"fokus: error: loading {path} moves existing codes (see above); nothing was changed"
        " (check the plan, then run again with --yes)"
    )
    assert state(project) == before


def test_a_load_is_one_step_that_undo_takes_back_exactly(project: Project, tmp_path: Path) -> None:
    coded(project)
    db, path = project.display, _typo(tmp_path)
    before = state(project)
    with project.read() as session:
        rows_before = codebook_rows(session)
    project.close()
    runner = CliRunner(env={"FOKUS_CODER": "ingrid"})
    done = runner.invoke(main, ["--db", db, "codebook", "load", str(path), "--yes"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-2] == (
        "Codebook 'Liten kodebok': 1 added, 0 updated, 1 moved, 1 unchanged. `fokus undo` takes it back."
    )
    moved = paths(project)
    assert moved["kirse/flom"] == paths_before(before, "krise/flom")
    undone = runner.invoke(main, ["--db", db, "undo"], catch_exceptions=False)
    assert undone.output.startswith("Undid one step"), undone.output
    assert state(project) == before  # flom back under krise, kirse gone, every coding where it was
    with project.read() as session:
        assert codebook_rows(session) == rows_before  # names, positions, everything
    redone = runner.invoke(main, ["--db", db, "redo"], catch_exceptions=False)
    assert redone.output.startswith("Redid one step"), redone.output
    assert paths(project) == moved


def test_undo_keeps_a_loaded_code_that_was_coded_since(project: Project, tmp_path: Path) -> None:
    me = coded(project)
    added = tmp_path / "ny.yaml"
    added.write_text(SMALL_CODEBOOK + "  - id: omdomme\n    name: Omdømme\n", encoding="utf-8")
    with project.begin() as session:
        report = load_codebook(session, read_codebook(added), coder_id=me)
    assert report.added == ["omdomme"]
    assert report.batch is not None
    rows = [CodingRow("m1", "omdomme", 0, 4, None, CodingStatus.ACCEPTED, "human", None, "magnus", None, "r")]
    with project.begin() as session:
        import_codings(session, rows, display="t")  # magnus codes with the new code
        step = undo(session, me)
    assert step is not None
    assert step.conflicts == 1
    assert paths(project)["omdomme"] == 1
