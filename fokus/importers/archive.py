"""Reading zip archives safely: the checks that come before any member is parsed.

A zip is refused when its directory cannot be read (corrupt or truncated), when that directory is larger than
``MAX_ZIP_DIRECTORY_BYTES`` or lists more than ``MAX_ZIP_MEMBERS`` entries (both checked before zipfile reads it),
declares more than ``MAX_ZIP_TOTAL_BYTES`` uncompressed, or when any member's name is absolute or climbs out with ``..``
(fokus never extracts to disk, but such a name only comes from a crafted file). A member fokus reads is refused when
it is larger than ``MAX_PARSE_BYTES``, compressed more than ``MAX_COMPRESSION_RATIO`` to one (a zip bomb), encrypted,
or damaged; and one archive yields at most ``MAX_FILE_BYTES`` of members in all. zipfile stops at a member's declared
size and checks its CRC, so the declared sizes checked here are the sizes read.
"""

from __future__ import annotations

import lzma
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.i18n.formats import number
from fokus.importers.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_PARSE_BYTES,
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_TOTAL_BYTES,
    RATIO_FLOOR_BYTES,
    human_size,
)

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_END_OF_DIRECTORY = b"PK\x05\x06"
_DIRECTORY_ENTRY = b"PK\x01\x02"
_PIECE = 1024 * 1024
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_END_SEARCH = 22 + 65535  # the end record and the longest archive comment
# lzma.LZMAError is none of the others: a member stored with LZMA and damaged would otherwise be an internal error.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
)


def is_zip(head: bytes) -> bool:
    """Whether the first bytes of a file are a zip signature."""
    return head.startswith(ZIP_MAGIC)


class SafeZip:
    """A zip archive opened for reading with the checks above; use as a context manager."""

    def __init__(self, path: Path, display: str) -> None:
        self.display = display
        self._budget = MAX_FILE_BYTES
        _check_directory(path, display)
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except _READ_ERRORS as err:
            raise FokusError(
                _("not a readable zip archive (corrupt or truncated: {reason})").format(reason=err),
                path=display,
                hint=_("download or copy the archive again"),
            ) from None
        try:
            self.members = self._checked(infos)
        except FokusError:
            self._zip.close()
            raise

    def _checked(self, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
        _check_count(len(infos), self.display)
        total = sum(info.file_size for info in infos)
        if total > MAX_ZIP_TOTAL_BYTES:
            raise FokusError(
                _("the zip unpacks to {size} (at most {limit})").format(
                    size=human_size(total), limit=human_size(MAX_ZIP_TOTAL_BYTES)
                ),
                path=self.display,
            )
        for info in infos:
            if _unsafe(info.filename):
                raise FokusError(
                    _("unsafe file name in the zip: {name!r} (absolute, or climbing out with '..')").format(
                        name=info.filename
                    ),
                    path=self.display,
                    hint=_("this archive was not made by Facebook or fokus; do not unpack it"),
                )
        return [info for info in infos if not info.is_dir()]

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The bytes of one member, after the size and ratio checks."""
        where = f"{self.display}!{info.filename}"
        if info.file_size > MAX_PARSE_BYTES:
            raise FokusError(
                _("file too large: {size} (fokus reads at most {limit})").format(
                    size=human_size(info.file_size), limit=human_size(MAX_PARSE_BYTES)
                ),
                path=where,
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise FokusError(
                _("compressed {ratio} to 1 (more than {limit} to 1: a zip bomb?)").format(
                    ratio=number(info.file_size // max(info.compress_size, 1)), limit=MAX_COMPRESSION_RATIO
                ),
                path=where,
            )
        if info.file_size > self._budget:
            raise FokusError(
                _("the zip's members add up to more than {limit}").format(limit=human_size(MAX_FILE_BYTES)), path=where
            )
        if info.flag_bits & 0x1:
            raise FokusError(
                _("the file is encrypted in the zip"), path=where, hint=_("make the archive without a password")
            )
        try:
            with self._zip.open(info) as member:
                data = member.read(MAX_PARSE_BYTES + 1)
        except _READ_ERRORS as err:
            raise FokusError(
                _("cannot read the file from the zip (damaged archive: {reason})").format(reason=err), path=where
            ) from None
        self._budget -= len(data)
        return data


def holds_member(path: Path, name: str) -> bool:
    """Whether the zip at ``path`` has a member ``name`` at its top (ignoring case), read with the checks above (a
    renamed .qdpx is found so); False when it cannot be read or is refused: reading it as an export then says why."""
    try:
        with SafeZip(path, str(path)) as archive:
            return any(member.filename.lower() == name.lower() for member in archive.members)
    except FokusError:
        return False


def _unsafe(name: str) -> bool:
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    return ".." in normal.split("/")


def _check_directory(path: Path, display: str) -> None:
    """Refuse a zip whose central directory is larger than ``MAX_ZIP_DIRECTORY_BYTES`` or lists more than
    ``MAX_ZIP_MEMBERS`` entries, before zipfile builds an object for every entry in it: it reads the whole directory,
    whatever count the archive announces (700,000 empty members cost it 5 s and 450 MB, and ten million fit in a
    600 MB file).

    The size and the count are in the end record, or in the Zip64 end record it points to. The count there cannot be
    trusted (it stops at 65,535 without Zip64, and zipfile ignores it), so the entries are also counted by their
    signature in the directory itself: every entry starts with one, so that count is never too low. It reads the
    directory once, in pieces, in a few milliseconds."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, 2)
            file.seek(max(0, size - _END_SEARCH))
            tail_start = file.tell()
            tail = file.read()
            at = tail.rfind(_END_OF_DIRECTORY)
            if at < 0 or len(tail) < at + 22:
                return  # no end record: zipfile reports the archive as corrupt
            count, directory = struct.unpack_from("<HI", tail, at + 10)
            end = tail_start + at  # where the directory ends (zipfile finds its start counting back from here)
            locator = at - 20
            if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:  # zipfile then uses the Zip64 values
                (record,) = struct.unpack_from("<Q", tail, locator + 8)
                file.seek(record)
                zip64 = file.read(56)
                if len(zip64) == 56 and zip64[:4] == _ZIP64_END:
                    zip64_count, zip64_directory = struct.unpack_from("<QQ", zip64, 32)
                    count, directory = max(count, zip64_count), max(directory, zip64_directory)
                    end = tail_start + locator - 56
            _check_count(count, display)
            if directory > MAX_ZIP_DIRECTORY_BYTES:
                raise FokusError(
                    _("the zip's list of files takes {size} (at most {limit}): too many files").format(
                        size=human_size(directory), limit=human_size(MAX_ZIP_DIRECTORY_BYTES)
                    ),
                    path=display,
                )
            _check_count(_signatures(file, max(0, end - directory), end), display)
    except (OSError, ValueError, OverflowError) as err:
        raise FokusError(_("cannot read the file ({reason})").format(reason=err), path=display) from None


def _check_count(count: int, display: str) -> None:
    if count > MAX_ZIP_MEMBERS:
        raise FokusError(
            _("the zip lists {count} files (at most {limit})").format(
                count=number(count), limit=number(MAX_ZIP_MEMBERS)
            ),
            path=display,
        )


def _signatures(file: BinaryIO, start: int, end: int) -> int:
    """How many times the signature of a directory entry occurs in the file from ``start`` to ``end``."""
    file.seek(start)
    found, carry = 0, b""
    while file.tell() < end:
        piece = carry + file.read(min(_PIECE, end - file.tell()))
        if len(piece) == len(carry):
            break  # the file is shorter than its end record says
        found += piece.count(_DIRECTORY_ENTRY)
        carry = piece[-(len(_DIRECTORY_ENTRY) - 1) :]  # a signature across two pieces is counted in the second
    return found
