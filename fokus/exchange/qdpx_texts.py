"""The texts of a REFI-QDA project's sources and notes: from its archive, or from files outside it when allowed.

A file outside the archive is read only when the caller allows it (``allow_external_sources``): a ``.qdpx`` is
someone else's file, and ``absolute:///home/me/.ssh/id_ed25519`` or ``relative://../../../etc/passwd`` would
otherwise put a file of this computer into the project and from there into every export. Without the permission,
an ``absolute://`` path, a bare absolute path, and a ``relative://`` path that leaves the folder of the .qdpx (by
``..`` or by a symbolic link) are refused, naming the first of them; ``relative://`` paths inside that folder are
read as before. What is read from outside the archive is listed with its size, counts against the archive's budget
(``MAX_FILE_BYTES`` in all), and must be a regular file: a pipe or a device (``/dev/zero``) is refused unopened.
A ``richTextPath`` is never opened.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from zipfile import ZipInfo

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers.archive import SafeZip
from fokus.importers.decoding import decode_text
from fokus.importers.limits import MAX_FILE_BYTES, MAX_PARSE_BYTES, check_no_nul, human_size


@dataclass(frozen=True)
class ExternalFile:
    """A file outside the archive that a source's text was read from, and its size in bytes."""

    path: str
    size: int


class SourceTexts:
    """Where the texts of sources and notes come from: the archive's members, and files outside it when allowed.
    Both count against one budget of ``MAX_FILE_BYTES``."""

    def __init__(self, archive: SafeZip, members: dict[str, ZipInfo], display: str, base: Path, external: bool) -> None:
        self.archive, self.members, self.display, self.base, self.external = archive, members, display, base, external
        self.spent = 0
        self.external_files: list[ExternalFile] = []  # what was read from outside the archive

    def read(self, path: str, owner: str) -> str:
        """The text at ``path`` (a ``plainTextPath``) of the source or note called ``owner``."""
        if path.startswith("internal://"):
            return self._member(path.removeprefix("internal://"))
        if path.startswith("relative://"):
            target = self.base / path.removeprefix("relative://")
            if self.external or _inside(target, self.base):
                return self._file(target, path)
        elif not path.startswith("absolute://") and not _absolute(path):
            return self._member(path)  # a bare file name, as some tools write it
        if not self.external:
            raise FokusError(
                _(
                    "the text of {owner!r} is a file outside the .qdpx and its folder: {path!r}; a .qdpx can name"
                    " any file on this computer, so fokus reads such files only with --allow-external-sources"
                ).format(owner=owner, path=path[:200]),
                path=self.display,
            )
        return self._file(Path(path.removeprefix("absolute://")), path)

    def _member(self, name: str) -> str:
        wanted = self.members.get(name.lower()) or self.members.get(f"sources/{name}".lower())
        if wanted is None:
            raise FokusError(_("the source {name!r} is not in the archive").format(name=name), path=self.display)
        data = self.archive.read(wanted)
        self._spend(len(data), f"{self.display}!{wanted.filename}")
        return _decode(data, f"{self.display}!{wanted.filename}")

    def _file(self, target: Path, named: str) -> str:
        """A regular file's text, opened without following it into a pipe or a device: the check is on what was
        opened (non-blocking, so a pipe cannot make it wait), not on the name, which could change meanwhile."""
        shown = str(target)[:200]
        try:
            descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise FokusError(
                _("the source file {file!r} named by {named!r} does not exist").format(file=shown, named=named[:200]),
                path=self.display,
            ) from None
        except OSError as exc:  # a name too long, a file that cannot be read
            raise FokusError(
                _("cannot read the source file {file!r} ({reason})").format(file=shown, reason=exc.strerror or exc),
                path=self.display,
            ) from None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise FokusError(
                    _("the source file {file!r} is not a regular file (a pipe, a device or a folder?)").format(
                        file=shown
                    ),
                    path=self.display,
                )
            if info.st_size > MAX_PARSE_BYTES:
                raise FokusError(_("the source file {file!r} is too large").format(file=shown), path=self.display)
            with os.fdopen(os.dup(descriptor), "rb") as file:
                data = file.read(MAX_PARSE_BYTES + 1)  # a file in /proc says 0 bytes, whatever it holds
        except OSError as exc:
            raise FokusError(
                _("cannot read the source file {file!r} ({reason})").format(file=shown, reason=exc.strerror or exc),
                path=self.display,
            ) from None
        finally:
            os.close(descriptor)
        self._spend(len(data), shown)
        self.external_files.append(ExternalFile(str(target), len(data)))
        return _decode(data, str(target))

    def _spend(self, size: int, shown: str) -> None:
        self.spent += size
        if self.spent > MAX_FILE_BYTES:
            raise FokusError(
                _("the archive's files and the source files outside it add up to more than {limit}").format(
                    limit=human_size(MAX_FILE_BYTES)
                ),
                path=shown,
            )


def _inside(target: Path, folder: Path) -> bool:
    """Whether ``target`` lies in ``folder`` once ``..`` and symbolic links are followed."""
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long: not known to be inside
        return False


def _absolute(path: str) -> bool:
    """A bare path that names a file by its place on some computer (``/etc/passwd``, ``C:\\Users\\..``)."""
    return path.startswith(("/", "\\")) or (len(path) > 2 and path[0].isalpha() and path[1] == ":" and path[2] in "/\\")


def _decode(data: bytes, display: str) -> str:
    """A source text: UTF-8 as REFI-QDA prescribes (with or without a byte-order mark), or UTF-16 when a byte-order
    mark says so. Anything else is an error, not a guess: a wrong guess would shift every coding's offsets."""
    if len(data) > MAX_PARSE_BYTES:
        raise FokusError(_("a source text is too large"), path=display)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FokusError(_("damaged UTF-16 text: {reason}").format(reason=exc.reason), path=display) from None
    else:
        text = decode_text(data, display)
    nul = text.find("\x00")
    if nul >= 0:  # stored, it would keep the project from PostgreSQL, which refuses it
        check_no_nul(text, N_("the source text"), f"line {text.count(chr(10), 0, nul) + 1}", display)
    return text
