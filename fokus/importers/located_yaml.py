"""YAML that remembers line numbers, so a validation error can name the line a researcher has to fix.

Mappings load as :class:`LocatedDict` and sequences as :class:`LocatedList`, which carry the line of the node and of
each key or item; duplicate keys, which plain PyYAML silently lets the last one win, are errors.

The loader is PyYAML's safe one, with the limits of :mod:`fokus.importers.limits` for files from anywhere: at most
``MAX_YAML_BYTES``, nested at most ``MAX_YAML_DEPTH`` levels (PyYAML composes recursively, and would otherwise fail
with a RecursionError), and at most ``MAX_YAML_VALUES`` values once aliases are expanded (a "billion laughs" file of
aliases of aliases is small, but a reader that walks it, such as the codebook's rule patterns, never finishes). A
value its tag cannot be read as (``!!int abc``, ``2020-02-30``, which PyYAML reads as a date) is an error on its
line, not a ValueError from inside PyYAML; so is half a character (``"\\ud83d"``), which the database cannot store,
and a control character other than tab and line breaks (``"\\0"``, ``"\\x07"``: PyYAML refuses them written out,
not escaped), naming the key whose value holds it: PostgreSQL cannot store a NUL, and none belongs in a codebook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.importers import limits


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


# C0 control characters and DEL, but tab, line feed and carriage return: what an escape may put in a text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _ControlCharacter(FokusError):
    """A text holding a control character; the mapping around it names its key (:meth:`named`)."""

    def __init__(self, char: str, where: str | None) -> None:
        self.char = char
        self.field: str | None = None
        super().__init__(self._reason(_("a value")), where=where, hint=self._hint())

    def named(self, field: str) -> _ControlCharacter:
        if self.field is None:
            self.field = field
            self.reason = self._reason(field)
        return self

    def _reason(self, field: str) -> str:
        code = f"U+{ord(self.char):04X}"
        if self.char == "\x00":
            return _("{field} holds a NUL character ({code}), which PostgreSQL cannot store").format(
                field=field, code=code
            )
        return _("{field} holds a control character ({code}), which no text of a codebook needs").format(
            field=field, code=code
        )

    def _hint(self) -> str:
        return _('remove the escape "{escape}" from the file').format(escape=f"\\x{ord(self.char):02x}")


class _Loader(yaml.SafeLoader):
    """A SafeLoader that counts nesting and expanded values while it composes, and locates constructor errors."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values: dict[int, int] = {}  # id(node) -> values it holds once expanded, itself included

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        opens = bool(self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent))
        self._depth += opens
        try:
            if self._depth > limits.MAX_YAML_DEPTH:
                raise FokusError(
                    _("YAML nested deeper than {limit} levels; no codebook nests like that").format(
                        limit=limits.MAX_YAML_DEPTH
                    ),
                    where=_line(self.peek_event().start_mark),  # type: ignore[no-untyped-call]
                )
            node = super().compose_node(parent, index)
            assert node is not None  # None only at the end of a stream, which compose_document checks before
        finally:
            self._depth -= opens
        if id(node) not in self._values:  # an alias returns a node already counted: its parent counts it again
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            total = 1 + sum(self._values.get(id(c), 1) for c in children)  # 1: an alias of a node still open
            if total > limits.MAX_YAML_VALUES:
                raise FokusError(
                    _(
                        "the YAML holds more than {limit} values, counting each use of an alias"
                        " (aliases of aliases: a 'billion laughs' file?)"
                    ).format(limit=number(limits.MAX_YAML_VALUES)),
                    where=_line(node.start_mark),
                )
            self._values[id(node)] = total
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep=deep)
        except (
            ValueError,
            TypeError,
            AttributeError,
            ArithmeticError,
            LookupError,
        ):  # what PyYAML's constructors raise
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            reason = (
                _("not valid YAML: the value {value!r} cannot be read as {tag}").format(
                    value=str(node.value)[:40], tag=tag
                )
                if isinstance(node, yaml.ScalarNode)
                else _("not valid YAML: the value cannot be read as {tag}").format(tag=tag)
            )
            raise FokusError(
                reason,
                where=_line(node.start_mark),
                hint=_("put the value in quotes to keep it as text"),
            ) from None
        if isinstance(value, str) and (control := _CONTROL.search(value)) is not None:
            raise _ControlCharacter(control.group(), _line(node.start_mark))
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # "\ud83d": half of a character, which no file or database can hold
                raise FokusError(
                    _("not valid YAML: a \\u escape of half a character (a lone surrogate)"),
                    where=_line(node.start_mark),
                ) from None
        return value


def _line(mark: Any) -> str | None:
    return f"line {mark.line + 1}" if mark is not None else None


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        try:
            key = loader.construct_object(key_node, deep=True)
        except _ControlCharacter as exc:
            raise exc.named("a key") from None
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError as exc:
            raise FokusError(_("a key must be a plain value"), where=f"line {line}") from exc
        if key in result:
            raise FokusError(
                _("duplicate key {key!r} (first on line {line})").format(key=key, line=result.key_lines[key]),
                where=f"line {line}",
            )
        try:
            result[key] = loader.construct_object(value_node, deep=True)
        except _ControlCharacter as exc:
            raise exc.named(repr(key)) from None
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
    raw = limits.read_limited(path, limits.MAX_YAML_BYTES, N_("a YAML file is written by hand"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FokusError(_("not UTF-8 text (byte {byte})").format(byte=exc.start), path=display) from exc
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # a SafeLoader; it checks the characters of the whole text first
        return loader.get_single_data()
    except FokusError as exc:
        raise exc.located(display) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else None
        raise FokusError(
            _("not valid YAML: {reason}").format(reason=exc.problem or exc.context), path=display, where=where
        ) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        reason = _("not valid YAML: {reason} (character {character})").format(
            reason=exc.reason, character=f"#x{exc.character:04x}"
        )
        raise FokusError(reason, path=display, where=f"line {line}") from None
    except yaml.YAMLError as exc:
        raise FokusError(_("not valid YAML: {reason}").format(reason=exc), path=display) from exc
    except (ValueError, OverflowError) as exc:  # PyYAML's scanner on an escape beyond Unicode, such as \U10010000
        where = f"line {loader.line + 1}" if loader is not None else None
        raise FokusError(
            _("not valid YAML: an escape that is no character ({reason})").format(reason=exc), path=display, where=where
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
