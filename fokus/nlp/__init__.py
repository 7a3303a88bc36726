"""Norwegian language processing for theme suggestions: the spaCy pipeline, the Ordbank lexicon, compounds,
social-media sentences, and codebook rules compiled to matchers.

The pipeline's names are imported on first use: the lexicon alone (which redaction reads on every export) needs no
spaCy, and importing ``fokus.nlp.lexicon`` runs this file first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fokus.nlp.pipeline import BUILTIN, NORWEGIAN_MODEL, describe, load_pipeline

__all__ = ["BUILTIN", "NORWEGIAN_MODEL", "describe", "load_pipeline"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from fokus.nlp import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
