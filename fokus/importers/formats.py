"""The export formats ``fokus import`` reads: one record per format, and the one place that lists them.

Detection (:mod:`fokus.importers.detect`), the CLI's ``--format`` choices and help, the id order in which an import
merges formats, and README.md's table of formats all read :data:`FORMATS`; tests check that the README and the CLI
agree with it. Adding a format is: a parser module, its :class:`~fokus.importers.records.SourceKind` value, and one
record here (plus its README row, which a test asks for).

A record says how its format is detected, not where in the cascade: :mod:`.detect` decides how a file is read (JSON
when it is named ``.json`` or starts with ``{`` or ``[``, text otherwise), and then asks the formats that read that,
in ``detection_rank`` order, whether the content is theirs. A format may also claim file names outright (CSV claims
``.csv`` and ``.tsv``): such a file is that format whatever its content says, and one it does not recognise is
skipped in a folder with the record's ``unrecognised`` reason (given directly, its parser's error is shown).

The parser modules are imported when a file is read, not when this module is: ``fokus --help`` reads the names for
``--format`` and must stay light.

REFI-QDA projects (``.qdpx``) are not here: they are whole projects, not exports of the group, and ``fokus import``
hands them to :mod:`fokus.exchange` before any of these formats is tried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Literal

from fokus.i18n import N_
from fokus.importers.records import ParsedSource, SourceKind

Reading = Literal["json", "text"]


@dataclass(frozen=True, slots=True)
class Content:
    """One file as a format sees it: ``data`` is the parsed JSON value or the decoded text (as the format reads it),
    ``path`` names the file in errors, ``mapping`` is the CSV column mapping, ``binary`` says the text held NUL bytes.
    """

    path: str
    data: Any
    mapping: Mapping[str, str] = field(default_factory=dict)
    binary: bool = False


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """One export format.

    ``name`` is the ``--format`` value (and the :class:`SourceKind` value of what it reads); ``label`` names it in
    ``fokus import --help`` and the README; ``description`` is its README line. ``reads`` is what its parser is given
    (parsed JSON or decoded text); ``recognises`` tells from that content whether the file is of this format;
    ``parse`` reads it (``sha256`` of the file's bytes, ``zone`` for times written without one). ``detection_rank``
    orders the formats that read the same input (lower is asked first); ``id_rank`` orders the formats when one import
    reads several (lower first: formats whose ids come from the source itself go first, so merged messages keep
    those ids). ``in_hint`` and ``shape`` name it in the errors for files no format recognises; ``suffixes`` are the
    file names it claims whatever their content, and ``unrecognised`` the reason such a file is skipped. Those three
    are marked with ``N_()`` here and translated where they are shown, in the language chosen after this module is
    imported.
    """

    name: str
    kind: SourceKind
    label: str
    description: str
    reads: Reading
    recognises: Callable[[Content], bool]
    parse: Callable[[Content, str, tzinfo], ParsedSource]
    detection_rank: int
    id_rank: int
    in_hint: str
    shape: str
    suffixes: frozenset[str] = frozenset()
    unrecognised: str = ""


def _graph_recognises(content: Content) -> bool:
    from fokus.importers.graph import looks_like_graph

    return looks_like_graph(content.data)


def _graph_parse(content: Content, sha256: str, zone: tzinfo) -> ParsedSource:
    from fokus.importers.graph import graph_source

    return graph_source(content.data, content.path, sha256, zone)


def _dyi_recognises(content: Content) -> bool:
    from fokus.importers.dyi import is_membership_file, looks_like_dyi

    return looks_like_dyi(content.data) or is_membership_file(content.path)


def _dyi_parse(content: Content, sha256: str, zone: tzinfo) -> ParsedSource:
    from fokus.importers.dyi import dyi_file_source

    return dyi_file_source(content.data, content.path, sha256)  # DYI times are epoch seconds: no zone to apply


def _csv_recognises(content: Content) -> bool:
    from fokus.importers.csvfile import has_known_header

    return not content.binary and has_known_header(content.data, content.mapping)


def _csv_parse(content: Content, sha256: str, zone: tzinfo) -> ParsedSource:
    from fokus.importers.csvfile import csv_source

    return csv_source(content.data, content.path, sha256, content.mapping, zone)


def _transcript_recognises(content: Content) -> bool:
    """A damaged transcript (NUL bytes in it) is still one: its reader refuses it at the line."""
    from fokus.importers.transcript import looks_like_transcript

    return looks_like_transcript(content.data)


def _transcript_parse(content: Content, sha256: str, zone: tzinfo) -> ParsedSource:
    from fokus.importers.transcript import transcript_source

    return transcript_source(content.data, content.path, sha256, zone)


GRAPH_JSON = ImportFormat(
    name=SourceKind.GRAPH_JSON.value,
    kind=SourceKind.GRAPH_JSON,
    label="Graph API JSON",
    description=(
        'feed pages `{"data": [...], "paging": {...}}` as archived by tools such as Facepager: one file, several, or'
        " a folder"
    ),
    reads="json",
    recognises=_graph_recognises,
    parse=_graph_parse,
    detection_rank=1,
    id_rank=0,
    in_hint=N_("Graph API JSON"),
    shape=N_('a Graph API export ({"data": [...]}, a list of posts, a post)'),
)
DYI = ImportFormat(
    name=SourceKind.DYI.value,
    kind=SourceKind.DYI,
    label='Facebook "Download your information" (zip or folder)',
    description="a donor's archive: the zip as downloaded, the unpacked folder, or one of its groups files",
    reads="json",
    recognises=_dyi_recognises,
    parse=_dyi_parse,
    detection_rank=0,  # before Graph API JSON: a membership file is DYI by its name, whatever its JSON looks like
    id_rank=2,
    in_hint=N_("Facebook DYI archives (zip, folder or JSON file)"),
    shape=N_("a DYI groups file (group_posts_v2, group_comments_v2)"),
)
CSV = ImportFormat(
    name=SourceKind.CSV.value,
    kind=SourceKind.CSV,
    label="CSV",
    description="a table with the columns `id, thread_id, parent_id, author, created_time, text` (or `--map`)",
    reads="text",
    recognises=_csv_recognises,
    parse=_csv_parse,
    detection_rank=3,
    id_rank=0,
    in_hint=N_("CSV with the columns id, author, created_time, text (or --map)"),
    shape=N_("CSV with known columns"),
    suffixes=frozenset({".csv", ".tsv"}),
    unrecognised=N_("CSV without the columns fokus reads"),
)
TRANSCRIPT = ImportFormat(
    name=SourceKind.TRANSCRIPT.value,
    kind=SourceKind.TRANSCRIPT,
    label="typed transcripts",
    description="threads typed or pasted by hand, each starting with `=== <title>`",
    reads="text",
    recognises=_transcript_recognises,
    parse=_transcript_parse,
    detection_rank=2,  # before CSV: a file whose first line starts a thread is a transcript, whatever follows
    id_rank=1,
    in_hint=N_("transcripts starting with '=== <title>'"),
    shape=N_("a transcript"),
)

#: Every format, in the order the user sees them (``--format``, ``fokus import --help``, the README).
FORMATS: tuple[ImportFormat, ...] = (GRAPH_JSON, DYI, CSV, TRANSCRIPT)


def names() -> tuple[str, ...]:
    """The ``--format`` values, ``"auto"`` aside: ``("graph-json", "dyi", "csv", "transcript")``."""
    return tuple(fmt.name for fmt in FORMATS)


def by_name(name: str) -> ImportFormat:
    """The format a ``--format`` value names; KeyError for any other."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def by_kind(kind: SourceKind) -> ImportFormat:
    """The format that reads sources of ``kind``; KeyError for a kind no format here reads (``qdpx``)."""
    return by_name(kind.value)


def detection_order(reads: Reading) -> tuple[ImportFormat, ...]:
    """The formats that read ``reads``, in the order detection asks them."""
    return tuple(sorted((fmt for fmt in FORMATS if fmt.reads == reads), key=lambda fmt: fmt.detection_rank))


def claimed_by(suffix: str) -> ImportFormat | None:
    """The format that claims files named ``*<suffix>`` (``".csv"``), if one does."""
    return next((fmt for fmt in FORMATS if suffix in fmt.suffixes), None)


def id_rank(kind: SourceKind) -> int:
    """Where sources of ``kind`` go when one import reads several formats; kinds no format here reads go last."""
    return next((fmt.id_rank for fmt in FORMATS if fmt.kind is kind), 1 + max(fmt.id_rank for fmt in FORMATS))
