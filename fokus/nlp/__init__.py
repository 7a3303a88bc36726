"""Norwegian language processing for theme suggestions: the spaCy pipeline, the Ordbank lexicon, compounds,
social-media sentences, and codebook rules compiled to matchers.

Importing this package imports spaCy; the CLI does so only in the commands that tag.
"""

from fokus.nlp.pipeline import BUILTIN, NORWEGIAN_MODEL, describe, load_pipeline

__all__ = ["BUILTIN", "NORWEGIAN_MODEL", "describe", "load_pipeline"]
