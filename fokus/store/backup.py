"""Backup copies of a SQLite project, written with SQLite's online backup API (safe while others read or write).

A copy is written beside the project as ``<name>.<UTC time>.<label>.bak``: by `fokus backup`, before every
migration, and before every command that removes or rewrites a researcher's work (deleting or merging codes,
replacing codings, restoring a backup). The last ``KEEP`` copies are kept. `fokus restore` checks a copy
(``PRAGMA integrity_check``, that it is a fokus project) and writes it back into the live file through the same
backup API, after backing up the state it replaces, so a restore can itself be undone.

A project on a database server has its own backups (pg_dump and the like): these functions are for SQLite files.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fokus.errors import FokusError
from fokus.store.engine import BUSY_TIMEOUT_MS

KEEP = 10
_NAME = re.compile(r"^(?P<db>.+)\.(?P<stamp>\d{8}T\d{12}Z)\.(?P<label>[\w.-]+)\.bak$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    label: str
    size: int


def backup_path(db_path: Path, label: str) -> Path:
    """The name of a new copy of ``db_path`` (a SQLite file, or the name a server project's copies go under):
    ``<name>.<UTC time>.<label>.bak``, beside it."""
    label = re.sub(r"[^\w.-]+", "-", label).strip("-") or "backup"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return db_path.with_name(f"{db_path.name}.{stamp}.{label}.bak")


def backup_sqlite(db_path: Path, label: str, *, keep: int | None = KEEP) -> Path:
    """Copy the project beside itself and return the copy's path; then keep only the newest ``keep`` copies."""
    target = backup_path(db_path, label)
    _copy(db_path, target)
    if keep is not None:
        prune(db_path, keep)
    return target


def _copy(source_path: Path, target_path: Path) -> None:
    # the busy timeout fokus uses everywhere: a copy waits for a writer to finish rather than failing
    source = sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        copy = sqlite3.connect(target_path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def backups(db_path: Path) -> list[Backup]:
    """The project's backup copies, newest first."""
    found = []
    for path in db_path.parent.glob(f"{db_path.name}.*.bak"):
        match = _NAME.match(path.name)
        if match and match["db"] == db_path.name:
            taken = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            found.append(Backup(path, taken, match["label"], path.stat().st_size))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def prune(db_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` copies; returns the deleted paths."""
    if keep < 1:
        raise FokusError(f"keep {keep} backups? at least 1", hint="--keep 1 or more")
    removed = []
    for old in backups(db_path)[keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def check_backup(path: Path) -> None:
    """Refuse a file that is not a sound fokus project (so a restore never writes back a broken copy)."""
    if not path.is_file():
        raise FokusError("no such backup", path=str(path), hint="see `fokus backup --list`")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            status = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise FokusError(f"not a readable SQLite database ({exc})", path=str(path)) from exc
    if status != "ok":
        raise FokusError(f"the copy is damaged (integrity check: {status})", path=str(path))
    if "alembic_version" not in tables or "codings" not in tables:
        raise FokusError("not a fokus project", path=str(path))


def restore_sqlite(db_path: Path, backup_path: Path) -> Path:
    """Write ``backup_path`` back into the live project; returns the backup of the state it replaced."""
    check_backup(backup_path)
    before = backup_sqlite(db_path, "before-restore", keep=None)
    _copy(backup_path, db_path)
    return before
