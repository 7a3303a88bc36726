"""What a behaviour hypothesis measures on each case: a page metric, a number attribute or a code's share.

Issue 20's hypotheses test what the municipalities did as well as what they said. A behaviour hypothesis names one
(``group-difference``) or two (``correlation``) case-level variables:

```yaml
  - id: B1
    statement: De ti beste svarer raskere på spørsmål enn resten.
    test: group-difference
    metric: response_hours            # a column of `fokus pages metrics` (fokus.files.criteria.METRICS)
    window: {from: 2013-01-01, to: 2013-04-30}   # optional: the days the metrics are measured over
    attribute: topp10                 # the groups, as for a code: boolean, group: <value> or at_least: <number>
    direction: negative               # the focal group lower
  - id: B2
    statement: Andelen dialoginnlegg stiger med poengsummen.
    test: correlation
    x: {metric: dialogue_share}
    y: {value: score}                 # a number case attribute (a score, a survey's Likert item)
    direction: positive               # rising together
```

A variable is ``metric: <column>``, ``value: <number attribute>`` or ``code: <path>`` (its share of the case's
units, or their count, with ``measure`` and ``measure_unit`` as a case-level group difference takes them). The unit
of a behaviour hypothesis is always the case (``unit: case`` may be written; any other unit is an error). Errors
name the file's line, as every error of a hypothesis file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fokus.files.criteria import METRICS
from fokus.files.hypothesis_fields import allowed, choice, code_path, fail
from fokus.i18n import _
from fokus.importers.located_yaml import LocatedDict

KINDS = ("metric", "value", "code")
MEASURES = ("share", "count")
MEASURE_UNITS = ("sentence", "message", "participant")
VARIABLE_KEYS = frozenset({*KINDS, "measure", "measure_unit"})
WINDOW_KEYS = frozenset({"from", "to"})
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2099, 12, 31)  # as fokus.analysis.page_metrics.Window takes days


@dataclass(frozen=True, slots=True)
class Variable:
    """One case-level variable: ``kind`` metric, value or code, and ``name`` the metric, attribute or code path."""

    kind: str
    name: str
    measure: str = "share"  # a code's: share | count of the case's units
    measure_unit: str = "message"
    line: int = 0

    @property
    def label(self) -> str:
        """The variable as JSON and CSV name it: ``response_hours``, ``score``, ``share of messages with krise``."""
        if self.kind != "code":
            return self.name
        return f"{self.measure} of {self.measure_unit}s with {self.name}"

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "name": self.name}
        if self.kind == "code":
            found |= {"measure": self.measure, "measure_unit": self.measure_unit}
        return found


def variable(mapping: LocatedDict, what: str, *, kinds: tuple[str, ...] = KINDS) -> Variable:
    """The one variable ``mapping`` names by one of ``kinds`` (a hypothesis' own keys, or its ``x:``/``y:``)."""
    given = [kind for kind in kinds if kind in mapping]
    if len(given) != 1:
        line = mapping.line_of(given[1]) if len(given) > 1 else mapping.line
        raise fail(
            _("{what} needs exactly one of {keys}").format(what=what, keys=", ".join(kinds)),
            line,
            _("for example metric: response_hours, or value: score"),
        )
    kind = given[0]
    line = mapping.line_of(kind)
    raw = mapping[kind]
    measures = [key for key in ("measure", "measure_unit") if key in mapping]
    if measures and kind != "code":
        raise fail(
            _("{key!r} of {what} is for a code's share or count").format(key=measures[0], what=what),
            mapping.line_of(measures[0]),
        )
    if kind == "code":
        return Variable(
            "code",
            code_path(raw, line, what),
            choice(mapping, "measure", MEASURES, what, default="share"),
            choice(mapping, "measure_unit", MEASURE_UNITS, what, default="message"),
            line=line,
        )
    if not isinstance(raw, str) or not raw.strip():
        raise fail(_("{key!r} of {what} must be a name").format(key=kind, what=what), line)
    name = raw.strip()
    if kind == "metric" and name not in METRICS:
        raise fail(
            _("{what}: unknown page metric {metric!r}").format(what=what, metric=name),
            line,
            _("one of {choices}").format(choices=", ".join(METRICS)),
        )
    return Variable(kind, name, line=line)


def axis(item: LocatedDict, key: str, what: str) -> Variable:
    """A correlation's ``x:`` or ``y:``: a mapping with one variable."""
    mapping = item.get(key)
    if mapping is None:
        raise fail(
            _("{what} has no {key!r}").format(what=what, key=key),
            item.line,
            _("a correlation takes two variables: x: {{metric: dialogue_share}} and y: {{value: score}}"),
        )
    if not isinstance(mapping, LocatedDict):
        raise fail(
            _("{key!r} of {what} must be a mapping such as {{metric: dialogue_share}}").format(key=key, what=what),
            item.line_of(key),
        )
    for name in mapping:
        if name not in VARIABLE_KEYS:
            raise fail(
                _("unknown key {key!r} in {what}").format(key=name, what=f"{what} {key}"),
                mapping.line_of(name),
                allowed(VARIABLE_KEYS),
            )
    return variable(mapping, f"{what} {key}")


def window(item: LocatedDict, what: str) -> tuple[date | None, date | None] | None:
    """The optional ``window: {from, to}`` the metrics are measured over (days, both included)."""
    if "window" not in item:
        return None
    mapping = item["window"]
    if not isinstance(mapping, LocatedDict):
        raise fail(
            _("'window' of {what} must be a mapping such as {{from: 2013-01-01, to: 2013-04-30}}").format(what=what),
            item.line_of("window"),
        )
    days: dict[str, date | None] = {}
    for key in mapping:
        if key not in WINDOW_KEYS:
            raise fail(
                _("unknown key {key!r} in the window of {what}").format(key=key, what=what),
                mapping.line_of(key),
                allowed(WINDOW_KEYS),
            )
        days[str(key)] = _day(mapping[key], mapping.line_of(key), what)
    start, end = days.get("from"), days.get("to")
    if start and end and end < start:
        raise fail(
            _("the window of {what} ends ({end}) before it starts ({start})").format(
                what=what, end=end.isoformat(), start=start.isoformat()
            ),
            mapping.line_of("to"),
        )
    return start, end


def _day(value: Any, line: int, what: str) -> date | None:
    if value is None:
        return None
    day: date | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise fail(
            _("the window of {what} takes days from 1970 to 2099 as YYYY-MM-DD, not {value!r}").format(
                what=what, value=value
            ),
            line,
        )
    return day
