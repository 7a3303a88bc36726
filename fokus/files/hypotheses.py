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

from fokus.domain.codes import reader_language
from fokus.errors import FokusError
from fokus.files.codebook import DEFAULT_LANGUAGE, language_texts
from fokus.i18n import _
from fokus.importers.located_yaml import LocatedDict, LocatedList, load_located_yaml

TESTS = ("association", "group-difference", "trend")
UNITS = ("sentence", "message", "thread", "participant", "case")  # fokus.analysis.units.LEVELS
DIRECTIONS = ("positive", "negative", "two-sided")
POPULATIONS = ("coded", "all")
MEASURES = ("share", "count")
MEASURE_UNITS = ("sentence", "message", "participant")
PERIODS = ("month",)
TOP_KEYS = {"title", "description", "alpha", "population", "hypotheses"}
COMMON_KEYS = {"id", "statement", "test", "unit", "direction", "min_n", "population", "note"}
TEST_KEYS = {
    "association": {"codes"},
    "group-difference": {"code", "attribute", "group", "at_least", "measure", "measure_unit"},
    "trend": {"code", "period"},
}
# \Z, not $: "$" also matches before a final newline.
HYPOTHESIS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}\Z")
CODE_PATH = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*\Z")
DEFAULT_ALPHA = 0.05

GroupValue = str | int | float | bool | date
#: A file's texts in languages other than the stable one: ``{"en": {"statement": ..., "note": ...}}``.
Translations = dict[str, dict[str, str]]


class _Texts:
    """A file's texts in several languages: ``statement`` and ``note`` of a hypothesis, ``title`` and
    ``description`` of the file."""

    __slots__ = ()
    translations: Translations | None

    def shown(self, key: str, lang: str | None = None) -> str | None:
        """The ``key`` text in ``lang`` (the reader's language by default) when the file gives it, else the stable."""
        stable: str | None = getattr(self, key)
        return (self.translations or {}).get(reader_language(lang), {}).get(key) or stable


@dataclass(frozen=True, slots=True)
class Hypothesis(_Texts):
    """One hypothesis as the file states it; ``line`` is where it starts, ``lines`` where each of its keys is."""

    id: str
    statement: str  # the stable text, as JSON and CSV keep it; shown("statement") in the reader's language
    test: str
    unit: str
    direction: str
    codes: tuple[str, ...]  # association: the two codes; group-difference and trend: the one code
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

    @property
    def code(self) -> str:
        return self.codes[0]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(frozen=True, slots=True)
class HypothesisFile(_Texts):
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


def _fail(reason: str, line: int, hint: str | None = None) -> FokusError:
    return FokusError(reason, where=f"line {line}", hint=hint)


def _choice(mapping: LocatedDict, key: str, allowed: tuple[str, ...], what: str, default: str | None = None) -> str:
    value = mapping.get(key, default)
    if value is None:
        raise _fail(
            _("{what} has no {key!r}").format(what=what, key=key),
            mapping.line,
            _("one of {choices}").format(choices=", ".join(allowed)),
        )
    if not isinstance(value, str) or value not in allowed:
        raise _fail(
            _("unknown {key} {value!r} in {what}").format(key=key, value=value, what=what),
            mapping.line_of(key),
            _("one of {choices}").format(choices=", ".join(allowed)),
        )
    return value


def _text(mapping: LocatedDict, key: str, what: str, *, required: bool = False) -> str | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise _fail(_("{what} has no {key!r}").format(what=what, key=key), mapping.line)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(_("{key!r} of {what} must be text").format(key=key, what=what), mapping.line_of(key))
    text = " ".join(str(value).split())
    if required and not text:
        raise _fail(_("{key!r} of {what} is empty").format(key=key, what=what), mapping.line_of(key))
    return text or None


def _texts(
    mapping: LocatedDict, keys: tuple[str, ...], what: str, *, required: Collection[str] = ()
) -> tuple[dict[str, str | None], Translations | None]:
    """The stable text of each of ``keys`` (a text, or a language mapping's Norwegian, else its first), and the
    other languages' texts; see the module docstring. The ``required`` keys must be there, with no empty text."""
    stable: dict[str, str | None] = {}
    others: Translations = {}
    for key in keys:
        value = mapping.get(key)
        if not isinstance(value, LocatedDict):
            stable[key] = _text(mapping, key, what, required=key in required)
            continue
        given = language_texts(value, key, mapping.line_of(key), required=key in required)
        texts = {lang: " ".join(text.split()) for lang, text in given.items() if text}
        first = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in texts else next(iter(texts), None)
        stable[key] = texts.get(first) if first else None
        for lang, text in texts.items():
            if lang != first:
                others.setdefault(lang, {})[key] = text
    return stable, ({lang: others[lang] for lang in sorted(others)} or None)


def _code(value: Any, line: int, what: str) -> str:
    if not isinstance(value, str) or not CODE_PATH.match(value.strip()):
        raise _fail(
            _("{what}: {value!r} is not a code path").format(what=what, value=value),
            line,
            _("write a code's path from the codebook, as krise or krise/for"),
        )
    return value.strip()


def parse_hypotheses(data: Any, display: str = "") -> HypothesisFile:
    """Validate the parsed YAML of a hypothesis file (see the module docstring)."""
    if not isinstance(data, LocatedDict):
        raise _fail(_("a hypothesis file is a mapping with a 'hypotheses' list"), getattr(data, "line", 1))
    for key in data:
        if key not in TOP_KEYS:
            raise _fail(
                _("unknown key {key!r} in the hypothesis file").format(key=key), data.line_of(key), _allowed(TOP_KEYS)
            )
    alpha = data.get("alpha", DEFAULT_ALPHA)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise _fail(
            _("'alpha' must be a number between 0 and 1, not {alpha!r}").format(alpha=alpha), data.line_of("alpha")
        )
    population = _choice(data, "population", POPULATIONS, _("the hypothesis file"), default="coded")
    items = data.get("hypotheses")
    if not isinstance(items, LocatedList):
        line = data.line_of("hypotheses") if "hypotheses" in data else data.line
        raise _fail(_("'hypotheses' must be a list of hypotheses"), line)
    if not items:
        raise _fail(_("the file has no hypotheses"), items.line)
    seen: dict[str, int] = {}
    hypotheses = []
    for index, item in enumerate(items):
        hypothesis = _hypothesis(item, items.line_of(index))
        if hypothesis.id in seen:
            raise _fail(
                _("hypothesis id {id!r} is used twice (first on line {seen})").format(
                    id=hypothesis.id, seen=seen[hypothesis.id]
                ),
                hypothesis.line_of("id"),
            )
        seen[hypothesis.id] = hypothesis.line_of("id")
        hypotheses.append(hypothesis)
    texts, translations = _texts(data, ("title", "description"), _("the hypothesis file"))
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


def _allowed(keys: Collection[str]) -> str:
    return _("allowed: {keys}").format(keys=", ".join(sorted(keys)))


def _hypothesis(item: Any, line: int) -> Hypothesis:
    if not isinstance(item, LocatedDict):
        raise _fail(_("each hypothesis must be a mapping with id, statement, test, unit and its codes"), line)
    raw_id = item.get("id")
    if raw_id is None:
        raise _fail(_("a hypothesis has no 'id'"), item.line)
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not HYPOTHESIS_ID.match(str(raw_id)):
        raise _fail(
            _("bad hypothesis id {raw_id!r}").format(raw_id=raw_id),
            item.line_of("id"),
            _("letters, digits, '.', '-' and '_', up to 50 characters"),
        )
    hid = str(raw_id)
    what = _("hypothesis {id}").format(id=hid)
    test = _choice(item, "test", TESTS, what)
    allowed = COMMON_KEYS | TEST_KEYS[test]
    for key in item:
        if key not in allowed:
            others = [t for t, keys in TEST_KEYS.items() if key in keys]
            hint = _belongs(key, others) if others else _allowed(allowed)
            raise _fail(
                _("unknown key {key!r} in {what} (a {test} test)").format(key=key, what=what, test=test),
                item.line_of(key),
                hint,
            )
    texts, translations = _texts(item, ("statement", "note"), what, required={"statement"})
    unit = _choice(item, "unit", UNITS, what)
    direction = _choice(item, "direction", DIRECTIONS, what, default="two-sided")
    population = _choice(item, "population", POPULATIONS, what) if "population" in item else None
    min_n = item.get("min_n")
    if min_n is not None and (isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1):
        raise _fail(
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
    code = _code(item["code"], item.line_of("code"), what) if "code" in item else None
    if code is None:
        raise _fail(
            _("{what} has no 'code'").format(what=what),
            item.line,
            _("a {test} test is about one code: code: krise").format(test=test),
        )
    if test == "trend":
        period = _choice(item, "period", PERIODS, what, default="month")
        return Hypothesis(codes=(code,), period=period, **common)
    return _group_difference(item, what, code, common)


def _two_codes(item: LocatedDict, what: str) -> tuple[str, ...]:
    codes = item.get("codes")
    if codes is None:
        raise _fail(
            _("{what} has no 'codes'").format(what=what),
            item.line,
            _("an association test takes two codes: codes: [a, b]"),
        )
    line = item.line_of("codes")
    if not isinstance(codes, list) or len(codes) != 2:
        raise _fail(_("'codes' of {what} must be a list of exactly two codes").format(what=what), line)
    paths = tuple(_code(c, line, what) for c in codes)
    if paths[0] == paths[1]:
        raise _fail(_("{what} names the code {path!r} twice").format(what=what, path=paths[0]), line)
    if paths[0].startswith(paths[1] + "/") or paths[1].startswith(paths[0] + "/"):
        raise _fail(
            _("{what}: {path!r} and {path2!r} are a code and its own sub-code").format(
                what=what, path=paths[0], path2=paths[1]
            ),
            line,
            _("a sub-code always occurs with its parent (codes roll up), so the test would say nothing"),
        )
    return paths


def _group_difference(item: LocatedDict, what: str, code: str, common: dict[str, Any]) -> Hypothesis:
    attribute = _text(item, "attribute", what, required=True)
    if "group" in item and "at_least" in item:
        raise _fail(_("{what} has both 'group' and 'at_least'; give one").format(what=what), item.line_of("at_least"))
    group = item.get("group")
    if "group" in item and (group is None or not isinstance(group, (str, int, float, bool, date))):
        raise _fail(_("'group' of {what} must be one value of the attribute").format(what=what), item.line_of("group"))
    at_least = item.get("at_least")
    if "at_least" in item and (isinstance(at_least, bool) or not isinstance(at_least, (int, float))):
        raise _fail(_("'at_least' of {what} must be a number").format(what=what), item.line_of("at_least"))
    if common["unit"] == "thread":
        raise _fail(
            _("{what}: a thread has no one case (its messages come from many municipalities)").format(what=what),
            item.line_of("unit"),
            _("compare by sentence, message, participant or case"),
        )
    measure_keys = [k for k in ("measure", "measure_unit") if k in item]
    if measure_keys and common["unit"] != "case":
        raise _fail(
            _("{measure_key!r} of {what} is for unit: case (one value per case)").format(
                measure_key=measure_keys[0], what=what
            ),
            item.line_of(measure_keys[0]),
        )
    return Hypothesis(
        codes=(code,),
        attribute=attribute,
        group=group,
        at_least=None if at_least is None else float(at_least),
        measure=_choice(item, "measure", MEASURES, what, default="share"),
        measure_unit=_choice(item, "measure_unit", MEASURE_UNITS, what, default="message"),
        **common,
    )


TRUE_WORDS = {"ja", "j", "true", "yes", "y", "sann"}
FALSE_WORDS = {"nei", "n", "false", "no", "usann"}


def check_references(spec: HypothesisFile, codes: Collection[str], attributes: Mapping[str, str]) -> HypothesisFile:
    """Check the codes and attributes a file names against a project's codebook and case attributes.

    ``attributes`` maps each attribute to its type (text, integer, float, boolean, date). Returns the file with each
    ``group`` value read in its attribute's type (``ja`` for a boolean, ``4`` for an integer). Errors name the file
    and the line of the key at fault.
    """
    checked = []
    for h in spec.hypotheses:
        try:
            checked.append(_check_one(h, codes, attributes))
        except FokusError as exc:
            raise exc.located(spec.path or None) from None
    return replace(spec, hypotheses=tuple(checked))


def _check_one(h: Hypothesis, codes: Collection[str], attributes: Mapping[str, str]) -> Hypothesis:
    what = _("hypothesis {id}").format(id=h.id)
    for code in h.codes:
        if code not in codes:
            raise _fail(
                _("{what}: code {code!r} is not in the project's codebook").format(what=what, code=code),
                h.line_of("codes" if h.test == "association" else "code"),
                _("see `fokus codebook show`"),
            )
    if h.test != "group-difference" or h.attribute is None:
        return h
    if h.attribute not in attributes:
        known = ", ".join(attributes) or _("none yet (`fokus cases import`)")
        raise _fail(
            _("{what}: no case attribute {attribute!r} in the project").format(what=what, attribute=h.attribute),
            h.line_of("attribute"),
            known,
        )
    kind = attributes[h.attribute]
    if h.at_least is not None and kind not in ("integer", "float"):
        raise _fail(
            _("{what}: 'at_least' needs a number attribute, and {attribute!r} is {kind}").format(
                what=what, attribute=h.attribute, kind=kind
            ),
            h.line_of("at_least"),
        )
    group = None if h.group is None else _typed(h.group, kind, h.line_of("group"), what)
    split = kind == "boolean" or group is not None or h.at_least is not None
    if not split and h.unit == "case":
        raise _fail(
            _("{what}: at case level a group difference compares two groups, and {attribute!r} is {kind}").format(
                what=what, attribute=h.attribute, kind=kind
            ),
            h.line_of("attribute"),
            _("give group: <value> (that value against the rest) or at_least: <number>"),
        )
    if not split and h.direction != "two-sided":
        raise _fail(
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
    raise _fail(_("{what}: group {value!r} is not a {kind} value").format(what=what, value=value, kind=kind), line)
