"""Hypothesis strategies for hostile input, and the one check every reader must pass.

The strategies make input that is wrong in the ways that reach deep into a parser: arbitrary bytes; JSON built from
the keys the Graph and DYI readers look for, holding values of every type; the shapes of real posts, comments and
DYI entries with some fields swapped for wrong values or left out; CSV with the real headers, random cells, quoting,
delimiters, line endings and encodings; zip archives with hostile member names, duplicates, every compression and
damage; REFI-QDA XML with random elements and attributes, or with the structure of a real project or codebook and
its attributes missing or wrong. Every string field can hold half a character (a lone surrogate, which JSON can
escape), every number can have thousands of digits, and every time can lie far outside 1970-2099 (9999-12-31 is year
10000 in Oslo). Any of it can be cut short or have bytes flipped (``damaged``). At the end, inputs that mostly parse
(threads that answer each other, data donations from one group or two), for the tests that import into a project.
The strategies for the YAML, codings and case files are in ``tests.files.strategies``.

``HOSTILE`` is the settings of those tests: 500 examples each (``FOKUS_FUZZ_EXAMPLES=20000`` for a long local run),
and a deadline far above what a small input takes, so that work growing faster than its input fails while a busy
CI machine does not; ``SECONDARY`` is half of that, for a reader that has its 500 in another test too, and
``WRITES`` a third, with a longer deadline, for the tests that write to a project. ``records_or_error`` runs a
reader under a timer, so that a hang fails the test instead of stopping CI. Most of the time goes into generating
data, not reading it: keep the strategies small.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar
from xml.sax.saxutils import escape, quoteattr

from hypothesis import event, settings
from hypothesis import strategies as st

from fokus.errors import FokusError

from .builders import MEMBERSHIP, dump, dyi_comments, dyi_posts, fb

T = TypeVar("T")

EXAMPLES = int(os.environ.get("FOKUS_FUZZ_EXAMPLES", "500"))
#: A small input takes milliseconds; two seconds is only reached by work that grows faster than the input.
HOSTILE = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=2))
#: Half of that, for a test of a reader that gets its 500 elsewhere too.
SECONDARY = settings(HOSTILE, max_examples=max(EXAMPLES // 2, 50))
#: For the tests that write to a project (a third of the examples: each costs a transaction and a restore). Disks
#: vary, and an example may be the first to import something heavy (error messages are redacted with spaCy's help),
#: so the deadline is longer.
WRITES = settings(HOSTILE, max_examples=max(EXAMPLES // 3, 50), deadline=timedelta(seconds=10))
#: A call that has not returned after this long hangs: the timer turns that into a failure.
HANG_SECONDS = 20.0


class Hang(Exception):
    """A reader did not return within ``HANG_SECONDS``."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise ``Hang`` in the block after ``seconds`` (a SIGALRM timer: Unix, main thread)."""

    def alarm(_signum: int, _frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def records_or_error(call: Callable[[], T], path: str) -> T | None:
    """The reader's result, or None when it raised a FokusError whose one line names ``path``.

    Any other exception propagates and fails the test, and so does a hang.
    """
    try:
        with no_hang():
            result = call()
    except FokusError as err:
        message = str(err)
        assert "\n" not in message, message
        assert path in message, f"{message!r} does not name {path!r}"
        event(f"FokusError: {err.reason.split(chr(39))[0][:40]}")  # see --hypothesis-show-statistics
        return None
    event("read")
    return result


# --- bytes ----------------------------------------------------------------------------------------------------------


@st.composite
def damaged(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """``base``'s bytes, often intact, else cut short, with a byte flipped, or bytes inserted or removed."""
    data = draw(base)
    how = draw(st.sampled_from(["intact", "intact", "intact", "cut", "flip", "insert", "delete"]))
    if how == "intact" or not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    if how == "cut":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if how == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data[:at] + data[at + draw(st.integers(1, 8)) :]


ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes:
    """Text in UTF-8 mostly, sometimes in an encoding fokus refuses (or that cannot even hold the text)."""
    return draw(text).encode(draw(ENCODINGS), "replace")


# --- JSON -----------------------------------------------------------------------------------------------------------

MISSING: Any = object()  # a key left out of an object (dropped by ``without_missing``)

TIMES = [
    "2013-02-19T09:15:00+0000",
    "2013-02-19T09:15:00Z",
    "2013-02-19 10:15",
    "2013-02-19T10:15:00.123+01:00",
    "19.02.2013 10:15",
    "2019-05-03 12:10:05 CEST",
    "1361265300",
    "0001-01-01T00:00:00+0100",
    "9999-12-31T23:59:59-0100",
    "9999-12-31T23:59:59+0000",
    "1969-12-31T23:59:59Z",
    "1970-01-01 00:30",
    "2099-12-31T23:59:59+0000",
    "2100-01-01T00:00:00Z",
    "253402300799",
    "2013-02-30 10:15",
    "2013-02-19",
    "",
]
#: Half a character: a high or a low surrogate alone, in a word, and a whole pair (which JSON joins into one).
HALVES = ["\ud83d", "\udfff", "Kari\ud800 Holmen", "\ud83d\ude0a"]
WORDS = ["Hei", "Kari Holmen", "Deltaker 07", "Ã¸", "\u202e", "a\nb", "\x00", " ", "..", "💩" * 3, *HALVES]
#: 4,000 digits: Python reads JSON numbers of up to 4,300, a database holds 19. The strategies make such values with
#: ``map`` so that their own description (which Hypothesis prints) stays short.
HUGE = 10**4000 - 1
HUGE_INTS = st.sampled_from([1, -1]).map(lambda sign: sign * HUGE)
#: Digits, as a string, of more than a time or a count has (a CSV cell, a transcript's time).
LONG_DIGITS = st.sampled_from([25, 4000, 5000]).map(lambda n: "9" * n)
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 1361265300, 253_402_300_800, 2**63, -(2**63) - 1, 10**20]),
    HUGE_INTS,
)
#: Unix times at the edges of what fokus reads (1970 to 2099), and past them.
FAR_STAMPS = st.one_of(st.sampled_from([0, -1, 4_102_444_799, 4_102_444_800, 253_402_300_799, 2**63]), HUGE_INTS)
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), NUMBERS, st.floats(), st.text(max_size=20), st.sampled_from(TIMES + WORDS)
)
GRAPH_KEYS = (
    "data id message created_time updated_time from name comments reactions summary total_count like_count likes "
    "permalink_url link attachments attachment url media image src subattachments paging next feed story error"
).split()
DYI_KEYS = (
    "group_posts_v2 group_posts group_comments_v2 group_comments timestamp title data post update_timestamp comment "
    "author group attachments external_context media uri url profile_v2 profile full_name name"
).split()
KEYS = st.sampled_from(sorted(set(GRAPH_KEYS + DYI_KEYS)))


def json_values(keys: st.SearchStrategy[str] = KEYS, leaves: int = 20) -> st.SearchStrategy[Any]:
    """Any JSON value, its objects keyed mostly by the keys the readers look for."""
    return st.recursive(
        JSON_SCALARS,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.one_of(keys, keys, st.text(max_size=6)), children, max_size=6)
        ),
        max_leaves=leaves,
    )


SMALL_JSON = json_values(leaves=4)
WRONG = st.one_of(SMALL_JSON, st.just(MISSING))


@st.composite
def wrong(draw: st.DrawFn, value: st.SearchStrategy[Any], odds: int = 8) -> Any:
    """Mostly ``value``; one time in ``odds`` any small JSON value in its place, or the key left out."""
    return draw(WRONG) if draw(st.integers(1, odds)) == 1 else draw(value)


def optional(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A key that is often absent; when present, usually right."""
    return st.one_of(st.just(MISSING), wrong(value))


def without_missing(value: Any) -> Any:
    """``value`` with every ``MISSING`` dropped from its objects and lists."""
    if isinstance(value, dict):
        return {k: without_missing(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [without_missing(v) for v in value if v is not MISSING]
    return value


def _object(**fields: Any) -> dict[str, Any]:
    return fields


IDS = st.one_of(
    st.sampled_from(["p1", "c1", "r1", "1_2", "p1", "p\ud800"]), st.integers(0, 10**6), st.text(max_size=8), HUGE_INTS
)
GRAPH_TIMES = st.one_of(st.sampled_from(TIMES), FAR_STAMPS, LONG_DIGITS, st.integers(-10, 2**40))
TEXTS = st.one_of(st.text(max_size=30), st.sampled_from(WORDS))
URLS = st.sampled_from(["https://example.org/a", "https://example.org/b.jpg", "", " ", "https://ks.no/\ud800"])
COUNTS = st.one_of(st.integers(-2, 10**6), NUMBERS)

_ATTACHMENT = wrong(
    st.sampled_from(
        [
            {"url": "https://example.org/a"},
            {"media": {"image": {"src": "https://example.org/b.jpg"}}},
            {"url": "", "media": {"image": "x"}, "subattachments": {"data": [{"url": "https://example.org/c"}, 7]}},
            {"url": 5, "media": [], "subattachments": {"data": {"url": "x"}}},
            {"url": "", "media": {"image": {"src": "https://example.org/\udc00.jpg"}}},
            {"subattachments": {"data": [{"url": "https://example.org/\ud83d"}]}},
            {"subattachments": {"data": [{"subattachments": {"data": [{"url": "https://example.org/d"}]}}]}},
        ]
    )
)


def _graph_message(answers: st.SearchStrategy[list[Any]] | None) -> st.SearchStrategy[Any]:
    """A post or comment; with ``answers``, its comments or replies."""
    comments = st.builds(
        _object, data=wrong(answers), paging=optional(st.just({"next": "https://graph.facebook.com/next"}))
    )
    return st.builds(
        _object,
        id=wrong(IDS),
        created_time=wrong(GRAPH_TIMES),
        updated_time=optional(GRAPH_TIMES),
        message=wrong(TEXTS),
        story=optional(TEXTS),
        **{"from": wrong(st.builds(_object, id=wrong(IDS), name=wrong(TEXTS)))},
        comments=optional(comments) if answers is not None else st.just(MISSING),
        reactions=optional(st.builds(lambda c: {"summary": {"total_count": c}}, wrong(COUNTS))),
        like_count=optional(COUNTS),
        permalink_url=optional(URLS),
        link=optional(URLS),
        attachments=optional(st.builds(lambda a: {"data": a}, st.lists(_ATTACHMENT, max_size=2))),
        attachment=optional(_ATTACHMENT),
    )


GRAPH_MESSAGE = st.recursive(
    _graph_message(None), lambda kids: _graph_message(st.lists(kids, max_size=3)), max_leaves=8
)
GRAPH_POSTS = st.lists(GRAPH_MESSAGE, max_size=3)
GRAPH_DOCUMENTS = st.one_of(
    st.builds(_object, data=wrong(GRAPH_POSTS), paging=optional(st.just({"next": "x"}))),
    st.builds(lambda d: {"feed": {"data": d}}, wrong(GRAPH_POSTS)),
    GRAPH_POSTS,
    GRAPH_MESSAGE,
    st.builds(lambda m: {"error": {"message": m}}, JSON_SCALARS),
)

POST_TITLES = [
    "Kari Holmen posted in Kommunene i sosiale medier.",
    "Kari Holmen shared a link in Friends in Bodø.",
    "Kari Holmen publiserte i Gruppa.",
    "posted in",
    " in .",
    "",
]
COMMENT_TITLES = [
    "Kari Holmen commented on Ola's post.",
    "Kari replied to Ola's comment.",
    "Kari commented on his own post.",
    "Kari svarte på en kommentar til Ola.",
    "replied to 's",
    "",
]
_STAMPS = st.one_of(st.integers(-5, 2**36), st.just(1361265300), FAR_STAMPS)
_DYI_MEDIA = st.builds(
    lambda url, uri: {"data": [_object(external_context=_object(url=url), media=_object(uri=uri))]},
    wrong(URLS),
    wrong(st.sampled_from(["photos/1.jpg", "photos/\ud800.jpg"])),
)
_DYI_POST = st.builds(
    _object,
    timestamp=wrong(_STAMPS),
    title=wrong(st.sampled_from(POST_TITLES).map(lambda t: t.encode("utf-8").decode("latin-1"))),
    data=wrong(st.lists(st.builds(_object, post=wrong(TEXTS), update_timestamp=optional(_STAMPS)), max_size=2)),
    attachments=optional(st.lists(_DYI_MEDIA, max_size=2)),
)
_DYI_COMMENT = st.builds(
    _object,
    timestamp=wrong(_STAMPS),
    title=wrong(st.sampled_from(COMMENT_TITLES).map(lambda t: t.encode("utf-8").decode("latin-1"))),
    data=wrong(
        st.lists(
            st.builds(
                _object,
                comment=wrong(
                    st.builds(
                        _object, timestamp=optional(_STAMPS), comment=wrong(TEXTS), author=wrong(TEXTS), group=TEXTS
                    )
                ),
            ),
            max_size=2,
        )
    ),
    attachments=optional(st.lists(_DYI_MEDIA, max_size=1)),
)
DYI_DOCUMENTS = st.dictionaries(
    st.sampled_from(["group_posts_v2", "group_posts", "group_comments_v2", "group_comments"]),
    wrong(st.lists(st.one_of(_DYI_POST, _DYI_COMMENT), max_size=3)),
    min_size=1,
    max_size=2,
)


def json_bytes(values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """The JSON text of ``values`` (escaped or not, indented or not), possibly damaged."""
    return damaged(
        st.builds(
            lambda v, ascii_only, indent: json.dumps(without_missing(v), ensure_ascii=ascii_only, indent=indent).encode(
                "utf-8", "surrogatepass"
            ),
            values,
            st.booleans(),
            st.sampled_from([None, 2]),
        )
    )


# --- CSV ------------------------------------------------------------------------------------------------------------

DEFAULT_COLUMNS = "id thread_id parent_id author created_time text case reactions title url link".split()
CROWDTANGLE_COLUMNS = ["Page Name", "Post Created", "URL", "Message", "Total Interactions", "Link", "Facebook Id"]
CELLS = st.one_of(
    st.sampled_from(["", "p1", "c1", "r1", "p1", "Kari", "7", "1,234", "1.234.567", "-3", "9" * 20, '"', '""']),
    st.sampled_from(["Kari\ud800", "253402300799"]),
    LONG_DIGITS,
    LONG_DIGITS.map(lambda digits: ",".join(digits[i : i + 3] for i in range(0, len(digits), 3))),
    st.sampled_from(TIMES),
    st.text(alphabet='ab ,;\t"\n\rø\x00\u2028', max_size=10),
    st.text(max_size=10),
)


@st.composite
def csv_texts(draw: st.DrawFn, columns: tuple[str, ...] = (*DEFAULT_COLUMNS, *CROWDTANGLE_COLUMNS)) -> str:
    """A CSV file's text: a header of real column names (any order, case, spacing, duplicates) and random rows,
    written by the csv module with any quoting and delimiter, or joined raw (so quotes can be left open)."""
    header = draw(st.lists(st.sampled_from(columns) | st.text(max_size=5), min_size=0, max_size=9))
    header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in header]
    rows = draw(st.lists(st.lists(CELLS, min_size=max(0, len(header) - 1), max_size=len(header) + 1), max_size=6))
    delimiter = draw(st.sampled_from(",;\t"))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending, quoting=quoting)
        writer.writerow(header)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:
        text = ending.join(delimiter.join(cells) for cells in [header, *rows])
    return ("\ufeff" if draw(st.booleans()) else "") + text


CSV_BYTES = damaged(encoded(csv_texts()))

# --- transcripts ----------------------------------------------------------------------------------------------------

TRANSCRIPT_LINES = st.one_of(
    st.sampled_from(
        [
            "=== Tråd: A",
            "=== ",
            "# kommentar",
            "",
            "[2013-02-19 10:15] Kari Holmen (Bodø): Hei",
            "  [2013-02-19 10:40] Ola: Svar",
            "    [2013-02-19 11:02] Kari: Svar på svar",
            "\t[2013-02-19 11:02Z] Per (): x",
            "\t\t[2013-02-19 11:02+01:00] Per (Voss): x",
            "      [2013-02-19 11:03] Dypt: x",
            "[2013-02-30 10:15] Feil: dato",
            "[0001-01-01 00:00+01:00] Tidlig: x",
            "[9999-12-31 23:59] Fjern: x",
            "[1969-12-31 23:59Z] Gammel: x",
            "[2100-01-01 00:30] Neste hundreår: x",
            "[1361265300] Tall: x",
            "[2013-02-19 10:15 Kari: mangler",
            "[2013-02-19 10:15] Kari uten kolon",
            "[2013-02-19 10:15] : uten navn",
            "   tre mellomrom",
            "fortsettelse",
        ]
    ),
    st.text(alphabet=" \t[]:=#()0123456789-aø\u2028\x0c", max_size=30),
    LONG_DIGITS.map(lambda digits: f"[{digits}] Tall: x"),
)
TRANSCRIPT_BYTES = damaged(
    encoded(
        st.builds(
            lambda lines, ending: ending.join(lines),
            st.lists(TRANSCRIPT_LINES, max_size=12),
            st.sampled_from(["\n", "\r\n", "\r"]),
        )
    )
)

# --- zip archives ---------------------------------------------------------------------------------------------------

#: Names in a tree: real export names and the folders around them, hidden files, other types; and random ones.
TREE_NAMES = st.one_of(
    st.sampled_from(
        [
            "feed.json",
            "a.csv",
            "b.tsv",
            "notes.txt",
            "README.md",
            "README",
            "photo.jpg",
            "groups/your_posts_in_groups.json",
            "groups/your_comments_in_groups.json",
            "groups/your_comments_in_groups_2.json",
            "your_facebook_activity/groups/group_posts_and_comments.json",
            "your_activity_across_facebook/groups/your_posts_in_groups.json",
            "wrapper/groups/your_comments_in_groups.json",
            "groups/your_groups.json",
            "profile_information/profile_information.json",
            "sub/dir/x.json",
            "sub/",
            ".hidden.csv",
            "__MACOSX/._a.csv",
            "inner.zip",
            "project.qde",
            "x.qdpx",
        ]
    ),
    st.lists(st.sampled_from(["a", "b.json", "groups", ".x", "c.csv", "d"]), min_size=1, max_size=3).map("/".join),
)
#: Member names of a zip: those, and names that climb out or are absolute.
MEMBER_NAMES = st.one_of(
    TREE_NAMES,
    st.sampled_from(["../evil.csv", "/abs/evil.json", "C:/evil.json", "a\\..\\..\\b.csv", "dir/../../c.csv"]),
    st.text(alphabet="ab./\\_:", min_size=1, max_size=12),
)
# bzip2 and lzma are slow to write, so rarer
COMPRESSIONS = st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED] * 2 + [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
ANY_EXPORT = st.one_of(
    st.binary(max_size=300),
    json_bytes(GRAPH_DOCUMENTS),
    json_bytes(DYI_DOCUMENTS),
    json_bytes(json_values()),
    CSV_BYTES,
    TRANSCRIPT_BYTES,
)
#: Over ``RATIO_FLOOR_BYTES`` and compressed far more than a hundred to one (by deflate, bzip2 or lzma): a zip bomb.
BOMB = st.integers(1, 2).map(lambda mib: b" " * (mib * 1024 * 1024 + 1))
#: Real exports of every kind (so that a member at the right place makes a DYI archive), possibly damaged; random
#: bytes; a few that look like something else. Cheaper than ``ANY_EXPORT``: the archive's structure is the point.
SAMPLE_EXPORTS = [
    dump(dyi_posts()),
    dump(dyi_comments()),
    dump(MEMBERSHIP),
    dump({"profile_v2": {"name": {"full_name": fb("Øystein Berg")}}}),
    dump({"profile_v2": {"name": {"full_name": "\ud83d"}}}),
    dump({"group_comments_v2": [{"timestamp": 253_402_300_799, "data": [{"comment": {"comment": "Hei\ud800"}}]}]}),
    json.dumps({"data": [{"id": "p1", "created_time": "2013-02-19T09:15:00+0000", "message": "Hei"}]}).encode(),
    b"id,author,created_time,text\np1,Kari,2013-02-19 10:15,Hei\n",
    b"=== Tr\xc3\xa5d: A\n[2013-02-19 10:15] Kari: Hei\n",
]
MEMBER_BYTES = st.one_of(
    damaged(st.sampled_from(SAMPLE_EXPORTS)),
    st.binary(max_size=100),
    st.sampled_from([b"PK\x03\x04", b"<Project/>", b"{}", b"[]", b""]),
)


@st.composite
def zip_archives(draw: st.DrawFn, members: st.SearchStrategy[bytes] = MEMBER_BYTES) -> bytes:
    """A zip whose members have any of the names above (duplicates too), any compression and any content; the
    archive itself sometimes damaged afterwards."""
    entries = draw(st.lists(st.tuples(MEMBER_NAMES, members, COMPRESSIONS), max_size=5))
    if draw(st.integers(0, 9)) == 0:  # deflated, since bzip2 and lzma take a tenth of a second for a mebibyte
        entries.append((draw(MEMBER_NAMES), draw(BOMB), zipfile.ZIP_DEFLATED))
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names: they are the point
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data, compression in entries:
                archive.writestr(zipfile.ZipInfo(name, (2013, 2, 19, 10, 15, 0)), data, compression)
    raw = buffer.getvalue()
    return draw(damaged(st.just(raw))) if draw(st.integers(0, 3)) == 0 else raw


# --- XML (REFI-QDA) -------------------------------------------------------------------------------------------------

GUIDS = [f"a1b2c3d4-0000-4000-8000-00000000000{i}" for i in range(4)]
XML_TAGS = (
    "Project CodeBook Codes Code Description Users User Sources TextSource PlainTextContent PlainTextSelection Coding "
    "CodeRef NoteRef Notes Note Cases Case SourceRef SelectionRef Variables Variable VariableValue VariableRef "
    "TextValue IntegerValue Sets Set PDFSource Links Link"
).split()
XML_ATTRIBUTES = {
    "guid": st.sampled_from([*GUIDS, "{" + GUIDS[0].upper() + "}", "", "nope"]),
    "targetGUID": st.sampled_from([*GUIDS, "", "nope"]),
    "name": st.sampled_from(["Krise", "Flom", "", "  ", "ØØØ", "a/b", "Krise"]),
    "isCodable": st.sampled_from(["true", "false", "1", "0", "kanskje"]),
    "color": st.sampled_from(["#D62728", "#abc", "red", ""]),
    "startPosition": st.sampled_from(["0", "1", "3", "-1", "99", "x", "9" * 30]),
    "endPosition": st.sampled_from(["0", "2", "5", "99", "", "9" * 30]),
    "plainTextPath": st.sampled_from(
        ["internal://a.txt", "internal://../a.txt", "relative://nope.txt", "absolute:///nope/x.txt", "a.txt", ""]
    ),
    "creatingUser": st.sampled_from(GUIDS),
    "creationDateTime": st.sampled_from(["2019-05-03T10:00:00Z", "2019-02-30T10:00", "0001-01-01T00:00:00+01:00"]),
    "typeOfVariable": st.sampled_from(["Text", "Integer", "Boolean", "Float", "Date", "Nope"]),
}
XML_TEXTS = st.one_of(st.sampled_from(["Flommen kom.", "Hei", "", "  ", "fokus-id: krise/flom"]), st.text(max_size=12))


def _element(tag: str, attrib: dict[str, str], text: str, kids: list[str]) -> str:
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in attrib.items())
    return f"<{tag}{attributes}>{escape(text)}{''.join(kids)}</{tag}>"


_XML_ATTRIBS = st.fixed_dictionaries({}, optional=XML_ATTRIBUTES)
XML_ELEMENTS: st.SearchStrategy[str] = st.recursive(
    st.builds(_element, st.sampled_from(XML_TAGS), _XML_ATTRIBS, XML_TEXTS, st.just([])),
    lambda kids: st.builds(_element, st.sampled_from(XML_TAGS), _XML_ATTRIBS, XML_TEXTS, st.lists(kids, max_size=3)),
    max_leaves=12,
)
XML_PROLOGUES = st.sampled_from(
    [
        "",
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<?xml version="1.0" encoding="latin-1"?>\n',
        '<!DOCTYPE p [<!ENTITY e "x">]>',
        '<!DOCTYPE p SYSTEM "http://example.org/x.dtd">',
        "<!-- kommentar -->",
        "\ufeff",
    ]
)
XML_NAMESPACES = st.sampled_from(["", ' xmlns="urn:QDA-XML:project:1.0"', ' xmlns="urn:QDA-XML:codebook:1.0"'])


def xml_documents(root: str) -> st.SearchStrategy[bytes]:
    """A document whose root is mostly ``root``, holding random REFI-QDA elements; possibly damaged."""
    body = st.one_of(
        st.builds(lambda kids: _element(root, {}, "", kids), st.lists(XML_ELEMENTS, max_size=4)), XML_ELEMENTS
    )
    return damaged(
        encoded(
            st.builds(
                lambda prologue, ns, text: prologue + text.replace(">", ns + ">", 1),
                XML_PROLOGUES,
                XML_NAMESPACES,
                body,
            )
        )
    )


# --- threads that mostly parse, for the import into a project ------------------------------------------------------

_THREAD_CELLS = {
    "id": st.sampled_from(["p1", "p2", "c1", "c2", "r1", "r2"]),
    "thread_id": st.sampled_from(["", "p1", "p1", "p2", "nope"]),
    "parent_id": st.sampled_from(["", "", "", "p1", "c1", "c2", "r1", "r2", "nope"]),
    "author": st.sampled_from(["Kari Holmen", "Ola", "kari  HOLMEN", "Deltaker 07", "Deltaker 1", ""]),
    "created_time": st.sampled_from(["2013-02-19 10:15", "2013-02-19T09:15:00Z", "1361265300", "2013-02-20 08:00"]),
    "text": st.sampled_from(["Hei", "Flommen kom i natt.", "", "Hei", "Svar 😊"]),
    "case": st.sampled_from(["", "Bodø", "bodø", "Voss"]),
    "reactions": st.sampled_from(["", "3", "1,234"]),
}


@st.composite
def thread_csv_bytes(draw: st.DrawFn) -> bytes:
    """A CSV of posts, comments and replies that mostly parses: ids that answer each other (in circles too), a
    few authors spelt several ways, cases."""
    rows = draw(st.lists(st.fixed_dictionaries(_THREAD_CELLS), min_size=1, max_size=6))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(_THREAD_CELLS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


_GROUPS = st.sampled_from(["Kommunene i sosiale medier", "Kommunene i sosiale medier", "Gruppa"])
_DONATED_POST = st.builds(
    lambda author, group, stamp, text: {
        "timestamp": stamp,
        "title": f"{author} posted in {group}.",
        "data": [{"post": text}],
    },
    st.sampled_from(["Kari Holmen", "Ola"]),
    _GROUPS,
    st.sampled_from([1361265300, 1361268900]),
    st.sampled_from(["Hei", "Flommen kom i natt."]),
)
_DONATED_COMMENT = st.builds(
    lambda author, answered, group, stamp, text: {
        "timestamp": stamp,
        "title": f"{author} commented on {answered}'s post.",
        "data": [{"comment": {"timestamp": stamp, "comment": text, "author": author, "group": group}}],
    },
    st.sampled_from(["Kari Holmen", "Ola", "Ragnhild Vik"]),
    st.sampled_from(["Kari Holmen", "Ola", "Nobody"]),
    _GROUPS,
    st.sampled_from([1361265600, 1361272500]),
    st.sampled_from(["Enig!", "Takk 😊"]),
)
#: A DYI groups file that parses: posts and comments in one group or two (which an import refuses unless the group
#: is named).
DONATION_BYTES = st.builds(
    lambda posts, comments: json.dumps({"group_posts_v2": posts, "group_comments_v2": comments}).encode(),
    st.lists(_DONATED_POST, max_size=3),
    st.lists(_DONATED_COMMENT, max_size=3),
)


def _xml(
    tag: str, attributes: tuple[str, ...], *kids: st.SearchStrategy[str], text: bool = False
) -> st.SearchStrategy[str]:
    """An element ``tag`` whose ``attributes`` are each present or not, with values from ``XML_ATTRIBUTES``, and
    children drawn from ``kids`` (each a strategy of serialised elements)."""
    present = {name: XML_ATTRIBUTES[name] for name in attributes if name in _USUALLY_THERE}
    attrib = st.fixed_dictionaries(present, optional={n: XML_ATTRIBUTES[n] for n in attributes if n not in present})
    children = st.lists(st.one_of(*kids), max_size=2).map("".join) if kids else st.just("")
    body = st.one_of(st.just(""), XML_TEXTS) if text else st.just("")
    return st.builds(
        lambda a, t, c: _element(tag, a, t, []).replace(f"</{tag}>", c + f"</{tag}>"), attrib, body, children
    )


_USUALLY_THERE = {"guid", "targetGUID", "name", "startPosition", "endPosition"}  # their pools hold wrong values
_DESCRIPTION = _xml("Description", (), text=True)
_NOTE_REF = _xml("NoteRef", ("targetGUID",))
QDC_CODES: st.SearchStrategy[str] = st.recursive(
    _xml("Code", ("guid", "name", "isCodable", "color"), _DESCRIPTION, _NOTE_REF),
    lambda kids: _xml("Code", ("guid", "name", "isCodable", "color"), _DESCRIPTION, _NOTE_REF, kids),
    max_leaves=6,
)
QDC_CODEBOOK = _xml(
    "CodeBook", ("name",), _xml("Codes", (), QDC_CODES), _xml("Sets", (), _xml("Set", ("guid", "name")))
)
_CODING = _xml("Coding", ("guid", "creatingUser", "creationDateTime"), _xml("CodeRef", ("targetGUID",)))
_SELECTION = _xml(
    "PlainTextSelection",
    ("guid", "startPosition", "endPosition", "creatingUser", "creationDateTime"),
    _DESCRIPTION,
    _CODING,
    _NOTE_REF,
)
_SOURCE = _xml(
    "TextSource",
    ("guid", "name", "plainTextPath", "creatingUser", "creationDateTime"),
    _xml("PlainTextContent", (), text=True),
    _SELECTION,
    _DESCRIPTION,
)
_CASE = _xml(
    "Case",
    ("guid", "name"),
    _xml("VariableValue", (), _xml("VariableRef", ("targetGUID",)), _xml("TextValue", (), text=True)),
    _xml("SourceRef", ("targetGUID",)),
    _xml("SelectionRef", ("targetGUID",)),
)
QDPX_PROJECT = _xml(
    "Project",
    ("name",),
    _xml("Users", (), _xml("User", ("guid", "name"))),
    QDC_CODEBOOK,
    _xml("Variables", (), _xml("Variable", ("guid", "name", "typeOfVariable"))),
    _xml("Cases", (), _CASE),
    _xml("Sources", (), _SOURCE, _xml("PDFSource", ("guid",))),
    _xml(
        "Notes",
        (),
        _xml("Note", ("guid", "name", "plainTextPath", "creationDateTime"), _xml("PlainTextContent", (), text=True)),
    ),
    _NOTE_REF,
)


def shaped_xml(element: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """A REFI-QDA document of the right structure, any attribute missing or wrong, in one of the namespaces."""
    return st.builds(lambda ns, text: text.replace(">", ns + ">", 1).encode("utf-8"), XML_NAMESPACES, element)
