"""The Norwegian lexicon: every Bokmål word form of the Norsk Ordbank with its candidate lemmas and parts of speech.

The forms come from ``spacy-lookups-data`` (``nb_lemma_exc``: nouns, adjectives, verbs and adverbs, about 615,000
form-lemma pairs; CC BY 4.0, Språkbanken) plus its small lookup table for function words. Held as Python dicts they
take about 250 MB, more than the whole TUI may use, so they are compiled once into a marisa trie (4 MB) kept in the
user's cache folder and memory-mapped: start-up is instant and worker processes share the pages.

The exceptions table keeps one lemma per form and part of speech, so where two lemmas of one kind share a form the
other is lost: "saken" keeps only sake (not sak), "går" only gåre (not gå), "bøker" only bøk (not bok). The lexicon
puts them back from the regular paradigms: a lemma of the same kind that the form inflects (noun -en/-et/-er/-ene,
verb -er/-r/-te/-et, adjective -e/-t/-ere/-est, with the -el/-er contraction of "regler" and the vowel change of
"bøker" and "tenner"). A form's lemmas of one kind are ranked by how many compounds end in them, the Ordbank's
nearest thing to a frequency: "sak" (rettssak, ...) before "sake", "gå" before "gåre", "bok" before "bøk".

Forms the Ordbank does not know get a cautious guess: hyphenated words by their last part, and Nynorsk inflections
("ressursar", "kommunane", "svara") by stripping an ending when what is left is a Bokmål lemma of a fitting kind.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

import marisa_trie

POS_CODES = {"noun": "N", "verb": "V", "adj": "A", "adv": "D", "other": "O"}
POS_NAMES = {code: name for name, code in POS_CODES.items()}
RANK = 0x30  # a value is its part of speech's code, then chr(RANK + rank) ranking the form's lemmas of that kind
LEMMA_KEY = "\x01"  # prefix of the entries that say which lemmas exist, for compound analysis
FAMILY_KEY = "\x02"  # prefix of the entries that say how many compounds end in a lemma of a kind (when any do)
FORMAT = 4

# Regular inflections: the endings a form of each kind may carry; the lemma is what is left, perhaps with -e added
# back (or, for verbs like "gå", nothing).
PARADIGM_ENDINGS = {
    "noun": ("ene", "en", "et", "er", "a", "r", "n", "ne", "t"),
    "verb": ("ende", "dde", "er", "et", "te", "de", "es", "r", "t", "d", "s", "a", ""),
    "adj": ("este", "ere", "est", "e", "t"),
}
UMLAUT = {"ø": "o", "e": "a"}  # bøker -> bok, tenner -> tann: only for the nouns that change their vowel
UMLAUT_NOUNS = frozenset("bok fot rot bot bonde tann hand natt kraft strand rand tang stang and klo tå ku".split())
VOWELS = frozenset("aeiouyæøå")

# Nynorsk endings, longest first, with the part of speech the stem must have (and an -e to add back for some).
NYNORSK_ENDINGS = (
    ("ane", "N", ("", "e")),
    ("ene", "N", ("", "e")),
    ("ar", "N", ("", "e")),
    ("ast", "V", ("e",)),
    ("ande", "V", ("e",)),
    ("a", "V", ("e",)),
    ("a", "N", ("", "e")),
    ("i", "N", ("", "e")),
)

Candidate = tuple[str, str]  # (lemma, part of speech: noun, verb, adj, adv, other)


def cache_dir() -> Path:
    """Where compiled data lives: FOKUS_CACHE_DIR, else the user's cache folder."""
    explicit = os.environ.get("FOKUS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fokus"


def _data_dir() -> Path:
    import spacy_lookups_data

    return Path(spacy_lookups_data.__file__).parent / "data"


def _trie_path() -> Path:
    version = metadata.version("spacy-lookups-data")
    return cache_dir() / f"nb-lexicon-{version}-v{FORMAT}.marisa"


def _entries() -> list[tuple[str, bytes]]:
    data = _data_dir()
    with gzip.open(data / "nb_lemma_exc.json.gz", "rt", encoding="utf-8") as handle:
        tables: dict[str, dict[str, list[str]]] = json.load(handle)
    with gzip.open(data / "nb_lemma_lookup.json.gz", "rt", encoding="utf-8") as handle:
        lookup: dict[str, str] = json.load(handle)
    entries: list[tuple[str, bytes]] = []
    lemma_pos: dict[str, set[str]] = {}
    by_kind = {pos: {lemma.lower() for lemmas in table.values() for lemma in lemmas} for pos, table in tables.items()}
    for pos, table in tables.items():
        code, known, family = POS_CODES[pos], by_kind[pos], _families(by_kind[pos])
        entries.extend((FAMILY_KEY + code + lemma, str(n).encode()) for lemma, n in family.items() if n)
        endings = PARADIGM_ENDINGS.get(pos, ())
        for form, lemmas in table.items():
            form = form.lower()
            listed = {lemma.lower() for lemma in lemmas}
            for lemma in listed:
                lemma_pos.setdefault(lemma, set()).add(code)
            lost = _lost_lemmas(form, listed, pos, endings, known) if endings else ()
            if not lost and len(listed) == 1:
                entries.append((form, (code + chr(RANK) + next(iter(listed))).encode()))
                continue
            ranked = sorted({*listed, *lost}, key=lambda lemma: (-family[lemma], len(lemma), lemma))
            entries.extend((form, (code + chr(RANK + rank) + lemma).encode()) for rank, lemma in enumerate(ranked))
    for form, lemma in lookup.items():
        entries.append((form.lower(), ("O" + chr(RANK) + lemma.lower()).encode()))
    entries.extend((LEMMA_KEY + lemma, "".join(sorted(codes)).encode()) for lemma, codes in lemma_pos.items())
    return entries


def _families(lemmas: set[str]) -> dict[str, int]:
    """How many longer lemmas of one kind end in each lemma: "sak" heads 230 compounds, "sake" none. A lemma that
    many compounds end in is a common word, so this ranks a form's lemmas where the Ordbank has no frequencies."""
    family: dict[str, int] = dict.fromkeys(lemmas, 0)
    for lemma in lemmas:
        for cut in range(3, len(lemma) - 1):
            if lemma[cut:] in family:
                family[lemma[cut:]] += 1
    return family


def _lost_lemmas(form: str, listed: set[str], kind: str, endings: tuple[str, ...], lemmas: set[str]) -> set[str]:
    """Lemmas of one kind that ``form`` regularly inflects but the table does not list for it (see the docstring)."""
    found: set[str] = set()
    for ending in endings:
        if not form.endswith(ending) or len(form) - len(ending) < 2:
            continue
        stem = form[: len(form) - len(ending)] if ending else form
        if kind == "noun" and ending in ("r", "n", "ne", "t") and not stem.endswith("e"):
            continue  # bilde-r, bilde-t; not "sett" as sete-t
        options = [stem] if kind != "verb" else [stem + "e", stem] if stem[-1] in VOWELS else [stem + "e"]  # mene, gå
        if stem[-1] in "lrn" and stem[-2] not in VOWELS and ending:  # regl -> regel, sykl -> sykkel, enkl -> enkel
            options += [stem[:-1] + "e" + stem[-1], stem[:-2] + stem[-2] * 2 + "e" + stem[-1]]
        if kind == "noun" and ending in ("er", "ene"):
            changed = (stem.replace(vowel, plain) for vowel, plain in UMLAUT.items() if vowel in stem)
            options += [option for option in changed if option in UMLAUT_NOUNS]
        found.update(option for option in options if option in lemmas and option not in listed)
    return found


def _build(path: Path | None) -> marisa_trie.BytesTrie:
    trie = marisa_trie.BytesTrie(_entries())
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
                temporary = Path(tmp.name)
            trie.save(str(temporary))
            temporary.replace(path)  # atomic: a parallel process sees the old file or the whole new one
        except OSError:
            pass  # no writable cache: use the trie in memory this time
    return trie


class Lexicon:
    """Word forms to candidate lemmas, and which lemmas exist, from the Norsk Ordbank."""

    def __init__(self, trie: marisa_trie.BytesTrie) -> None:
        self._trie = trie
        self.candidates = functools.lru_cache(maxsize=200_000)(self._candidates)
        self.lemma_kinds = functools.lru_cache(maxsize=200_000)(self._lemma_kinds)

    @classmethod
    def load(cls) -> Lexicon:
        """The lexicon, from the cache when it is there (built and cached on first use, about two seconds)."""
        path = _trie_path()
        if path.exists():
            trie = marisa_trie.BytesTrie()
            try:
                trie.mmap(str(path))
                return cls(trie)
            except Exception:  # a damaged cache file is rebuilt, never trusted
                path.unlink(missing_ok=True)
        return cls(_build(path))

    def known(self, form: str) -> bool:
        return form in self._trie

    def _candidates(self, form: str) -> tuple[Candidate, ...]:
        """Candidate (lemma, part of speech) pairs for a lowercase form; () if unknown.

        By part of speech (adjective, adverb, noun, other, verb), and within one the most common lemma first (the one
        most compounds end in: "saken" is sak before sake); see the module docstring.
        """
        values = self._trie.get(form)
        if not values:
            return ()
        texts = sorted({raw.decode() for raw in values})
        return tuple(dict.fromkeys((text[2:], POS_NAMES[text[0]]) for text in texts))

    def _lemma_kinds(self, lemma: str) -> str:
        """The parts of speech (N, V, A, D codes) under which ``lemma`` is a lemma; "" when it is none."""
        values = self._trie.get(LEMMA_KEY + lemma)
        return values[0].decode() if values else ""

    def family(self, lemma: str, pos: str) -> int:
        """How many compounds of the kind ``pos`` end in ``lemma``: the Ordbank's nearest thing to its frequency."""
        values = self._trie.get(FAMILY_KEY + POS_CODES[pos] + lemma)
        return int(values[0]) if values else 0

    def guess(self, form: str) -> tuple[Candidate, ...]:
        """Candidates for a form the Ordbank lacks: a hyphenated word's last part, or a Nynorsk inflection."""
        if "-" in form.strip("-"):
            last = form.rsplit("-", 1)[1]
            found = self.candidates(last) or self.guess(last)
            return tuple((f"{form.rsplit('-', 1)[0]}-{lemma}", pos) for lemma, pos in found)
        for ending, kind, additions in NYNORSK_ENDINGS:
            if form.endswith(ending) and len(form) - len(ending) >= 3:
                stem = form[: -len(ending)]
                for addition in additions:
                    lemma = stem + addition
                    if kind in self.lemma_kinds(lemma):
                        return ((lemma, POS_NAMES[kind]),)
        return ()


@functools.cache
def lexicon() -> Lexicon:
    """The process-wide lexicon (memory-mapped, so worker processes share it)."""
    return Lexicon.load()
