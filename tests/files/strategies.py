"""Hypothesis strategies for the files researchers write by hand: YAML codebooks and hypothesis files, codings files
and case tables. Each is made in the shape of the real format (the real keys and columns, plausible values) with
some fields wrong, then written out and possibly damaged, so that the validation behind the parser is reached too.
Every field of a codings file and a case table can hold half a character (escaped in JSON; in CSV the encoder makes
it a "?"), a number of thousands of digits, or a time far outside 1970-2099.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import strategies as st

from tests.importers.strategies import (
    CELLS,
    HALVES,
    HUGE_INTS,
    JSON_SCALARS,
    LONG_DIGITS,
    MISSING,
    NUMBERS,
    TEXTS,
    TIMES,
    damaged,
    encoded,
    json_bytes,
    json_values,
    optional,
    without_missing,
    wrong,
)


def _object(**fields: Any) -> dict[str, Any]:
    return fields


# --- YAML -----------------------------------------------------------------------------------------------------------

YAML_SCALARS = st.one_of(
    JSON_SCALARS.filter(lambda v: not isinstance(v, float) or v == v),
    st.sampled_from(["krise", "krise/flom", "H1", "association", "trend", "message", "case", "positive", "#D62728"]),
)
#: Spliced into YAML text: tags that make PyYAML's constructors fail, aliases, merge keys, deep nesting.
YAML_SNIPPETS = [
    "2020-02-30",
    "!!int abc",
    "!!float x",
    "!!timestamp nope",
    "!!binary '%%'",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object:os.system x",
    "&a [*a]",
    "*undefined",
    "{<<: 5}",
    "? [a, b]\n  : c",
    "9" * 5000,
    "'unclosed",
    "\t tab",
    "[" * 300,
    "- " * 300 + "x",
    "@reserved",
    "%YAML 1.1",
]
CODE_IDS = st.sampled_from(["krise", "flom", "dialog", "krise", "Krise", "a b", "", "krise\n", "x" * 70, "-x", "ø"])
WORD_LISTS = st.lists(st.sampled_from(["flom", "krise", "på", "", "to ord", "kommune"]), max_size=3)
_NEAR = st.builds(_object, a=wrong(WORD_LISTS), b=wrong(WORD_LISTS), window=wrong(st.integers(-1, 60)))
_RULE = st.builds(
    _object,
    id=optional(CODE_IDS),
    any=optional(WORD_LISTS),
    phrases=optional(WORD_LISTS),
    near=optional(_NEAR),
    pattern=optional(st.just([[{"LEMMA": "flom"}, {"POS": "NOUN", "OP": "?"}]])),
    unless=optional(WORD_LISTS),
    requires=optional(WORD_LISTS),
    compounds=optional(st.booleans()),
    weight=optional(st.floats(-1, 2)),
)


def _code(children: st.SearchStrategy[Any] | None) -> st.SearchStrategy[Any]:
    return st.builds(
        _object,
        id=wrong(CODE_IDS),
        name=wrong(TEXTS),
        color=optional(st.sampled_from(["#D62728", "#abc", "red"])),
        description=optional(TEXTS),
        include=optional(TEXTS),
        examples=optional(st.lists(TEXTS, max_size=2)),
        codable=optional(st.booleans()),
        rules=optional(st.lists(_RULE, max_size=1)),
        children=optional(st.lists(children, max_size=3)) if children is not None else st.just(MISSING),
    )


CODEBOOK_DOCUMENTS = st.builds(
    _object,
    codebook=wrong(TEXTS),
    version=optional(st.just("1.0")),
    language=optional(st.just("nb")),
    ubiquitous=optional(WORD_LISTS),
    codes=wrong(st.lists(st.recursive(_code(None), _code, max_leaves=4), max_size=3)),
)
CODE_PATHS = st.sampled_from(["krise", "krise/flom", "dialog", "gruppe/barn", "Krise", "krise/", "x" * 400, ""])
_HYPOTHESIS = st.builds(
    _object,
    id=wrong(st.sampled_from(["H1", "H2", "H1", "h-1.2", "x" * 60, "H 1", "H1\n", 7, True])),
    statement=wrong(TEXTS),
    test=wrong(st.sampled_from(["association", "group-difference", "trend", "nope"])),
    unit=wrong(st.sampled_from(["sentence", "message", "thread", "participant", "case", "nope"])),
    direction=optional(st.sampled_from(["positive", "negative", "two-sided", "up"])),
    codes=optional(st.lists(CODE_PATHS, max_size=3)),
    code=optional(CODE_PATHS),
    attribute=optional(st.sampled_from(["topp10", "fylke", "innbyggertall"])),
    group=optional(YAML_SCALARS),
    at_least=optional(NUMBERS),
    measure=optional(st.sampled_from(["share", "count", "mean"])),
    measure_unit=optional(st.sampled_from(["sentence", "message", "participant", "case"])),
    period=optional(st.sampled_from(["month", "week"])),
    min_n=optional(st.integers(-1, 100)),
    population=optional(st.sampled_from(["coded", "all", "some"])),
    note=optional(TEXTS),
)
HYPOTHESIS_DOCUMENTS = st.builds(
    _object,
    title=optional(TEXTS),
    alpha=optional(st.floats(-1, 2)),
    population=optional(st.sampled_from(["coded", "all", "x"])),
    hypotheses=wrong(st.lists(_HYPOTHESIS, max_size=3)),
)


@st.composite
def yaml_bytes(draw: st.DrawFn, documents: st.SearchStrategy[Any]) -> bytes:
    """The YAML text of a document (block or flow style), sometimes with a hostile snippet spliced in, possibly
    damaged."""
    import yaml

    value = without_missing(draw(documents))
    style = draw(st.sampled_from([None, False, True]))
    try:  # libyaml's dumper, when there, is five times faster, but cannot write a lone surrogate
        text = yaml.dump(value, Dumper=yaml.CSafeDumper, default_flow_style=style, allow_unicode=True)
    except (AttributeError, UnicodeEncodeError):
        text = yaml.safe_dump(value, default_flow_style=style, allow_unicode=True)
    if draw(st.integers(0, 3)) == 0:
        lines = text.splitlines()
        snippet = draw(st.sampled_from(YAML_SNIPPETS))
        at = draw(st.integers(0, len(lines)))
        indent = " " * draw(st.sampled_from([0, 2, 4]))
        key = draw(st.sampled_from(["codes", "children", "hypotheses", "id", "name", "rules", "any", "alpha"]))
        lines.insert(at, f"{indent}{key}: {snippet}" if draw(st.booleans()) else indent + snippet)
        text = "\n".join(lines)
    return draw(damaged(encoded(st.just(text))))


# --- codings files --------------------------------------------------------------------------------------------------

CODING_COLUMNS = (
    "message_id thread_id case participant code start end text status origin confidence coder created_at".split()
)
_CODING_CELLS = {
    "message_id": st.sampled_from(["p1", "c1", "r1", "p2", "nope", "", " p1 "]),
    "code": st.sampled_from(["krise", "krise/flom", "dialog", "gruppe", "gruppe/barn", "nope", ""]),
    "start": st.one_of(st.integers(-1, 30).map(str), st.sampled_from(["", "x", "1.5", "9" * 30, "٣", "1_0"])),
    "end": st.one_of(st.integers(-1, 30).map(str), st.sampled_from(["", "9" * 30, "9" * 5000])),
    "text": st.sampled_from(["", "Flom", "Flommen kom i natt.", "x"]),
    "status": st.sampled_from(["accepted", "suggested", "rejected", "ACCEPTED", "", "maybe"]),
    "origin": st.sampled_from(["human", "rule:krise:r1", "model:lr", "", "x" * 300]),
    "confidence": st.sampled_from(["", "0.5", "1", "nan", "inf", "-1", "x", "1e999", "2"]),
    "coder": st.sampled_from(["ingrid", "magnus", "", "fokus", "x" * 300]),
    "created_at": st.sampled_from(
        [*TIMES, "2019-05-03T10:00:00+02:00", "2019-05-03T10:00:00", "9999-12-31T23:59:59+00:00", "1969-07-20T20:17Z"]
    ),
}
#: Each column's values, or (rarely) half a character or a number of 4,000 digits in any of them.
CODING_CELLS = {
    column: st.one_of(cells, cells, cells, st.sampled_from(HALVES), HUGE_INTS)
    for column, cells in _CODING_CELLS.items()
}
_OTHER_CELLS = st.one_of(CELLS, st.sampled_from(["p1", "krise"]))


@st.composite
def codings_bytes(draw: st.DrawFn) -> bytes:
    """A codings file: CSV with the real columns (any subset, any order), or a JSON list of such objects with some
    values of the wrong type."""
    columns = draw(st.lists(st.sampled_from(CODING_COLUMNS), min_size=1, max_size=8, unique=True))
    cells = st.fixed_dictionaries({c: CODING_CELLS.get(c, _OTHER_CELLS) for c in columns})
    rows = draw(st.lists(cells, max_size=4))
    if draw(st.booleans()):
        items: list[Any] = [{k: draw(wrong(st.just(v), odds=6)) for k, v in row.items()} for row in rows]
        if draw(st.integers(0, 5)) == 0:
            items.append(draw(json_values(leaves=4)))
        return draw(json_bytes(st.just(items)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from(",;")), lineterminator=draw(st.sampled_from("\n\r")))
    writer.writerow(columns)
    writer.writerows([[row[c] for c in columns] for row in rows])
    return draw(damaged(encoded(st.just(buffer.getvalue()))))


# --- case tables ----------------------------------------------------------------------------------------------------

_CASE_COLUMNS = "kommune navn fylke innbyggertall innbyggertall:integer topp10 topp10:boolean siden:date andel:float"
CASE_HEADERS = st.sampled_from([*_CASE_COLUMNS.split(), "nr:text", "x:nope", "kommune", "Kommune", "", " "])
CASE_CELLS = st.one_of(
    st.sampled_from(["Bodø", "bodø", "Voss", "Bodø  kommune", "Bodø kommune", "", "0219", "48200", "-3", "+7"]),
    st.sampled_from(["1,5", "2.5", "1e999", "9" * 25, "9" * 5000, "ja", "nei", "true", "2009-11-02", "31.02.2020"]),
    st.sampled_from(["02.11.2009", "0001-01-01", "nan", "inf", "1_000", "x" * 300]),
    st.sampled_from(["9999-12-31", "31.12.9999", *HALVES]),
    LONG_DIGITS.flatmap(lambda digits: st.sampled_from([digits, f"-{digits}", f"{digits}.5", f"{digits}e3"])),
    st.text(max_size=8),
)


@st.composite
def case_table_bytes(draw: st.DrawFn) -> bytes:
    """A case table: real attribute headers (forced types too) and cells of every type, with any delimiter."""
    header = draw(st.lists(CASE_HEADERS, min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CASE_CELLS, min_size=len(header) - 1, max_size=len(header) + 1), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from(",;\t")), lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return draw(damaged(encoded(st.just(buffer.getvalue()))))
