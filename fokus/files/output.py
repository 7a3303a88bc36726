"""Writing the files a user names (``-o``, ``--plot``, ``qdpx export``, ``codebook export``): whole or not at all,
and never replacing what is not a plain file.

A regular file, or a path where nothing is yet, is written atomically: into a temporary file in the same folder,
flushed to disk, then renamed over the target, so a failed write leaves the old file as it was and no temporary file
behind. Anything else a path can name (a device such as ``/dev/null``, a named pipe, a terminal, ``/dev/stdout``) is
written straight into: renaming over it would put a plain file in its place, which is what ``-o /dev/null`` did when
run as root. ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` write into the descriptor the shell gave, as a shell's
own redirection does. A symbolic link is followed: the file it points to is replaced and the link stays a link. A
folder is refused.

The project a command has open (:func:`protect`) is never written over, nor is one file written twice by one
command. A new file gets the permissions the umask allows (0666 less the umask, as any program's output); a file
that exists keeps its permissions (and, where fokus may, its owner); a file that exists but may not be written is
refused rather than replaced. Missing parent folders are made, and taken away again when the write fails.

The files one command writes (a CSV and its plot) form one set, :class:`Outputs`: each is renamed into place only
once every one of them is written, so a failure leaves none of them.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO, TextIO

from fokus.errors import FokusError
from fokus.i18n import _

#: Paths that name a descriptor this process already has: written into that descriptor.
DESCRIPTOR = re.compile(r"/dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|/proc/self/fd/(?P<proc>\d+)")
MAX_LINKS = 40  # as the kernel's own limit on symbolic links followed in one path
NAME_ROOM = 200  # bytes of the target's name in a temporary file's name (a name has at most 255 bytes)


_PROTECTED: set[Path] = set()  # the files no output may replace, looked at afresh each time


def protect(path: Path) -> None:
    """Refuse to write over ``path`` (the project a command has open, and its journal files) until
    :func:`unprotect`: ``-o project.db`` must not turn the project into a CSV."""
    _PROTECTED.update(_journals(path))


def unprotect(path: Path) -> None:
    _PROTECTED.difference_update(_journals(path))


def _journals(path: Path) -> list[Path]:
    base = os.path.abspath(path)
    return [Path(base + suffix) for suffix in ("", "-wal", "-shm")]


def _protected(status: os.stat_result) -> bool:
    for path in _PROTECTED:
        with contextlib.suppress(OSError):
            other = os.stat(path)
            if (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino):
                return True
    return False


def _failure(display: str, exc: OSError) -> FokusError:
    """The one-line error for a failed write; a reader that went away (``-o /dev/stdout | head``) is not one, so its
    BrokenPipeError goes on to the command line, which ends quietly as it does for plain stdout."""
    if isinstance(exc, BrokenPipeError):
        raise exc
    return FokusError(_("cannot write: {value}").format(value=exc.strerror or exc), path=display)


class _Raw(io.FileIO):
    """A file descriptor whose failed writes (a full disk, a closed pipe) say which file they were for."""

    display = ""

    def write(self, data: Any, /) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise _failure(self.display, exc) from None


def _descriptor(path: str) -> int | None:
    match = DESCRIPTOR.fullmatch(os.path.normpath(path))
    if match is None:
        return None
    if match["std"]:
        return 1 if match["std"] == "out" else 2
    return int(match["fd"] or match["proc"])


def _follow(path: Path, display: str) -> tuple[Path, bool]:
    """The file ``path`` names once its symbolic links are followed, and whether the way there passed through
    /proc (whose links name open files, not paths to rename over)."""
    current = Path(os.path.abspath(path))
    for _link in range(MAX_LINKS):
        folder = Path(os.path.realpath(current.parent))
        current = folder / current.name
        if folder.parts[1:2] == ("proc",):
            return current, True
        try:
            link = os.readlink(current)
        except OSError:  # not a link, or nothing there yet
            return current, False
        current = Path(os.path.normpath(folder / link))
    raise FokusError(_("too many symbolic links to follow"), path=display)


def _make_folders(folder: Path, display: str) -> list[Path]:
    """Make ``folder`` and any missing parents; the ones made, outermost first."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    made: list[Path] = []
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_folders(made)
            raise FokusError(
                _("cannot make the folder {each}: {value}").format(each=each, value=exc.strerror or exc), path=display
            ) from None
        made.append(each)
    return made


def _remove_folders(made: list[Path]) -> None:
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


@dataclass
class _Pending:
    """One file of a set: its stream, and for an atomic write the temporary file and the target it replaces."""

    display: str
    stream: IO[Any]
    raw: _Raw
    temporary: Path | None = None
    target: Path | None = None
    made: list[Path] = field(default_factory=list)

    def finish(self) -> None:
        """Everything written and, for an atomic write, on disk; nothing renamed yet."""
        try:
            self.stream.flush()
            if self.temporary is not None:
                os.fsync(self.raw.fileno())
            self.stream.close()
        except OSError as exc:
            raise _failure(self.display, exc) from None

    def commit(self) -> None:
        if self.temporary is None or self.target is None:
            return
        try:
            os.replace(self.temporary, self.target)
        except OSError as exc:
            raise _failure(self.display, exc) from None
        with contextlib.suppress(OSError):  # the rename itself on disk; not every file system can sync a folder
            folder = os.open(self.target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.close()
        with contextlib.suppress(Exception):
            self.raw.close()  # when closing the stream failed on its last flush
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                self.temporary.unlink()
        _remove_folders(self.made)


class Outputs:
    """The files one command writes: each moved into place only when all are written, none when anything fails.

    >>> with Outputs() as outputs:  # doctest: +SKIP
    ...     table = outputs.text(Path("freq.csv"))
    ...     figure = outputs.binary(Path("figs/freq.png"))
    """

    def __init__(self) -> None:
        self._pending: list[_Pending] = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if error is not None:
            self._discard()
            return
        try:
            for pending in self._pending:
                pending.finish()
            for pending in self._pending:
                pending.commit()
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        for pending in self._pending:
            pending.discard()

    def text(self, path: Path | str, *, encoding: str = "utf-8") -> TextIO:
        """A text stream into ``path`` (lines end as written: no translation)."""
        pending = self._open(path)
        stream = io.TextIOWrapper(pending.stream, encoding=encoding, newline="")
        pending.stream = stream
        return stream

    def binary(self, path: Path | str) -> BinaryIO:
        """A binary stream into ``path``."""
        return self._open(path).stream  # type: ignore[return-value]

    def _open(self, path: Path | str) -> _Pending:
        display = str(path)
        fd = _descriptor(display)
        pending = self._open_path(Path(path), display) if fd is None else self._stream(display, _dup(fd, display))
        self._pending.append(pending)
        return pending

    def _stream(self, display: str, fd: int) -> _Pending:
        raw = _Raw(fd, "w", closefd=True)
        raw.display = display
        return _Pending(display, io.BufferedWriter(raw), raw)

    def _open_path(self, path: Path, display: str) -> _Pending:
        target, through_proc = _follow(path, display)
        try:
            status: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            status = None
        except OSError as exc:
            raise _failure(display, exc) from None
        if status is not None and stat.S_ISDIR(status.st_mode):
            raise FokusError(_("is a folder, not a file"), path=display, hint=_("name a file in it"))
        if status is not None and _protected(status):
            raise FokusError(_("is the project itself; nothing was written"), path=display, hint=_("name another file"))
        if any(pending.target == target for pending in self._pending):
            raise FokusError(_("is named twice; nothing was written"), path=display, hint=_("name two files"))
        if status is not None and (through_proc or not stat.S_ISREG(status.st_mode)):
            return self._stream(display, _open_straight(path, status, display))
        if status is not None and not os.access(target, os.W_OK):
            raise FokusError(_("cannot write: Permission denied"), path=display, hint=_("the file is read-only"))
        made = _make_folders(target.parent, display)
        try:
            fd, temporary = _temporary(target, status, display)
        except BaseException:
            _remove_folders(made)
            raise
        pending = self._stream(display, fd)
        pending.temporary, pending.target, pending.made = temporary, target, made
        return pending


def _dup(fd: int, display: str) -> int:
    try:
        return os.dup(fd)
    except OSError as exc:
        raise _failure(display, exc) from None


def _open_straight(path: Path, status: os.stat_result, display: str) -> int:
    """Open a device, a pipe or a file under /proc for writing, as it is: nothing is created or renamed."""
    flags = os.O_WRONLY | os.O_CLOEXEC | (os.O_TRUNC if stat.S_ISREG(status.st_mode) else 0)
    try:
        return os.open(path, flags)
    except OSError as exc:
        raise _failure(display, exc) from None


def _temporary(target: Path, status: os.stat_result | None, display: str) -> tuple[int, Path]:
    """A new file beside ``target``, with the permissions the target has, or else those the umask allows."""
    stem = os.fsdecode(os.fsencode(target.name)[:NAME_ROOM])
    while True:
        temporary = target.with_name(f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _failure(display, exc) from None
        break
    if status is not None:
        try:
            if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):  # only root may give a file to someone else
                    os.fchown(fd, status.st_uid, status.st_gid)
            os.fchmod(fd, stat.S_IMODE(status.st_mode))  # after the owner: a change of owner clears set-user-id
        except OSError as exc:
            os.close(fd)
            temporary.unlink(missing_ok=True)
            raise _failure(display, exc) from None
    return fd, temporary


@contextlib.contextmanager
def open_text(path: Path | str, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """One text file, written as :class:`Outputs` writes it."""
    with Outputs() as outputs:
        yield outputs.text(path, encoding=encoding)


@contextlib.contextmanager
def open_binary(path: Path | str) -> Iterator[BinaryIO]:
    """One binary file, written as :class:`Outputs` writes it."""
    with Outputs() as outputs:
        yield outputs.binary(path)
