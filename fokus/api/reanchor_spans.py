"""Where a span of an edited message's old text goes in its new text: the diff under re-anchoring.

The states (``exact``, ``moved``, ``lost``), the similarity they are judged by and what happens to a coding in each
are described in :mod:`fokus.api.reanchor`, which applies :func:`reanchor` to the project's codings. Kept apart
because this part is pure text in, placements out: no session, no coding, tested and benchmarked on its own.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

SIMILAR = 0.6
EXACT, MOVED, LOST = "exact", "moved", "lost"
# A sentence ends after . ! ? or an ellipsis followed by space, or at a line break (cheap: spaCy is not loaded here).
_BREAK = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a span of the old text goes in the new text; ``ratio`` is the old and new span texts' similarity."""

    start: int
    end: int
    state: str
    ratio: float


class _Diff:
    """The opcodes of old -> new, indexed by old offsets (insertions have no old extent and are skipped).

    Only the part between the common prefix and suffix is diffed: a one-word edit of a long post costs little. That
    part is diffed by words (:func:`_matching_tokens`), and each small edited stretch again by characters, so a
    fixed typo inside a word maps as precisely as a character diff would.
    """

    def __init__(self, old: str, new: str, prefix: int, suffix: int) -> None:
        o, n = len(old) - suffix, len(new) - suffix
        middle = [
            (tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
            for tag, i1, i2, j1, j2 in _opcodes(old[prefix:o], new[prefix:n])
        ]
        ops = [("equal", 0, prefix, 0, prefix), *middle, ("equal", o, len(old), n, len(new))]
        merged: list[tuple[str, int, int, int, int]] = []
        for op in ops:
            if op[1] == op[2] and op[3] == op[4]:
                continue
            if merged and op[0] == "equal" == merged[-1][0]:
                merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
            else:
                merged.append(op)
        self.ops = [op for op in merged if op[1] < op[2]]
        self.starts = [op[1] for op in self.ops]
        self.ends = [op[2] for op in self.ops]

    def start(self, s: int) -> tuple[int, bool, int]:
        """The new offset of old offset ``s`` as a span start, whether it lies in unchanged text, and that run's end."""
        tag, i1, i2, j1, _ = self.ops[bisect.bisect_right(self.starts, s) - 1]
        return (j1 + s - i1, True, i2) if tag == "equal" else (j1, False, i2)

    def end(self, e: int) -> int:
        """The new offset of old offset ``e`` as a span end (the end of whatever replaced the text before it)."""
        tag, i1, _, j1, j2 = self.ops[bisect.bisect_left(self.ends, e)]
        return j1 + e - i1 if tag == "equal" else j2

    def guess(self, s: int) -> int:
        """Where old offset ``s`` would be in the new text if the stretch it lies in had been edited at its end."""
        tag, i1, _, j1, j2 = self.ops[bisect.bisect_right(self.starts, s) - 1]
        return j1 + s - i1 if tag == "equal" else j1 + min(s - i1, j2 - j1)

    def kept(self, s: int, e: int) -> int:
        """How many characters of old ``[s, e)`` the diff keeps unchanged."""
        kept = 0
        for tag, i1, i2, _, _ in self.ops[max(bisect.bisect_right(self.starts, s) - 1, 0) :]:
            if i1 >= e:
                break
            if tag == "equal":
                kept += max(0, min(i2, e) - max(i1, s))
        return kept


# A word, a run of white space, or one other character: the units of the diff.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# difflib is used only where it is cheap: on stretches whose two sides' lengths multiply to at most this (in words
# between anchors, in characters inside an edited stretch). Its cost grows with that product, not with the text.
_SMALL = 10_000


def _opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Opcodes (as ``SequenceMatcher.get_opcodes``) of ``old`` -> ``new`` in character offsets, diffed by words."""
    a_at, b_at = _tokens(old), _tokens(new)
    a, b = [old[x:y] for x, y in itertools.pairwise(a_at)], [new[x:y] for x, y in itertools.pairwise(b_at)]
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for bi, bj, size in [*_matching_tokens(a, b), (len(a), len(b), 0)]:
        if i < bi or j < bj:  # an edited stretch: refine it by characters where that is cheap
            x1, x2, y1, y2 = a_at[i], a_at[bi], b_at[j], b_at[bj]
            if 0 < (x2 - x1) * (y2 - y1) <= _SMALL:
                matcher = SequenceMatcher(None, old[x1:x2], new[y1:y2], autojunk=False)
                ops += [(tag, x1 + p1, x1 + p2, y1 + q1, y1 + q2) for tag, p1, p2, q1, q2 in matcher.get_opcodes()]
            else:
                ops.append(("replace" if x1 < x2 and y1 < y2 else "delete" if x1 < x2 else "insert", x1, x2, y1, y2))
        if size:
            ops.append(("equal", a_at[bi], a_at[bi + size], b_at[bj], b_at[bj + size]))
        i, j = bi + size, bj + size
    return ops


def _tokens(text: str) -> list[int]:
    """Where each token of ``text`` starts, and the text's end."""
    return [m.start() for m in _TOKEN.finditer(text)] + [len(text)]


def _matching_tokens(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Blocks ``(i, j, size)`` of equal tokens, increasing in both ``i`` and ``j`` (as difflib's matching blocks).

    Each stretch sheds its common ends; a small one goes to difflib; in a large one, the tokens that occur once in
    each side are matched in the longest increasing run of their places (patience diff; where no token is unique, as
    in text of a few words repeated, runs of 2, 4, ... tokens), and the stretches between them are handled alike. A
    large stretch with nothing unique in common is left unmatched (a rewrite). About linear time, at worst the small
    stretches' products, never the whole text's square.
    """
    blocks: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        size = 0
        while alo + size < ahi and blo + size < bhi and a[alo + size] == b[blo + size]:
            size += 1
        if size:
            blocks.append((alo, blo, size))
            alo, blo = alo + size, blo + size
        size = 0
        while ahi - size > alo and bhi - size > blo and a[ahi - size - 1] == b[bhi - size - 1]:
            size += 1
        if size:
            blocks.append((ahi - size, bhi - size, size))
            ahi, bhi = ahi - size, bhi - size
        if alo == ahi or blo == bhi:
            continue
        if (ahi - alo) * (bhi - blo) <= _SMALL:
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            blocks += [(alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n]
            continue
        i, j = alo, blo
        for ai, bj, n in _anchors(a, b, alo, ahi, blo, bhi):
            stack.append((i, ai, j, bj))
            blocks.append((ai, bj, n))
            i, j = ai + n, bj + n
        if i > alo:
            stack.append((i, ahi, j, bhi))
    blocks.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, n in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged


def _anchors(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int, int]]:
    """Blocks ``(i, j, n)`` of ``n`` tokens that occur once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``, as many as
    keep their order on both sides (the longest increasing run of ``j``, by patience sorting); single tokens where
    any is unique, else the shortest runs that are."""
    n = 1
    while n <= _RUN and n <= min(ahi - alo, bhi - blo):
        once_a = _once(a, alo, ahi, n)
        once_b = _once(b, blo, bhi, n)
        pairs = sorted((i, once_b[t]) for t, i in once_a.items() if t in once_b)
        if pairs:
            run: list[tuple[int, int, int]] = []
            for i, j in _increasing(pairs):
                if not run or (i >= run[-1][0] + n and j >= run[-1][1] + n):  # runs of n may overlap: skip those
                    run.append((i, j, n))
            return run
        n *= 2
    return []


# The longest runs of tokens tried as anchors (words and the spaces between them: about 32 words).
_RUN = 64


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by ``i``) whose ``j`` increase too, by patience sorting."""
    tails: list[int] = []  # tails[n]: the pair ending the increasing run of length n + 1 with the smallest j
    tail_js: list[int] = []  # that pair's j
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect.bisect_left(tail_js, j)
        if at:
            back[k] = tails[at - 1]
        if at == len(tails):
            tails.append(k)
            tail_js.append(j)
        else:
            tails[at], tail_js[at] = k, j
    run: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]


def _once(tokens: Sequence[str], lo: int, hi: int, n: int) -> dict[Any, int]:
    """The runs of ``n`` tokens that occur once in ``tokens[lo:hi]``, with their place."""
    seen: dict[Any, int] = {}
    twice: set[Any] = set()
    for k in range(lo, hi - n + 1):
        key = tokens[k] if n == 1 else tuple(tokens[k : k + n])
        if key in seen:
            twice.add(key)
        else:
            seen[key] = k
    return {t: k for t, k in seen.items() if t not in twice}


def reanchor(old_text: str, new_text: str, spans: Sequence[tuple[int, int]]) -> list[Placement]:
    """Map code-point spans of ``old_text`` to ``new_text``, one :class:`Placement` per span (see the module).

    A span whose text is unchanged is ``exact``; an edited one is ``moved`` or ``lost``; a span that was not valid in
    the old text (past its end) is ``lost``. Every placement is valid in the new text (``0 <= start < end <=
    len(new_text)``), so ``new_text`` must not be empty.
    """
    if not new_text:
        raise ValueError("no span fits in an empty text")
    # Text before the first edit and after the last is unchanged: spans there map by position, whatever the diff
    # makes of repeated letters (deleting one "?" of "??" may be either of them).
    prefix = _common(old_text, new_text)
    suffix = _common(old_text[::-1], new_text[::-1])
    shift = len(new_text) - len(old_text)
    diff: _Diff | None = None
    placements = []
    for s, e in spans:
        if not 0 <= s < e <= len(old_text):
            placements.append(_lost(new_text, min(max(s, 0), len(new_text)), min(max(s, 0), len(new_text))))
        elif e <= prefix:
            placements.append(Placement(s, e, EXACT, 1.0))
        elif s >= len(old_text) - suffix:
            placements.append(Placement(s + shift, e + shift, EXACT, 1.0))
        else:
            diff = diff or _Diff(old_text, new_text, prefix, min(suffix, min(len(old_text), len(new_text)) - prefix))
            placements.append(_place(diff, old_text[s:e], new_text, s, e))
    return placements


def _common(a: str, b: str) -> int:
    """The length of the common prefix of two texts."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _place(diff: _Diff, old_span: str, new_text: str, s: int, e: int) -> Placement:
    ns, unchanged, run_end = diff.start(s)
    if unchanged and e <= run_end:
        return Placement(ns, ns + e - s, EXACT, 1.0)
    ne = diff.end(e)
    if ne <= ns:  # the span's text was deleted outright
        return _lost(new_text, ns, ns)
    found = _nearest(new_text, old_span, ns, ne, diff.guess(s))
    if found >= 0:  # still there, in the text that replaced the span (the diff aligned its letters elsewhere)
        return Placement(found, found + len(old_span), EXACT, 1.0)
    ratio = _similarity(diff, old_span, new_text, s, ns, ne)
    if ratio >= SIMILAR:
        return Placement(ns, ne, MOVED, ratio)
    lost = _lost(new_text, ns, ne, len(old_span))
    return Placement(lost.start, lost.end, LOST, ratio)


def _nearest(text: str, part: str, lo: int, hi: int, around: int) -> int:
    """Where ``part`` occurs in ``text[lo:hi]`` nearest to ``around`` (a text of a few words repeated has it often),
    or -1."""
    after = text.find(part, max(lo, around), hi)
    before = text.rfind(part, lo, min(hi, around + len(part) - 1))
    if before < 0 or (after >= 0 and after - around < around - before):
        return after
    return before


def _similarity(diff: _Diff, old_span: str, new_text: str, s: int, ns: int, ne: int) -> float:
    """difflib's ratio of the old span's text to the new one's; for long spans (where difflib's cost would grow with
    the product of their lengths) the same measure from the diff at hand: twice the characters kept over both lengths.
    """
    if len(old_span) * (ne - ns) <= _SMALL * 25:
        return SequenceMatcher(None, old_span, new_text[ns:ne], autojunk=False).ratio()
    return 2 * diff.kept(s, s + len(old_span)) / (len(old_span) + ne - ns)


def _lost(new_text: str, ns: int, ne: int, old_length: int = 0) -> Placement:
    """A lost span's place: the words that replaced it, else the sentence where it was, else the whole message.

    What replaced it counts only if it holds a letter or digit and is at least half as long as the span was: a
    deleted sentence leaves the diff a stray "." or a word it aligned elsewhere ("Melding" of the next one), which
    would be a meaningless place.
    """
    start, end = _strip(new_text, ns, ne)
    if 2 * (end - start) < old_length or not any(ch.isalnum() for ch in new_text[start:end]):
        start, end = _strip(new_text, *sentence_around(new_text, ns))
    if start >= end:
        start, end = _strip(new_text, 0, len(new_text))
    if start >= end:  # only whitespace
        start, end = 0, len(new_text)
    return Placement(start, end, LOST, 0.0)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_around(text: str, pos: int) -> tuple[int, int]:
    """The sentence of ``text`` at ``pos`` (the one after when ``pos`` is between two), by punctuation and breaks."""
    starts, ends = [0], []
    for match in _BREAK.finditer(text):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(text))
    k = max(bisect.bisect_right(starts, pos) - 1, 0)
    if pos >= ends[k] and k + 1 < len(starts) and starts[k + 1] < len(text):
        k += 1
    if starts[k] >= ends[k] and k > 0:  # an empty sentence after a trailing break: take the one before
        k -= 1
    return starts[k], ends[k]
