"""Hypothesis files: what loads, and every mistake a researcher can make, reported in one line with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook
from fokus.files.hypotheses import (
    DIRECTIONS,
    TESTS,
    UNITS,
    Hypothesis,
    HypothesisFile,
    check_references,
    load_hypotheses,
)
from fokus.importers.survey.items import parse_survey

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
title: Et lite sett
alpha: 0.1
population: all
hypotheses:
  - id: H1
    statement: Der ledelsen eier satsingen, snakkes det også om ressurser.
    test: association
    codes: [eierskap, ressurser]
    unit: message
    direction: positive
  - id: H2
    statement: De ti beste kommunene snakker mer om krise og beredskap.
    test: group-difference
    code: krise
    attribute: topp10
    unit: case
    measure: count
    measure_unit: participant
    min_n: 4
  - id: H3
    statement: Krise blir sjeldnere.
    test: trend
    code: krise/for
    unit: sentence
    period: month
    direction: negative
    population: coded
    note: En merknad.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hypoteser.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_into_dataclasses(tmp_path: Path) -> None:
    spec = load_hypotheses(write(tmp_path, GOOD))
    assert isinstance(spec, HypothesisFile)
    assert (spec.title, spec.alpha, spec.population) == ("Et lite sett", 0.1, "all")
    h1, h2, h3 = spec.hypotheses
    assert isinstance(h1, Hypothesis)
    assert (h1.id, h1.test, h1.codes, h1.unit, h1.direction, h1.line) == (
        "H1", "association", ("eierskap", "ressurser"), "message", "positive", 5,
    )  # fmt: skip
    assert h1.line_of("codes") == 8
    assert (h2.code, h2.attribute, h2.measure, h2.measure_unit, h2.min_n) == (
        "krise",
        "topp10",
        "count",
        "participant",
        4,
    )
    assert h2.direction == "two-sided"  # the default: no side is assumed
    assert (h3.code, h3.period, h3.direction, h3.note) == ("krise/for", "month", "negative", "En merknad.")
    assert spec.population_of(h1) == "all"
    assert spec.population_of(h3) == "coded"


def test_defaults(tmp_path: Path) -> None:
    spec = load_hypotheses(
        write(tmp_path, "hypotheses:\n  - {id: 1, statement: s, test: trend, code: krise, unit: message}\n")
    )
    assert (spec.alpha, spec.population, spec.title) == (0.05, "coded", None)
    (h,) = spec.hypotheses
    assert (h.id, h.period, h.direction, h.min_n, h.population) == ("1", "month", "two-sided", None, None)


ONE = "hypotheses:\n  - id: H1\n    statement: En påstand.\n"  # line 2 starts the hypothesis
GD = ONE + "    test: group-difference\n    code: k\n    attribute: a\n"  # lines 4-6

BAD = [
    # (file text, line, what the reason says)
    ("hypoteses:\n  - id: H1\n", 1, "unknown key 'hypoteses'"),
    ("alpha: 0.05\n", 1, "'hypotheses' must be a list"),
    ("hypotheses: {id: H1}\n", 1, "'hypotheses' must be a list"),
    ("hypotheses: []\n", 1, "no hypotheses"),
    ("- a\n- b\n", 1, "a mapping with a 'hypotheses' list"),
    ("alpha: 2\nhypotheses: []\n", 1, "'alpha' must be a number between 0 and 1"),
    ("alpha: ja\nhypotheses: []\n", 1, "'alpha' must be a number"),
    ("population: some\nhypotheses: []\n", 1, "unknown population 'some'"),
    ("hypotheses:\n  - just text\n", 2, "each hypothesis must be a mapping"),
    ("hypotheses:\n  - statement: s\n    test: trend\n", 2, "a hypothesis has no 'id'"),
    ("hypotheses:\n  - id: H 1\n", 2, "bad hypothesis id 'H 1'"),
    ("hypotheses:\n  - id: [H1]\n", 2, "bad hypothesis id"),
    (ONE + "    unit: message\n", 2, "hypothesis H1 has no 'test'"),
    (ONE + "    test: regression\n", 4, "unknown test 'regression'"),
    (ONE + "    test: trend\n    code: krise\n    unit: day\n", 6, "unknown unit 'day'"),
    (ONE + "    test: trend\n    code: krise\n", 2, "hypothesis H1 has no 'unit'"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    direction: up\n", 7, "unknown direction 'up'"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    period: week\n", 7, "unknown period 'week'"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    population: x\n", 7, "unknown population 'x'"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    min_n: 0\n", 7, "'min_n' of hypothesis H1"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    min_n: '5'\n", 7, "must be a whole number"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    colour: red\n", 7, "unknown key 'colour'"),
    (ONE + "    test: trend\n    codes: [a, b]\n    unit: message\n", 5, "'codes' belongs to the association test"),
    (ONE + "    test: trend\n    unit: message\n", 2, "hypothesis H1 has no 'code'"),
    (ONE + "    test: trend\n    code: Krise!\n    unit: message\n", 5, "'Krise!' is not a code path"),
    (ONE + "    test: trend\n    code: 3\n    unit: message\n", 5, "3 is not a code path"),
    ("hypotheses:\n  - id: H1\n    test: trend\n    code: krise\n    unit: message\n", 2, "has no 'statement'"),
    ("hypotheses:\n  - id: H1\n    statement: [a, b]\n    test: trend\n", 3, "'statement' of hypothesis H1 must be"),
    ("hypotheses:\n  - id: H1\n    statement: '  '\n    test: trend\n", 3, "'statement' of hypothesis H1 is empty"),
    (ONE + "    test: association\n    unit: message\n", 2, "has no 'codes'"),
    (ONE + "    test: association\n    codes: krise\n    unit: message\n", 5, "exactly two codes"),
    (ONE + "    test: association\n    codes: [a, b, c]\n    unit: message\n", 5, "exactly two codes"),
    (ONE + "    test: association\n    codes: [a, a]\n    unit: message\n", 5, "names the code 'a' twice"),
    (ONE + "    test: association\n    codes: [krise, krise/for]\n    unit: message\n", 5, "its own sub-code"),
    (ONE + "    test: association\n    codes: [a, b]\n    unit: message\n    code: c\n", 7,
     "'code' belongs to the group-difference and trend test"),
    (ONE + "    test: group-difference\n    code: krise\n    unit: case\n", 2, "has no 'attribute'"),
    (GD + "    unit: thread\n", 7, "a thread has no"),
    (GD + "    unit: case\n    group: x\n    at_least: 3\n", 9, "both 'group' and 'at_least'"),
    (GD + "    unit: case\n    group: [1]\n", 8, "'group'"),
    (GD + "    unit: case\n    at_least: x\n", 8, "a number"),
    (GD + "    unit: message\n    measure: share\n", 8, "'measure' of hypothesis H1 is for unit: case"),
    (GD + "    unit: case\n    measure: mean\n", 8, "unknown measure 'mean'"),
    (GD + "    unit: case\n    measure_unit: thread\n", 8, "unknown measure_unit 'thread'"),
    (ONE + "    test: trend\n    code: krise\n    unit: message\n    test: association\n", 7, "duplicate key 'test'"),
    (
        "hypotheses:\n  - {id: H1, statement: s, test: trend, code: k, unit: message}\n"
        "  - {id: H1, statement: t, test: trend, code: k, unit: message}\n",
        3,
        "hypothesis id 'H1' is used twice (first on line 2)",
    ),
    ("hypotheses:\n  - id: H1\n    statement: 'unclosed\n", 4, "not valid YAML"),  # PyYAML finds it at the end
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "reason"), BAD, ids=[f"{i}:{b[2][:30]}" for i, b in enumerate(BAD)])
def test_every_mistake_is_one_line_naming_the_file_and_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FokusError) as caught:
        load_hypotheses(path)
    error = caught.value
    assert reason in str(error)
    assert error.path == str(path)
    assert error.where == f"line {line}"
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path}:line {line}: ")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FokusError, match="cannot read") as caught:
        load_hypotheses(tmp_path / "nowhere.yaml")
    assert caught.value.path == str(tmp_path / "nowhere.yaml")


ATTRIBUTES = {"topp10": "boolean", "fylke": "text", "innbyggertall": "integer", "score": "float", "start": "date"}
CODES = ["krise", "krise/for", "ressurser", "eierskap", "eierskap/ledelse"]


def checked(tmp_path: Path, extra: str, *, unit: str = "case", direction: str = "positive") -> HypothesisFile:
    text = (
        "hypotheses:\n  - id: G1\n    statement: s\n    test: group-difference\n    code: krise\n"
        f"    unit: {unit}\n    direction: {direction}\n" + extra
    )
    return check_references(load_hypotheses(write(tmp_path, text)), CODES, ATTRIBUTES)


REFERENCE_ERRORS = [
    # (extra lines, unit, direction, line, reason)
    ("    attribute: topp11\n", "case", "positive", 8, "no case attribute 'topp11'"),
    ("    attribute: fylke\n    at_least: 3\n", "case", "positive", 9, "'at_least' needs a number attribute"),
    ("    attribute: innbyggertall\n    group: mange\n", "case", "positive", 9, "group 'mange' is not a integer"),
    ("    attribute: topp10\n    group: kanskje\n", "case", "positive", 9, "group 'kanskje' is not a boolean"),
    ("    attribute: start\n    group: snart\n", "case", "positive", 9, "not a date value"),
    ("    attribute: score\n    group: høy\n", "case", "positive", 9, "not a float value"),
    ("    attribute: fylke\n", "case", "two-sided", 8, "at case level a group difference compares two groups"),
    ("    attribute: fylke\n", "message", "positive", 7, "there is no one group to be higher or lower"),
]


@pytest.mark.parametrize(("extra", "unit", "direction", "line", "reason"), REFERENCE_ERRORS)
def test_references_are_checked_against_the_project_with_the_line(
    tmp_path: Path, extra: str, unit: str, direction: str, line: int, reason: str
) -> None:
    with pytest.raises(FokusError) as caught:
        checked(tmp_path, extra, unit=unit, direction=direction)
    assert reason in caught.value.reason
    assert caught.value.path == str(tmp_path / "hypoteser.yaml")
    assert caught.value.where == f"line {line}"
    assert "\n" not in str(caught.value)


def test_an_unknown_code_names_the_line_of_its_key(tmp_path: Path) -> None:
    text = GOOD.replace("codes: [eierskap, ressurser]", "codes: [eierskap, ressursar]")
    spec = load_hypotheses(write(tmp_path, text))
    with pytest.raises(FokusError, match="code 'ressursar' is not in the project's codebook") as caught:
        check_references(spec, CODES, ATTRIBUTES)
    assert caught.value.where == "line 8"
    spec = load_hypotheses(write(tmp_path, GOOD.replace("code: krise/for", "code: krise/etter")))
    with pytest.raises(FokusError, match="'krise/etter'") as caught:
        check_references(spec, CODES, ATTRIBUTES)
    assert caught.value.where == "line 23"


def test_group_values_are_read_in_the_attributes_type(tmp_path: Path) -> None:
    assert checked(tmp_path, "    attribute: topp10\n    group: nei\n").hypotheses[0].group is False
    assert checked(tmp_path, "    attribute: topp10\n    group: true\n").hypotheses[0].group is True
    assert checked(tmp_path, "    attribute: innbyggertall\n    group: '4000'\n").hypotheses[0].group == 4000
    assert checked(tmp_path, "    attribute: score\n    group: '3,5'\n").hypotheses[0].group == 3.5
    assert str(checked(tmp_path, "    attribute: start\n    group: 2013-01-02\n").hypotheses[0].group) == "2013-01-02"
    assert checked(tmp_path, "    attribute: fylke\n    group: 4\n").hypotheses[0].group == "4"
    # across all values, two-sided and below case level: allowed
    spec = checked(tmp_path, "    attribute: fylke\n", unit="message", direction="two-sided")
    assert spec.hypotheses[0].group is None


def test_the_constants_match_the_analysis() -> None:
    from fokus.analysis.units import LEVELS

    assert UNITS == LEVELS
    assert set(TESTS) == {"association", "group-difference", "trend", "correlation"}
    assert set(DIRECTIONS) == {"positive", "negative", "two-sided"}


def test_the_shipped_hypotheses_fit_the_default_codebook_and_the_demo_cases() -> None:
    spec = load_hypotheses(ROOT / "codebooks" / "hypoteser.yaml")
    codebook = load_codebook(ROOT / "codebooks" / "kommune-sosiale-medier.yaml")
    cases = read_case_table(ROOT / "corpus" / "cases.csv")
    attributes = {a.name: a.type.value for a in cases.attributes}
    answers = ROOT / "corpus" / "survey" / "svar.csv"  # the demo's survey (phase 2) adds its items
    attributes |= {item.id: item.type for item in parse_survey(answers.read_bytes(), str(answers)).closed}
    checked_spec = check_references(spec, [c.path for c in codebook.codes], attributes)
    assert len(checked_spec.hypotheses) >= 6
    assert {h.test for h in checked_spec.hypotheses} == set(TESTS)
    assert len({h.id for h in checked_spec.hypotheses}) == len(checked_spec.hypotheses)
    assert all(h.statement for h in checked_spec.hypotheses)
