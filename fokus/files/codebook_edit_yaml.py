"""Adding a rule to a code in a YAML codebook file, losslessly: every byte of the file stays as the researcher wrote
it (comments, key order, quoting, line breaks, layout), and only the new rule's lines are added.

A YAML library that loads and dumps the file again does not keep all of that (PyYAML drops the comments; even a
round-trip dumper rewrites flow-style token patterns such as ``[[{LOWER: vise}, {LOWER: videre}]]``), so the new rule
is written as text where the file's own structure says it goes: PyYAML composes the file into nodes that carry their
character positions, the code is found by its path, and the rule goes after the code's last rule, in the same
indentation (or, for a code without rules, a ``rules:`` list goes before its ``children:``, or after its last
key). The result is then read back with :func:`fokus.files.codebook.load_codebook`'s checks, and must be the
codebook it was with exactly the new rule added; anything else is refused, and nothing is written.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fokus.errors import FokusError
from fokus.files.codebook import CodebookSpec, load_codebook
from fokus.i18n import _

PLAIN_WORD = re.compile(r"[^\W\d_][\w-]*(?: [^\W\d_][\w-]*)*")


@dataclass(frozen=True)
class NewRule:
    """A rule to add to a code: ``spec`` holds its keys in the order they are written (id first)."""

    code: str
    spec: dict[str, Any]
    comment: str | None = None


def read_codebook_text(path: Path) -> tuple[str, CodebookSpec]:
    """The file's text and its codebook, checked as ``fokus codebook load`` checks it."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise FokusError(
            _("not a YAML codebook (.yaml or .yml): fokus adds rules to YAML codebooks only"), path=str(path)
        )
    spec = load_codebook(path)  # the limits and checks of every codebook read
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:  # load_codebook read it: only a file changed in between gets here
        raise FokusError(_("the file is not UTF-8 text"), path=str(path)) from exc
    return text, spec


def add_rules(text: str, spec: CodebookSpec, rules: list[NewRule], display: str) -> str:
    """``text`` with each rule added under its code (see the module docstring); ``spec`` is what ``text`` reads as."""
    codes = spec.by_path()
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    root = yaml.compose(body, Loader=yaml.SafeLoader)
    assert root is not None  # the file was read as a codebook
    edits: list[tuple[int, str]] = []
    for rule in rules:
        if rule.code not in codes:
            raise FokusError(_("code {code!r} is not in this codebook").format(code=rule.code), path=display)
        node = _code_node(root, rule.code)
        edits.append(_insertion(body, node, rule, newline, display))
    for position, insert in sorted(edits, key=lambda edit: edit[0], reverse=True):
        if position == len(body) and body and not body.endswith("\n"):
            insert = newline + insert
        body = body[:position] + insert + body[position:]
    return bom + body


def check_added(before: CodebookSpec, after: CodebookSpec, rules: list[NewRule], display: str) -> None:
    """Refuse an edit whose file does not read as ``before`` with exactly ``rules`` added."""
    added: dict[str, list[dict[str, Any]]] = {}
    for rule in rules:
        added.setdefault(rule.code, []).append(rule.spec)
    old, new = before.by_path(), after.by_path()
    for path, code in old.items():
        expected = (code.rules or []) + [_plain(spec) for spec in added.get(path, [])]
        other = new.get(path)
        if other is None or (other.rules or []) != expected or _without_rules(other) != _without_rules(code):
            raise FokusError(
                _("adding the rule would change code {path!r} otherwise (a bug); nothing was written").format(
                    path=path
                ),
                path=display,
            )
    if set(new) != set(old) or (after.name, after.ubiquitous) != (before.name, before.ubiquitous):
        raise FokusError(
            _("adding the rule would change the codebook otherwise (a bug); nothing was written"), path=display
        )


def next_rule_id(spec: CodebookSpec, code: str, stem: str = "learnt") -> str:
    """The first ``learnt-N`` id that the code's rules do not use."""
    taken = {str(rule["id"]) for rule in spec.by_path()[code].rules or []}
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def _without_rules(code: Any) -> tuple[Any, ...]:
    return (code.name, code.parent, code.description, code.include, code.exclude, code.examples, code.color,
            code.codable, code.position)  # fmt: skip


def _plain(spec: dict[str, Any]) -> dict[str, Any]:
    """A rule as the codebook reader gives it back (its defaults filled in)."""
    plain: dict[str, Any] = {key: spec[key] for key in ("id", "any", "phrases", "unless", "requires") if key in spec}
    plain["compounds"] = bool(spec.get("compounds", True))
    plain["weight"] = float(spec["weight"])
    return plain


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value  # type: ignore[no-any-return]
    return None


def _code_node(root: yaml.Node, path: str) -> yaml.MappingNode:
    """The mapping of the code at ``path`` (the file was checked: it is there)."""
    assert isinstance(root, yaml.MappingNode)
    items = _value(root, "codes")
    found: yaml.MappingNode | None = None
    for part in path.split("/"):
        assert isinstance(items, yaml.SequenceNode)
        for item in items.value:
            code_id = _value(item, "id")
            if isinstance(code_id, yaml.ScalarNode) and code_id.value == part:
                found = item
                items = _value(item, "children")
                break
    assert found is not None
    return found


def _content_end(node: yaml.Node) -> int:
    """Where the last character of a node's own text is: a block collection ends with its last value (its end
    mark lies past the comments that follow it)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return int(node.end_mark.index)


def _line_after(body: str, position: int) -> int:
    """The start of the line after the one holding the last non-blank character before ``position``."""
    while position > 0 and body[position - 1] in " \t\r\n":
        position -= 1
    end = body.find("\n", position)
    return len(body) if end < 0 else end + 1


def _column(body: str, index: int) -> int:
    return index - (body.rfind("\n", 0, index) + 1)


def _insertion(body: str, code: yaml.MappingNode, rule: NewRule, newline: str, display: str) -> tuple[int, str]:
    if code.flow_style:
        raise FokusError(
            _("code {code!r} is written in flow style ({{...}}); write it as a block to let fokus add a rule").format(
                code=rule.code
            ),
            path=display,
            where=f"line {code.start_mark.line + 1}",
        )
    rules = _value(code, "rules")
    if rules is not None:
        if not isinstance(rules, yaml.SequenceNode) or rules.flow_style or not rules.value:
            raise FokusError(
                _(
                    "the rules of {code!r} are written in flow style ([...]); write them as a block list"
                    " (one '- id: ...' per rule) to let fokus add one"
                ).format(code=rule.code),
                path=display,
                where=f"line {rules.start_mark.line + 1}",
            )
        first = rules.value[0].start_mark.index
        line_start = body.rfind("\n", 0, first) + 1
        dash = body.rfind("-", line_start, first)
        at = _line_after(body, _content_end(rules))
        return at, _rule_lines(rule, dash - line_start, first - line_start, newline)
    key_column = _column(body, code.value[0][0].start_mark.index)
    keys = [key.value for key, _value in code.value]
    before = keys.index("children") - 1 if "children" in keys and keys.index("children") > 0 else len(keys) - 1
    at = _line_after(body, _content_end(code.value[before][1]))
    text = " " * key_column + "rules:" + newline + _rule_lines(rule, key_column + 2, key_column + 4, newline)
    return at, text


def _rule_lines(rule: NewRule, dash: int, key: int, newline: str) -> str:
    lines = [] if rule.comment is None else [" " * dash + "# " + " ".join(rule.comment.split())]
    for index, (name, value) in enumerate(rule.spec.items()):
        indent = " " * dash + "-" + " " * (key - dash - 1) if index == 0 else " " * key
        lines.append(f"{indent}{name}: {_scalar_or_list(value)}")
    return newline.join(lines) + newline


def _scalar_or_list(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_word(str(v)) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return repr(value)
    return _word(str(value))


def _word(word: str) -> str:
    """A word as YAML text: plain where it reads back as itself (not "no", "null" or "1e3"), else quoted."""
    if PLAIN_WORD.fullmatch(word):
        try:
            if yaml.safe_load(f"[{word}]") == [word]:
                return word
        except yaml.YAMLError:
            pass
    return json.dumps(word, ensure_ascii=False)


def write_beside(path: Path, text: str) -> Path:
    """``text`` in a new file of the same name in a new folder beside ``path`` (so it reads as the same codebook,
    whose default name is the file's), with ``path``'s permissions: for :func:`os.replace` over ``path``, or for
    :func:`remove_beside`."""
    import os
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    written = folder / path.name
    try:
        with open(written, "x", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(path, written)
    except BaseException:
        remove_beside(written)
        raise
    return written


def remove_beside(written: Path) -> None:
    """Remove what :func:`write_beside` made (the file, if it is still there, and its folder)."""
    written.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        written.parent.rmdir()
