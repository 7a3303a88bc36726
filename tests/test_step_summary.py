"""An undone step's toast quotes its passage between the language's quotation marks, cut at a word."""

from __future__ import annotations

import pytest

from fokus.api.step_summary import StepSummary, _shortened
from fokus.i18n import use

NAMES = {"coding": "the coding", "step": "the step"}


def test_the_excerpt_is_cut_at_a_word() -> None:
    text = "Kjære alle sammen: i dag stenger vi svømmehallen for godt"
    assert _shortened(text) == "Kjære alle sammen: i dag stenger vi …"
    assert _shortened("  Vi   svarte. ") == "Vi svarte."


@pytest.mark.parametrize(("lang", "marks"), [("en", "“{}”"), ("nb", "«{}»")])
def test_the_passage_is_quoted_as_the_language_quotes(lang: str, marks: str) -> None:
    use(lang)
    step = StepSummary("coding", ("dialog",), 1, "Vi svarte.")
    assert step.phrase(NAMES, " ") == "the coding dialog: " + marks.format("Vi svarte.")
