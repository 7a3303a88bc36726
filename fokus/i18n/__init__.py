"""One translation layer for every string a person reads: English is the source, Norwegian Bokmål a full translation.

Norwegian researchers write their reports in Norwegian; their co-authors, reviewers and REFI-QDA partners read
English. So every label, message, heading and report sentence is written in English in the code, wrapped in `_()`
(or marked with `N_()` where it is defined before a language is known, and translated where it is shown), extracted
by Babel into `fokus/locale/fokus.pot`, and translated in `fokus/locale/<lang>/LC_MESSAGES/fokus.po`. What machines
read (CSV and JSON column names, codes' ids, verdict keys, exit codes) is never translated.

Modules:
- `catalogues`: the active language and its gettext catalogue (compiled by the wheel's build, or from the `.po` file
  in a checkout), with the pseudo-locale `qps` that marks every translated string for tests.
- `choice`: which language a person gets: `--lang`, `FOKUS_LANG`, `fokus config lang`, the system locale, English.
- `formats`: numbers and dates in prose, written the way the language writes them (`1 234,5`, `12. mai 2013`).
"""

from __future__ import annotations

from fokus.i18n.catalogues import (
    LANGUAGES,
    N_,
    PSEUDO,
    _,
    language,
    ngettext,
    pgettext,
    use,
)

__all__ = ["LANGUAGES", "N_", "PSEUDO", "_", "language", "ngettext", "pgettext", "use"]
