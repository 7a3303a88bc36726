"""The optional ``--map`` file: which column names the case, and each item's id and kind, when the defaults guess
wrong. Written by hand, so read with the YAML limits and errors naming the line::

    case_column: Kommune
    items:
      "Hvor godt har kommunen lykket med dialogen med innbyggerne?": {id: dialog}
      "Kommentar": {kind: skip}
      "Hvilke plattformer bruker kommunen?": {id: plattform, kind: choice}

An item is named by its column's header (SurveyMonkey: the question of row 1) or by the id fokus gave it. Kinds:
``closed`` (a case attribute), ``choice`` (one boolean attribute per option), ``open`` (codable texts), ``skip``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.limits import MAX_LABEL_CHARS
from fokus.importers.located_yaml import LocatedDict, load_located_yaml

KINDS = ("closed", "choice", "open", "skip")
ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,59}\Z")


@dataclass(frozen=True, slots=True)
class ItemRule:
    id: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyMapping:
    case_column: str | None = None
    items: dict[str, ItemRule] = field(default_factory=dict)  # header or id, case-folded -> rule

    def rule(self, *names: str) -> ItemRule:
        for name in names:
            found = self.items.get(name.casefold())
            if found is not None:
                return found
        return ItemRule()


def read_mapping(path: Path) -> SurveyMapping:
    """The mapping file's content, or a FokusError naming the file and line."""
    display = str(path)
    data = load_located_yaml(path)
    if not isinstance(data, LocatedDict):
        raise FokusError(_("a mapping file is a YAML mapping with case_column and items"), path=display)
    unknown = sorted(str(k) for k in data if k not in ("case_column", "items"))
    if unknown:
        raise FokusError(
            _("unknown key {key!r}").format(key=unknown[0]),
            path=display,
            where=f"line {data.line_of(unknown[0])}",
            hint=_("the keys are case_column and items"),
        )
    case_column = data.get("case_column")
    if case_column is not None and not isinstance(case_column, str):
        raise FokusError(
            _("case_column must be a column's name"), path=display, where=f"line {data.line_of('case_column')}"
        )
    items: dict[str, ItemRule] = {}
    raw_items = data.get("items") or {}
    if not isinstance(raw_items, LocatedDict):
        raise FokusError(
            _("items must be a mapping of column to id and kind"), path=display, where=f"line {data.line_of('items')}"
        )
    for name, spec in raw_items.items():
        where = f"line {raw_items.line_of(name)}"
        if not isinstance(spec, dict) or set(spec) - {"id", "kind"}:
            raise FokusError(_("an item takes id and kind"), path=display, where=where)
        item_id, kind = spec.get("id"), spec.get("kind")
        if item_id is not None and (not isinstance(item_id, str) or not ID.match(item_id)):
            raise FokusError(
                _("not an id: {value!r}").format(value=item_id),
                path=display,
                where=where,
                hint=_("letters, digits, _ . -, starting with a letter, at most 60"),
            )
        if kind is not None and kind not in KINDS:
            raise FokusError(
                _("unknown kind {value!r}").format(value=kind), path=display, where=where, hint=", ".join(KINDS)
            )
        if len(str(name)) > MAX_LABEL_CHARS * 50:
            raise FokusError(_("column name too long"), path=display, where=where)
        items[str(name).strip().casefold()] = ItemRule(item_id, kind)
    return SurveyMapping(case_column, items)
