"""Norwegian compounds, split with the lexicon: "beredskapsplanen" is beredskap + plan, "kriseberedskap" is
krise + beredskap, "omdømmebygging" is omdømme + bygging.

Norwegian writes compounds as one word, often with a linking -s- or -e-. A split is accepted only when every part
is a word the Ordbank knows: the first parts must be lemmas (nouns, adjectives or verbs, after removing a linking
-s- or -e-), and the last part a form of a noun, verb or adjective (it carries the inflection). So "rasjonell" is not
ras + jonell, because "jonell" is no word, and a rule for "ras" does not fire on it. Among valid splits the one with
the fewest parts wins, then the one whose shortest part is longest (which avoids tiny, accidental parts). Hyphenated
words ("Facebook-siden") split at their hyphens.
"""

from __future__ import annotations

import functools

from fokus.nlp.lexicon import Lexicon

MIN_PART = 3
MAX_PARTS = 3
HEAD_KINDS = frozenset("NAV")


class CompoundSplitter:
    """Splits word forms into the lemmas of their parts, remembering every answer."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.parts = functools.lru_cache(maxsize=200_000)(self._parts)

    def _parts(self, form: str) -> tuple[str, ...]:
        """The lemmas of the parts of ``form`` (lowercase), or () when it is not a compound fokus can split."""
        if "-" in form.strip("-"):
            pieces = [p for p in form.split("-") if p]
            lemmas: list[str] = []
            for piece in pieces:
                inner = self.parts(piece)
                lemmas.extend(inner or (self._lemma_of_tail(piece) or piece,))
            return tuple(lemmas) if len(lemmas) > 1 else ()
        if len(form) < 2 * MIN_PART or not form.isalpha():
            return ()
        known = {pos for _, pos in self.lexicon.candidates(form)}
        if known and "noun" not in known:
            return ()  # a known verb, adjective or adverb is read as one word ("rasjonell", "planlegge")
        best = self._best(form)
        return tuple(best[0]) if best else ()

    def lemma(self, form: str) -> str | None:
        """The lemma of an unknown compound: its first parts as written, then the lemma of its last part
        ("renovasjonsselskapet" -> renovasjonsselskap); None when it does not split."""
        if not form.isalpha():
            return None
        best = self._best(form)
        return form[: best[1]] + best[0][-1] if best else None

    def _best(self, form: str) -> tuple[list[str], int] | None:
        """The best split of ``form``: its part lemmas and where the last part begins."""
        options: list[tuple[list[str], int, int]] = []
        for cut in range(MIN_PART, len(form) - MIN_PART + 1):
            head, tail = form[:cut], form[cut:]
            last = self._tail(tail)
            if last is None:
                continue
            for first in self._heads(head, MAX_PARTS - 1):
                options.append(([*first, last[0]], last[1], cut))
        if not options:
            return None
        best = min(options, key=lambda o: (len(o[0]), o[1], -min(len(p) for p in o[0]), -len(o[0][-1])))
        return best[0], best[2]

    def _heads(self, head: str, parts_left: int) -> list[list[str]]:
        """Ways to read ``head`` as the first part(s): a lemma, perhaps with a linking -s- or -e-."""
        found: list[list[str]] = []
        for stem in (head, head[:-1] if head[-1] in "se" else None):
            if stem is None or len(stem) < MIN_PART:
                continue
            if set(self.lexicon.lemma_kinds(stem)) & HEAD_KINDS:
                found.append([stem])
            elif parts_left > 1:
                inner = self._split_heads(stem, parts_left)
                if inner:
                    found.append(inner)
        return found

    def _split_heads(self, stem: str, parts_left: int) -> list[str] | None:
        for cut in range(MIN_PART, len(stem) - MIN_PART + 1):
            left, right = stem[:cut], stem[cut:]
            if set(self.lexicon.lemma_kinds(right)) & HEAD_KINDS:
                for first in self._heads(left, parts_left - 1):
                    return [*first, right]
        return None

    def _lemma_of_tail(self, tail: str) -> str | None:
        found = self._tail(tail)
        return found[0] if found else None

    def _tail(self, tail: str) -> tuple[str, int] | None:
        """The lemma of an inflected last part and how likely a compound ends so (0 best), or None.

        A noun reading comes first, since compounds are mostly nouns: "kveldsvakt" ends in vakt, not in "svakt".
        """
        candidates = self.lexicon.candidates(tail)
        for rank, wanted in enumerate(("noun", "adj", "verb")):
            for lemma, pos in candidates:
                if pos == wanted and len(lemma) >= MIN_PART:
                    return lemma, rank
        return None
