"""Stable ids for formats whose messages carry none (DYI, transcripts).

``prefix + sha1(author|time|text)[:20]`` (80 bits of hex): the same message read again, from the same archive or a
re-exported one, gets the same id, so re-importing finds what is already there; two different messages would need
the same author, second and text to collide, which for a focus group is the same message twice. The author and text
are the cleaned ones (mojibake repaired), so an archive and its unpacked folder agree.
"""

from __future__ import annotations

import hashlib


def stable_id(prefix: str, author: str, when: str, text: str) -> str:
    """``stable_id("dyi:", "Kari Holmen", "1361265300", "Hei!")`` -> ``"dyi:" + 20 hex digits``."""
    key = f"{author}|{when}|{text}".encode("utf-8", "surrogatepass")
    return prefix + hashlib.sha1(key, usedforsecurity=False).hexdigest()[:20]
