"""Names in Norwegian alphabetical order, the same on every backend.

``ORDER BY name`` sorts as the database's collation says: SQLite compares code points (Å, Æ, Ø, and every capital
before every small letter), a PostgreSQL server as its locale says (Norwegian: Æ, Ø, Å; English: Å with A). A list
of municipalities should read as a Norwegian reader expects, and the same list must come out of both backends, so
names shown to people are sorted in Python with :func:`norwegian`. Identifiers (code paths, coder names) are not
names: where their order matters, they are sorted by code point, in Python as well.
"""

from __future__ import annotations

import unicodedata

# after every other letter, in the Norwegian order; mapped before accents are stripped, since å would lose its ring
_LAST = str.maketrans({"æ": "\U000f0000", "ø": "\U000f0001", "å": "\U000f0002"})


def norwegian(text: str | None) -> tuple[str, str]:
    """A sort key: letters as in the Norwegian alphabet (é with e, ü with u, æ ø å last), case and accents ignored
    first, then the text itself, so that the order is total and the same everywhere."""
    if text is None:
        return ("", "")
    base = unicodedata.normalize("NFD", text.casefold().translate(_LAST))
    return ("".join(ch for ch in base if not unicodedata.combining(ch)), text)
