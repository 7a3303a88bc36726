"""Person entities: names nobody is known by, found by a Norwegian model's NER when the project has one.

fokus never requires ``nb_core_news_sm``. Redaction uses the pipeline tagging uses, loaded the same way
(:func:`fokus.nlp.pipeline.load_pipeline`): the project's remembered model when it is a real one, else
``nb_core_news_sm`` when it is installed, else none; a pipeline without an ``ner`` component finds no entities.
Only the named-entity recogniser (and the embedding layer it listens to) runs: redaction needs no tags or lemmas.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from spacy.language import Language

PERSON_LABELS = frozenset({"PER", "PERSON"})
BATCH = 128


def entity_model(session: Session) -> str | None:
    """The pipeline redaction would take person entities from (a package name or folder), or None."""
    from fokus.domain.settings import BUILTIN_PIPELINE, MODEL_SETTING, NORWEGIAN_MODEL, get_setting

    remembered = get_setting(session, MODEL_SETTING)
    if remembered and remembered not in (BUILTIN_PIPELINE, "auto"):
        return remembered
    return NORWEGIAN_MODEL if importlib.util.find_spec(NORWEGIAN_MODEL) is not None else None


class EntityFinder:
    """The character spans of person entities in texts, from a loaded spaCy pipeline."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.name = str(nlp.meta.get("name") or "pipeline")
        self._needed = _needed_components(nlp)

    @classmethod
    def load(cls, model: str) -> EntityFinder | None:
        """The finder for ``model``, or None when the pipeline has no NER."""
        from fokus.nlp.pipeline import load_pipeline

        nlp = load_pipeline(model)
        return cls(nlp) if "ner" in nlp.pipe_names else None

    def persons(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """For each text, the (start, end) of every person entity in it."""
        found: list[list[tuple[int, int]]] = []
        disabled = [name for name in self.nlp.pipe_names if name not in self._needed]
        with self.nlp.select_pipes(disable=disabled):
            for doc in self.nlp.pipe(texts, batch_size=BATCH):
                found.append([(e.start_char, e.end_char) for e in doc.ents if e.label_ in PERSON_LABELS])
        return found


def _needed_components(nlp: Language) -> set[str]:
    """The NER and any shared embedding layer (tok2vec, transformer) it listens to."""
    needed = {"ner"}
    for name, component in nlp.pipeline:
        listeners = getattr(component, "listening_components", None)
        if listeners and "ner" in listeners:
            needed.add(name)
    return needed
