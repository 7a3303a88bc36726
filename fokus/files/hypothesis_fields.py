"""The fields of a hypothesis file as every kind of hypothesis reads them: a choice among fixed words, a text in one
or several languages, and the one error type naming the line. Kept apart from fokus.files.hypotheses (the file and
its tests) and fokus.files.hypothesis_variables (what a behaviour hypothesis measures), which both read fields.

A text is a text or, as a codebook's names, a mapping of language to text (``statement: {nb: ..., en: ...}``;
fokus.files.codebook's languages and errors). The stable text, kept by JSON and CSV whatever the reader's language,
is the Norwegian (nb) if given, else the mapping's first; the others go to ``translations``, and ``shown(key)`` gives
a person the text in their language if there.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from fokus.domain.codes import reader_language
from fokus.errors import FokusError
from fokus.files.codebook import DEFAULT_LANGUAGE, language_texts
from fokus.i18n import _
from fokus.importers.located_yaml import LocatedDict

#: A file's texts in languages other than the stable one: ``{"en": {"statement": ..., "note": ...}}``.
Translations = dict[str, dict[str, str]]


class Texts:
    """A file's texts in several languages: ``statement`` and ``note`` of a hypothesis, ``title`` and
    ``description`` of the file."""

    __slots__ = ()
    translations: Translations | None

    def shown(self, key: str, lang: str | None = None) -> str | None:
        """The ``key`` text in ``lang`` (the reader's language by default) when the file gives it, else the stable."""
        stable: str | None = getattr(self, key)
        return (self.translations or {}).get(reader_language(lang), {}).get(key) or stable


def fail(reason: str, line: int, hint: str | None = None) -> FokusError:
    return FokusError(reason, where=f"line {line}", hint=hint)


def choice(mapping: LocatedDict, key: str, allowed: tuple[str, ...], what: str, default: str | None = None) -> str:
    value = mapping.get(key, default)
    if value is None:
        raise fail(
            _("{what} has no {key!r}").format(what=what, key=key),
            mapping.line,
            _("one of {choices}").format(choices=", ".join(allowed)),
        )
    if not isinstance(value, str) or value not in allowed:
        raise fail(
            _("unknown {key} {value!r} in {what}").format(key=key, value=value, what=what),
            mapping.line_of(key),
            _("one of {choices}").format(choices=", ".join(allowed)),
        )
    return value


def text(mapping: LocatedDict, key: str, what: str, *, required: bool = False) -> str | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise fail(_("{what} has no {key!r}").format(what=what, key=key), mapping.line)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(_("{key!r} of {what} must be text").format(key=key, what=what), mapping.line_of(key))
    words = " ".join(str(value).split())
    if required and not words:
        raise fail(_("{key!r} of {what} is empty").format(key=key, what=what), mapping.line_of(key))
    return words or None


def texts(
    mapping: LocatedDict, keys: tuple[str, ...], what: str, *, required: Collection[str] = ()
) -> tuple[dict[str, str | None], Translations | None]:
    """The stable text of each of ``keys`` (a text, or a language mapping's Norwegian, else its first), and the
    other languages' texts; see the module docstring. The ``required`` keys must be there, with no empty text."""
    stable: dict[str, str | None] = {}
    others: Translations = {}
    for key in keys:
        value = mapping.get(key)
        if not isinstance(value, LocatedDict):
            stable[key] = text(mapping, key, what, required=key in required)
            continue
        given = language_texts(value, key, mapping.line_of(key), required=key in required)
        found = {lang: " ".join(words.split()) for lang, words in given.items() if words}
        first = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in found else next(iter(found), None)
        stable[key] = found.get(first) if first else None
        for lang, words in found.items():
            if lang != first:
                others.setdefault(lang, {})[key] = words
    return stable, ({lang: others[lang] for lang in sorted(others)} or None)


def allowed(keys: Collection[str]) -> str:
    return _("allowed: {keys}").format(keys=", ".join(sorted(keys)))


# \Z, not $: "$" also matches before a final newline.
CODE_PATH = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*\Z")


def code_path(value: Any, line: int, what: str) -> str:
    if not isinstance(value, str) or not CODE_PATH.match(value.strip()):
        raise fail(
            _("{what}: {value!r} is not a code path").format(what=what, value=value),
            line,
            _("write a code's path from the codebook, as krise or krise/for"),
        )
    return value.strip()
