"""The YAML codebook format: codes with definitions, notes, examples and (later) auto-coding rules.

```yaml
codebook: Kommuner i sosiale medier
version: "1.0"
language: nb
description: What the codebook is for and how to code.
codes:
  - id: krise                  # lowercase letters, digits, '-' and '_'; a child's path is parent/child
    name: Krise og beredskap
    color: "#D62728"
    description: The definition.
    include: What to code here.
    exclude: What not to code here, and where it goes instead.
    examples: ["Vi la ut kokevarsel på Facebook før det sto i avisa."]
    codable: true              # false for a grouping code that only holds children
    rules: {...}               # auto-coding rules, read by fokus.nlp
    children: [...]
```

A code's ``name``, ``description``, ``include`` and ``exclude`` are either a text in the codebook's ``language`` (nb
when it says none) or a mapping of language to text, ``name: {nb: Krise og beredskap, en: Crisis and emergency}``
(languages: en, nb, nn; at least one). The codebook's own language's text is the one stored in the code's columns
(the first of the mapping when it lacks one); the other languages' texts go to :attr:`CodeSpec.translations`, and
fokus shows a person the text in their language when the codebook has it (fokus.domain.codes.shown_name).

Validation is strict (unknown keys are errors) because a typo such as `exlude:` would otherwise lose a note silently;
every error names the file and line. Names and paths longer than their database columns, more than ``MAX_CODES``
codes, and rule patterns holding what JSON cannot (a date) are refused too (:mod:`fokus.importers.limits`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers import limits
from fokus.importers.limits import MAX_CODE_PATH_CHARS, MAX_LABEL_CHARS, check_count, check_length
from fokus.importers.located_yaml import LocatedDict, LocatedList, load_located_yaml

# \Z, not $: "$" also matches before a final newline, and "krise\n" is no code id.
CODE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*\Z")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}\Z")
TOP_KEYS = {"codebook", "version", "language", "description", "ubiquitous", "codes"}
RULE_KEYS = {"id", "any", "phrases", "near", "pattern", "unless", "requires", "compounds", "weight"}
NEAR_KEYS = {"a", "b", "window"}
DEFAULT_WEIGHT = 0.6
CODE_KEYS = {"id", "name", "color", "description", "include", "exclude", "examples", "codable", "rules", "children"}
MAX_DEPTH = 12
TEXT_LANGUAGES = ("en", "nb", "nn")  # the languages a code's texts may be written in
TRANSLATED_KEYS = ("name", "description", "include", "exclude")
DEFAULT_LANGUAGE = "nb"


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """One code as the file defines it; ``line`` is where it starts, for messages."""

    path: str
    name: str
    parent: str | None
    description: str | None
    include: str | None
    exclude: str | None
    examples: tuple[str, ...]
    color: str | None
    codable: bool
    rules: list[dict[str, Any]] | None
    position: int
    line: int
    #: The name and notes in languages other than the codebook's: ``{"en": {"name": ..., "description": ...}}``.
    translations: dict[str, dict[str, str]] | None = None


@dataclass(slots=True)
class CodebookSpec:
    """A whole codebook file, codes in file order (parents before children)."""

    name: str
    version: str | None
    language: str | None
    description: str | None
    ubiquitous: tuple[str, ...] = ()
    codes: list[CodeSpec] = field(default_factory=list)

    def by_path(self) -> dict[str, CodeSpec]:
        return {code.path: code for code in self.codes}


def load_codebook(path: Path) -> CodebookSpec:
    """Read and validate a YAML codebook file."""
    display = str(path)
    data = load_located_yaml(path)
    try:
        return _codebook(data, path.stem)
    except FokusError as exc:
        raise exc.located(display) from None


def _fail(reason: str, line: int, hint: str | None = None) -> FokusError:
    return FokusError(reason, where=f"line {line}", hint=hint)


def _unknown_keys(mapping: LocatedDict, allowed: set[str], what: str) -> None:
    for key in mapping:
        if key not in allowed:
            allowed_keys = _("allowed: {keys}").format(keys=", ".join(sorted(allowed)))
            raise _fail(
                _("unknown key {key!r} in {what}").format(key=key, what=what), mapping.line_of(key), allowed_keys
            )


def _text(mapping: LocatedDict, key: str, *, required: bool = False) -> str | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise _fail(_("missing {key!r}").format(key=key), mapping.line)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(_("{key!r} must be text").format(key=key), mapping.line_of(key))
    text = str(value).strip()
    if required and not text:
        raise _fail(_("{key!r} is empty").format(key=key), mapping.line_of(key))
    return text or None


def _codebook(data: Any, default_name: str) -> CodebookSpec:
    if not isinstance(data, LocatedDict):
        raise _fail(_("a codebook is a mapping with a 'codes' list"), getattr(data, "line", 1))
    _unknown_keys(data, TOP_KEYS, _("the codebook"))
    codes = data.get("codes")
    if not isinstance(codes, LocatedList):
        raise _fail(_("'codes' must be a list of codes"), data.line_of("codes") if "codes" in data else data.line)
    version = data.get("version")
    ubiquitous = _lemmas(data, "ubiquitous", _("the codebook")) if "ubiquitous" in data else ()
    spec = CodebookSpec(
        name=_text(data, "codebook") or default_name,
        version=None if version is None else str(version),
        language=_text(data, "language"),
        description=_text(data, "description"),
        ubiquitous=ubiquitous,
    )
    seen: dict[str, int] = {}
    own = spec.language if spec.language in TEXT_LANGUAGES else DEFAULT_LANGUAGE
    codes_found = _codes(
        codes, parent=None, depth=1, counter=iter(range(1_000_000)), ubiquitous=set(ubiquitous), own=own
    )
    for code in codes_found:
        if code.path in seen:
            raise _fail(
                _("code {path!r} is defined twice (first on line {seen})").format(path=code.path, seen=seen[code.path]),
                code.line,
            )
        seen[code.path] = code.line
        spec.codes.append(code)
    if not spec.codes:
        raise _fail(_("the codebook has no codes"), codes.line)
    return spec


def language_texts(value: LocatedDict, key: str, line: int, *, required: bool = False) -> dict[str, str | None]:
    """The texts of a language mapping (``key: {nb: ..., en: ...}`` on ``line``), by language, stripped: None for an
    empty one unless ``required``. Refuses an empty mapping, a language not in ``TEXT_LANGUAGES`` and a value that is
    not text, naming the line (hypothesis files take the same mappings: fokus.files.hypotheses)."""
    if not value:
        raise _fail(_("{key!r} has no text in any language").format(key=key), line)
    for lang in value:
        if lang not in TEXT_LANGUAGES:
            raise _fail(
                _("unknown language {lang!r} in {key!r}").format(lang=lang, key=key),
                value.line_of(lang),
                _("allowed: {keys}").format(keys=", ".join(TEXT_LANGUAGES)),
            )
    return {lang: _text(value, lang, required=required) for lang in value}


def _translated(item: LocatedDict, own: str) -> tuple[LocatedDict, dict[str, dict[str, str]] | None]:
    """``item`` with each of its texts given as a language mapping replaced by the text in the codebook's language
    (``own``; else the mapping's first), and the other languages' texts."""
    plain = LocatedDict(item)
    plain.line = item.line
    plain.key_lines = item.key_lines
    others: dict[str, dict[str, str]] = {}
    for key in TRANSLATED_KEYS:
        value = item.get(key)
        if not isinstance(value, LocatedDict):
            continue
        texts = language_texts(value, key, item.line_of(key), required=key == "name")
        if key == "name":
            for lang, text in texts.items():
                check_length(text or "", MAX_LABEL_CHARS, "code name", f"line {value.line_of(lang)}")
        plain[key] = texts[own] if own in texts else next(iter(texts.values()))
        for lang, text in texts.items():
            if lang != own and text is not None:
                others.setdefault(lang, {})[key] = text
    return plain, ({lang: others[lang] for lang in sorted(others)} or None)


def _codes(
    items: LocatedList, parent: str | None, depth: int, counter: Iterator[int], ubiquitous: set[str], own: str
) -> Iterator[CodeSpec]:
    if depth > MAX_DEPTH:
        raise _fail(_("codes nest deeper than {max_depth} levels").format(max_depth=MAX_DEPTH), items.line)
    for index, item in enumerate(items):
        line = items.line_of(index)
        if not isinstance(item, LocatedDict):
            raise _fail(_("each code must be a mapping with at least 'id' and 'name'"), line)
        _unknown_keys(item, CODE_KEYS, _("a code"))
        item, translations = _translated(item, own)
        code_id = item.get("id")
        if not isinstance(code_id, str) or not CODE_ID.match(code_id):
            raise _fail(
                _("bad code id {code_id!r}").format(code_id=code_id),
                item.line_of("id"),
                _("use lowercase letters a-z, digits, '-' and '_', starting with a letter or digit"),
            )
        path = f"{parent}/{code_id}" if parent else code_id
        check_length(path, MAX_CODE_PATH_CHARS, "code path", f"line {line}")
        color = _text(item, "color")
        if color is not None and not COLOR.match(color):
            raise _fail(
                _("bad color {color!r} for {path}").format(color=color, path=path),
                item.line_of("color"),
                _("write it as #RRGGBB"),
            )
        examples = item.get("examples", [])
        if isinstance(examples, str):
            examples = [examples]
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise _fail(_("'examples' of {path} must be a list of texts").format(path=path), item.line_of("examples"))
        codable = item.get("codable", True)
        if not isinstance(codable, bool):
            raise _fail(_("'codable' of {path} must be true or false").format(path=path), item.line_of("codable"))
        rules = _rules(item, path, ubiquitous) if "rules" in item else None
        name = _text(item, "name", required=True) or code_id
        check_length(name, MAX_LABEL_CHARS, "code name", f"line {item.line_of('name')}")
        position = next(counter)
        check_count(position + 1, limits.MAX_CODES, "codes", f"line {line}")
        yield CodeSpec(
            path=path,
            name=name,
            parent=parent,
            description=_text(item, "description"),
            include=_text(item, "include"),
            exclude=_text(item, "exclude"),
            examples=tuple(e.strip() for e in examples),
            color=color.upper() if color else None,
            codable=codable,
            rules=rules,
            position=position,
            line=item.line,
            translations=translations,
        )
        children = item.get("children")
        if children is not None:
            if not isinstance(children, LocatedList):
                raise _fail(
                    _("'children' of {path} must be a list of codes").format(path=path), item.line_of("children")
                )
            yield from _codes(children, path, depth + 1, counter, ubiquitous, own)


def _lemmas(mapping: LocatedDict, key: str, what: str) -> tuple[str, ...]:
    """A list of lemmas (or multi-word phrases), lowercased."""
    value = mapping.get(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(
            _("{key!r} of {what} must be a non-empty list of words").format(key=key, what=what), mapping.line_of(key)
        )
    return tuple(" ".join(v.lower().split()) for v in value)


def _rules(item: LocatedDict, path: str, ubiquitous: set[str]) -> list[dict[str, Any]]:
    """Validate a code's auto-coding rules (see fokus.nlp.rules for what they mean) into plain dicts."""
    rules = item.get("rules")
    if not isinstance(rules, LocatedList):
        raise _fail(_("'rules' of {path} must be a list of rules").format(path=path), item.line_of("rules"))
    result: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for index, rule in enumerate(rules):
        line = rules.line_of(index)
        if not isinstance(rule, LocatedDict):
            raise _fail(_("each rule of {path} must be a mapping").format(path=path), line)
        _unknown_keys(rule, RULE_KEYS, f"a rule of {path}")
        rule_id = rule.get("id", f"r{index + 1}")
        if not isinstance(rule_id, str) or not CODE_ID.match(rule_id):
            raise _fail(
                _("bad rule id {rule_id!r} in {path}").format(rule_id=rule_id, path=path),
                rule.line_of("id"),
                _("lowercase letters, digits, '-'"),
            )
        if rule_id in ids:
            raise _fail(
                _("rule {rule_id!r} of {path} is defined twice (first on line {id})").format(
                    rule_id=rule_id, path=path, id=ids[rule_id]
                ),
                line,
            )
        ids[rule_id] = line
        what = _("rule {path}:{rule}").format(path=path, rule=rule_id)
        plain: dict[str, Any] = {"id": rule_id}
        for key in ("any", "phrases", "unless", "requires"):
            if key in rule:
                plain[key] = list(_lemmas(rule, key, what))
        for lemma in plain.get("any", []):
            if " " in lemma:
                raise _fail(
                    _("{what}: 'any' takes single words; put {lemma!r} under 'phrases'").format(what=what, lemma=lemma),
                    rule.line_of("any"),
                )
            if lemma in ubiquitous:
                raise _fail(
                    _(
                        "{what}: {lemma!r} is in nearly every message ('ubiquitous') and cannot trigger a code alone"
                    ).format(what=what, lemma=lemma),
                    rule.line_of("any"),
                    _("use it in 'near', 'phrases' or 'requires'"),
                )
        if "near" in rule:
            near = rule["near"]
            if not isinstance(near, LocatedDict):
                raise _fail(
                    _("{what}: 'near' must be a mapping with a, b and window").format(what=what), rule.line_of("near")
                )
            _unknown_keys(near, NEAR_KEYS, _("'near' of {what}").format(what=what))
            window = near.get("window", 5)
            if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 50:
                raise _fail(
                    _("{what}: 'window' must be a whole number from 1 to 50").format(what=what), near.line_of("window")
                )
            plain["near"] = {"a": list(_lemmas(near, "a", what)), "b": list(_lemmas(near, "b", what)), "window": window}
        if "pattern" in rule:
            pattern = _plain(rule["pattern"])
            if (
                not isinstance(pattern, list)
                or not pattern
                or not all(isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in pattern)
            ):
                raise _fail(
                    _("{what}: 'pattern' must be a list of spaCy token patterns").format(what=what),
                    rule.line_of("pattern"),
                )
            if not _json_like(pattern):
                raise _fail(
                    _("{what}: 'pattern' holds a value that is not text, a number or true/false").format(what=what),
                    rule.line_of("pattern"),
                    _("write dates and other such values in quotes"),
                )
            plain["pattern"] = pattern
        if not any(key in plain for key in ("any", "phrases", "near", "pattern")):
            raise _fail(_("{what} has nothing to match: give any, phrases, near or pattern").format(what=what), line)
        compounds = rule.get("compounds", True)
        if not isinstance(compounds, bool):
            raise _fail(_("{what}: 'compounds' must be true or false").format(what=what), rule.line_of("compounds"))
        weight = rule.get("weight", DEFAULT_WEIGHT)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            raise _fail(
                _("{what}: 'weight' must be a number above 0 and at most 1").format(what=what), rule.line_of("weight")
            )
        plain["compounds"] = compounds
        plain["weight"] = float(weight)
        result.append(plain)
    return result


def _json_like(value: Any) -> bool:
    """Whether ``value`` is made of what JSON holds (it is stored as JSON): YAML can also give dates, bytes, sets."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_like(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_like(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _plain(value: Any) -> Any:
    """Strip the line-number wrappers, so rules can be stored as JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
