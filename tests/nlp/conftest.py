"""The built-in pipeline is loaded once for all NLP tests (it is read-only once built)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from fokus.nlp import load_pipeline


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_pipeline("fokus-nb")
