"""The lexicon lemmatizer: sets ``token.lemma_`` on every token and keeps all candidates for matching.

A blank Norwegian spaCy pipeline lemmatizes almost nothing (its lookup table has 1,600 entries and the rule
lemmatizer needs tags), so this component looks every form up in the Norsk Ordbank. Where a form has several
lemmas ("brukte": bruke/brukt, "medier": medium/mediere, "var": være/var) it chooses by, in order:

1. the part of speech, when the pipeline has a tagger (the real ``nb_core_news_sm`` or any trained one);
2. without one, a closed list of function words, suppletive comparatives and frequent verbs, lemmatised as
   Universal Dependencies does for Bokmål ("et" -> en, "flere" -> mange, "bedre" -> god, "går" -> gå);
3. the context, the previous word or the kind chosen for it: after a determiner an adjective or noun, after a
   preposition or an adjective a noun, after a subject (a pronoun, "som", a noun or a name) a finite verb, after a
   verb its object, after "å" or a modal the infinitive, after "er"/"var" an adjective; an infinitive or imperative
   reading ("nye", "grunn") only after "å", a modal or at the start, and "det" before an inflected adjective is the
   article (lemma "den");
4. the form's ending out of context: "-er", "-te", "-et" read as finite verbs;
5. the Ordbank's preference: noun, then verb, adjective, adverb, and within one kind the lexicon's ranking.

A capitalised word mid-sentence is a name and keeps its form as lemma ("Regjeringen"); an unknown genitive of a
known word takes its lemma ("dagens" -> dag, "Norges" -> norge). The other candidates stay in ``token._.lemmas``,
and compound parts in ``token._.parts``, so a codebook rule that names any of them still matches. When the pipeline
already has a lemmatizer (the real model), its lemma is kept and the lexicon's candidates are added to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.attrs import LEMMA, SENT_START
from spacy.lang.nb import Norwegian
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc, Token

from fokus.nlp.compounds import CompoundSplitter
from fokus.nlp.forms import FORMS, Form, Forms, column
from fokus.nlp.lexicon import Candidate, Lexicon, lexicon

COMPONENT = "fokus_lemmatizer"
MAX_ANALYSED = 500_000  # words in context remembered, at most

DETERMINERS = frozenset(
    "en ei et min mi mitt mine din di ditt dine sin si sitt sine vår vårt våre hans hennes dens dets alle noen "
    "mange flere hver hvert ingen begge annen anna annet andre disse denne ein eit mitt dykkar kvar kvart".split()
)
NUMBER_WORDS = frozenset("to tre fire fem seks sju syv åtte ni ti elleve tolv tjue hundre tusen".split())
SUBJECTS = frozenset("jeg du han hun vi dere de man det den dette som hva hvem eg me dei ho".split())
PREPOSITIONS = frozenset(
    "i på av til for med om fra ved etter under over mot uten hos gjennom mellom blant langs innen frå".split()
)
MODALS = frozenset("kan skal vil må bør kunne skulle ville måtte burde får fikk".split())
PERFECT_CUES = frozenset("har hadde ha".split())
COPULAS = frozenset("er var blir ble vært blitt".split())
# Frequent verb forms read as verbs wherever no tagger says otherwise, with the lemma each one has
FREQUENT_VERBS = {
    **dict.fromkeys(("er", "var", "vært"), "være"),
    **dict.fromkeys(("har", "hadde", "hatt"), "ha"),
    **dict.fromkeys(("blir", "ble", "blitt"), "bli"),
    **dict.fromkeys(("får", "fikk", "fått"), "få"),
    **dict.fromkeys(("gjør", "gjorde", "gjort"), "gjøre"),
    **dict.fromkeys(("går", "gikk", "gått"), "gå"),
    **dict.fromkeys(("sier", "sa", "sagt"), "si"),
    **dict.fromkeys(("tar", "tok", "tatt"), "ta"),
    **dict.fromkeys(("gir", "ga", "gav", "gitt"), "gi"),
    **dict.fromkeys(("kommer", "kom"), "komme"),
    **dict.fromkeys(("står", "sto", "stod"), "stå"),
    "kan": "kunne",
    "skal": "skulle",
    "vil": "ville",
    "må": "måtte",
    "bør": "burde",
    "legger": "legge",
    "lagt": "legge",
    "sett": "se",
    "ser": "se",
    "gjelder": "gjelde",
    "mener": "mene",
    "finnes": "finnes",
    "syns": "synes",
    "synes": "synes",
    "burde": "burde",
    "måtte": "måtte",
    "ville": "ville",
    "kunne": "kunne",
    "skulle": "skulle",
    "vite": "vite",
    "vet": "vite",
}
AUXILIARIES = frozenset("er var har hadde kan skal vil må bør".split())  # verbs in every context
# Lemmas of function words and suppletive comparatives as Universal Dependencies gives them for Bokmål (the
# Ordbank's function-word table disagrees: "noe" -> noen, "nok" -> nkr, "flere" -> fler)
CLOSED_LEMMAS = {
    **dict.fromkeys(("et", "ei"), "en"),
    "dem": "de",
    **dict.fromkeys(("mange", "flere", "fleste"), "mange"),
    **dict.fromkeys(("mye", "mer", "mest"), "mye"),
    **dict.fromkeys(("liten", "lita", "mindre", "minst", "minste", "små"), "liten"),
    **dict.fromkeys(("god", "godt", "gode", "bedre", "best", "beste"), "god"),
    **dict.fromkeys(("stor", "stort", "store", "større", "størst", "største"), "stor"),
    **dict.fromkeys(("gammel", "gammelt", "gamle", "eldre", "eldst", "eldste"), "gammel"),
    **dict.fromkeys(("ung", "ungt", "unge", "yngre", "yngst", "yngste"), "ung"),
    **dict.fromkeys(("hel", "helt", "hele"), "hel"),
    **dict.fromkeys(("ny", "nytt", "nye"), "ny"),
    **dict.fromkeys(("annen", "annet", "andre"), "annen"),
    **dict.fromkeys(("egen", "eget", "egne"), "egen"),
    **dict.fromkeys(("min", "mitt", "mine"), "min"),
    **dict.fromkeys(("din", "ditt", "dine"), "din"),
    **dict.fromkeys(("sin", "sitt", "sine"), "sin"),
    **dict.fromkeys(("vår", "vårt", "våre"), "vår"),
    **dict.fromkeys(("slik", "slikt", "slike"), "slik"),
    "alle": "all",
    "noe": "noe",
    "noen": "noen",
    "alt": "alt",
    "nok": "nok",
    "nesten": "nesten",
    "litt": "litt",
    "lite": "lite",
    "alene": "alene",
    "heller": "heller",
    "frem": "frem",
    "fram": "fram",
    "vekk": "vekk",
    "overfor": "overfor",
    "via": "via",
    "kontra": "kontra",
    "angående": "angående",
    "meget": "meget",
    "ikke": "ikke",
    "meg": "jeg",
    "deg": "du",
    "oss": "vi",
    "ham": "han",
    "henne": "hun",
    "hans": "hans",
    "hennes": "hennes",
    "deres": "deres",
    "seg": "seg",
    "selv": "selv",
    "hvilke": "hvilken",
    "hvilket": "hvilken",
}
POS_FROM_TAG = {
    "NOUN": ("noun",),
    "PROPN": ("noun",),
    "VERB": ("verb",),
    "AUX": ("verb",),
    "ADJ": ("adj", "verb"),
    "ADV": ("adv", "adj"),
}
DEFAULT_ORDER = ("noun", "verb", "adj", "adv", "other")
# what each context prefers: after a determiner an adjective or noun, after a preposition a noun, after a subject or
# a noun a finite verb, after "å" or a modal an infinitive (see ``context_of``)
ORDERS = {
    "determiner": ("adj", "noun", "verb", "adv", "other"),
    "preposition": ("noun", "adj", "adv", "other", "verb"),
    "number": ("noun", "adj", "adv", "other", "verb"),
    "adjective": ("noun", "adj", "verb", "adv", "other"),
    "subject": ("verb", "adj", "noun", "adv", "other"),
    "object": ("noun", "adj", "adv", "other", "verb"),
    "infinitive": ("verb", "adj", "noun", "adv", "other"),
    "modal": ("verb", "adj", "noun", "adv", "other"),
    "perfect": ("verb", "adj", "noun", "adv", "other"),
    "copula": ("adj", "verb", "noun", "adv", "other"),
}
STOP_WORDS = frozenset(Norwegian.Defaults.stop_words)
NOUN_CONTEXTS = frozenset(("determiner", "preposition", "number"))
OPENERS = frozenset(("", '"', "«", "»", "“", "”", "'", "-", "–", "—", ":", "(", "..."))

Family = Callable[[str, str], int]
Analysis = tuple[str, tuple[str, ...], tuple[str, ...], str]  # lemma, candidate lemmas, compound parts, kind
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


def context_of(previous: str, previous_pos: str = "") -> str:
    """The class of the previous word that ``choose`` looks at: from the word itself when it is a function word,
    else from the part of speech chosen for it (``previous_pos``; "name" for a capitalised word)."""
    if previous in PERFECT_CUES:
        return "perfect"
    if previous in COPULAS:
        return "copula"
    if previous == "å":
        return "infinitive"
    if previous in MODALS:
        return "modal"
    if previous in DETERMINERS:
        return "determiner"
    if previous_pos == "number" or previous in NUMBER_WORDS:
        return "number"
    if previous in PREPOSITIONS:
        return "preposition"
    if previous in SUBJECTS or previous_pos in ("noun", "name"):
        return "subject"
    if previous_pos == "adj":
        return "adjective"
    if previous_pos == "verb":
        return "object"
    if previous == "":
        return "start"
    return ""


def choose(
    candidates: tuple[Candidate, ...], tag: str, context: str, form: str, family: Family | None = None
) -> Candidate:
    """The most likely candidate for one token (see the module docstring); ``context`` is from ``context_of``,
    ``family`` says how common a lemma of a kind is (``Lexicon.family``)."""
    if not tag:
        if form in CLOSED_LEMMAS:
            lemma = CLOSED_LEMMAS[form]
            return (lemma, next((pos for found, pos in candidates if found == lemma), "other"))
        if form in AUXILIARIES or (
            form in FREQUENT_VERBS and context not in ("determiner", "preposition", "adjective")
        ):
            return (FREQUENT_VERBS[form], "verb")
    if len(candidates) == 1:
        return candidates[0]
    if form in STOP_WORDS and not tag and not (context in NOUN_CONTEXTS and _inflected_noun(candidates, form)):
        # function words: the Ordbank's closed-class table ("meg" -> jeg), else the word itself ("for", not fore)
        closed = [c for c in candidates if c[1] == "other"]
        if closed:
            return closed[0]
        if any(lemma == form and pos == "adv" for lemma, pos in candidates) and not any(
            pos == "adj" and lemma + "t" == form for lemma, pos in candidates
        ):
            return (form, "adv")  # but "langt" is lang, an adjective, as UD has it
    wanted: Iterable[str]
    if tag in POS_FROM_TAG:
        wanted = (*POS_FROM_TAG[tag], *DEFAULT_ORDER)
    elif context in ORDERS:
        wanted = ORDERS[context]
    elif form.endswith("er") or (context != "start" and form.endswith(("te", "de", "et"))):
        wanted = ("verb", "noun", "adj", "adv", "other")  # finite verbs outnumber plural nouns out of context
    elif context == "start":
        wanted = ("noun", "adj", "verb", "adv", "other")
    else:
        wanted = DEFAULT_ORDER
    if not tag and context in ("infinitive", "modal"):
        # the infinitive itself ("poste"), not a past tense of another verb (pose)
        candidates = tuple(sorted(candidates, key=lambda c: not (c[1] == "verb" and c[0] == form)))
    elif not tag and context == "start":
        # an imperative starts a sentence: "Les" is lese's, "Svar" svare's
        candidates = tuple(sorted(candidates, key=lambda c: not (c[1] == "verb" and c[0] == form + "e")))
    elif not tag and context != "start":
        # an infinitive ("nye", "norske") needs "å" or a modal before it: another reading is better
        # and an imperative ("grunn" of grunne, "folk" of folke) starts a sentence
        finite = tuple(c for c in candidates if c[1] != "verb" or (c[0] != form and c[0] != form + "e"))
        candidates = finite or candidates
    firsts = {pos: next(c for c in candidates if c[1] == pos) for pos in DEFAULT_ORDER if _has(candidates, pos)}
    ranked = [firsts[pos] for pos in wanted if pos in firsts]
    if not ranked:
        return candidates[0]
    if family and len(ranked) > 1 and {ranked[0][1], ranked[1][1]} == {"adj", "noun"} and not tag:
        # an adjective or a noun ("side": the noun, or the plural of sid?): the one more compounds end in
        first, second = (family(c[0], c[1]) for c in ranked[:2])
        if second > first:
            return ranked[1]
    return ranked[0]


def _inflected_noun(candidates: tuple[Candidate, ...], form: str) -> bool:
    """Whether one reading is an inflected noun ("siden" of side, after "på" not the adverb)."""
    return any(pos == "noun" and lemma != form for lemma, pos in candidates)


def _has(candidates: tuple[Candidate, ...], pos: str) -> bool:
    return any(c[1] == pos for c in candidates)


class LexiconLemmatizer:
    """The spaCy component (see the module docstring)."""

    def __init__(self, lex: Lexicon | None = None, *, overwrite: bool = True) -> None:
        self.lexicon = lex or lexicon()
        self.splitter = CompoundSplitter(self.lexicon)
        self.overwrite = overwrite
        self.analysed: dict[tuple[str, str, str, bool], Analysis] = {}  # a plain dict: one hit per token
        self.contexts: dict[tuple[str, str], str] = {}
        self.forms = Forms()
        self.ids: dict[str, int] = {}

    def analyse(self, form: str, tag: str, context: str, name_like: bool) -> Analysis:
        """(lemma, every candidate lemma with the chosen one first, compound parts, part of speech) for a word in its
        context. The same word in the same context always gets the same answer, so it is worked out once."""
        if len(self.analysed) >= MAX_ANALYSED:
            self.analysed.clear()  # a bound on memory; the frequent words come back at once
        found = self.analysed[(form, tag, context, name_like)] = self._analyse(form, tag, context, name_like)
        return found

    def _analyse(self, form: str, tag: str, context: str, name_like: bool) -> Analysis:
        lemma, names, pos = self._choose(form, tag, context, name_like)
        # split the lemma, not the form: "spørsmålene" is no compound, "beredskapsplanen" is; a name by its noun
        return lemma, names, self.splitter.parts(names[1] if pos == "name" and len(names) > 1 else lemma), pos

    def _choose(self, form: str, tag: str, context: str, name_like: bool) -> tuple[str, tuple[str, ...], str]:
        candidates = self.lexicon.candidates(form) or self.lexicon.guess(form)
        if not candidates and form.endswith("s") and not form.endswith("ss") and len(form) > 3:
            # a genitive: "dagens" is dag's, "Norges" Norge's, "Hansens" Hansen's
            owner = self.lexicon.candidates(form[:-1])
            if owner:
                lemma, names, pos = self._choose(form[:-1], tag, context, name_like)
                return lemma, (*names, form), pos
        if not candidates and not name_like:
            lemma_of_compound = self.splitter.lemma(form)
            candidates = ((lemma_of_compound, "noun"),) if lemma_of_compound else ()
        if not candidates:
            return form, (form,), "name" if name_like else ""
        lemma, pos = choose(candidates, tag, context, form, self.lexicon.family)
        if (
            name_like
            and not tag
            and pos != "other"
            and lemma != form
            and form not in FREQUENT_VERBS
            and "-" not in form
        ):
            # "Regjeringen", "Stortinget", "Bergen" mid-sentence are names: their lemma is the name as written
            lemma, pos = form, "name"
        extra = self.lexicon.guess(form) if form.endswith(("a", "ar", "ane")) else ()
        names = tuple(dict.fromkeys((lemma, *(c[0] for c in candidates), *(c[0] for c in extra))))
        return lemma, names, pos

    def _before_adjective(self, forms: list[Form], following: int) -> bool:
        """Whether the token at ``following`` is an inflected adjective ("store", "nye"): "det" is then an article."""
        if following >= len(forms):
            return False
        form = forms[following].lower
        return form.endswith("e") and any(
            pos == "adj" and lemma != form for lemma, pos in self.lexicon.candidates(form)
        )

    def __call__(self, doc: Doc) -> Doc:
        """Read the doc as arrays and each form's facts from a cache (fokus.nlp.forms), set every lemma at once."""
        forms = doc.user_data.pop(FORMS, None)
        if forms is None or len(forms) != len(doc):  # no splitter before, or a component retokenized since
            forms = self.forms.of(doc)
        if not forms:
            doc.user_data[LEMMAS], doc.user_data[PARTS] = [], []
            return doc
        starts = doc.to_array(SENT_START).tolist()
        tags = _tags(doc)
        old = doc.to_array(LEMMA).tolist()
        strings = doc.vocab.strings
        lemma_ids = list(old)
        analysed, contexts = self.analysed, self.contexts
        previous, previous_pos = "", ""
        all_lemmas: list[tuple[str, ...]] = []
        all_parts: list[tuple[str, ...]] = []
        for i, token in enumerate(forms):
            if token.space:
                all_lemmas.append(())
                all_parts.append(())
                continue
            form = token.lower
            if token.punct or token.url or token.num or not token.letter:
                if self.overwrite or not old[i]:
                    lemma_ids[i] = self._id(strings, form if token.num else token.text)
                all_lemmas.append(())
                all_parts.append(())
                previous, previous_pos = form, "number" if token.num else ""
                continue
            tag = tags[i] if tags else ""
            # a capitalised word mid-sentence is a name ("Granveien"), not a compound to lemmatise; after an opening
            # quote, dash or colon it may start a sentence
            name_like = tag == "PROPN" or (token.upper and starts[i] != 1 and previous not in OPENERS)
            context = contexts.get((previous, previous_pos))
            if context is None:
                context = contexts[(previous, previous_pos)] = context_of(previous, previous_pos)
            key = (form, tag, context, name_like)
            found = analysed.get(key)
            if found is None:
                found = self.analyse(*key)
            lemma, names, parts, pos = found
            if form == "det" and not tag and self._before_adjective(forms, i + 1):
                lemma, names = "den", ("den", *names)  # the article of "det nye huset", as UD has it
            if tag == "PROPN" and names == (form,):
                lemma = token.text
            if self.overwrite or not old[i]:
                lemma_ids[i] = self._id(strings, lemma)
            elif strings[old[i]].lower() != names[0]:
                names = (strings[old[i]].lower(), *names)
            all_lemmas.append(names)
            all_parts.append(parts)
            previous, previous_pos = form, pos
        if lemma_ids != old:
            doc.from_array([LEMMA], column(lemma_ids))
        doc.user_data[LEMMAS] = all_lemmas
        doc.user_data[PARTS] = all_parts
        return doc

    def _id(self, strings: StringStore, lemma: str) -> int:
        """The lemma's hash, added to the string store the first time (a lemma need not be a form of the text)."""
        found = self.ids.get(lemma)
        if found is None:
            found = self.ids[lemma] = strings.add(lemma)
        return found


def _tags(doc: Doc) -> list[str]:
    """Each token's part of speech (or fine tag) from a tagger; empty when the pipeline has none."""
    if not (doc.has_annotation("POS") or doc.has_annotation("TAG")):
        return []
    return [token.pos_ or token.tag_ for token in doc]


@Language.factory(COMPONENT, default_config={"overwrite": True})
def make_lemmatizer(nlp: Language, name: str, overwrite: bool) -> LexiconLemmatizer:
    return LexiconLemmatizer(overwrite=overwrite)
