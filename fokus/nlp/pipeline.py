"""The spaCy pipeline that tagging uses: the Norwegian model when it is there, the built-in one otherwise.

``nb_core_news_sm`` (tagger, parser, lemmatizer, NER) is not on PyPI and fokus never requires it. Resolution order:
the name or path given (``--model``, or the project's remembered choice), else ``nb_core_news_sm`` if installed,
else the built-in pipeline: ``spacy.blank("nb")``, the social-media sentence splitter and the Ordbank lemmatizer.
To any loaded model fokus adds its lemma candidates and compound parts (keeping the model's own lemmas, tags and
entities) and, when the model has no parser or sentence splitter of its own, the social-media sentence splitter.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from fokus import __version__
from fokus.domain.settings import BUILTIN_PIPELINE
from fokus.domain.settings import NORWEGIAN_MODEL as NORWEGIAN_MODEL
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.nlp import lemmatizer, sentences

BUILTIN = BUILTIN_PIPELINE


def load_pipeline(model: str | None = None) -> Language:
    """The spaCy ``Language`` for tagging (see the module docstring); ``token.lemma_`` is set on every token."""
    if model in (None, "", "auto"):
        model = NORWEGIAN_MODEL if spacy.util.is_package(NORWEGIAN_MODEL) else BUILTIN
    if model == BUILTIN:
        return builtin_pipeline()
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        hint = (
            _(
                "install it with `python -m spacy download nb_core_news_sm`, or leave --model out to use the"
                " built-in Norwegian pipeline"
            )
            if model == NORWEGIAN_MODEL
            else _("give an installed spaCy package or the folder of a saved pipeline")
        )
        raise FokusError(_("cannot load the spaCy pipeline {model!r}").format(model=model), hint=hint) from exc
    return _complete(nlp, model)


def builtin_pipeline() -> Language:
    nlp = spacy.blank("nb")
    nlp.add_pipe(sentences.COMPONENT)
    nlp.add_pipe(lemmatizer.COMPONENT)
    nlp.meta["name"] = "nb_fokus_lexicon"
    nlp.meta["version"] = __version__
    nlp.meta["description"] = "fokus's built-in Norwegian pipeline: social-media sentences, Norsk Ordbank lemmas"
    return nlp


def _complete(nlp: Language, model: str) -> Language:
    """Add fokus's sentence splitter (unless the model splits sentences) and lemma candidates to a loaded model."""
    splits = any(name in nlp.pipe_names for name in ("parser", "senter", "sentencizer", sentences.COMPONENT))
    if not splits:
        nlp.add_pipe(sentences.COMPONENT, first=True)
    has_lemmas = any(name in nlp.pipe_names for name in ("lemmatizer", "trainable_lemmatizer"))
    nlp.add_pipe(lemmatizer.COMPONENT, config={"overwrite": not has_lemmas}, last=True)
    if not nlp.meta.get("name") or nlp.meta.get("name") == "pipeline":
        nlp.meta["name"] = Path(model).name
    return nlp


def describe(nlp: Language) -> str:
    """The pipeline's name and version, as recorded with every suggestion: "nb_core_news_sm@3.8.0"."""
    lang = nlp.meta.get("lang", "nb")
    name = str(nlp.meta.get("name") or "pipeline")
    qualified = name if name.startswith(f"{lang}_") or "/" in name else f"{lang}_{name}"
    return f"{qualified}@{nlp.meta.get('version', '0.0.0')}"
