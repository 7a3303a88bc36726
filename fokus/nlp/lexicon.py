"""The Norwegian lexicon: every Bokmål word form of the Norsk Ordbank with its candidate lemmas and parts of speech.

The forms come from ``spacy-lookups-data`` (``nb_lemma_exc``: nouns, adjectives, verbs and adverbs, about 615,000
form-lemma pairs; CC BY 4.0, Språkbanken) plus its small lookup table for function words. Held as Python dicts they
take about 250 MB, more than the whole TUI may use, so they are compiled once into a marisa trie (4 MB) kept in the
user's cache folder and memory-mapped: start-up is instant and worker processes share the pages.

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
LEMMA_KEY = "\x01"  # prefix of the entries that say which lemmas exist, for compound analysis
FORMAT = 2

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
    for pos, table in tables.items():
        code = POS_CODES[pos]
        for form, lemmas in table.items():
            for lemma in lemmas:
                lemma = lemma.lower()
                entries.append((form.lower(), (code + lemma).encode()))
                lemma_pos.setdefault(lemma, set()).add(code)
    for form, lemma in lookup.items():
        entries.append((form.lower(), ("O" + lemma.lower()).encode()))
    entries.extend((LEMMA_KEY + lemma, "".join(sorted(codes)).encode()) for lemma, codes in lemma_pos.items())
    return entries


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
        """Candidate (lemma, part of speech) pairs for a lowercase form, in the Ordbank's order; () if unknown."""
        values = self._trie.get(form)
        if not values:
            return ()
        seen: dict[Candidate, None] = {}
        for raw in values:
            text = raw.decode()
            seen[(text[1:], POS_NAMES[text[0]])] = None
        return tuple(seen)

    def _lemma_kinds(self, lemma: str) -> str:
        """The parts of speech (N, V, A, D codes) under which ``lemma`` is a lemma; "" when it is none."""
        values = self._trie.get(LEMMA_KEY + lemma)
        return values[0].decode() if values else ""

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
