"""Codes fokus itself knows by path, whatever else the codebook holds; and a code's name as a person sees it.

A codebook may give its codes' names and notes in more than one language (fokus.files.codebook): the code's columns
hold the codebook's own language, ``Code.translations`` the others. :func:`shown_name` and :func:`shown_text` pick
the reader's language when the codebook has it, else the stored text. Only what people read goes through them;
files for machines and for other programs (JSON, CSV, REFI-QDA) keep the stored text, so they do not change with
the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fokus.i18n import PSEUDO, language

GOOD_PRACTICE = "god-praksis"  # a passage marked as worth sharing; its memo holds the summary (fokus.api.memos)

#: The YAML keys of a code's texts, and the code's columns (and codebook rows' keys) that hold them.
_STORED = {"name": "name", "description": "description", "include": "include_note", "exclude": "exclude_note"}
_ROW_KEYS = {"name": "name", "description": "description", "include": "include", "exclude": "exclude"}


def reader_language(lang: str | None = None) -> str:
    """``lang``, or the active language; the pseudo-locale reads English."""
    lang = lang or language()
    return "en" if lang == PSEUDO else lang


def shown_text(code_or_row: Any, key: str, lang: str | None = None) -> str | None:
    """A code's ``key`` text (name, description, include or exclude) in ``lang`` (the reader's language by
    default) when the codebook gives it, else the stored text. ``code_or_row`` is a ``Code`` or a codebook row
    (``fokus.api.codebook.codebook_rows``, whose ``translations`` key is there only when the code has any)."""
    if isinstance(code_or_row, Mapping):
        translations, stored = code_or_row.get("translations"), code_or_row.get(_ROW_KEYS[key])
    else:
        translations, stored = code_or_row.translations, getattr(code_or_row, _STORED[key])
    translated = (translations or {}).get(reader_language(lang), {}).get(key)
    return translated or stored


def shown_name(code_or_row: Any, lang: str | None = None) -> str:
    """A code's name in the reader's language when the codebook gives it, else its stored name."""
    return shown_text(code_or_row, "name", lang) or ""
