"""``read_paths``: files, folders and zips to parsed sources.

A path may be:

- a file: its format is detected from its content (:mod:`fokus.importers.detect`); one source;
- a zip: a Facebook DYI archive (it holds ``groups/`` files of a known layout, possibly under a wrapper folder) is
  ONE source for the whole archive, whose ``sha256`` is that of the zip. Any other zip is read member by member, each
  member its own source named ``archive.zip!member``;
- a folder: walked in name order. A folder that is an unpacked DYI archive (it holds ``groups/``,
  ``your_facebook_activity/groups/`` or ``your_activity_across_facebook/groups/`` with known files, or is such a
  ``groups`` folder) is ONE source, whose ``sha256`` is of the names and bytes of its group files in name order.
  Other folders are walked: subfolders, zips and files, each read as above.

Inside a folder or zip, hidden files (``.DS_Store``, ``__MACOSX/``), files of other types (by extension) and files
whose content is no export are skipped; one note per reason, on the first source read from that folder or zip, lists
them. A folder or zip with nothing importable is an error naming what was skipped. A ``.qdpx`` REFI-QDA project is an
error (importing projects is planned, not there yet).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

from fokus.allocation import fewer_collections
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.importers import formats, limits
from fokus.importers.archive import SafeZip, is_zip
from fokus.importers.detect import CANDIDATE_SUFFIXES, NotAnExport, ReadOptions, parse_bytes, refi_error, suffix_of
from fokus.importers.dyi import LAYOUT_ROOTS, ArchiveFile, dyi_archive_source, member_role
from fokus.importers.limits import check_file_size
from fokus.importers.records import ParsedSource, SourceKind
from fokus.importers.times import zone_named

#: The values ``read_paths`` takes for ``fmt``: ``"auto"`` and the registry's format names.
FORMATS = ("auto", *formats.names())
#: Why a file inside a folder or zip is skipped (translated where the note is made).
HIDDEN = N_("hidden")
NOT_REGULAR = N_("not a regular file")
REFI_QDA = N_("REFI-QDA project, cannot be imported yet")
NOT_READ = N_("not a file type fokus reads")
EMPTY_ZIP = N_("a zip that holds no export")


def read_paths(
    paths: Sequence[str | Path],
    fmt: str = "auto",
    *,
    csv_mapping: Mapping[str, str] | None = None,
    timezone: str = "Europe/Oslo",
) -> list[ParsedSource]:
    """Read files, folders and zips into sources, in the order given; any problem is one FokusError.

    ``fmt`` is ``"auto"`` or the name of a format (:mod:`fokus.importers.formats`) that forces its parser;
    ``csv_mapping`` maps fields to CSV columns (see :func:`fokus.importers.parse_mapping`); ``timezone`` is the zone
    of times written without an offset.
    """
    options = ReadOptions(_kind(fmt), zone_named(timezone), dict(csv_mapping or {}))
    sources: list[ParsedSource] = []
    with fewer_collections():
        for path in paths:
            sources.extend(_read_path(Path(path), str(path), options))
    return sources


def _kind(fmt: str) -> SourceKind | None:
    name = fmt.strip().lower()
    if name == "auto":
        return None
    try:
        return formats.by_name(name).kind
    except KeyError:
        raise FokusError(
            _("unknown format {format!r}").format(format=fmt),
            hint=_("choose one of {formats}").format(formats=", ".join(FORMATS)),
        ) from None


def _read_path(path: Path, shown: str, options: ReadOptions) -> list[ParsedSource]:
    try:
        if path.is_dir():
            return _read_folder(path, shown, options)
        if not path.exists():
            raise FokusError(_("no such file or folder"), path=shown)
        if not path.is_file():
            raise FokusError(_("not a regular file"), path=shown)
        size = path.stat().st_size
    except OSError as err:
        raise FokusError(_("cannot read it ({reason})").format(reason=err.strerror or err), path=shown) from None
    if path.suffix.lower() == ".qdpx":
        raise refi_error(shown)
    check_file_size(size, shown, parsed=False)
    if path.suffix.lower() == ".zip" or is_zip(_head(path, shown)):
        sources, skipped = _read_zip(path, shown, options)
        return _finish(sources, skipped, shown)
    try:
        return [parse_bytes(_read_bytes(path, shown), shown, options)]
    except NotAnExport as err:
        raise err.as_error(shown) from None


class _Skipped:
    """Files skipped inside a folder or zip, grouped by reason."""

    def __init__(self) -> None:
        self.by_reason: dict[str, list[str]] = {}

    def add(self, name: str, reason: str) -> None:
        """Notes ``name`` as skipped for ``reason``, in the reader's language."""
        self.by_reason.setdefault(reason, []).append(name)

    def notes(self) -> list[str]:
        lines = []
        for reason, names in self.by_reason.items():
            listed = ", ".join(names[:5])
            if len(names) > 5:
                text = _("skipped ({reason}): {names} and {more} more").format(
                    reason=reason, names=listed, more=number(len(names) - 5)
                )
            else:
                text = _("skipped ({reason}): {names}").format(reason=reason, names=listed)
            lines.append(text)
        return lines


def _finish(sources: list[ParsedSource], skipped: _Skipped, shown: str) -> list[ParsedSource]:
    if not sources:
        raise FokusError(
            _("holds no export fokus can read"),
            path=shown,
            hint="; ".join(skipped.notes()) or _("it is empty"),
        )
    sources[0].skipped.extend(skipped.notes())
    return sources


def _skip_reason(name: str) -> str | None:
    """Why a file inside a folder or zip is not looked into, judged by its path alone; None to look."""
    parts = name.replace("\\", "/").split("/")
    if any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return _(HIDDEN)
    suffix = suffix_of(name)
    if suffix == ".qdpx":
        return _(REFI_QDA)
    if suffix not in CANDIDATE_SUFFIXES:
        return _(NOT_READ)
    return None


def _read_zip(path: Path, shown: str, options: ReadOptions) -> tuple[list[ParsedSource], _Skipped]:
    sources: list[ParsedSource] = []
    skipped = _Skipped()
    with SafeZip(path, shown) as archive:
        if any(member.filename.rsplit("/", 1)[-1] == "project.qde" for member in archive.members):
            raise refi_error(shown)
        if options.kind in (None, SourceKind.DYI):
            roles = {member.filename: member_role(member.filename) for member in archive.members}
            if any(role in ("text", "membership") for role in roles.values()):
                files = [
                    ArchiveFile(m.filename, partial(archive.read, m))
                    for m in archive.members
                    if roles[m.filename] in ("text", "membership")
                ]
                profile = next(
                    (
                        ArchiveFile(m.filename, partial(archive.read, m))
                        for m in archive.members
                        if roles[m.filename] == "profile"
                    ),
                    None,
                )
                ignored = len(archive.members) - len(files) - (profile is not None)
                source = dyi_archive_source(shown, _file_sha256(path), files, profile=profile, ignored=ignored)
                return [source], skipped
        for member in sorted(archive.members, key=lambda m: m.filename):
            reason = _skip_reason(member.filename)
            if reason is not None:
                skipped.add(member.filename, reason)
                continue
            try:
                sources.append(parse_bytes(archive.read(member), f"{shown}!{member.filename}", options))
            except NotAnExport as err:
                skipped.add(member.filename, err.reason)
    return sources, skipped


def _read_folder(root: Path, shown: str, options: ReadOptions) -> list[ParsedSource]:
    sources: list[ParsedSource] = []
    skipped = _Skipped()
    _walk(root, shown, "", options, sources, skipped)
    return _finish(sources, skipped, shown)


def _walk(
    folder: Path, shown: str, rel: str, options: ReadOptions, sources: list[ParsedSource], skipped: _Skipped
) -> None:
    if options.kind in (None, SourceKind.DYI) and _is_dyi_root(folder):
        sources.append(_read_dyi_folder(folder, shown))
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        raise FokusError(
            _("cannot list the folder ({reason})").format(reason=err.strerror or err), path=shown
        ) from None
    for entry in entries:
        name, entry_shown, path = rel + entry.name, os.path.join(shown, entry.name), Path(entry.path)
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            skipped.add(name, _(HIDDEN))
        elif entry.is_dir(follow_symlinks=False):
            _walk(path, entry_shown, name + "/", options, sources, skipped)
        elif not entry.is_file():
            skipped.add(name, _(NOT_REGULAR))
        elif suffix_of(name) == ".qdpx":
            skipped.add(name, _(REFI_QDA))
        elif suffix_of(name) == ".zip" or (
            suffix_of(name) not in CANDIDATE_SUFFIXES and is_zip(_head(path, entry_shown))
        ):
            check_file_size(entry.stat().st_size, entry_shown, parsed=False)
            inner, inner_skipped = _read_zip(path, entry_shown, options)
            if inner:
                inner[0].skipped.extend(inner_skipped.notes())
                sources.extend(inner)
            else:
                skipped.add(name, _(EMPTY_ZIP))
        elif (reason := _skip_reason(name)) is not None:
            skipped.add(name, reason)
        else:
            try:
                sources.append(parse_bytes(_read_bytes(path, entry_shown), entry_shown, options))
            except NotAnExport as err:
                skipped.add(name, err.reason)


def _has_group_files(folder: Path) -> bool:
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(member_role(f"groups/{name}") in ("text", "membership") for name in names)


def _is_dyi_root(folder: Path) -> bool:
    """Whether a folder is an unpacked DYI archive, or the ``groups`` folder of one."""
    if folder.name.lower() == "groups" and _has_group_files(folder):
        return True
    return any(_has_group_files(folder / base / "groups" if base else folder / "groups") for base in LAYOUT_ROOTS)


def _read_dyi_folder(root: Path, shown: str) -> ParsedSource:
    base = root.parent if root.name.lower() == "groups" and _has_group_files(root) else root
    contents: dict[str, tuple[bytes, str]] = {}  # name in the archive -> (bytes, the file as errors name it)
    profile: ArchiveFile | None = None
    ignored = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(base).as_posix()
            role = member_role(rel)
            file_shown = os.path.join(shown, os.path.relpath(path, root))
            if role in ("text", "membership"):
                contents[rel] = (_read_bytes(path, file_shown), file_shown)
            elif role == "profile" and profile is None:
                profile = ArchiveFile(rel, partial(_read_bytes, path, file_shown), file_shown)
            else:
                ignored += 1
    digest = hashlib.sha256()
    files = []
    for rel in sorted(contents):
        data, file_shown = contents[rel]
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + len(data).to_bytes(8, "big") + data)
        files.append(ArchiveFile(rel, partial(_same, data), file_shown))
    return dyi_archive_source(shown, digest.hexdigest(), files, profile=profile, ignored=ignored)


def _same(data: bytes) -> bytes:
    return data


def _head(path: Path, shown: str) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(4)
    except OSError as err:
        raise FokusError(_("cannot read the file ({reason})").format(reason=err.strerror or err), path=shown) from None


def _read_bytes(path: Path, shown: str) -> bytes:
    """A regular file's bytes. Anything else is refused before it is opened: reading a named pipe that an unpacked
    archive put where a group file belongs would wait forever."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise FokusError(_("not a regular file (a pipe or a device?)"), path=shown)
        check_file_size(info.st_size, shown, parsed=True)
        with path.open("rb") as file:
            return file.read(limits.MAX_PARSE_BYTES + 1)  # a file in /proc says 0 bytes, whatever it holds
    except OSError as err:
        raise FokusError(_("cannot read the file ({reason})").format(reason=err.strerror or err), path=shown) from None


def _file_sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
