"""The pages file: which page is which municipality's, with its followers and population (a CSV written by hand).

One row per page. Columns, in any order, with English or Norwegian headings (case and spaces ignored):

- ``municipality`` / ``kommune`` (required): the case the page belongs to, created if the project lacks it;
- ``page`` / ``side`` / ``url`` / ``id`` (required): the page's id or address. ``https://www.facebook.com/<name>``,
  ``m.facebook.com``, ``fb.com``, with or without ``www``, a trailing slash, a query or a fragment, ``profile.php?id=``
  and ``pages/<name>/<id>`` are all read as the page's id or name (names in lower case: Facebook ignores case);
- ``name`` / ``navn``: the page's name as shown;
- ``followers_start`` / ``følgere_start``, ``followers_end`` / ``følgere_slutt``: followers at the window's start
  and end; ``population`` / ``innbyggere`` / ``innbyggertall``.

Numbers are whole and may group thousands with spaces, as Norwegian writes them (``12 345``, with a plain, a
no-break or a thin space). A number that is not whole, negative, or larger than the world's population, a page or a
municipality named twice, or a page that is no Facebook address is refused with the file and line. The file is
separated by commas, semicolons (Norwegian Excel) or tabs, told from its first line; XLSX is not read (no
spreadsheet library is a dependency): save the sheet as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers import limits
from fokus.importers.decoding import decode_text
from fokus.importers.limits import MAX_CASE_TABLE_BYTES, MAX_ID_CHARS, MAX_NAME_CHARS, check_length, shown_text
from fokus.importers.pages.records import PageListing

#: The columns as the file may name them (lower case, spaces and hyphens as ``_``), to the field each fills.
COLUMNS = {
    "municipality": "municipality",
    "kommune": "municipality",
    "case": "municipality",
    "page": "page",
    "side": "page",
    "url": "page",
    "id": "page",
    "page_id": "page",
    "name": "name",
    "navn": "name",
    "followers_start": "followers_start",
    "følgere_start": "followers_start",
    "folgere_start": "followers_start",
    "followers_end": "followers_end",
    "følgere_slutt": "followers_end",
    "folgere_slutt": "followers_end",
    "population": "population",
    "innbyggere": "population",
    "innbyggertall": "population",
}
NUMBERS = ("followers_start", "followers_end", "population")
#: Followers or inhabitants no page or municipality has (more than the people on earth).
MAX_PEOPLE = 10_000_000_000
_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+")
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]+")
_HOSTS = ("facebook.com", "fb.com")


def read_listing(path: Path) -> list[PageListing]:
    """Read a pages file; errors name the file and line."""
    display = str(path)
    raw = limits.read_limited(path, MAX_CASE_TABLE_BYTES, N_("a pages file has a row per page"))
    try:
        return _rows(raw, display)
    except FokusError as err:
        raise err.located(path=display) from None


def _rows(raw: bytes, display: str) -> list[PageListing]:
    if b"\x00" in raw:
        raise FokusError(_("NUL byte: this is not a text CSV file"), where=f"line {raw[: raw.index(0)].count(10) + 1}")
    text = decode_text(raw, display)
    if not text.strip():
        raise FokusError(_("the file is empty"))
    delimiter = max((",", ";", "\t"), key=text.splitlines()[0].count)
    limits.allow_long_csv_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        fields = _header(next(reader))
        rows: list[PageListing] = []
        seen: dict[tuple[str, str], str] = {}
        for cells in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in cells):
                continue
            limits.check_count(len(rows) + 1, limits.MAX_CASES, N_("rows"), where)
            row = _row(cells, fields, f"{display}:{where}", where)
            for key in (("municipality", row.municipality.casefold()), ("page", row.page)):
                if key in seen:
                    raise FokusError(
                        _("{what} {value} is named twice (first at {first})").format(
                            what=_("municipality") if key[0] == "municipality" else _("page"),
                            value=shown_text(key[1]),
                            first=seen[key],
                        ),
                        where=where,
                    )
                seen[key] = where
            rows.append(row)
    except csv.Error as exc:
        raise FokusError(
            _("malformed CSV: {exc}").format(exc=limits.csv_error_reason(exc)), where=f"line {reader.line_num}"
        ) from None
    return rows


def _header(cells: list[str]) -> dict[str, int]:
    fields: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"[\s-]+", "_", cell.strip().casefold())
        field = COLUMNS.get(key)
        if field is None:
            continue
        if field in fields:
            raise FokusError(
                _("two columns give the {field}: {first} and {second}").format(
                    field=field, first=shown_text(cells[fields[field]]), second=shown_text(cell)
                ),
                where="line 1",
            )
        fields[field] = index
    if "municipality" not in fields or "page" not in fields:
        raise FokusError(
            _("needs a municipality column (municipality or kommune) and a page column (page, side or url)"),
            where="line 1",
        )
    return fields


def _row(cells: list[str], fields: dict[str, int], location: str, where: str) -> PageListing:
    def cell(field: str) -> str:
        index = fields.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    municipality = " ".join(cell("municipality").split())
    if not municipality:
        raise FokusError(_("no municipality"), where=where)
    check_length(municipality, MAX_NAME_CHARS, N_("case name"), where)
    page = page_key(cell("page"), where)
    name = cell("name") or None
    if name is not None:
        check_length(name, MAX_NAME_CHARS * 2, N_("page name"), where)
    numbers = {field: number_in(cell(field), field, where) for field in NUMBERS}
    return PageListing(municipality=municipality, page=page, location=location, name=name, **numbers)


def page_key(value: str, where: str) -> str:
    """The page's id or name from an id, a name or a Facebook address (see the module docstring)."""
    if not value:
        raise FokusError(_("no page (an id or a Facebook address)"), where=where)
    text = value if "://" in value else f"https://{value}" if "/" in value else None
    if text is None:
        key = value
    else:
        parts = urlsplit(text)
        host = (parts.hostname or "").casefold()
        if not any(host == h or host.endswith("." + h) for h in _HOSTS):
            raise FokusError(
                _("not a Facebook page address: {value}").format(value=shown_text(value)),
                where=where,
                hint=_("give the page's id or its address on facebook.com"),
            )
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["profile.php"]:
            key = (parse_qs(parts.query).get("id") or [""])[0]
        elif segments[:1] == ["pages"] and len(segments) >= 3:
            key = segments[-1]
        else:
            key = segments[0] if segments else ""
    if not _PLAIN_ID.fullmatch(key):
        raise FokusError(
            _("no page id or name in {value}").format(value=shown_text(value)),
            where=where,
            hint=_("give the page's id or its address on facebook.com"),
        )
    return check_length(key if key.isdigit() else key.casefold(), MAX_ID_CHARS, N_("page id"), where)


def number_in(value: str, field: str, where: str) -> int | None:
    """A whole number of people, thousands grouped or not; None for an empty cell."""
    if not value:
        return None
    if not _GROUPED.fullmatch(value) or len(value) > 24:
        raise FokusError(
            _("{field} is not a whole number: {value}").format(field=field, value=shown_text(value)),
            where=where,
            hint=_("write e.g. 12345 or 12 345"),
        )
    count = int(re.sub(r"\D", "", value))
    if count > MAX_PEOPLE:
        raise FokusError(
            _("{field} is more than there are people on earth: {value}").format(field=field, value=shown_text(value)),
            where=where,
        )
    return count
