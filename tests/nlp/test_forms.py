"""The fast paths of tagging give what the plain ones give: facts per form, shared between components, and the
garbage collector's policy put back afterwards."""

from __future__ import annotations

import gc

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from fokus.allocation import fewer_collections
from fokus.nlp.forms import FORMS, TEXT, Forms, text_of
from fokus.nlp.lemmatizer import LEMMAS
from fokus.nlp.sentences import sentence_spans

TEXT_WITH_EVERYTHING = (
    "Vi la ut en video fra 17. mai kl. 10.30, osv. Den fikk 300 likes :) Følg oss på https://kommune.no!\n"
    "Hvem svarer i helgene?? Det nye huset åpner...  snart 😊 Ordføreren var fornøyd «i går»."
)


def test_the_facts_of_a_form_are_the_tokens_own(nlp: Language) -> None:
    doc = nlp.make_doc(TEXT_WITH_EVERYTHING)
    facts = Forms().of(doc)
    assert [f.text for f in facts] == [t.text for t in doc]
    assert [f.lower for f in facts] == [t.lower_ for t in doc]
    assert [(f.space, f.punct, f.url, f.num) for f in facts] == [
        (t.is_space, t.is_punct, t.like_url, t.like_num) for t in doc
    ]
    assert doc.user_data[TEXT] == doc.text == TEXT_WITH_EVERYTHING


def test_the_lemmatizer_gives_the_same_with_and_without_the_splitters_facts(nlp: Language) -> None:
    shared = nlp(TEXT_WITH_EVERYTHING)
    assert FORMS not in shared.user_data  # taken over by the lemmatizer, not kept with every doc
    alone = nlp.make_doc(TEXT_WITH_EVERYTHING)
    for _name, component in nlp.pipeline:
        alone = component(alone)
        alone.user_data.pop(FORMS, None)  # the lemmatizer must read the doc itself
    assert [t.lemma_ for t in alone] == [t.lemma_ for t in shared]
    assert alone.user_data[LEMMAS] == shared.user_data[LEMMAS]
    assert sentence_spans(alone) == sentence_spans(shared)


def test_a_component_that_retokenizes_between_splitter_and_lemmatizer_is_followed(nlp: Language) -> None:
    doc = nlp.make_doc("Vi bruker Facebook hver dag. Innbyggerne liker det.")
    splitter, lemmatizer = (component for _, component in nlp.pipeline)
    doc = splitter(doc)
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[2:4])  # "Facebook hver" as one token: the splitter's facts no longer fit
    doc = lemmatizer(doc)
    assert len(doc.user_data[LEMMAS]) == len(doc)
    lemmas = {token.text: token.lemma_ for token in doc}
    assert (lemmas["Innbyggerne"], lemmas["liker"], lemmas["dag"]) == ("innbygger", "like", "dag")


def test_text_of_builds_the_text_once_and_keeps_it(nlp: Language) -> None:
    doc = Doc(nlp.vocab, words=["Hei", "på", "deg"], spaces=[True, True, False])
    assert TEXT not in doc.user_data
    assert text_of(doc) == "Hei på deg"
    doc.user_data[TEXT] = "kept"
    assert text_of(doc) == "kept"


def test_the_collectors_policy_is_put_back_even_after_an_error() -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int]] = []

    def fail() -> None:
        with fewer_collections():
            seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        fail()
    assert seen[0][0] >= 100_000
    assert seen[0][1] > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
