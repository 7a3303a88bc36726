"""YAML that remembers line numbers, so a validation error can name the line a researcher has to fix.

Mappings load as :class:`LocatedDict` and sequences as :class:`LocatedList`, which carry the line of the node and of
each key or item; duplicate keys, which plain PyYAML silently lets the last one win, are errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fokus.errors import FokusError

MAX_YAML_BYTES = 20 * 1024 * 1024


class LocatedDict(dict[Any, Any]):
    """A dict loaded from YAML, with the line of the mapping and of each key (1-based)."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A list loaded from YAML, with the line of the sequence and of each item (1-based)."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError as exc:
            raise FokusError("a key must be a plain value", where=f"line {line}") from exc
        if key in result:
            raise FokusError(
                f"duplicate key {key!r} (first on line {result.key_lines[key]})",
                where=f"line {line}",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_located_yaml(path: Path) -> Any:
    """Parse ``path``; every problem becomes a FokusError naming the file and line."""
    display = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise FokusError(f"file is {size} bytes, more than the {MAX_YAML_BYTES} a YAML file may have", path=display)
        raw = path.read_bytes()
    except OSError as exc:
        raise FokusError(f"cannot read: {exc.strerror or exc}", path=display) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FokusError(f"not UTF-8 text (byte {exc.start})", path=display) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except FokusError as exc:
        raise exc.located(display) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else None
        raise FokusError(f"not valid YAML: {exc.problem or exc.context}", path=display, where=where) from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise FokusError(f"not valid YAML: {exc}", path=display) from exc
