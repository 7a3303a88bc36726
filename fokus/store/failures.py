"""When the storage under a project fails: a full disk, a damaged file, a project fokus may read but not write.

None of these is a bug in fokus, and none may end in an internal error: each becomes one line naming the project and
the reason (:func:`storage_failure`). :func:`read_only_reason` tells, before anything is opened, why a SQLite
project cannot be written, so that fokus opens it read-only (reading commands work) and a writing command says why
it cannot run instead of failing somewhere inside SQLite.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from fokus.errors import FokusError
from fokus.i18n import N_, _

_DISK_FULL = N_("the disk is full")
_SERVER_FULL = N_("the database server's disk is full")
_DAMAGED = N_("the project file is damaged")
_DATABASE_DAMAGED = N_("the database is damaged")
_RESTORE = N_("restore a backup: `fokus backup --list`, then `fokus restore COPY`")

#: SQLite's primary result codes (the low byte of an extended one) for a storage failure, and what each means.
_SQLITE = {
    sqlite3.SQLITE_FULL: _DISK_FULL,
    sqlite3.SQLITE_CORRUPT: _DAMAGED,
    sqlite3.SQLITE_IOERR: N_("the project file cannot be read or written (an input/output error)"),
    sqlite3.SQLITE_CANTOPEN: N_("the project file cannot be opened"),
    sqlite3.SQLITE_READONLY: N_("the project is read-only"),
}
#: PostgreSQL's SQLSTATEs for the same: disk_full, io_error, data_corrupted, index_corrupted,
#: read_only_sql_transaction (a standby, or a database set read-only).
_POSTGRESQL = {
    "53100": _SERVER_FULL,
    "58030": N_("the database server cannot read or write its files (an input/output error)"),
    "XX001": _DATABASE_DAMAGED,
    "XX002": N_("the database is damaged (an index)"),
    "25006": N_("the database accepts no writes"),
}
_READ_ONLY = {sqlite3.SQLITE_READONLY, "25006"}
_OS = {
    errno.ENOSPC: _DISK_FULL,
    errno.EDQUOT: N_("the disk quota is used up"),
    errno.EFBIG: N_("the file would grow larger than the file system allows"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EIO: N_("an input/output error"),
}
_HINTS = {
    _DISK_FULL: N_("free some space, then run it again"),
    _SERVER_FULL: N_("ask for more space on the server, then run it again"),
    _DAMAGED: _RESTORE,
    _DATABASE_DAMAGED: N_("restore it from the server's backups"),
}


def storage_failure(exc: BaseException, shown: str, *, writing: bool = True) -> FokusError | None:
    """The one-line error for ``exc`` when the storage under the project ``shown`` failed, else None.

    With ``writing`` false (a reading session), a refusal to write is not translated: a read session that writes is
    a bug in fokus, and must stay visible as one.
    """
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code: int | str | None = None
    if isinstance(orig, sqlite3.Error):
        found = getattr(orig, "sqlite_errorcode", None)
        code = found & 0xFF if isinstance(found, int) else None
        meaning = _SQLITE.get(code) if code is not None else None
    elif isinstance(orig, OSError):
        meaning = _OS.get(orig.errno or 0)
    else:
        code = getattr(orig, "sqlstate", None)
        meaning = _POSTGRESQL.get(code) if isinstance(code, str) else None
    if meaning is None or (code in _READ_ONLY and not writing):
        return None
    lines = str(orig).strip().splitlines()  # PostgreSQL's own HINT and CONTEXT lines follow the first
    detail = " ".join(lines[0].split()).rstrip(".") if lines else ""
    shown_meaning = _(meaning)
    if detail and detail.lower() not in meaning:
        shown_meaning = _("{meaning} ({detail})").format(meaning=shown_meaning, detail=detail)
    reason = (
        _("{reason}; nothing of this command was written").format(reason=shown_meaning) if writing else shown_meaning
    )
    hint = _HINTS.get(meaning)
    return FokusError(reason, path=shown, hint=_(hint) if hint else None)


def read_only(shown: str, why: str) -> FokusError:
    """The refusal of a write to a project that fokus opened read-only."""
    return FokusError(
        _("the project is read-only: {why}; fokus can read it (status, export, freq) but not change it").format(
            why=why
        ),
        path=shown,
        hint=_("copy it to a folder you can write to, and work on the copy"),
    )


def read_only_reason(path: Path) -> str | None:
    """Why fokus cannot write the SQLite project at ``path`` (an existing file), or None when it can.

    SQLite writes the file itself and, beside it, the ``-wal`` and ``-shm`` files of write-ahead logging, so both
    the file and its folder must be writable. ``os.access`` asks the kernel, which knows about read-only mounts and
    immutable files, and lets root write where the mode bits say no (as root may).
    """
    if _mounted_read_only(path):
        return _("it lies on a file system mounted read-only")
    if not os.access(path, os.W_OK):
        return _("the file is not writable for this user")
    if unwritable_folder(path.parent):
        return _("its folder is not writable for this user (SQLite writes its -wal and -shm files beside the project)")
    return None


def unwritable_folder(folder: Path) -> str | None:
    """Why no file can be made in ``folder``, or None when one can."""
    if _mounted_read_only(folder):
        return _("it lies on a file system mounted read-only")
    if not os.access(folder, os.W_OK | os.X_OK):
        return _("the folder is not writable for this user")
    return None


def _mounted_read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): os.access answers instead
        return False
