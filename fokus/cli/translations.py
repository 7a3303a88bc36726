"""Keeps the translation catalogues in step with the code: `python -m fokus.cli.translations`.

Why a script of our own around Babel: the message ids come from three places, and only the first is in `_()` calls
that `pybabel extract` finds: the strings wrapped in `_()`/`N_()` across fokus, the CLI's help texts (docstrings and
`help=`, translated at display by fokus/cli/language.py), and click's own words (`Usage:`, its errors). The script
writes all three into `fokus/locale/fokus.pot` and merges it into every `fokus.po`, marking changed entries fuzzy
for the translator, as `pybabel update` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from fokus.cli.language import help_texts
from fokus.i18n.catalogues import DOMAIN, LOCALE_DIR

ROOT = LOCALE_DIR.parent.parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"


def template() -> Catalog:
    """Every message id fokus shows, with where it comes from."""
    from fokus.cli import main

    catalog = Catalog(project="fokus", domain=DOMAIN, charset="utf-8", fuzzy=False)
    package = ROOT / "fokus"
    for filename, line, message, comments, context in extract_from_dir(
        str(package), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, locations=[(f"fokus/{filename}", line)], auto_comments=comments, context=context)
    for text in help_texts(main):
        catalog.add(text, locations=[("fokus/cli/help", 0)])
    click_dir = Path(click.__file__).parent
    for filename, line, message, comments, context in extract_from_dir(
        str(click_dir), method_map=[("*.py", "python")], keywords=DEFAULT_KEYWORDS
    ):
        if not filename.startswith("_"):  # click's Windows and pager internals print nothing a person reads
            catalog.add(message, locations=[(f"click/{filename}", line)], auto_comments=comments, context=context)
    return catalog


def update() -> list[Path]:
    """Writes the template and merges it into every language's catalogue; returns the files written."""
    pot = template()
    if POT.is_file():  # the same messages as last time: keep the date, so an unchanged template is an unchanged file
        with POT.open("rb") as handle:
            saved = read_po(handle)
        if sorted(str(m.id) for m in saved if m.id) == sorted(str(m.id) for m in pot if m.id):
            pot.creation_date = saved.creation_date
    with POT.open("wb") as handle:
        write_po(handle, pot, width=120, sort_output=True, omit_header=False, include_lineno=False)
    written = [POT]
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        catalog.update(pot, update_header_comment=False)
        with po.open("wb") as handle:
            write_po(handle, catalog, width=120, sort_output=True, ignore_obsolete=True, include_lineno=False)
        written.append(po)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in update():
        print(path.relative_to(ROOT))
    sys.exit(0)
