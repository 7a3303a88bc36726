"""The catalogues: current with the code, Norwegian for every message, placeholders intact, and the pseudo-locale."""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from fokus.cli.translations import POT, template
from fokus.i18n import N_, _, ngettext, pgettext, use
from fokus.i18n.catalogues import LOCALE_DIR, catalogue, compiled

PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


@cache
def _nb() -> Catalog:
    with (LOCALE_DIR / "nb/LC_MESSAGES/fokus.po").open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def _ours(catalog: Catalog) -> list[str]:
    """Message ids fokus wrote (click's own words follow the installed click, so they are checked only as present)."""
    return sorted(
        str(m.id) for m in catalog if m.id and any(not str(place).startswith("click/") for place, _line in m.locations)
    )


@cache
def _template_ids() -> tuple[str, ...]:
    """fokus's message ids as the code has them now (extracting them reads every module: done once)."""
    return tuple(_ours(template()))


def _placeholders(text: object) -> set[str]:
    """The placeholders of a message, of both its forms when it has a plural."""
    forms = text if isinstance(text, tuple) else (text,)
    return {found for form in forms for found in PLACEHOLDER.findall(str(form))}


def test_the_template_is_current_with_the_code() -> None:
    with POT.open("rb") as handle:
        saved = read_po(handle)
    assert list(_template_ids()) == _ours(saved), "run: python -m fokus.cli.translations"


def test_every_message_has_a_norwegian_translation_with_the_same_placeholders() -> None:
    ours = set(_template_ids())
    missing, broken = [], []
    for entry in _nb():
        if not entry.id or str(entry.id) not in ours:
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            missing.append(entry.id)
        elif _placeholders(entry.string) != _placeholders(entry.id):
            broken.append(entry.id)
    assert len({str(m.id) for m in _nb() if m.id} & ours) == len(ours), "messages missing from the .po file"
    assert not missing, f"{len(missing)} without a Norwegian translation, e.g. {missing[:3]}"
    assert not broken, f"placeholders differ: {broken[:3]}"


def test_a_checkout_compiles_the_po_file_as_msgfmt_would() -> None:
    translated = [m for m in _nb() if m.id and isinstance(m.id, str) and m.string and not m.fuzzy]
    assert translated
    use("nb")
    shown = [pgettext(m.context, m.id) if m.context else _(m.id) for m in translated]  # a context is its own entry
    assert shown == [m.string for m in translated]
    assert compiled(LOCALE_DIR / "nb/LC_MESSAGES/fokus.po")[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


def test_english_is_the_source_and_the_pseudo_locale_marks_every_string() -> None:
    assert _("Usage:") == "Usage:"
    use("qps")
    assert _("Saved in {path}.").format(path="/x") == "⟦Saved in /x.⟧"
    assert ngettext("{n} message", "{n} messages", 2).format(n=2) == "⟦2 messages⟧"
    assert N_("later") == "later"  # marked only: translated where it is shown


def test_an_unknown_language_has_no_catalogue_to_fall_into() -> None:
    with pytest.raises(ValueError, match="not a language"):
        use("de")
    assert catalogue("en").gettext("Usage:") == "Usage:"
