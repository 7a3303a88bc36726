"""Hypothesis files: the claims a study makes, written so that fokus can test each against the coded data.

```yaml
title: Hypoteser fra KS-studien        # optional
alpha: 0.05                            # optional: the level the Benjamini-Hochberg adjusted p-values are held to
population: coded                      # optional: coded (units anyone coded, the default) | all (every unit)
hypotheses:
  - id: H1
    statement: Der ledelsen eier satsingen, snakkes det også om ressurser.
    test: association                  # two codes in the same unit more often than chance
    codes: [eierskap/ledelse, ressurser]
    unit: message                      # sentence | message | thread | participant | case
    direction: positive                # positive | negative | two-sided (the default)
  - id: H2
    statement: De ti beste kommunene snakker mer om krise og beredskap.
    test: group-difference             # a code more common in one group of cases than in the rest
    code: krise
    attribute: topp10                  # a case attribute; a boolean one compares true with false
    unit: case                         # at case level: one value per case, compared by Mann-Whitney U
    measure: share                     # share (default) | count of the case's units that carry the code
    measure_unit: message              # which units of a case are counted: sentence | message (default) | participant
    direction: positive
  - id: H3
    statement: Ressurser blir et større tema utover våren.
    test: trend                        # the code's share of units per month, Spearman against month order
    code: ressurser
    unit: message
    period: month                      # the only period so far
    direction: positive                # positive = rising
```

For a group difference, ``group: <value>`` makes that value the focal group against the rest (for a text, integer or
date attribute), ``at_least: <number>`` makes the cases with a value at or above it the focal group (for a number);
a boolean attribute compares true (or ``group: false``) with the rest. Without either, a non-boolean attribute is
compared over all its values (a chi-square test, two-sided only, and not at case level). ``min_n`` raises or lowers
the minimum a test needs (see fokus.analysis.hypotheses); ``population`` may be set per hypothesis; ``note`` is free
text for the report.

``title``, ``description`` and each hypothesis's ``statement`` and ``note`` are a text or, as a codebook's names, a
mapping of language to text (``statement: {nb: ..., en: ...}``; fokus.files.codebook's languages and errors). The
stable text, kept by JSON and CSV whatever the reader's language, is the Norwegian (nb) if given, else the mapping's
first; the others go to ``translations``, and ``shown(key)`` gives a person the text in their language if there.

A group difference may also compare a page metric (``metric: response_hours``) or a number attribute (``value:
score``) between the groups, and ``test: correlation`` relates two such variables (``x:``, ``y:``): the behaviour
hypotheses of fokus.files.hypothesis_variables.

Validation is strict, as for codebooks: an unknown key (``atribute:``) is an error rather than a silently ignored
option, and every error names the file and the line. Codes and attributes are checked against a project later by
:func:`check_references`, still with the line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from fokus.errors import FokusError
from fokus.files.hypothesis_fields import CODE_PATH as CODE_PATH
from fokus.files.hypothesis_fields import Texts, Translations, allowed, choice, code_path, fail, text
from fokus.files.hypothesis_fields import texts as read_texts
from fokus.files.hypothesis_variables import MEASURE_UNITS, MEASURES, Variable, axis, variable, window
from fokus.i18n import _
from fokus.importers.located_yaml import LocatedDict, LocatedList, load_located_yaml

TESTS = ("association", "group-difference", "trend", "correlation")
UNITS = ("sentence", "message", "thread", "participant", "case")  # fokus.analysis.units.LEVELS
DIRECTIONS = ("positive", "negative", "two-sided")
POPULATIONS = ("coded", "all")
PERIODS = ("month",)
TOP_KEYS = {"title", "description", "alpha", "population", "hypotheses"}
COMMON_KEYS = {"id", "statement", "test", "unit", "direction", "min_n", "population", "note"}
BEHAVIOUR_KEYS = {"metric", "value", "window"}  # fokus.files.hypothesis_variables
TEST_KEYS = {
    "association": {"codes"},
    "group-difference": {"code", "attribute", "group", "at_least", "measure", "measure_unit"} | BEHAVIOUR_KEYS,
    "trend": {"code", "period"},
    "correlation": {"x", "y", "window"},
}
HYPOTHESIS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}\Z")  # \Z, not $: "$" also matches before a final newline
DEFAULT_ALPHA = 0.05

GroupValue = str | int | float | bool | date


@dataclass(frozen=True, slots=True)
class Hypothesis(Texts):
    """One hypothesis as the file states it; ``line`` is where it starts, ``lines`` where each of its keys is."""

    id: str
    statement: str  # the stable text, as JSON and CSV keep it; shown("statement") in the reader's language
    test: str
    unit: str
    direction: str
    codes: tuple[str, ...]  # association: the two codes; group-difference and trend: the one code (none by metric)
    attribute: str | None = None
    group: GroupValue | None = None
    at_least: float | None = None
    measure: str = "share"
    measure_unit: str = "message"
    period: str = "month"
    min_n: int | None = None
    population: str | None = None  # None: the file's
    note: str | None = None
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    translations: Translations | None = None
    variables: tuple[Variable, ...] = ()  # behaviour: group-difference's one (metric, value), correlation's x and y
    window: tuple[date | None, date | None] | None = None  # the days page metrics are measured over

    @property
    def code(self) -> str:
        return self.codes[0]

    @property
    def behaviour(self) -> bool:
        """Whether the hypothesis is about case-level variables (fokus.files.hypothesis_variables)."""
        return bool(self.variables)

    @property
    def needs_pages(self) -> bool:
        return any(v.kind == "metric" for v in self.variables)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(frozen=True, slots=True)
class HypothesisFile(Texts):
    """A whole hypothesis file, hypotheses in file order."""

    path: str
    title: str | None
    description: str | None
    alpha: float
    population: str
    hypotheses: tuple[Hypothesis, ...]
    translations: Translations | None = None

    def population_of(self, hypothesis: Hypothesis) -> str:
        return hypothesis.population or self.population


def load_hypotheses(path: Path) -> HypothesisFile:
    """Read and validate a hypothesis file; every error names the file and the line."""
    display = str(path)
    data = load_located_yaml(path)
    try:
        return parse_hypotheses(data, display)
    except FokusError as exc:
        raise exc.located(display) from None


def parse_hypotheses(data: Any, display: str = "") -> HypothesisFile:
    """Validate the parsed YAML of a hypothesis file (see the module docstring)."""
    if not isinstance(data, LocatedDict):
        raise fail(_("a hypothesis file is a mapping with a 'hypotheses' list"), getattr(data, "line", 1))
    for key in data:
        if key not in TOP_KEYS:
            raise fail(
                _("unknown key {key!r} in the hypothesis file").format(key=key), data.line_of(key), allowed(TOP_KEYS)
            )
    alpha = data.get("alpha", DEFAULT_ALPHA)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise fail(
            _("'alpha' must be a number between 0 and 1, not {alpha!r}").format(alpha=alpha), data.line_of("alpha")
        )
    population = choice(data, "population", POPULATIONS, _("the hypothesis file"), default="coded")
    items = data.get("hypotheses")
    if not isinstance(items, LocatedList):
        line = data.line_of("hypotheses") if "hypotheses" in data else data.line
        raise fail(_("'hypotheses' must be a list of hypotheses"), line)
    if not items:
        raise fail(_("the file has no hypotheses"), items.line)
    seen: dict[str, int] = {}
    hypotheses = []
    for index, item in enumerate(items):
        hypothesis = _hypothesis(item, items.line_of(index))
        if hypothesis.id in seen:
            raise fail(
                _("hypothesis id {id!r} is used twice (first on line {seen})").format(
                    id=hypothesis.id, seen=seen[hypothesis.id]
                ),
                hypothesis.line_of("id"),
            )
        seen[hypothesis.id] = hypothesis.line_of("id")
        hypotheses.append(hypothesis)
    texts, translations = read_texts(data, ("title", "description"), _("the hypothesis file"))
    return HypothesisFile(
        path=display,
        title=texts["title"],
        description=texts["description"],
        alpha=float(alpha),
        population=population,
        hypotheses=tuple(hypotheses),
        translations=translations,
    )


def _belongs(key: str, tests: list[str]) -> str:
    """The hint for a key of another test (the tests' names are the file's words, not translated)."""
    names = tests[0] if len(tests) == 1 else _("{tests} and {last}").format(tests=", ".join(tests[:-1]), last=tests[-1])
    return _("{key!r} belongs to the {tests} test").format(key=key, tests=names)


def _hypothesis(item: Any, line: int) -> Hypothesis:
    if not isinstance(item, LocatedDict):
        raise fail(_("each hypothesis must be a mapping with id, statement, test, unit and its codes"), line)
    raw_id = item.get("id")
    if raw_id is None:
        raise fail(_("a hypothesis has no 'id'"), item.line)
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not HYPOTHESIS_ID.match(str(raw_id)):
        raise fail(
            _("bad hypothesis id {raw_id!r}").format(raw_id=raw_id),
            item.line_of("id"),
            _("letters, digits, '.', '-' and '_', up to 50 characters"),
        )
    hid = str(raw_id)
    what = _("hypothesis {id}").format(id=hid)
    test = choice(item, "test", TESTS, what)
    keys_allowed = COMMON_KEYS | TEST_KEYS[test]
    for key in item:
        if key not in keys_allowed:
            others = [t for t, keys in TEST_KEYS.items() if key in keys]
            hint = _belongs(key, others) if others else allowed(keys_allowed)
            raise fail(
                _("unknown key {key!r} in {what} (a {test} test)").format(key=key, what=what, test=test),
                item.line_of(key),
                hint,
            )
    texts, translations = read_texts(item, ("statement", "note"), what, required={"statement"})
    behaviour = test == "correlation" or (test == "group-difference" and ("metric" in item or "value" in item))
    unit = choice(item, "unit", ("case",), what, default="case") if behaviour else choice(item, "unit", UNITS, what)
    direction = choice(item, "direction", DIRECTIONS, what, default="two-sided")
    population = choice(item, "population", POPULATIONS, what) if "population" in item else None
    min_n = item.get("min_n")
    if min_n is not None and (isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1):
        raise fail(
            _("'min_n' of {what} must be a whole number of at least 1, not {min_n!r}").format(what=what, min_n=min_n),
            item.line_of("min_n"),
        )
    common: dict[str, Any] = {
        "id": hid,
        "statement": texts["statement"],
        "test": test,
        "unit": unit,
        "direction": direction,
        "min_n": min_n,
        "population": population,
        "note": texts["note"],
        "line": item.line,
        "lines": {str(key): item.line_of(key) for key in item},
        "translations": translations,
    }
    if test == "association":
        return Hypothesis(codes=_two_codes(item, what), **common)
    if behaviour:
        return _behaviour(item, what, test, common)
    code = code_path(item["code"], item.line_of("code"), what) if "code" in item else None
    if code is None:
        raise fail(
            _("{what} has no 'code'").format(what=what),
            item.line,
            _("a {test} test is about one code: code: krise").format(test=test),
        )
    if test == "trend":
        period = choice(item, "period", PERIODS, what, default="month")
        return Hypothesis(codes=(code,), period=period, **common)
    return _group_difference(item, what, code, common)


def _behaviour(item: LocatedDict, what: str, test: str, common: dict[str, Any]) -> Hypothesis:
    """A hypothesis on case-level variables (fokus.files.hypothesis_variables)."""
    if test == "correlation":
        variables: tuple[Variable, ...] = (axis(item, "x", what), axis(item, "y", what))
        if variables[0] == replace(variables[1], line=variables[0].line):
            raise fail(_("{what} correlates {name!r} with itself").format(what=what, name=variables[0].name), item.line)
    else:
        variables = (variable(item, what, kinds=("code", "metric", "value")),)
    if "window" in item and not any(v.kind == "metric" for v in variables):
        raise fail(_("'window' of {what} is for page metrics").format(what=what), item.line_of("window"))
    codes = tuple(v.name for v in variables if v.kind == "code")
    common |= {"codes": codes, "variables": variables, "window": window(item, what)}
    if test == "correlation":
        return Hypothesis(**common)
    return _group_difference(item, what, None, common)


def _two_codes(item: LocatedDict, what: str) -> tuple[str, ...]:
    codes = item.get("codes")
    if codes is None:
        raise fail(
            _("{what} has no 'codes'").format(what=what),
            item.line,
            _("an association test takes two codes: codes: [a, b]"),
        )
    line = item.line_of("codes")
    if not isinstance(codes, list) or len(codes) != 2:
        raise fail(_("'codes' of {what} must be a list of exactly two codes").format(what=what), line)
    paths = tuple(code_path(c, line, what) for c in codes)
    if paths[0] == paths[1]:
        raise fail(_("{what} names the code {path!r} twice").format(what=what, path=paths[0]), line)
    if paths[0].startswith(paths[1] + "/") or paths[1].startswith(paths[0] + "/"):
        raise fail(
            _("{what}: {path!r} and {path2!r} are a code and its own sub-code").format(
                what=what, path=paths[0], path2=paths[1]
            ),
            line,
            _("a sub-code always occurs with its parent (codes roll up), so the test would say nothing"),
        )
    return paths


def _group_difference(item: LocatedDict, what: str, code: str | None, common: dict[str, Any]) -> Hypothesis:
    attribute = text(item, "attribute", what, required=True)
    if "group" in item and "at_least" in item:
        raise fail(_("{what} has both 'group' and 'at_least'; give one").format(what=what), item.line_of("at_least"))
    group = item.get("group")
    if "group" in item and (group is None or not isinstance(group, (str, int, float, bool, date))):
        raise fail(_("'group' of {what} must be one value of the attribute").format(what=what), item.line_of("group"))
    at_least = item.get("at_least")
    if "at_least" in item and (isinstance(at_least, bool) or not isinstance(at_least, (int, float))):
        raise fail(_("'at_least' of {what} must be a number").format(what=what), item.line_of("at_least"))
    if common["unit"] == "thread":
        raise fail(
            _("{what}: a thread has no one case (its messages come from many municipalities)").format(what=what),
            item.line_of("unit"),
            _("compare by sentence, message, participant or case"),
        )
    measure_keys = [k for k in ("measure", "measure_unit") if k in item]
    if measure_keys and common["unit"] != "case" and code is not None:
        raise fail(
            _("{measure_key!r} of {what} is for unit: case (one value per case)").format(
                measure_key=measure_keys[0], what=what
            ),
            item.line_of(measure_keys[0]),
        )
    if code is not None:
        common["codes"] = (code,)
    return Hypothesis(
        attribute=attribute,
        group=group,
        at_least=None if at_least is None else float(at_least),
        measure=choice(item, "measure", MEASURES, what, default="share"),
        measure_unit=choice(item, "measure_unit", MEASURE_UNITS, what, default="message"),
        **common,
    )


TRUE_WORDS = {"ja", "j", "true", "yes", "y", "sann"}
FALSE_WORDS = {"nei", "n", "false", "no", "usann"}


def check_references(
    spec: HypothesisFile, codes: Collection[str], attributes: Mapping[str, str], *, pages: bool = True
) -> HypothesisFile:
    """Check the codes and attributes a file names against a project's codebook and case attributes.

    ``attributes`` maps each attribute to its type (text, integer, float, boolean, date). Returns the file with each
    ``group`` value read in its attribute's type (``ja`` for a boolean, ``4`` for an integer). Errors name the file
    and the line of the key at fault. A hypothesis on page metrics in a project without pages (``pages`` false) is
    left unchecked: it cannot be tested (its verdict says there is no page data), and the attributes a scoring of
    the pages writes (``score``, ``topp10``) may well not be there yet.
    """
    checked = []
    for h in spec.hypotheses:
        try:
            checked.append(h if h.needs_pages and not pages else _check_one(h, codes, attributes))
        except FokusError as exc:
            raise exc.located(spec.path or None) from None
    return replace(spec, hypotheses=tuple(checked))


def _check_one(h: Hypothesis, codes: Collection[str], attributes: Mapping[str, str]) -> Hypothesis:
    what = _("hypothesis {id}").format(id=h.id)
    lines = {v.name: v.line for v in h.variables if v.kind == "code"}
    for code in h.codes:
        if code not in codes:
            raise fail(
                _("{what}: code {code!r} is not in the project's codebook").format(what=what, code=code),
                lines.get(code) or h.line_of("codes" if h.test == "association" else "code"),
                _("see `fokus codebook show`"),
            )
    for v in h.variables:
        if v.kind == "value" and attributes.get(v.name) not in ("integer", "float"):
            known = ", ".join(a for a, kind in attributes.items() if kind in ("integer", "float"))
            reason = (
                _("{what}: no case attribute {attribute!r} in the project")
                if v.name not in attributes
                else _("{what}: 'value' needs a number attribute, and {attribute!r} is {kind}")
            )
            raise fail(
                reason.format(what=what, attribute=v.name, kind=attributes.get(v.name)),
                v.line,
                _("the number attributes: {known}").format(known=known or _("none")),
            )
    if h.test != "group-difference" or h.attribute is None:
        return h
    if h.attribute not in attributes:
        known = ", ".join(attributes) or _("none yet (`fokus cases import`)")
        raise fail(
            _("{what}: no case attribute {attribute!r} in the project").format(what=what, attribute=h.attribute),
            h.line_of("attribute"),
            known,
        )
    kind = attributes[h.attribute]
    if h.at_least is not None and kind not in ("integer", "float"):
        raise fail(
            _("{what}: 'at_least' needs a number attribute, and {attribute!r} is {kind}").format(
                what=what, attribute=h.attribute, kind=kind
            ),
            h.line_of("at_least"),
        )
    group = None if h.group is None else _typed(h.group, kind, h.line_of("group"), what)
    split = kind == "boolean" or group is not None or h.at_least is not None
    if not split and h.unit == "case":
        raise fail(
            _("{what}: at case level a group difference compares two groups, and {attribute!r} is {kind}").format(
                what=what, attribute=h.attribute, kind=kind
            ),
            h.line_of("attribute"),
            _("give group: <value> (that value against the rest) or at_least: <number>"),
        )
    if not split and h.direction != "two-sided":
        raise fail(
            _("{what}: across all values of {attribute!r} there is no one group to be higher or lower").format(
                what=what, attribute=h.attribute
            ),
            h.line_of("direction"),
            _("use direction: two-sided, or give group: <value> or at_least: <number>"),
        )
    return replace(h, group=group)


def _typed(value: GroupValue, kind: str, line: int, what: str) -> GroupValue:
    """A ``group`` value as the attribute stores it."""
    text = str(value).strip()
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if text.casefold() in TRUE_WORDS | FALSE_WORDS:
            return text.casefold() in TRUE_WORDS
    elif kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        try:
            return float(text.replace(",", "."))
        except ValueError:
            pass
    elif kind == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    else:
        return text
    raise fail(_("{what}: group {value!r} is not a {kind} value").format(what=what, value=value, kind=kind), line)
