"""Numbers and dates in prose, the way the reader's language writes them.

Why Babel: the CLDR data it carries knows that Bokmål groups thousands with a no-break space and writes a decimal
comma (`1 234,5`) and long dates as `12. mai 2013`; writing those rules by hand would be wrong at the edges. Only
prose and Markdown use these: CSV and JSON keep machine formats whatever the language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

from fokus.i18n.catalogues import PSEUDO, SOURCE, language


@cache
def _locale(lang: str) -> str:
    """The CLDR locale for a language fokus speaks; the pseudo-locale formats as English."""
    return {"nb": "nb_NO", SOURCE: "en", PSEUDO: "en"}.get(lang, "en")


def number(value: float, digits: int | None = None) -> str:
    """`value` with the language's grouping and decimal sign; `digits` fixes the decimals shown."""
    from babel.numbers import format_decimal

    pattern = None if digits is None else ("#,##0." + "0" * digits if digits > 0 else "#,##0")
    return str(format_decimal(value, format=pattern, locale=_locale(language())))


def percent(share: float, digits: int = 0) -> str:
    """A share (0.25) as the language writes a percentage (`25%` in English, `25 %` in Bokmål)."""
    from babel import Locale
    from babel.numbers import parse_pattern

    locale = Locale.parse(_locale(language()))
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return str(pattern.apply(share, locale))


def date(value: dt.date) -> str:
    """A date in words, as the language writes it in running text (`12. mai 2013`, `May 12, 2013`)."""
    from babel.dates import format_date

    return str(format_date(value, format="long", locale=_locale(language())))


def listing(items: Sequence[str]) -> str:
    """Names in running text as the language joins them: "ingrid and magnus", "a, b and c" ("ingrid og magnus")."""
    from babel.lists import format_list

    lang = language()
    locale = "en_GB" if _locale(lang) == "en" else _locale(lang)  # British English: no comma before "and"
    return str(format_list(list(items), locale=locale)) if items else ""
