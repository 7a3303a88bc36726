"""The lexicon lemmatizer: sets ``token.lemma_`` on every token and keeps all candidates for matching.

A blank Norwegian spaCy pipeline lemmatizes almost nothing (its lookup table has 1,600 entries and the rule
lemmatizer needs tags), so this component looks every form up in the Norsk Ordbank. Where a form has several
lemmas ("brukte": bruke/brukt, "medier": medium/mediere, "var": være/var) it chooses by, in order:

1. the part of speech, when the pipeline has a tagger (the real ``nb_core_news_sm`` or any trained one);
2. the context: after a determiner or possessive a noun or adjective, after "å", a modal or "har/hadde" a verb;
3. the form itself: a closed list of very frequent verb forms ("var", "fikk", "la") reads as a verb;
4. the Ordbank's preference: noun, then verb, adjective, adverb.

The others stay in ``token._.lemmas``, and compound parts in ``token._.parts``, so a codebook rule that names any
of them still matches. When the pipeline already has a lemmatizer (the real model), its lemma is kept and the
lexicon's candidates are added to it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from spacy.lang.nb import Norwegian
from spacy.language import Language
from spacy.tokens import Doc, Token

from fokus.nlp.compounds import CompoundSplitter
from fokus.nlp.lexicon import Candidate, Lexicon, lexicon

COMPONENT = "fokus_lemmatizer"

DETERMINERS = frozenset(
    "en ei et den det de denne dette disse min mi mitt mine din di ditt dine sin si sitt sine vår vårt våre "
    "deres hans hennes dens dets alle noen mange flere hver hvert ingen begge annen anna annet andre "
    "ein eit dei mitt dykkar vårt kvar kvart".split()
)
VERB_CUES = frozenset(
    "å og kan skal vil må bør kunne skulle ville måtte burde får fikk blir ble har hadde er var "
    "kan ikke ikkje vi jeg du han hun de dere eg me dei ho".split()
)
PERFECT_CUES = frozenset("har hadde ha er var".split())
FREQUENT_VERBS = frozenset(
    "er var har hadde kan skal vil må bør fikk får ble blir gikk går kom kommer sa sier tok tar ga gav gir la "
    "legger satt sto står fått vært blitt gjort gjør".split()
)
POS_FROM_TAG = {
    "NOUN": ("noun",),
    "PROPN": ("noun",),
    "VERB": ("verb",),
    "AUX": ("verb",),
    "ADJ": ("adj", "verb"),
    "ADV": ("adv", "adj"),
}
DEFAULT_ORDER = ("noun", "verb", "adj", "adv", "other")
STOP_WORDS = frozenset(Norwegian.Defaults.stop_words)

Analysis = tuple[str, tuple[str, ...], tuple[str, ...]]  # lemma, candidate lemmas, compound parts
LEMMAS = "fokus.lemmas"  # doc.user_data: per token, every candidate lemma (the chosen one first)
PARTS = "fokus.parts"  # doc.user_data: per token, the lemmas of its compound parts


def _lemmas_of(token: Token) -> tuple[str, ...]:
    found = token.doc.user_data.get(LEMMAS)
    return tuple(found[token.i]) if found else ()


def _parts_of(token: Token) -> tuple[str, ...]:
    found = token.doc.user_data.get(PARTS)
    return tuple(found[token.i]) if found else ()


# Read-only views for people and tests; fokus's own code reads the per-doc lists directly, which is much faster
# than one extension lookup per token.
if not Token.has_extension("lemmas"):
    Token.set_extension("lemmas", getter=_lemmas_of)
if not Token.has_extension("parts"):
    Token.set_extension("parts", getter=_parts_of)


def context_of(previous: str) -> str:
    """The class of the previous word that ``choose`` looks at."""
    if previous in PERFECT_CUES:
        return "perfect"
    if previous in DETERMINERS:
        return "determiner"
    if previous == "å":
        return "infinitive"
    if previous in VERB_CUES:
        return "verb-cue"
    return ""


def choose(candidates: tuple[Candidate, ...], tag: str, context: str, form: str) -> Candidate:
    """The most likely candidate for one token (see the module docstring); ``context`` is from ``context_of``."""
    if len(candidates) == 1:
        return candidates[0]
    if form in FREQUENT_VERBS and not tag:
        verbs = [c for c in candidates if c[1] == "verb"]
        if verbs:
            return verbs[0]
    if form in STOP_WORDS and not tag:
        # function words: the Ordbank's closed-class table ("meg" -> jeg), else the word itself ("for", not fore)
        closed = [c for c in candidates if c[1] == "other"]
        if closed:
            return closed[0]
        if any(lemma == form for lemma, _ in candidates):
            return (form, "other")
    wanted: Iterable[str]
    if tag in POS_FROM_TAG:
        wanted = (*POS_FROM_TAG[tag], *DEFAULT_ORDER)
    elif context == "perfect":
        wanted = ("verb", "adj", *DEFAULT_ORDER)
    elif context == "determiner":
        wanted = ("noun", "adj", *DEFAULT_ORDER)
    elif context == "infinitive" or (
        context in ("verb-cue", "perfect") and form.endswith(("te", "de", "et", "dde", "er"))
    ):
        wanted = ("verb", *DEFAULT_ORDER)
    else:
        wanted = DEFAULT_ORDER
    for pos in wanted:
        for candidate in candidates:
            if candidate[1] == pos:
                return candidate
    return candidates[0]


class LexiconLemmatizer:
    """The spaCy component (see the module docstring)."""

    def __init__(self, lex: Lexicon | None = None, *, overwrite: bool = True) -> None:
        self.lexicon = lex or lexicon()
        self.splitter = CompoundSplitter(self.lexicon)
        self.overwrite = overwrite
        self.analyse = functools.lru_cache(maxsize=500_000)(self._analyse)

    def _analyse(
        self, form: str, tag: str, context: str, name_like: bool
    ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """(lemma, every candidate lemma with the chosen one first, compound parts) for a word in its context.

        The same word in the same context always gets the same answer, so it is worked out once.
        """
        candidates = self.lexicon.candidates(form) or self.lexicon.guess(form)
        if not candidates and not name_like:
            lemma_of_compound = self.splitter.lemma(form)
            candidates = ((lemma_of_compound, "noun"),) if lemma_of_compound else ()
        if not candidates:
            return form, (form,), self.splitter.parts(form)
        lemma, _ = choose(candidates, tag, context, form)
        extra = self.lexicon.guess(form) if form.endswith(("a", "ar", "ane")) else ()
        names = tuple(dict.fromkeys((lemma, *(c[0] for c in candidates), *(c[0] for c in extra))))
        # split the lemma, not the form: "spørsmålene" is no compound, "beredskapsplanen" is
        return lemma, names, self.splitter.parts(lemma)

    def __call__(self, doc: Doc) -> Doc:
        previous = ""
        all_lemmas: list[tuple[str, ...]] = []
        all_parts: list[tuple[str, ...]] = []
        for token in doc:
            if token.is_space:
                all_lemmas.append(())
                all_parts.append(())
                continue
            form = token.lower_
            if token.is_punct or token.like_url or token.like_num or not any(ch.isalpha() for ch in form):
                if self.overwrite or not token.lemma_:
                    token.lemma_ = form if token.like_num else token.text
                all_lemmas.append(())
                all_parts.append(())
                previous = form
                continue
            tag = token.pos_ or token.tag_
            # a capitalised unknown word mid-sentence is a name ("Granveien"), not a compound to lemmatise
            name_like = tag == "PROPN" or (token.text[:1].isupper() and not token.is_sent_start)
            lemma, names, parts = self.analyse(form, tag, context_of(previous), name_like)
            if tag == "PROPN" and names == (form,):
                lemma = token.text
            if self.overwrite or not token.lemma_:
                token.lemma_ = lemma
            elif token.lemma_.lower() != names[0]:
                names = (token.lemma_.lower(), *names)
            all_lemmas.append(names)
            all_parts.append(parts)
            previous = form
        doc.user_data[LEMMAS] = all_lemmas
        doc.user_data[PARTS] = all_parts
        return doc


@Language.factory(COMPONENT, default_config={"overwrite": True})
def make_lemmatizer(nlp: Language, name: str, overwrite: bool) -> LexiconLemmatizer:
    return LexiconLemmatizer(overwrite=overwrite)
