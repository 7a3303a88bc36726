"""Backups that are whole or absent: a copy cut short is never listed as fine, counted, pruned for or restored; the
temporary file of a backup that died is cleared, one still being written is not; a restore's own copy is never
pruned; a full disk leaves no copy and says so. (A backup killed by SIGKILL: tests/test_crash_safety.py.)"""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fokus.cli import main
from fokus.store.backup import backup_path, backups, check_backup
from tests.mounts import tmpfs

# SQLite's backup API only: a server project's copy is a checked `fokus copy` (tests/test_copy.py)


def fokus(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def backup(db: str, *args: str) -> Result:
    result = fokus("--db", db, "backup", *args)
    assert result.exit_code == 0, result.output
    return result


def names(folder: Path, pattern: str = "p.db.*") -> list[str]:
    return sorted(p.name for p in folder.glob(pattern))


@pytest.fixture
def db(tmp_path: Path, codebook_file: Path) -> str:
    path = str(tmp_path / "p.db")
    assert fokus("--db", path, "init", "--codebook", str(codebook_file)).exit_code == 0
    return path


def test_a_copy_cut_short_is_listed_as_incomplete_and_neither_counted_nor_restored(db: str, tmp_path: Path) -> None:
    first = backup(db, "--label", "good")
    assert "removed" not in first.output
    [good] = tmp_path.glob("p.db.*.good.bak")
    # what an interrupted backup of an older fokus (or a full disk) left: a newer copy, cut short
    short = backup_path(Path(db), "manual")
    short.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    # and what a backup killed just now leaves: its temporary file
    partial = tmp_path / f".{short.name}.0badf00d.partial"
    partial.write_bytes(good.read_bytes()[:8192])

    listed = backup(db, "--list").output.splitlines()
    assert len(listed) == 2
    assert listed[0].startswith(f"{good.name}  ")
    assert "UTC  good  " in listed[0]
    assert listed[1] == f"{short.name}  incomplete: shorter than its header says; not a usable copy, not counted"
    assert partial.name not in "\n".join(listed)
    assert [b.path for b in backups(Path(db))] == [good]

    # keeping one copy keeps the good one: the cut one does not count, and is not what is kept
    made = backup(db, "--keep", "2", "--label", "next")
    assert "removed" not in made.output
    assert names(tmp_path) == sorted([good.name, short.name, *names(tmp_path, "p.db.*.next.bak")])
    assert not partial.exists()  # its writer is gone (nobody holds its lock): cleared

    refused = fokus("--db", db, "restore", str(short), "--yes")
    assert refused.exit_code == 1
    assert refused.output == f"fokus: error: {short}: the copy is incomplete (shorter than its header says)\n"


def test_a_backup_being_written_is_left_alone(db: str, tmp_path: Path) -> None:
    partial = tmp_path / f".{backup_path(Path(db), 'manual').name}.feedbeef.partial"
    with partial.open("wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a writer in another process holds it
        held.write(b"SQLite format 3\x00")
        held.flush()
        backup(db)
        assert partial.exists()
    backup(db)
    assert not partial.exists()


def test_a_restore_keeps_its_own_copy_whatever_is_pruned(db: str, tmp_path: Path) -> None:
    backup(db, "--label", "start")
    [start] = tmp_path.glob("p.db.*.start.bak")
    restored = fokus("--db", db, "restore", str(start), "--yes")
    assert restored.exit_code == 0, restored.output
    [before] = tmp_path.glob("p.db.*.before-restore.bak")
    for i in range(3):
        backup(db, "--keep", "1", "--label", f"n{i}")
    assert before.exists()  # the only copy of the state the restore replaced
    assert names(tmp_path, "p.db.*.bak") == sorted([before.name, *names(tmp_path, "p.db.*.n2.bak")])
    check_backup(before)


def test_a_backup_on_a_full_disk_leaves_nothing_and_says_so(codebook_file: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "800k") as disk:
        db = str(disk / "p.db")
        assert fokus("--db", db, "init", "--codebook", str(codebook_file)).exit_code == 0
        with sqlite3.connect(db) as conn:  # the project fills a little more than half the disk
            free = shutil.disk_usage(disk).free
            conn.execute("INSERT INTO settings (key, value) VALUES ('ballast', ?)", ("x" * (free * 2 // 3),))
        conn.close()
        result = fokus("--db", db, "backup")
        assert result.exit_code == 1, result.output
        assert result.output == (
            f"fokus: error: {db}: no backup was written: the disk is full (database or disk is full)"
            " (free some space, then run it again)\n"
        )
        assert names(disk, "*.bak*") + names(disk, ".*") == []  # no copy, and no temporary file
        assert backup(db, "--list").output == "No backups yet (fokus backup makes one).\n"
