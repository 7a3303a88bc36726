"""Round trips: well-formed exports generated from random threads read back exactly."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fokus.importers import MessageKind, parse_csv, parse_dyi, parse_graph, parse_transcript

from .builders import fb

ROUND_TRIP = settings(max_examples=300, deadline=None)
START = datetime(2013, 1, 14, 8, 0, tzinfo=UTC)

NAMES = st.lists(
    st.sampled_from(["Kari", "Øystein", "Ola", "Åse", "Berg", "Holmen", "Vik", "Jon-Erik"]), min_size=1, max_size=3
).map(" ".join)
TEXTS = st.text(min_size=1, max_size=60).filter(lambda t: t.strip() and "\x00" not in t)
LINE = st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=30).map(str.rstrip)

# A thread: (author, text, [(author, text, [(author, text)])])
THREADS = st.lists(
    st.tuples(
        NAMES,
        TEXTS,
        st.lists(st.tuples(NAMES, TEXTS, st.lists(st.tuples(NAMES, TEXTS), max_size=2)), max_size=3),
    ),
    min_size=1,
    max_size=4,
)


def flatten(threads: list[Any]) -> list[tuple[MessageKind, str, str, int, int]]:
    """(kind, author, text, index of the thread's post, index of the parent) in reading order."""
    out: list[tuple[MessageKind, str, str, int, int]] = []
    for author, text, comments in threads:
        post = len(out)
        out.append((MessageKind.POST, author, text, post, -1))
        for c_author, c_text, replies in comments:
            comment = len(out)
            out.append((MessageKind.COMMENT, c_author, c_text, post, post))
            for r_author, r_text in replies:
                out.append((MessageKind.REPLY, r_author, r_text, post, comment))
    return out


def check_structure(messages: list[Any], expected: list[tuple[MessageKind, str, str, int, int]]) -> None:
    assert [(m.kind, m.author) for m in messages] == [(kind, author) for kind, author, *_ in expected]
    for m, (_, _, _, post, parent) in zip(messages, expected, strict=True):
        assert m.thread_id == messages[post].source_id
        assert m.parent_id == (messages[parent].source_id if parent >= 0 else None)


@ROUND_TRIP
@given(threads=THREADS, sep=st.sampled_from([",", ";", "\t"]), bom=st.booleans(), crlf=st.booleans())
def test_csv_written_by_the_csv_module_reads_back(threads: list[Any], sep: str, bom: bool, crlf: bool) -> None:
    flat = flatten(threads)
    buffer = io.StringIO()
    if crlf:
        writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    else:  # with "\n" as terminator the writer leaves a lone "\r" unquoted, which no reader can tell from a line end
        writer = csv.writer(buffer, delimiter=sep, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["id", "thread_id", "parent_id", "author", "created_time", "text"])
    for i, (kind, author, text, post, parent) in enumerate(flat):
        at = (START + timedelta(minutes=i)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        thread = "" if kind is MessageKind.POST else f"m{post}"
        writer.writerow([f"m{i}", thread, f"m{parent}" if kind is MessageKind.REPLY else "", author, at, text])
    data = ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")
    messages = parse_csv(data, "a.csv").messages
    check_structure(messages, flat)
    assert [m.text for m in messages] == [t.strip().replace("\r\n", "\n").replace("\r", "\n") for _, _, t, _, _ in flat]
    assert [m.created_at for m in messages] == [START + timedelta(minutes=i) for i in range(len(flat))]


def graph_message(i: int, author: str, text: str) -> dict[str, Any]:
    at = (START + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    return {"id": f"g{i}", "message": text, "created_time": at, "from": {"id": str(i), "name": author}}


@ROUND_TRIP
@given(threads=THREADS, ascii_only=st.booleans())
def test_graph_json_reads_back(threads: list[Any], ascii_only: bool) -> None:
    counter = iter(range(10_000))
    posts = []
    for author, text, comments in threads:
        post = graph_message(next(counter), author, text)
        post["comments"] = {"data": []}
        for c_author, c_text, replies in comments:
            comment = graph_message(next(counter), c_author, c_text)
            comment["comments"] = {"data": [graph_message(next(counter), a, t) for a, t in replies]}
            post["comments"]["data"].append(comment)
        posts.append(post)
    data = json.dumps({"data": posts}, ensure_ascii=ascii_only).encode()
    messages = parse_graph(data, "feed.json").messages
    flat = flatten(threads)
    check_structure(messages, flat)
    assert [m.text for m in messages] == [t for _, _, t, _, _ in flat]


@ROUND_TRIP
@given(
    posts=st.lists(st.tuples(NAMES, TEXTS), min_size=1, max_size=4),
    comments=st.lists(st.tuples(NAMES, TEXTS, st.booleans()), max_size=4),
)
def test_dyi_with_mojibake_reads_back(posts: list[tuple[str, str]], comments: list[tuple[str, str, bool]]) -> None:
    base = int(START.timestamp())
    doc = {
        "group_posts_v2": [
            {
                "timestamp": base + i,
                "title": fb(f"{a} posted in Kommunene i sosiale medier."),
                "data": [{"post": fb(t)}],
            }
            for i, (a, t) in enumerate(posts)
        ],
        "group_comments_v2": [
            {
                "timestamp": base + 100 + i,
                "title": fb(f"{a} {'replied to Åse' if reply else 'commented on Åse'}'s post."),
                "data": [{"comment": {"timestamp": base + 100 + i, "comment": fb(t), "author": fb(a), "group": "G"}}],
            }
            for i, (a, t, reply) in enumerate(comments)
        ],
    }
    messages = parse_dyi(json.dumps(doc).encode(), "dyi.json").messages
    assert [(m.author, m.text, m.group) for m in messages[: len(posts)]] == [
        (a, t, "Kommunene i sosiale medier") for a, t in posts
    ]
    assert [(m.author, m.text, m.kind, m.parent_author) for m in messages[len(posts) :]] == [
        (a, t, MessageKind.REPLY if reply else MessageKind.COMMENT, "Åse") for a, t, reply in comments
    ]
    assert len({m.source_id for m in messages}) == len(messages)


def continuation_ok(line: str) -> bool:
    body = line.lstrip(" \t")
    return not (body[:1] == "[" and body[1:2].isdigit()) and not line.startswith("===")


TX_TEXT = st.lists(LINE.filter(continuation_ok), min_size=1, max_size=4).filter(lambda ls: ls[0].strip() != "")


@ROUND_TRIP
@given(
    threads=st.lists(
        st.tuples(
            NAMES,
            TX_TEXT,
            st.lists(st.tuples(NAMES, TX_TEXT, st.lists(st.tuples(NAMES, TX_TEXT), max_size=2)), max_size=3),
        ),
        min_size=1,
        max_size=3,
    ),
    tabs=st.booleans(),
)
def test_transcripts_read_back(threads: list[Any], tabs: bool) -> None:
    lines = ["# generert"]
    expected_texts: list[str] = []
    minute = iter(range(10_000))

    def write(level: int, author: str, text_lines: list[str]) -> None:
        indent = ("\t" if tabs else "  ") * level
        at = (START + timedelta(minutes=next(minute))).strftime("%Y-%m-%d %H:%M")
        first, *rest = text_lines
        lines.append(f"{indent}[{at}] {author}: {first.strip()}")
        lines.extend(indent + line if line else "" for line in rest)
        body = [first.strip(), *rest]
        while body and not body[-1]:
            body.pop()
        expected_texts.append("\n".join(body))

    for t, (author, text, comments) in enumerate(threads):
        lines.append(f"=== Tråd: {t}")
        write(0, author, text)
        for c_author, c_text, replies in comments:
            write(1, c_author, c_text)
            for r_author, r_text in replies:
                write(2, r_author, r_text)
    messages = parse_transcript("\n".join(lines).encode(), "t.txt").messages
    flat = flatten([(a, "", [(ca, "", [(ra, "") for ra, _ in rs]) for ca, _, rs in cs]) for a, _, cs in threads])
    check_structure(messages, flat)
    assert [m.text for m in messages] == expected_texts
    assert [m.title for m in messages if m.kind is MessageKind.POST] == [str(t) for t in range(len(threads))]
