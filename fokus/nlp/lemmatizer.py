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

if not Token.has_extension("lemmas"):
    Token.set_extension("lemmas", default=())
if not Token.has_extension("parts"):
    Token.set_extension("parts", default=())


def choose(candidates: tuple[Candidate, ...], tag: str, previous: str, form: str) -> Candidate:
    """The most likely candidate for one token (see the module docstring)."""
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
    elif previous in PERFECT_CUES:
        wanted = ("verb", "adj", *DEFAULT_ORDER)
    elif previous in DETERMINERS:
        wanted = ("noun", "adj", *DEFAULT_ORDER)
    elif previous == "å" or (previous in VERB_CUES and form.endswith(("te", "de", "et", "dde", "er"))):
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

    def _compound(self, form: str) -> tuple[Candidate, ...]:
        lemma = self.splitter.lemma(form)
        return ((lemma, "noun"),) if lemma else ()

    def __call__(self, doc: Doc) -> Doc:
        previous = ""
        for token in doc:
            if token.is_space:
                continue
            form = token.lower_
            if token.is_punct or token.like_url or token.like_num or not any(ch.isalpha() for ch in form):
                token.lemma_ = token.text if not token.like_num else form
                previous = form
                continue
            candidates = self.lexicon.candidates(form) or self.lexicon.guess(form)
            if not candidates and not (token.text[:1].isupper() and not token.is_sent_start):
                candidates = self._compound(form)  # a capitalised unknown word mid-sentence is a name: "Granveien"
            if candidates:
                lemma, _ = choose(candidates, token.pos_ or token.tag_, previous, form)
                extra = self.lexicon.guess(form) if form.endswith(("a", "ar", "ane")) else ()
                names = dict.fromkeys((lemma, *(c[0] for c in candidates), *(c[0] for c in extra)))
            else:
                lemma = token.text if token.pos_ == "PROPN" else form
                names = dict.fromkeys((form,))
            if self.overwrite or not token.lemma_:
                token.lemma_ = lemma
            else:
                names = dict.fromkeys((token.lemma_.lower(), *names))
            token._.lemmas = tuple(names)
            # split the lemma, not the form: "spørsmålene" is no compound, "beredskapsplanen" is
            token._.parts = self.splitter.parts(lemma if candidates else form)
            previous = form
        return doc


@Language.factory(COMPONENT, default_config={"overwrite": True})
def make_lemmatizer(nlp: Language, name: str, overwrite: bool) -> LexiconLemmatizer:
    return LexiconLemmatizer(overwrite=overwrite)
