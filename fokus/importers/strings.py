"""Clean-ups applied to strings read from exports.

Facebook's DYI files suffer from a known, exactly invertible corruption ("mojibake"): every string is UTF-8 whose
bytes were written out as if each byte were a Latin-1 character, so "på" arrives as ``"p\\u00c3\\u00a5"`` and "😊" as
four characters ``\\u00f0\\u009f\\u0098\\u008a``. Encoding such a string as Latin-1 gives back the original bytes, and
decoding those as UTF-8 gives back the text. The round trip is tried once per string and kept only if it succeeds:
correct text fails it (an "Ø" alone is byte 0xD8, which UTF-8 cannot end on; an emoji is not Latin-1 at all), so
text that is already right, or was repaired before, is left alone. fokus does not use ftfy here: ftfy guesses among
many corruptions with heuristics, while this one is known and its inverse is exact.

JSON may also carry a lone surrogate escape (``"\\ud83d"``: half an emoji, left by a tool that cut a text in the
middle). No UTF-8 file or database can hold that; the readers refuse it where they find it
(:func:`fokus.importers.limits.check_storable`).
"""

from __future__ import annotations


def repair_mojibake(s: str) -> str:
    """Undo Facebook's Latin-1-over-UTF-8 corruption once, if the string has it; otherwise return it unchanged."""
    if s.isascii():
        return s
    try:
        return s.encode("latin-1").decode("utf-8")
    except UnicodeError:  # already correct text, or not this corruption
        return s
