"""Likert labels and numbers to typed values, so that "Svært godt" and "5" are the same answer.

A closed item's values are typed when every non-empty value fits one type: all labels of one known scale (Norwegian
or English, any letter case, with or without the code written before or after: ``5 - Svært godt``, ``Svært godt
(5)``) become the scale's position 1-5; whole numbers become integers; decimals (a decimal comma accepted) floats;
anything else stays text. "Vet ikke"/"Don't know" and "Ikke relevant"/"Not applicable" are no answer (empty), not a
point on the scale: counting them as 0 or 3 would move every mean.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# As the case tables read numbers (fokus.files.cases, a layer above): ASCII digits, a decimal comma accepted.
INTEGER = re.compile(r"^[+-]?(0|[1-9][0-9]*)\Z")
FLOAT = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?\Z")

#: Known five-point scales, lowest first; each label case-folded. Several spellings may share a position.
SCALES: dict[str, tuple[tuple[str, ...], ...]] = {
    "godt": (
        ("svært dårlig", "svært dårleg", "svært lite godt", "very poorly", "very poor", "very bad"),
        ("ganske dårlig", "ganske dårleg", "dårlig", "dårleg", "poorly", "poor", "fairly poorly", "bad"),
        (
            "verken godt eller dårlig",
            "verken godt eller dårleg",
            "middels",
            "neither well nor poorly",
            "fair",
            "average",
        ),
        ("ganske godt", "godt", "well", "fairly well", "good"),
        ("svært godt", "veldig godt", "very well", "very good", "excellent"),
    ),
    "grad": (
        ("i svært liten grad", "i svært lita grad", "to a very small extent", "not at all"),
        ("i liten grad", "i lita grad", "to a small extent"),
        ("i noen grad", "i nokon grad", "i noe grad", "to some extent", "to a moderate extent"),
        ("i stor grad", "to a large extent", "to a great extent"),
        ("i svært stor grad", "to a very large extent", "to a very great extent"),
    ),
    "enig": (
        ("helt uenig", "svært uenig", "strongly disagree"),
        ("delvis uenig", "litt uenig", "uenig", "disagree", "somewhat disagree"),
        ("verken enig eller uenig", "nøytral", "neither agree nor disagree", "neutral"),
        ("delvis enig", "litt enig", "enig", "agree", "somewhat agree"),
        ("helt enig", "svært enig", "strongly agree"),
    ),
}
NO_ANSWER = {
    "vet ikke",
    "veit ikkje",
    "ikke relevant",
    "ikkje relevant",
    "don't know",
    "do not know",
    "not applicable",
    "n/a",
}
_CODED = re.compile(r"^(?:([1-9])\s*[-=.:)]\s*(.+)|(.+?)\s*\(([1-9])\))$")
_POSITIONS = {
    name: {label: i + 1 for i, labels in enumerate(scale) for label in labels} for name, scale in SCALES.items()
}


def label_of(value: str) -> str:
    """A value without a code written with it ("5 - Svært godt" -> "svært godt"), case-folded."""
    match = _CODED.match(value.strip())
    text = (match.group(2) or match.group(3)) if match else value
    return " ".join(text.casefold().split())


def is_no_answer(value: str) -> bool:
    return label_of(value) in NO_ANSWER


def scale_of(values: Sequence[str]) -> str | None:
    """The name of the known scale every non-empty answer is a label of, or None."""
    labels = {label_of(v) for v in values if v and not is_no_answer(v)}
    if not labels or all(INTEGER.match(v) for v in labels):
        return None
    for name, positions in _POSITIONS.items():
        if labels <= positions.keys():
            return name
    return None


def typed(values: Sequence[str]) -> tuple[str, str | None]:
    """The type of a closed item's answers (``integer``, ``float``, ``text``) and its scale's name, if any."""
    scale = scale_of(values)
    if scale is not None:
        return "integer", scale
    present = [v for v in values if v and not is_no_answer(v)]
    if present and all(INTEGER.match(v) and len(v) < 16 for v in present):
        return "integer", None
    if present and all(FLOAT.match(v) and len(v) < 30 for v in present):
        return "float", None
    return "text", None


def convert(value: str, kind: str, scale: str | None) -> str | int | float | None:
    """One answer as its item's type (``typed`` chose it from all the answers, so it fits)."""
    if not value or is_no_answer(value):
        return None
    if scale is not None:
        return _POSITIONS[scale][label_of(value)]
    if kind == "integer":
        return int(value)
    if kind == "float":
        return float(value.replace(",", "."))
    return value
