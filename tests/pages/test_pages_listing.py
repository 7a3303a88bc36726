"""The pages file: municipality, page id or address, followers and population, in English or Norwegian."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fokus.errors import FokusError
from fokus.importers.pages.listing import page_key, read_listing

DATA = Path(__file__).parent / "data"


def listing_of(text: str, tmp_path: Path) -> Path:
    path = tmp_path / "sider.csv"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(text: str, tmp_path: Path) -> str:
    with pytest.raises(FokusError) as caught:
        read_listing(listing_of(text, tmp_path))
    return str(caught.value).replace(str(tmp_path), "TMP")


def test_norwegian_headings_semicolons_and_grouped_thousands() -> None:
    rows = read_listing(DATA / "pages.csv")
    assert [(r.municipality, r.page, r.name, r.followers_start, r.followers_end, r.population) for r in rows] == [
        ("Bergen", "111", "Bergen kommune", 12345, 13001, 271949),
        ("Stord", "stordkommune", "Stord kommune", 2100, 2250, 18500),
    ]
    assert rows[1].location == f"{DATA / 'pages.csv'}:line 3"


def test_english_headings_any_order_and_empty_cells(tmp_path: Path) -> None:
    text = "Population,Page,Municipality,Followers start\n\u00a05\u00a0000 ,fb.com/Os.Kommune,  Os ,\n"
    (row,) = read_listing(listing_of(text.replace("\u00a05", "5"), tmp_path))
    assert (row.municipality, row.page, row.population, row.followers_start, row.name) == (
        "Os",
        "os.kommune",
        5000,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("123456789", "123456789"),
        ("BergenKommune", "bergenkommune"),
        ("https://www.facebook.com/bergenkommune", "bergenkommune"),
        ("https://www.facebook.com/bergenkommune/", "bergenkommune"),
        ("http://m.facebook.com/bergenkommune?ref=ts&fref=ts", "bergenkommune"),
        ("https://web.facebook.com/bergenkommune/#posts", "bergenkommune"),
        ("fb.com/bergenkommune", "bergenkommune"),
        ("www.facebook.com/profile.php?id=100064", "100064"),
        ("https://www.facebook.com/pages/Stord-kommune/123456", "123456"),
    ],
)
def test_a_page_is_read_from_its_id_or_any_form_of_its_address(value: str, key: str) -> None:
    assert page_key(value, "line 2") == key


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "https://evil.example/facebook.com/x",
            "line 2: not a Facebook page address: 'https://evil.example/facebook.com/x' (give the page's id or its"
            " address on facebook.com)",
        ),
        (
            "https://facebook.com/",
            "line 2: no page id or name in 'https://facebook.com/' (give the page's id or its address on facebook.com)",
        ),
        (
            "Bergen kommune",
            "line 2: no page id or name in 'Bergen kommune' (give the page's id or its address on facebook.com)",
        ),
    ],
)
def test_a_page_that_is_no_facebook_page_is_refused(value: str, message: str) -> None:
    with pytest.raises(FokusError) as caught:
        page_key(value, "line 2")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "kommune;side\nBergen;111\nOs;111\n",
            "TMP/sider.csv:line 3: page '111' is named twice (first at line 2)",
        ),
        (
            "kommune;side\nBergen;111\nbergen;222\n",
            "TMP/sider.csv:line 3: municipality 'bergen' is named twice (first at line 2)",
        ),
        (
            "kommune;side;innbyggere\nBergen;111;12,5\n",
            "TMP/sider.csv:line 2: population is not a whole number: '12,5' (write e.g. 12345 or 12 345)",
        ),
        (
            "kommune;side;følgere start\nBergen;111;-3\n",
            "TMP/sider.csv:line 2: followers_start is not a whole number: '-3' (write e.g. 12345 or 12 345)",
        ),
        (
            "kommune;side;følgere slutt\nBergen;111;1 23 456\n",
            "TMP/sider.csv:line 2: followers_end is not a whole number: '1 23 456' (write e.g. 12345 or 12 345)",
        ),
        (
            "kommune;side;innbyggere\nBergen;111;99999999999999999999\n",
            "TMP/sider.csv:line 2: population is more than there are people on earth: '99999999999999999999'",
        ),
        (
            "kommune;navn\nBergen;Bergen kommune\n",
            "TMP/sider.csv:line 1: needs a municipality column (municipality or kommune) and a page column (page,"
            " side or url)",
        ),
        (
            "kommune;side;url\nBergen;111;111\n",
            "TMP/sider.csv:line 1: two columns give the page: 'side' and 'url'",
        ),
        ("kommune;side\n;111\n", "TMP/sider.csv:line 2: no municipality"),
        ("kommune;side\nBergen;\n", "TMP/sider.csv:line 2: no page (an id or a Facebook address)"),
        (
            'kommune;side\nBergen;"111\n',
            "TMP/sider.csv:line 2: malformed CSV: malformed quoting: a quoted field is never closed",
        ),
        ("", "TMP/sider.csv: the file is empty"),
    ],
)
def test_a_bad_pages_file_is_refused_with_its_line(text: str, message: str, tmp_path: Path) -> None:
    assert error_of(text, tmp_path) == message


def test_a_pages_file_that_is_not_utf8_or_holds_nul_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sider.csv"
    path.write_bytes("kommune;side\nBærum;111\n".encode("latin-1"))
    with pytest.raises(FokusError, match=r"sider.csv:line 2 \(byte 14\): not UTF-8 text"):
        read_listing(path)
    path.write_bytes(b"kommune;side\nB\x00;111\n")
    with pytest.raises(FokusError, match=r"sider.csv:line 2: NUL byte: this is not a text CSV file"):
        read_listing(path)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('kommune;side,innbyggere 0123456789/:?=."\n\u00a0fbcom_-')), max_size=80))
def test_any_pages_file_is_read_or_refused_in_one_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sider.csv"
        path.write_text("kommune;side;innbyggere;følgere start\n" + text, encoding="utf-8")
        refused = None
        try:
            rows = read_listing(path)
        except FokusError as err:
            refused = str(err)
    if refused is not None:
        assert "\n" not in refused
        assert refused.startswith(str(path))
    else:
        assert len({row.page for row in rows}) == len(rows)
