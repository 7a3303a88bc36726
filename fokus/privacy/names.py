"""Which words of a text name a participant: the names to look for, and where they occur.

The names come from the identity table (the only reader besides the importer): each participant's full name and its
parts. How a part may be found depends on what else the word could be:

- a part of at least three letters that is no common Norwegian word ("Ragnhild", "Lægreid", "Anne-Lise") is found
  alone, as a whole word in any case ("roy" is Roy), and in its genitive ("Ragnhilds");
- a given name that is also a common word ("Tone", "Per", "Maren") is found alone only as written, capitalised; at
  the start of a sentence not when it is a function word there ("Per i dag" is not Per);
- a surname that is a common word ("Vik", "Berg", "Nes"), a part shorter than three letters, an initial ("K."), and
  a part that is the name of a case (a municipality: "Nes", "Voss") are found only as part of a run;
- a run of two or more parts of one person's name (not initials only) is always found, as one mention. Its words
  are separated by spaces (any number, or one line break: "Kari\\nHolmen"), by one ``.``, ``-`` or by ``_`` with
  no space ("kari.holmen@", "kari_holmen"); an initial is followed by ``.`` ("K. Holmen", "k.holmen"). In a run a
  common-word part counts as written, in capitals ("KARI HOLMEN"), in lower case next to a lower-case part
  ("kari holmen"), and in any case between ``.``, ``_`` and ``-``;
- parts of one person written together ("#KariHolmen", "#kariholmen", "kariholmen@...") are found after ``#`` or
  ``@`` and before ``@``, when one of the parts is more than a common-word surname.

Words are compared in a folded form (:mod:`fokus.privacy.folding`), so that spellings meet: Unicode format
characters (soft hyphens, zero-width spaces and joiners: category Cf) are dropped, the text is NFKC-normalised and
case-folded, accents are dropped, and æ, ø, å are written ae, oe, aa; a name's ø and å also meet o and a
("Oystein", "Aasland", "Skjaervo" are Øystein, Åsland, Skjærvø). A word that meets a name only through this
folding and is itself a common word ("mø" for Moe) is not the name. Mentions are offsets into the original text (a
format character inside a name is inside its mention).

"Common word" means a form the Norsk Ordbank knows as a common noun, verb, adjective or function word (through
``fokus.nlp.lexicon``); the Ordbank also lists given names and surnames, capitalised, and those do not count: a
word the Ordbank knows only capitalised is a name. Identity names that are not all capitalised words (a page's
"Bodø kommune") are found only as the whole name.

A mention is replaced by the participant's pseudonym in brackets ("[Deltaker 07]"); a word that is part of several
participants' names by "[deltaker]"; a genitive keeps its ending ("[Deltaker 07]s"). :meth:`NameFinder.names_someone`
says whether an identifier (a message id from a CSV, a user name) holds a part of a known name anywhere, in any
case: exports replace such ids (fokus.privacy.redact).
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import Case, Participant, ParticipantIdentity
from fokus.privacy.folding import clean, fold_text, key, variants

PARTICIPANT = "participant"
ENTITY = "entity"
SEVERAL = "[deltaker]"
UNKNOWN = "[navn]"
MIN_LETTERS = 3

# how a part may be found: alone in any case, alone only as written (capitalised), or only inside a run
ANY_CASE, AS_WRITTEN, IN_RUN = "any", "written", "run"

MIN_JOINED, MAX_JOINED = 5, 60  # the letters of names written together ("#KariHolmen")

# a word: letters (with combining marks, for text that is not NFC), hyphenated parts kept together
WORD = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+(?:-(?:[^\W\d_][\u0300-\u036f]*)+)*")
LETTERS = re.compile(r"[^\W\d_]+")
# what may separate the words of a run (see _join)
SPACED, TIGHT, AFTER_INITIAL = "spaced", "tight", "after initial"
SPACED_GAP = re.compile(r"[^\S\n]+|[^\S\n]*\r?\n[^\S\n]*")
TIGHT_GAP = re.compile(r"[.\-]|_+")
INITIAL_GAP = re.compile(r"\.[^\S\n]{1,2}")
SENTENCE_END = frozenset(".!?:\n")
OPENERS = frozenset(" \t\u00a0\"'«»“”‘’([-–—")


@dataclass(frozen=True, slots=True)
class Mention:
    """Where a name is in a text (code points, end exclusive) and what an export shows instead."""

    start: int
    end: int
    replacement: str
    kind: str = PARTICIPANT


@dataclass(frozen=True, slots=True)
class Person:
    """A participant's pseudonym and one of the names they are known by."""

    pseudonym: str
    name: str


@dataclass(frozen=True, slots=True)
class _Part:
    person: int
    form: str  # cleaned, as written in the name ("K" for an initial)
    alone: str
    key: str  # the folded form as written
    initial: bool = False


def _norm(word: str) -> str:
    return unicodedata.normalize("NFC", word)


@functools.cache
def _proper_only() -> frozenset[str]:
    """The lowercase forms the Ordbank lists only capitalised (names), compiled once into the user's cache."""
    from fokus.nlp.lexicon import cache_dir

    version = metadata.version("spacy-lookups-data")
    path = cache_dir() / f"nb-proper-nouns-{version}-v1.txt"
    try:
        return frozenset(path.read_text(encoding="utf-8").split("\n"))
    except OSError:
        pass
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(data / "nb_lemma_exc.json.gz", "rt", encoding="utf-8") as handle:
        tables: dict[str, dict[str, list[str]]] = json.load(handle)
    with gzip.open(data / "nb_lemma_lookup.json.gz", "rt", encoding="utf-8") as handle:
        lookup: dict[str, str] = json.load(handle)
    capitalised = {form.lower() for table in tables.values() for form in table if form[:1].isupper()}
    lowercase = {form for table in tables.values() for form in table if not form[:1].isupper()} | set(lookup)
    found = frozenset(capitalised - lowercase)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle_fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle_fd, "w", encoding="utf-8") as out:
            out.write("\n".join(sorted(found)))
        os.replace(temporary, path)
    except OSError:
        pass  # no writable cache: compiled again next time
    return found


@functools.lru_cache(maxsize=65536)
def common_word(word: str) -> bool:
    """Whether the Ordbank knows ``word`` as a common word (not only as a capitalised name)."""
    from fokus.nlp.lexicon import lexicon

    lower = _norm(word).lower()
    return bool(lexicon().candidates(lower)) and lower not in _proper_only()


def function_word(word: str) -> bool:
    """Whether ``word`` can be a function word (a preposition, pronoun...), which a capital at a sentence start
    does not make a name."""
    from fokus.nlp.lexicon import lexicon

    return any(pos == "other" for _, pos in lexicon().candidates(_norm(word).lower()))


class NameFinder:
    """Finds the mentions of known people in texts (see the module docstring for the rules)."""

    def __init__(self, people: Sequence[Person], *, places: Iterable[str] = ()) -> None:
        self.people = list(people)
        place_keys = {key(_norm(p)) for p in places}
        self._index: dict[str, list[_Part]] = defaultdict(list)
        for number, person in enumerate(self.people):
            words = [_norm(w) for w in WORD.findall(clean(person.name).text)]
            personal = all(w[:1].isupper() for w in words)
            for position, word in enumerate(words):
                letters = sum(c.isalpha() for c in word)
                given = position < len(words) - 1 or len(words) == 1
                if not personal or letters < MIN_LETTERS or key(word) in place_keys:
                    alone = IN_RUN
                elif not common_word(word):
                    alone = ANY_CASE
                elif given:
                    alone = AS_WRITTEN
                else:
                    alone = IN_RUN
                part = _Part(number, word, alone, key(word))
                for variant in variants(word):
                    self._index[variant].append(part)
                if personal and letters > 1:
                    initial = _Part(number, word[:1].upper(), IN_RUN, key(word[:1]), initial=True)
                    for variant in variants(word[:1]):
                        self._index[variant].append(initial)
        # a quick test before the word-by-word reading: most texts name nobody (initials alone never make a name)
        self._triggers = {
            piece
            for k, parts in self._index.items()
            if any(not p.initial for p in parts)
            for piece in LETTERS.findall(k)
        }
        self._triggers |= {k + "s" for k in self._triggers}

    @classmethod
    def from_session(cls, session: Session) -> NameFinder:
        """Every identity name of the project's participants; case names are places, never found alone."""
        rows = session.execute(
            select(Participant.pseudonym, ParticipantIdentity.name)
            .join(ParticipantIdentity, ParticipantIdentity.participant_id == Participant.id)
            .order_by(ParticipantIdentity.id)
        ).all()
        pseudonyms = {p for p, _ in rows}
        # an author who was already a pseudonym (a project fokus exported, imported again) has no name to hide
        people = [Person(p, n) for p, n in rows if " ".join(n.split()) not in pseudonyms]
        return cls(people, places=session.scalars(select(Case.name)))

    def __bool__(self) -> bool:
        return bool(self._index)

    # --- matching a word against a part ---------------------------------------------------------------------------

    def _parts(self, word: str) -> tuple[list[_Part], bool]:
        """The parts ``word`` (of a cleaned text) may be (exactly, or as a genitive), and whether it is the genitive."""
        folded = key(word)
        found = self._index.get(folded)
        if found:
            return found, False
        if len(folded) > 2 and folded.endswith("s"):
            found = [p for p in self._index.get(folded[:-1], ()) if not p.initial]
            if found:
                return found, True
        return [], False

    @staticmethod
    def _written(part: _Part, word: str) -> bool:
        """``word`` as the part is written: the same, or spelt another way with the same capitals ("Oystein")."""
        return word == part.form or (word.istitle() and part.form.istitle())

    @staticmethod
    def _spelt(parts: Sequence[_Part], word: str) -> bool:
        """Not a common word that meets a name only through folding ("mø" is not Moe)."""
        return key(word) in {p.key for p in parts} or not common_word(word)

    def _fits(self, part: _Part, word: str, join: str, neighbour: str) -> bool:
        """Whether ``word`` is ``part`` inside a run, joined to the ``neighbour`` word by a ``join`` (a gap kind)."""
        if part.initial:
            return len(word) == 1 and (word.isupper() or join == TIGHT)
        if part.alone == ANY_CASE or self._written(part, word) or join == TIGHT:
            return True
        if word.isupper() and len(word) > 1:
            return True
        return word.islower() and neighbour.islower()

    # --- finding --------------------------------------------------------------------------------------------------

    def find(self, text: str) -> list[Mention]:
        """The mentions in ``text``, in order, never overlapping, as offsets into ``text``."""
        if not self._index or not text:
            return []
        if "#" not in text and "@" not in text and self._triggers.isdisjoint(LETTERS.findall(fold_text(text))):
            return []
        cleaned = clean(text)
        found: list[Mention] = []
        for start, end, people in self._scan(
            cleaned.text, [(m.start(), m.end(), m.group()) for m in WORD.finditer(cleaned.text)]
        ):
            begin, finish = cleaned.original(start, end)
            found.append(Mention(begin, finish, self.replacement(people), PARTICIPANT))
        return found

    def _scan(
        self, text: str, tokens: list[tuple[int, int, str]], *, inside: bool = False
    ) -> list[tuple[int, int, set[int]]]:
        """The mentions among ``tokens`` of ``text`` (the pieces of a hyphenated word when ``inside``)."""
        found: list[tuple[int, int, set[int]]] = []
        parts = [self._parts(word) for _, _, word in tokens]
        i = 0
        while i < len(tokens):
            start, end, word = tokens[i]
            run_end, people = self._run(text, tokens, parts, i)
            if run_end > i:
                cut = 1 if parts[run_end][1] else 0
                found.append((start, tokens[run_end][1] - cut, people))
                i = run_end + 1
                continue
            found_parts, genitive = parts[i]
            alone = self._alone(text, start, word, found_parts, genitive, inside=inside) if found_parts else set()
            if alone:
                found.append((start, end - (1 if genitive else 0), alone))
            elif "-" in word and not inside:
                found.extend(self._scan(text, _pieces(start, word), inside=True))
            elif not found_parts or all(p.initial for p in found_parts):
                joined = self._joined(word) if inside or _tagged(text, start, end) else set()
                if joined:
                    found.append((start, end, joined))
            i += 1
        return found

    def _run(
        self, text: str, tokens: list[tuple[int, int, str]], parts: list[tuple[list[_Part], bool]], i: int
    ) -> tuple[int, set[int]]:
        """The last token of the longest run of one person's name parts from token ``i``, and whose it may be."""
        best, people = i, set[int]()
        first, genitive = parts[i]
        if genitive or not first:
            return best, people
        for person in sorted({p.person for p in first}):
            current = _own(first, person)
            j, named = i, not current.initial
            while j + 1 < len(tokens):
                join = _join(text[tokens[j][1] : tokens[j + 1][0]])
                if join is None or (join != TIGHT and (join == AFTER_INITIAL) != current.initial):
                    break  # an initial is followed by "." ("K. Holmen", "k.holmen"), a name part is not
                following, following_genitive = parts[j + 1]
                candidates = [p for p in following if p.person == person]
                if not candidates:
                    break
                nxt = _own(candidates, person)
                word, previous = tokens[j + 1][2], tokens[j][2]
                if j == i and not self._fits(current, previous, join, word):
                    break
                if not self._fits(nxt, word, join, previous):
                    break
                j, current = j + 1, nxt
                named = named or not nxt.initial
                if following_genitive:
                    break
            if not named or j == i:
                continue
            if j > best:
                best, people = j, {person}
            elif j == best:
                people.add(person)
        return best, people

    def _alone(
        self, text: str, start: int, word: str, parts: list[_Part], genitive: bool, *, inside: bool = False
    ) -> set[int]:
        """Whose name ``word`` is, found alone; empty when it must not be found alone."""
        base = word[:-1] if genitive else word
        people = {p.person for p in parts if p.alone == ANY_CASE}
        written = [p for p in parts if p.alone == AS_WRITTEN and self._written(p, base)]
        if written and not inside and not (_sentence_initial(text, start) and function_word(base)):
            people |= {p.person for p in written}
        if people and not self._spelt(parts, base):
            return set()
        return people

    def _joined(self, word: str, *, any_part: bool = False) -> set[int]:
        """Whose name parts, two or more of one person's, ``word`` is written together from ("KariHolmen")."""
        folded = key(word)
        if not MIN_JOINED <= len(folded) <= MAX_JOINED:
            return set()
        found: set[int] = set()
        # (position, person, parts so far, whether a part is more than a common-word surname)
        stack: list[tuple[int, int, int, bool]] = [(0, -1, 0, False)]
        while stack:
            position, person, count, named = stack.pop()
            if position == len(folded):
                if count >= 2 and (named or any_part):
                    found.add(person)
                continue
            for stop in range(position + 2, len(folded) + 1):
                for part in self._index.get(folded[position:stop], ()):
                    if not part.initial and person in (-1, part.person):
                        stack.append((stop, part.person, count + 1, named or part.alone != IN_RUN))
        return found

    def _mention(self, start: int, end: int, people: set[int]) -> Mention:
        return Mention(start, end, self.replacement(people), PARTICIPANT)

    def replacement(self, people: set[int]) -> str:
        pseudonyms = {self.people[p].pseudonym for p in people}
        return f"[{next(iter(pseudonyms))}]" if len(pseudonyms) == 1 else SEVERAL

    def whose(self, words: Sequence[str]) -> str | None:
        """The replacement for a person entity made of ``words`` when they are all parts of known names."""
        people: set[int] | None = None
        for word in words:
            parts, _ = self._parts(clean(word).text)
            found = {p.person for p in parts if not p.initial}
            people = found if people is None else people & found
            if not people:
                return None
        return self.replacement(people) if people else None

    def is_name(self, word: str) -> bool:
        """Whether ``word`` (a lemma, in any case) is a name part found alone in any case: for word lists."""
        return any(p.alone == ANY_CASE for p in self._index.get(key(clean(word).text), ()))

    def names_someone(self, identifier: str) -> bool:
        """Whether an identifier holds a part (three letters or more) of a known name anywhere, in any case, alone
        or written together with others of the same person's ("zelda-qwertyson-1", "kariholmen", "berg_1")."""
        if not self._index:
            return False
        for piece in LETTERS.findall(clean(identifier).text):
            folded = key(piece)
            if any(not p.initial and len(folded) >= MIN_LETTERS for p in self._index.get(folded, ())):
                return True
            if self._joined(piece, any_part=True):
                return True
        return False


def _own(parts: Sequence[_Part], person: int) -> _Part:
    """The part of ``person`` among ``parts``, a name part before an initial."""
    return min((p for p in parts if p.person == person), key=lambda p: p.initial)


def _join(gap: str) -> str | None:
    """What separates two words of a run: spaces (SPACED), ``.``, ``_`` or ``-`` alone (TIGHT), ``.`` and a space
    after an initial (AFTER_INITIAL); None when they cannot be one name."""
    if SPACED_GAP.fullmatch(gap):
        return SPACED
    if TIGHT_GAP.fullmatch(gap):
        return TIGHT
    if INITIAL_GAP.fullmatch(gap):
        return AFTER_INITIAL
    return None


def _pieces(start: int, word: str) -> list[tuple[int, int, str]]:
    """The pieces of a hyphenated word, as tokens."""
    pieces = []
    for piece in word.split("-"):
        pieces.append((start, start + len(piece), piece))
        start += len(piece) + 1
    return pieces


def _tagged(text: str, start: int, end: int) -> bool:
    """Where names are written together: a hashtag or a handle, or before ``@`` (an e-mail address)."""
    return text[start - 1 : start] in ("#", "@") or text[end : end + 1] == "@"


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in OPENERS:
        i -= 1
    return i < 0 or text[i] in SENTENCE_END


def identity_names(session: Session) -> dict[int, str]:
    """Each participant's real name(s), joined by " / ": only for an export the user asked to carry real names."""
    names: dict[int, list[str]] = defaultdict(list)
    query = select(ParticipantIdentity.participant_id, ParticipantIdentity.name).order_by(ParticipantIdentity.id)
    for participant, name in session.execute(query):
        if name not in names[participant]:
            names[participant].append(name)
    return {participant: " / ".join(found) for participant, found in names.items()}
