"""Which page-data format a file is, by its content (never by its name), and reading files and folders of them.

The formats are a small registry, ``FORMATS``: each entry names a format (the ``--format`` value) and the module
under :mod:`fokus.importers.pages` that reads it. Such a module has two functions:

- ``sniff(head: str) -> bool``: whether the file's first 64 KiB (decoded as UTF-8, bad bytes replaced) look like
  the format; it must be cheap and must not raise;
- ``parse(data: bytes, path: str, zone: tzinfo) -> PageFeed``: the whole file read, or a FokusError naming the
  place (the path is filled in if the error lacks it).

A new format is one line in ``FORMATS``; the first entry whose ``sniff`` says yes reads a file, so a format whose
files another's ``sniff`` also accepts goes before it. Modules are imported on first use: ``fokus --help`` reads
only the names.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from types import ModuleType

from fokus.allocation import fewer_collections
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.limits import MAX_PARSE_BYTES, SPLIT_EXPORT, read_limited
from fokus.importers.pages.records import PageFeed
from fokus.importers.times import zone_named

#: Bytes of a file its format is told from.
HEAD_BYTES = 64 * 1024
#: Files in one folder (a harvest of 275 pages over four months is a few thousand result pages).
MAX_FILES = 100_000


@dataclass(frozen=True, slots=True)
class PageFormat:
    """A page-data format: its name and the module (under ``fokus.importers.pages``) that sniffs and parses it."""

    name: str
    module: str

    def reader(self) -> ModuleType:
        return importlib.import_module(f"fokus.importers.pages.{self.module}")


FORMATS: tuple[PageFormat, ...] = (
    PageFormat("graph-feed", "graph_feed"),
    PageFormat("facepager", "facepager"),
    PageFormat("crowdtangle", "crowdtangle"),
    PageFormat("4cat", "fourcat"),
    PageFormat("mcl", "mcl"),
)


def names() -> list[str]:
    """The formats' names, for ``--format``."""
    return [fmt.name for fmt in FORMATS]


def detect(head: str) -> PageFormat | None:
    """The first format whose ``sniff`` accepts ``head``, or None."""
    return next((fmt for fmt in FORMATS if fmt.reader().sniff(head)), None)


def files_in(paths: Iterable[Path]) -> list[Path]:
    """The files named, with a folder's files (its tree, sorted by path; hidden files left out) in its place."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not inside:
                raise FokusError(_("the folder holds no files"), path=str(path))
            found.extend(inside)
        else:
            found.append(path)
        if len(found) > MAX_FILES:
            raise FokusError(
                _("more than {limit} files").format(limit=MAX_FILES), path=str(path), hint=_("import fewer at once")
            )
    return found


def read_feeds(paths: Sequence[Path], fmt: str = "auto", timezone: str = "Europe/Oslo") -> list[PageFeed]:
    """Every file named (folders' files included) read as page data: one PageFeed per file, in order.

    ``fmt`` is a format's name or ``"auto"`` (each file's format told from its content). A file that is no page
    data, or is broken, is a FokusError naming it and the place; nothing is returned then.
    """
    zone = zone_named(timezone)
    chosen = None if fmt == "auto" else next((f for f in FORMATS if f.name == fmt), None)
    if fmt != "auto" and chosen is None:
        raise FokusError(_("unknown page-data format {name!r}").format(name=fmt))
    with fewer_collections():  # a feed is hundreds of thousands of small objects, none in a cycle
        return [_read(path, chosen, zone) for path in files_in(paths)]


def _read(path: Path, chosen: PageFormat | None, zone: tzinfo) -> PageFeed:
    """One file read as page data, in ``chosen`` format or the one its content shows."""
    display = str(path)
    data = read_limited(path, MAX_PARSE_BYTES, SPLIT_EXPORT)
    found = chosen or detect(data[:HEAD_BYTES].decode("utf-8", errors="replace"))
    if found is None:
        raise FokusError(
            _("not page data fokus reads (formats: {formats})").format(formats=", ".join(names())),
            path=display,
            hint=_("name the format with --format"),
        )
    try:
        feed: PageFeed = found.reader().parse(data, display, zone)
    except FokusError as err:
        raise err.located(path=display) from None
    return feed
