"""Backup copies of a SQLite project, written with SQLite's online backup API (safe while others read or write).

A copy is written beside the project as ``<name>.<UTC time>.<label>.bak``: by `fokus backup`, before every
migration, and before every command that removes or rewrites a researcher's work (deleting or merging codes,
replacing codings, restoring a backup). `fokus restore` checks a copy (``PRAGMA integrity_check``, that it is a
fokus project) and writes it back into the live file through the same backup API, after backing up the state it
replaces, so a restore can itself be undone.

A copy that exists is whole. It is written under a hidden temporary name (``.<name>.<UTC time>.<label>.bak.<random>
.partial``, which no listing counts), flushed to the disk, and only then renamed to its ``.bak`` name; a backup that
is killed or runs out of disk leaves no ``.bak``. The writer holds a lock on its temporary file, so a later backup
removes the temporary files of writers that died (their lock went with them) and never those of one still writing.
A ``.bak`` whose size is not what its own header says (cut short by an older fokus, or by hand) is listed as
incomplete, and neither counted nor restored.

Pruning keeps the newest ``KEEP`` copies; copies taken before a restore are never pruned, nor counted: each holds
the only copy of the state a restore replaced, so fokus leaves deleting it to the researcher.

A project on a database server has its own backups (pg_dump and the like): these functions are for SQLite files.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.store.engine import BUSY_TIMEOUT_MS, read_only_url
from fokus.store.failures import read_only, read_only_reason, storage_failure, unwritable_folder

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, so temporary files of dead writers are left alone
    fcntl = None  # type: ignore[assignment]

KEEP = 10
#: The label of the copy a restore takes of the state it replaces: never pruned.
BEFORE_RESTORE = "before-restore"
_NAME = re.compile(r"^(?P<db>.+)\.(?P<stamp>\d{8}T\d{12}Z)\.(?P<label>[\w.-]+)\.bak$")
_PARTIAL = ".partial"
_HEADER = b"SQLite format 3\x00"


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


def temporary_path(target: Path) -> Path:
    """The hidden name a copy is written under before it is renamed to ``target`` (never matched as a backup)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{_PARTIAL}")


def create_locked(path: Path, mode: int) -> int:
    """Create the temporary file ``path`` (a new name) with ``mode`` and return a handle holding its lock, which
    tells :func:`remove_leftovers` that its writer lives; close the handle only after SQLite closed the file."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new name: nobody else holds it
    return fd


def backup_sqlite(db_path: Path, label: str, *, keep: int | None = KEEP) -> Path:
    """Copy the project beside itself and return the copy's path; then keep only the newest ``keep`` copies."""
    unwritable = unwritable_folder(db_path.parent)
    if unwritable:
        raise FokusError(
            _("no backup can be written beside the project: {reason}").format(reason=unwritable), path=str(db_path)
        )
    remove_leftovers(db_path)
    target = backup_path(db_path, label)
    with _writing(target, str(db_path)) as work:
        _copy(db_path, work, read_only=read_only_reason(db_path) is not None, scratch=True)
    if keep is not None:
        prune(db_path, keep)
    return target


@contextmanager
def _writing(target: Path, shown: str) -> Iterator[Path]:
    """A temporary file, locked while it is written, flushed and renamed to ``target`` when the block ends; removed
    (with anything SQLite left beside it) when the block fails or is interrupted."""
    work = temporary_path(target)
    fd = create_locked(work, 0o666)
    try:
        yield work
        os.fsync(fd)  # SQLite wrote with synchronous=OFF: the pages reach the disk before the name does
        os.replace(work, target)
        _sync_folder(target.parent)
    except BaseException as exc:
        _remove(work)
        failure = storage_failure(exc, shown, writing=False)
        if failure is not None:
            raise FokusError(
                _("no backup was written: {reason}").format(reason=failure.reason), path=shown, hint=failure.hint
            ) from exc
        raise
    finally:
        os.close(fd)  # after SQLite closed its own handle on the file: closing ours drops its locks too


def _copy(source_path: Path, target_path: Path, *, read_only: bool = False, scratch: bool = False) -> None:
    # the busy timeout fokus uses everywhere: a copy waits for a writer to finish rather than failing
    where = read_only_url(source_path).database if read_only else str(source_path)
    source = sqlite3.connect(where or "", timeout=BUSY_TIMEOUT_MS / 1000, uri=read_only)
    try:
        copy = sqlite3.connect(target_path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            if scratch:  # a temporary file: it is renamed whole, or removed
                copy.execute("PRAGMA journal_mode=OFF")
                copy.execute("PRAGMA synchronous=OFF")
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove(work: Path) -> None:
    for path in (work, *(work.with_name(work.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
        path.unlink(missing_ok=True)


def remove_leftovers(db_path: Path) -> list[Path]:
    """Remove the temporary files of backups of ``db_path`` whose writer died (killed, or the machine went down);
    returns them. A file whose writer still holds its lock is left alone."""
    removed = []
    for work in db_path.parent.glob(f".{db_path.name}.*.bak.*{_PARTIAL}"):
        if fcntl is None:
            break
        try:
            fd = os.open(work, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a writer holds it: a backup in progress
            os.close(fd)
            continue
        try:
            _remove(work)  # still locked by us, so no writer can take it meanwhile
            removed.append(work)
        finally:
            os.close(fd)
    return removed


def whole(path: Path) -> bool:
    """Whether ``path`` is as long as its SQLite header says (a cut-short copy is not), read from its first bytes."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
        size = path.stat().st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(_HEADER):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):  # a power of two from 512 to 65536, or not SQLite's
        return False
    pages = int.from_bytes(header[28:32], "big")
    if pages and header[24:28] == header[92:96]:  # the size in the header is valid (SQLite 3.7.0 and later)
        return size == pages * page_size
    return size > 0 and size % page_size == 0


def _matching(db_path: Path) -> Iterator[Backup]:
    for path in db_path.parent.glob(f"{db_path.name}.*.bak"):
        match = _NAME.match(path.name)
        if match and match["db"] == db_path.name:
            taken = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            with suppress(FileNotFoundError):
                yield Backup(path, taken, match["label"], path.stat().st_size)


def backups(db_path: Path) -> list[Backup]:
    """The project's whole backup copies, newest first."""
    return sorted((b for b in _matching(db_path) if whole(b.path)), key=lambda b: b.taken, reverse=True)


def incomplete(db_path: Path) -> list[Backup]:
    """Files named as the project's copies that are not whole (never counted, pruned or restored), newest first."""
    return sorted((b for b in _matching(db_path) if not whole(b.path)), key=lambda b: b.taken, reverse=True)


def prune(db_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` copies (copies taken before a restore are neither deleted nor counted);
    returns the deleted paths."""
    if keep < 1:
        raise FokusError(_("keep {keep} backups? at least 1").format(keep=keep), hint=_("--keep 1 or more"))
    removed = []
    for old in [b for b in backups(db_path) if b.label != BEFORE_RESTORE][keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


#: The tables that mark a SQLite file as a fokus project (with more of them, fokus.store.project.identify).
_MARKS = ("alembic_version", "codings")


def check_backup(path: Path) -> None:
    """Refuse a file that is not a sound fokus project (so a restore never writes back a broken copy)."""
    if not path.is_file():
        raise FokusError(_("no such backup"), path=str(path), hint=_("see `fokus backup --list`"))
    if not whole(path):
        raise FokusError(_("the copy is incomplete (shorter than its header says)"), path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            status = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise FokusError(_("not a readable SQLite database ({reason})").format(reason=exc), path=str(path)) from exc
    if status != "ok":
        raise FokusError(_("the copy is damaged (integrity check: {status})").format(status=status), path=str(path))
    if not set(_MARKS) <= tables:
        raise FokusError(_("not a fokus project"), path=str(path))


def restore_sqlite(db_path: Path, backup_path: Path) -> Path:
    """Write ``backup_path`` back into the live project; returns the backup of the state it replaced."""
    check_backup(backup_path)
    why = read_only_reason(db_path)
    if why is not None:
        raise read_only(str(db_path), why)
    before = backup_sqlite(db_path, BEFORE_RESTORE, keep=None)
    _copy(backup_path, db_path)
    return before
