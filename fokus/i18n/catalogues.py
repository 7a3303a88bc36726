"""The active language and its catalogue.

Why process-wide state rather than a context variable: a command or the TUI speaks one language from start to end,
and Textual's and the CLI's worker threads would not inherit a context variable's value. Tests that switch language
use `use()` and switch back.

A wheel carries compiled `.mo` catalogues (built from the `.po` files by `hatch_build.py`); a checkout has only the
`.po` files, which are compiled in memory the first time a language is used, so a translator sees an edit at once.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "fokus"
SOURCE = "en"
PSEUDO = "qps"
# The languages a person can choose, in the order `fokus config lang` lists them: English (the source), Bokmål, and
# the pseudo-locale that marks every translated string (for tests and for translators hunting untranslated text).
LANGUAGES = ("en", "nb", PSEUDO)
# Pseudo-locale markers: unusual enough never to occur in a message, visible in any terminal font.
OPEN, CLOSE = "⟦", "⟧"

_lock = threading.Lock()
_active = SOURCE


class _Pseudo(_gettext.NullTranslations):
    """Returns each message as it is, between markers, so a test can see every string that went through the layer."""

    def gettext(self, message: str) -> str:
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"{OPEN}{msgid1 if n == 1 else msgid2}{CLOSE}"

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    """The catalogue for `lang`: compiled `.mo` when present and current, else the `.po` compiled in memory."""
    if lang == PSEUDO:
        return _Pseudo()
    if lang == SOURCE:
        return _gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if po.is_file():
        return _gettext.GNUTranslations(io.BytesIO(compiled(po)))
    return _gettext.NullTranslations()


def compiled(po: Path) -> bytes:
    """The `.mo` bytes of a `.po` file; fuzzy entries are left out, as gettext's own `msgfmt` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        messages = read_po(handle, abort_invalid=True)
    out = io.BytesIO()
    write_mo(out, messages, use_fuzzy=False)
    return out.getvalue()


def use(lang: str) -> str:
    """Makes `lang` the active language (one of LANGUAGES); returns the one it replaces."""
    global _active
    if lang not in LANGUAGES:
        raise ValueError(f"not a language fokus speaks: {lang!r}")
    with _lock:
        previous, _active = _active, lang
    return previous


def language() -> str:
    """The active language's code; the pseudo-locale counts as English for numbers and dates."""
    return _active


def _(message: str) -> str:
    """`message` in the active language."""
    return catalogue(_active).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for `n`, in the active language."""
    return catalogue(_active).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the active language, told apart from the same English words elsewhere by `context`."""
    return catalogue(_active).pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for translation where it is defined; `_()` translates it where it is shown."""
    return message
