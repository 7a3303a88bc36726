"""Folded forms, in which the spellings of a name meet, and the way back to the original text.

A text is first *cleaned*: Unicode format characters (category Cf: soft hyphens, zero-width spaces and joiners,
word joiners, byte-order marks, direction marks) are dropped and the rest is NFKC-normalised (fullwidth letters,
ligatures), keeping case, which the name rules need. :class:`Cleaned` keeps, for each character of the cleaned text,
the span of the original characters it came from, so that a mention found in the cleaned text is replaced in the
original one (REFI-QDA offsets and codings point into the original). A word of the cleaned text is then *keyed*:
case-folded, æ ø å ä ö written ae oe aa ae oe, accents dropped. A name's :func:`variants` are the keys its ASCII
spellings would have (ø as oe or o, å as aa or a), so "Oystein", "OEYSTEIN" and "Øystein" all meet "Øystein".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

# every character of Unicode category Cf (Unicode 15; tests check it against unicodedata)
FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
LETTER_FOLDS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe"))
ASCII_SPELLINGS = {"æ": ("ae",), "ø": ("oe", "o"), "å": ("aa", "a"), "ä": ("ae",), "ö": ("oe", "o")}
MAX_VARIANTS = 64
COMBINING_ACCENTS = re.compile("[\u0300-\u036f]+")  # the combining diacritical marks, dropped


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A text without format characters, NFKC-normalised; ``starts``/``ends`` (None when nothing changed) give
    each of its characters' span in the original."""

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def original(self, start: int, end: int) -> tuple[int, int]:
        """A span (start < end) of the cleaned text as a span of the original."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def clean(text: str) -> Cleaned:
    if not FORMAT_CHARS.search(text) and unicodedata.is_normalized("NFKC", text):
        return Cleaned(text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if unicodedata.category(text[i]) == "Cf":
            i += 1
            continue
        j = i + 1  # a letter with its combining marks and any format characters among them
        while j < n and (unicodedata.category(text[j])[0] == "M" or unicodedata.category(text[j]) == "Cf"):
            j += 1
        cluster = unicodedata.normalize("NFKC", "".join(c for c in text[i:j] if unicodedata.category(c) != "Cf"))
        out.append(cluster)
        starts += [i] * len(cluster)
        ends += [j] * len(cluster)
        i = j
    return Cleaned("".join(out), starts, ends)


def _plain(folded: str) -> str:
    """Accents dropped from a case-folded, letter-folded form."""
    if folded.isascii():
        return folded
    return COMBINING_ACCENTS.sub("", unicodedata.normalize("NFD", folded))


def key(word: str) -> str:
    """The folded form of a word of a cleaned text."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    for letter, spelling in LETTER_FOLDS:
        if letter in folded:
            folded = folded.replace(letter, spelling)
    return _plain(folded)


def fold_text(text: str) -> str:
    """A whole original text folded like its words (for a quick look for names)."""
    text = FORMAT_CHARS.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return key(text)


def variants(word: str) -> set[str]:
    """The keys of a name part's spellings: as written, and with ø/å written o/a as well as oe/aa."""
    base = unicodedata.normalize("NFKC", FORMAT_CHARS.sub("", word)).casefold()
    choices = [ASCII_SPELLINGS.get(c, (c,)) for c in base]
    found = {key(base)}
    for spelling in itertools.islice(itertools.product(*choices), MAX_VARIANTS):
        found.add(_plain("".join(spelling)))
    return found
