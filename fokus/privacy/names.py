"""Which words of a text name a participant: the names to look for, and where they occur.

The names come from the identity table (the only reader besides the importer): each participant's full name and its
parts. How a part may be found depends on what else the word could be:

- a part of at least three letters that is no common Norwegian word ("Ragnhild", "Lægreid", "Anne-Lise") is found
  alone, as a whole word in any case ("roy" is Roy), and in its genitive ("Ragnhilds");
- a given name that is also a common word ("Tone", "Per", "Maren") is found alone only as written, capitalised; at
  the start of a sentence not when it is a function word there ("Per i dag" is not Per);
- a surname that is a common word ("Vik", "Berg", "Nes"), a part shorter than three letters, and a part that is the
  name of a case (a municipality: "Nes", "Voss") are found only as part of a run;
- a run of two or more parts of one person's name, separated by spaces ("Ragnhild Vik", "Jon Erik", "Per Arne
  Fjeld"), is always found, as one mention.

"Common word" means a form the Norsk Ordbank knows as a common noun, verb, adjective or function word (through
``fokus.nlp.lexicon``); the Ordbank also lists given names and surnames, capitalised, and those do not count: a
word the Ordbank knows only capitalised is a name. Identity names that are not all capitalised words (a page's
"Bodø kommune") are found only as the whole name.

A mention is replaced by the participant's pseudonym in brackets ("[Deltaker 07]"); a word that is part of several
participants' names by "[deltaker]"; a genitive keeps its ending ("[Deltaker 07]s").
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

PARTICIPANT = "participant"
ENTITY = "entity"
SEVERAL = "[deltaker]"
UNKNOWN = "[navn]"
MIN_LETTERS = 3

# how a part may be found: alone in any case, alone only as written (capitalised), or only inside a run
ANY_CASE, AS_WRITTEN, IN_RUN = "any", "written", "run"

# a word: letters (with combining marks, for text that is not NFC), hyphenated parts kept together
WORD = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+(?:-(?:[^\W\d_][\u0300-\u036f]*)+)*")
LETTERS = re.compile(r"[^\W\d_]+")
RUN_GAP = re.compile(r"[ \t\u00a0]{1,2}")
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
    form: str  # NFC, as written in the name
    alone: str


def _norm(word: str) -> str:
    return unicodedata.normalize("NFC", word)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


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
        place_keys = {_fold(p) for p in places}
        self._index: dict[str, list[_Part]] = defaultdict(list)
        for number, person in enumerate(self.people):
            words = [_norm(w) for w in WORD.findall(person.name)]
            personal = all(w[:1].isupper() for w in words)
            for position, word in enumerate(words):
                letters = sum(c.isalpha() for c in word)
                given = position < len(words) - 1 or len(words) == 1
                if not personal or letters < MIN_LETTERS or _fold(word) in place_keys:
                    alone = IN_RUN
                elif not common_word(word):
                    alone = ANY_CASE
                elif given:
                    alone = AS_WRITTEN
                else:
                    alone = IN_RUN
                self._index[_fold(word)].append(_Part(number, word, alone))
        # a quick test before the word-by-word reading: most texts name nobody
        self._triggers = {piece for key in self._index for piece in LETTERS.findall(key)}
        self._triggers |= {key + "s" for key in self._triggers}

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
        """The parts ``word`` may be (exactly, or as a genitive), and whether it is the genitive."""
        key = _fold(word)
        found = self._index.get(key)
        if found:
            return found, False
        if len(key) > 1 and key.endswith("s"):
            found = self._index.get(key[:-1])
            if found:
                return found, True
        return [], False

    @staticmethod
    def _fits(part: _Part, word: str, genitive: bool) -> bool:
        """In a run: a common-word part as written, any other part in any case."""
        base = _norm(word[:-1] if genitive else word)
        return part.alone == ANY_CASE or base == part.form

    # --- finding --------------------------------------------------------------------------------------------------

    def find(self, text: str) -> list[Mention]:
        """The mentions in ``text``, in order, never overlapping."""
        if not self._index or not text or self._triggers.isdisjoint(LETTERS.findall(_fold(text))):
            return []
        tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            start, end, word = tokens[i]
            parts, genitive = self._parts(word)
            if not parts:
                if "-" in word:
                    found.extend(self._pieces(start, word))
                i += 1
                continue
            run_end, people = self._run(text, tokens, i, parts, genitive)
            if run_end > i:
                _, last_end, last_word = tokens[run_end]
                _, last_genitive = self._parts(last_word)
                found.append(self._mention(start, last_end - (1 if last_genitive else 0), people))
                i = run_end + 1
                continue
            alone = self._alone(text, start, word, parts, genitive)
            if alone:
                found.append(self._mention(start, end - (1 if genitive else 0), alone))
            elif "-" in word:
                found.extend(self._pieces(start, word))
            i += 1
        return found

    def _run(
        self, text: str, tokens: list[tuple[int, int, str]], i: int, parts: list[_Part], genitive: bool
    ) -> tuple[int, set[int]]:
        """The last token of the longest run of one person's name parts from token ``i``, and whose it may be."""
        best, people = i, set[int]()
        if genitive:
            return best, people
        for person in sorted({p.person for p in parts if self._fits(p, tokens[i][2], False)}):
            j = i
            while j + 1 < len(tokens):
                gap = text[tokens[j][1] : tokens[j + 1][0]]
                if not RUN_GAP.fullmatch(gap):
                    break
                word = tokens[j + 1][2]
                following, following_genitive = self._parts(word)
                if not any(p.person == person and self._fits(p, word, following_genitive) for p in following):
                    break
                j += 1
                if following_genitive:
                    break
            if j > best:
                best, people = j, {person}
            elif j == best and j > i:
                people.add(person)
        return best, people

    def _alone(self, text: str, start: int, word: str, parts: list[_Part], genitive: bool) -> set[int]:
        """Whose name ``word`` is, found alone; empty when it must not be found alone."""
        base = _norm(word[:-1] if genitive else word)
        people = {p.person for p in parts if p.alone == ANY_CASE}
        written = [p for p in parts if p.alone == AS_WRITTEN and base == p.form]
        if written and not (_sentence_initial(text, start) and function_word(base)):
            people |= {p.person for p in written}
        return people

    def _pieces(self, start: int, word: str) -> list[Mention]:
        """Names inside a hyphenated word ("Kari-saken"): only parts that are found alone in any case."""
        found = []
        offset = start
        for piece in word.split("-"):
            parts, genitive = self._parts(piece)
            people = {p.person for p in parts if p.alone == ANY_CASE}
            if people:
                found.append(self._mention(offset, offset + len(piece) - (1 if genitive else 0), people))
            offset += len(piece) + 1
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
            parts, _ = self._parts(word)
            found = {p.person for p in parts}
            people = found if people is None else people & found
            if not people:
                return None
        return self.replacement(people) if people else None

    def is_name(self, word: str) -> bool:
        """Whether ``word`` (a lemma, in any case) is a name part found alone in any case: for word lists."""
        return any(p.alone == ANY_CASE for p in self._index.get(_fold(word), ()))


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
