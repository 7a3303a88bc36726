"""Which CSV column holds which field: the default header, ``--map`` items, and the CrowdTangle preset.

A mapping is a plain ``{field: column}`` dict. Fields it does not name are read from the column of the same name, so
``--map text=Innhold`` is enough for a file whose header is ``id,thread_id,parent_id,author,created_time,Innhold``.
Column names are matched ignoring case and surrounding spaces.

``parse_mapping`` reads the CLI's repeatable ``--map``: ``field=Column``, the preset name ``crowdtangle``, or a path
to a ``.yaml``/``.yml``/``.json`` file holding ``{field: column}``. Later items override earlier ones, so
``--map crowdtangle --map case="Page Name"`` adds the page as the case to the preset.

The CrowdTangle preset reads a CrowdTangle post export: the post's ``URL`` is its id (CrowdTangle's "Facebook Id" is
the page's id, not the post's) and its ``url``; ``Page Name`` is the author; ``Post Created`` the time;
``Message`` the text; ``Total Interactions`` the reactions; ``Link`` the attachment. There are no thread columns, so
each row is a post of its own thread (CrowdTangle never held comments).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers.limits import MAX_JSON_DEPTH, MAX_YAML_BYTES, json_too_deep, read_limited

REQUIRED_FIELDS = ("id", "author", "created_time", "text")
OPTIONAL_FIELDS = ("thread_id", "parent_id", "case", "reactions", "title", "url", "link")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS

CROWDTANGLE: Mapping[str, str] = {
    "id": "URL",
    "url": "URL",
    "author": "Page Name",
    "created_time": "Post Created",
    "text": "Message",
    "reactions": "Total Interactions",
    "link": "Link",
}
PRESETS: Mapping[str, Mapping[str, str]] = {"crowdtangle": CROWDTANGLE}


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["crowdtangle", "case=Page Name"]`` -> ``{field: column}``; bad items are a FokusError."""
    mapping: dict[str, str] = {}
    for item in items:
        text = item.strip()
        if text.lower() in PRESETS:
            mapping.update(PRESETS[text.lower()])
        elif "=" in text:
            field, _sep, column = text.partition("=")
            mapping.update(_checked({field: column}, f"--map {item}"))
        elif text.lower().endswith((".yaml", ".yml", ".json")):
            mapping.update(_checked(_load_file(Path(text)), text))
        else:
            raise FokusError(
                _("--map {item!r}: expected field=Column, a preset ({presets}) or a .yaml/.json file").format(
                    item=item, presets=", ".join(PRESETS)
                ),
                hint=_fields(),
            )
    return mapping


def _load_file(path: Path) -> Any:
    if path.suffix.lower() != ".json":
        # imported here: only mapping files need PyYAML. The codebooks' loader, with its limits: plain yaml.safe_load
        # let a ValueError out of "text: 2020-02-30" and a RecursionError out of deep nesting.
        from fokus.importers.located_yaml import load_located_yaml

        return load_located_yaml(path)
    data = read_limited(path, MAX_YAML_BYTES, N_("a mapping file names a few columns"))
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FokusError(
            _("cannot read the mapping file ({error}: {reason})").format(error=err.__class__.__name__, reason=err),
            path=str(path),
        ) from None
    if json_too_deep(raw.encode("utf-8")):
        raise FokusError(
            _("not valid JSON (nested deeper than {limit} levels)").format(limit=MAX_JSON_DEPTH), path=str(path)
        )
    try:
        return json.loads(raw)
    except ValueError as err:
        raise FokusError(_("not valid JSON ({reason})").format(reason=err), path=str(path)) from None


def _fields() -> str:
    return _("fields: {fields}").format(fields=", ".join(FIELDS))


def _checked(raw: Any, source: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise FokusError(_("{source}: expected a mapping of field: column").format(source=source), hint=_fields())
    mapping: dict[str, str] = {}
    for field, column in raw.items():
        name = str(field).strip().lower()
        if name not in FIELDS:
            raise FokusError(
                _("{source}: unknown field {field!r}").format(source=source, field=str(field)), hint=_fields()
            )
        if not isinstance(column, str) or not column.strip():
            raise FokusError(_("{source}: field {field!r} needs a column name").format(source=source, field=name))
        mapping[name] = column.strip()
    return mapping
