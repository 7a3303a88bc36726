"""The path for a real Norwegian model, tested with a tiny pipeline trained here (a tagger and an NER), saved to
disk and loaded by path, as `nb_core_news_sm` would be: its tags choose the lemmas, its entities stay, and its name
and version are recorded with every suggestion."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.training import Example

from fokus.nlp import describe, load_pipeline
from fokus.nlp.rules import RuleSet, analyse
from fokus.nlp.sentences import sentence_spans

TRAIN = [
    ("Kari medier mellom partene i Bodø .", ["PROPN", "VERB", "ADP", "NOUN", "ADP", "PROPN", "PUNCT"], [(29, 33)]),
    ("Ola medier i saken fra Voss .", ["PROPN", "VERB", "ADP", "NOUN", "ADP", "PROPN", "PUNCT"], [(23, 27)]),
    ("Sosiale medier er viktige i Bodø .", ["ADJ", "NOUN", "AUX", "ADJ", "ADP", "PROPN", "PUNCT"], [(28, 32)]),
    ("Nye medier gir nye muligheter .", ["ADJ", "NOUN", "VERB", "ADJ", "NOUN", "PUNCT"], []),
    ("Kommunen i Voss svarer raskt .", ["NOUN", "ADP", "PROPN", "VERB", "ADJ", "PUNCT"], [(11, 15)]),
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    random.seed(1)
    nlp = spacy.blank("nb")
    nlp.add_pipe("tagger")
    nlp.add_pipe("ner")
    examples = []
    for text, tags, places in TRAIN:
        doc = nlp.make_doc(text)
        entities = [(start, end, "GPE_LOC") for start, end in places]
        examples.append(Example.from_dict(doc, {"tags": tags, "entities": entities}))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    nlp.meta["name"] = "tiny_test"
    nlp.meta["version"] = "0.0.1"
    path = tmp_path_factory.mktemp("model") / "nb_tiny_test"
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="module")
def loaded(trained: Path) -> Language:
    return load_pipeline(str(trained))


def test_the_model_is_completed_with_fokus_components(loaded: Language) -> None:
    assert loaded.pipe_names == ["fokus_sentences", "tagger", "ner", "fokus_lemmatizer"]
    assert describe(loaded) == "nb_tiny_test@0.0.1"


def test_its_tags_choose_the_lemma(loaded: Language) -> None:
    builtin = load_pipeline("fokus-nb")
    text = "Kari medier mellom partene i Bodø ."
    assert [t.lemma_ for t in builtin(text)][1] == "medium"  # without tags: the noun reading
    doc = loaded(text)
    assert doc[1].tag_ == "VERB"
    assert doc[1].lemma_ == "mediere"
    assert set(doc[1]._.lemmas) >= {"mediere", "medium"}
    assert loaded("Sosiale medier er viktige i Bodø .")[1].lemma_ == "medium"


def test_its_entities_are_kept_and_usable_in_rules(loaded: Language) -> None:
    doc = loaded("Kari medier mellom partene i Bodø .")
    assert [(e.text, e.label_) for e in doc.ents] == [("Bodø", "GPE_LOC")]
    rules = RuleSet.from_codes(loaded, [("sted", [{"id": "by", "pattern": [[{"ENT_TYPE": "GPE_LOC"}]]}])])
    (hits,) = rules.match(doc, analyse(doc, sentence_spans(doc)))
    assert [h.code for h in hits] == ["sted"]


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    from fokus.errors import FokusError

    with pytest.raises(FokusError, match="cannot load the spaCy pipeline"):
        load_pipeline(str(tmp_path / "nowhere"))
