"""The shared pieces: time parsing, mojibake repair, ids, the JSON nesting pre-scan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fokus.errors import FokusError
from fokus.importers.ids import stable_id
from fokus.importers.limits import check_storable, json_too_deep
from fokus.importers.strings import repair_mojibake
from fokus.importers.times import parse_time

from .builders import fb

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-09-01T10:00:00+0000", datetime(2015, 9, 1, 10, 0, tzinfo=UTC)),
        ("2015-09-01T10:00:00Z", datetime(2015, 9, 1, 10, 0, tzinfo=UTC)),
        ("2015-09-01T12:00:00+02:00", datetime(2015, 9, 1, 10, 0, tzinfo=UTC)),
        ("2015-09-01 12:00", datetime(2015, 9, 1, 10, 0, tzinfo=UTC)),
        ("2015-01-01 12:00:30", datetime(2015, 1, 1, 11, 0, 30, tzinfo=UTC)),
        ("2015-01-01T12:00:30.250", datetime(2015, 1, 1, 11, 0, 30, 250000, tzinfo=UTC)),
        ("01.09.2015 12:00", datetime(2015, 9, 1, 10, 0, tzinfo=UTC)),
        ("2019-05-03 12:10:05 CEST", datetime(2019, 5, 3, 10, 10, 5, tzinfo=UTC)),
        ("2019-01-03 12:10:05 CET", datetime(2019, 1, 3, 11, 10, 5, tzinfo=UTC)),
        ("2019-01-03 12:10:05 UTC", datetime(2019, 1, 3, 12, 10, 5, tzinfo=UTC)),
        ("1361265300", datetime(2013, 2, 19, 9, 15, tzinfo=UTC)),
        (" 2015-09-01 12:00 ", datetime(2015, 9, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_time_forms(value: str, expected: datetime) -> None:
    parsed = parse_time(value, OSLO)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2015-09-01",
        "20150901T1000",
        "10:15",
        "2015-09-01 25:00",
        "2015-09-01 12:00+02:00 CEST",
        "0001-01-01 00:00",
        "99999999999999",
        "2015-09-01 12:00 PST",
        "٢٠١٥-٠٩-٠١ ١٢:٠٠",
    ],
)
def test_times_that_are_refused(value: str) -> None:
    with pytest.raises(FokusError):
        parse_time(value, OSLO)


def test_mojibake_is_repaired_once() -> None:
    for text in ["på", "Øystein", "😊 👍🏽", "«sitat» – tankestrek", "Ærlig talt, Åse"]:
        assert repair_mojibake(fb(text)) == text
        assert repair_mojibake(text) == text  # already right: left alone
    assert repair_mojibake("plain ascii") == "plain ascii"
    assert fb("Øystein") == "Ã\x98ystein"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_mojibake_repair_inverts_the_corruption(text: str) -> None:
    assert repair_mojibake(fb(text)) == text


def test_lone_surrogates_are_refused_and_whole_characters_kept() -> None:
    assert check_storable("a😊b", "text", "$.x") == "a😊b"
    with pytest.raises(FokusError, match=r"^f.json:\$.x: text holds half a character \(a lone surrogate \\ud83d\)"):
        check_storable("a\ud83db", "text", "$.x", "f.json")


def test_stable_ids() -> None:
    first = stable_id("dyi:", "Kari", "1361265300", "Hei")
    assert first == stable_id("dyi:", "Kari", "1361265300", "Hei")
    assert first.startswith("dyi:")
    assert len(first) == 24
    assert first != stable_id("dyi:", "Kari", "1361265301", "Hei")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\aø😊'),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(alphabet='[]{}"\\k'), children, max_size=4)
    ),
    max_leaves=40,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=6), st.booleans())
def test_the_nesting_pre_scan_agrees_with_the_parsed_depth(value: object, limit: int, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert json_too_deep(data, limit) == (depth(value) > limit)
