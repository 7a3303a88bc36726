"""Mapping coded spans from an old text to its edited version: exact where the text is unchanged, flagged otherwise."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fokus.api.reanchor_spans import EXACT, LOST, MOVED, SIMILAR, reanchor, sentence_around

# A few letters, spaces and sentence ends: repetitive text is where a diff aligns things in surprising ways.
SMALL = st.text(alphabet="ab .\nø", max_size=40)
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå .,!?\n", max_size=80)


@st.composite
def text_and_spans(draw: st.DrawFn, texts: st.SearchStrategy[str] = WORDS) -> tuple[str, list[tuple[int, int]]]:
    text = draw(texts.filter(bool))
    spans = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text) - 1))
        spans.append((start, draw(st.integers(start + 1, len(text)))))
    return text, spans


@st.composite
def edit_outside(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> tuple[str, tuple[int, int], str, int]:
    """A text, a span in it, and the text with one edit (delete and/or insert) wholly before or after the span.

    Also returns how far the edit shifts text after it.
    """
    text, spans = draw(text_and_spans(texts))
    s, e = spans[0]
    before = draw(st.booleans()) if s > 0 and e < len(text) else s > 0
    if not before and e == len(text):
        before = True
    lo, hi = (0, s) if before else (e, len(text))
    a = draw(st.integers(lo, hi))
    b = draw(st.integers(a, hi))
    inserted = draw(texts)
    new = text[:a] + inserted + text[b:]
    return text, (s, e), new, len(inserted) - (b - a) if before else 0


@settings(max_examples=300, deadline=None)
@given(text_and_spans(), WORDS.filter(bool))
def test_every_placement_is_a_valid_span_and_exact_means_the_same_text(
    old_spans: tuple[str, list[tuple[int, int]]], new: str
) -> None:
    old, spans = old_spans
    placements = reanchor(old, new, spans)
    assert len(placements) == len(spans)
    for (s, e), placement in zip(spans, placements, strict=True):
        assert 0 <= placement.start < placement.end <= len(new)
        assert placement.state in (EXACT, MOVED, LOST)
        if placement.state == EXACT:
            assert new[placement.start : placement.end] == old[s:e]
        if placement.state == MOVED:
            ratio = SequenceMatcher(None, old[s:e], new[placement.start : placement.end], autojunk=False).ratio()
            assert ratio >= SIMILAR
            assert placement.ratio == pytest.approx(ratio)


@settings(max_examples=300, deadline=None)
@given(text_and_spans(SMALL), SMALL.filter(bool))
def test_placements_are_valid_in_repetitive_text_too(old_spans: tuple[str, list[tuple[int, int]]], new: str) -> None:
    old, spans = old_spans
    for (s, e), placement in zip(spans, reanchor(old, new, spans), strict=True):
        assert 0 <= placement.start < placement.end <= len(new)
        if placement.state == EXACT:
            assert new[placement.start : placement.end] == old[s:e]


@settings(max_examples=400, deadline=None)
@given(st.one_of(edit_outside(WORDS), edit_outside(SMALL)))
def test_an_edit_elsewhere_never_changes_the_text_of_a_span(case: tuple[str, tuple[int, int], str, int]) -> None:
    old, (s, e), new, shift = case
    [placement] = reanchor(old, new, [(s, e)])
    assert placement.state == EXACT
    assert new[placement.start : placement.end] == old[s:e]
    occurrences = sum(new.startswith(old[s:e], i) for i in range(len(new)))
    if occurrences == 1:  # where the text is unambiguous, it is found where the edit left it
        assert (placement.start, placement.end) == (s + shift, e + shift)


@given(text_and_spans())
def test_an_unedited_text_maps_every_span_onto_itself(old_spans: tuple[str, list[tuple[int, int]]]) -> None:
    old, spans = old_spans
    assert [(p.start, p.end, p.state) for p in reanchor(old, old, spans)] == [(s, e, EXACT) for s, e in spans]


OLD = "Vi svarar måndag. Flommen kom i natt. Takk for sist."
FLOOD = (OLD.index("Flommen"), OLD.index("natt.") + len("natt."))


def _one(new: str, span: tuple[int, int] = FLOOD) -> tuple[str, str, float]:
    [placement] = reanchor(OLD, new, [span])
    return placement.state, new[placement.start : placement.end], placement.ratio


def test_a_typo_fixed_before_the_span_shifts_it() -> None:
    new = OLD.replace("svarar", "svarer nå")
    assert _one(new)[:2] == (EXACT, "Flommen kom i natt.")


def test_a_lightly_edited_span_moves_to_its_new_text() -> None:
    new = OLD.replace("kom i natt", "kom i går natt")
    state, text, ratio = _one(new)
    assert (state, text) == (MOVED, "Flommen kom i går natt.")
    assert SIMILAR <= ratio < 1


def test_a_rewritten_span_is_lost_and_placed_on_what_replaced_it() -> None:
    new = OLD.replace("Flommen kom i natt.", "Kommunen stengte vegen.")
    state, text, ratio = _one(new)
    assert (state, text) == (LOST, "Kommunen stengte vegen.")
    assert ratio < SIMILAR


def test_a_deleted_span_is_lost_and_placed_on_the_sentence_where_it_was() -> None:
    assert _one(OLD.replace("Flommen kom i natt. ", ""))[:2] == (LOST, "Takk for sist.")
    assert _one(OLD.replace(" Flommen kom i natt. Takk for sist.", ""))[:2] == (LOST, "Vi svarar måndag.")


def test_a_span_past_the_old_text_is_lost_not_clamped() -> None:
    [placement] = reanchor("kort", "kort tekst", [(2, 40)])
    assert placement.state == LOST
    assert 0 <= placement.start < placement.end <= len("kort tekst")


def test_whitespace_only_text_still_gets_a_valid_span() -> None:
    [placement] = reanchor("Flom her", "   ", [(0, 4)])
    assert (placement.start, placement.end, placement.state) == (0, 3, LOST)


def test_an_empty_new_text_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        reanchor("Flom", "", [(0, 4)])


@pytest.mark.parametrize(
    ("pos", "expected"),
    [(0, "Vi svarar måndag."), (5, "Vi svarar måndag."), (18, "Flommen kom i natt."), (52, "Takk for sist.")],
)
def test_sentence_around(pos: int, expected: str) -> None:
    start, end = sentence_around(OLD, pos)
    assert OLD[start:end] == expected


def test_sentence_around_line_breaks_and_a_trailing_break() -> None:
    text = "Første linje\nAndre linje\n"
    start, end = sentence_around(text, len(text))
    assert text[start:end] == "Andre linje"
    start, end = sentence_around(text, 12)
    assert text[start:end] == "Andre linje"


# --- long messages: a diff by words, in time about linear in the text -------------------------------------------

LONG = " ".join(f"Melding {k}: flommen kom i natt og tok brua ved skolen." for k in range(1200))  # ~68,000 characters


def _sentence(text: str, k: int) -> tuple[int, int]:
    start = text.index(f"Melding {k}:")
    return start, text.index(".", start) + 1


def _long_edit() -> str:
    """LONG with a sentence inserted, a typo fixed, a sentence edited, one deleted and a line added at the end."""
    new = LONG.replace("Melding 50:", "Ny melding her. Melding 50:")
    new = new.replace("Melding 300: flommen", "Melding 300: Flommen")
    new = new.replace("Melding 700: flommen kom i natt", "Melding 700: flommen kom i går natt")
    start, end = _sentence(new, 1000)
    return new[:start] + new[end + 1 :] + "\nRedigert."


def test_a_long_edited_message_keeps_every_coding_on_its_words() -> None:
    new = _long_edit()
    coded = {k: _sentence(LONG, k) for k in (10, 100, 299, 300, 700, 1000, 1100, 1199)}
    placements = dict(zip(coded, reanchor(LONG, new, list(coded.values())), strict=True))
    for k in (10, 100, 299, 1100, 1199):  # unedited: the same words, at their new place
        assert placements[k].state == EXACT
        assert (placements[k].start, placements[k].end) == _sentence(new, k)
    assert (placements[300].state, new[placements[300].start : placements[300].end]) == (
        MOVED,
        "Melding 300: Flommen kom i natt og tok brua ved skolen.",
    )
    assert (placements[700].state, new[placements[700].start : placements[700].end]) == (
        MOVED,
        "Melding 700: flommen kom i går natt og tok brua ved skolen.",
    )
    assert placements[1000].state == LOST  # deleted: placed on the sentence that took its place
    assert (
        new[placements[1000].start : placements[1000].end] == "Melding 1001: flommen kom i natt og tok brua ved skolen."
    )


def test_difflib_only_ever_compares_small_stretches_of_a_long_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """The diff's cost: difflib's grows with the product of the lengths it compares; a character diff of the whole
    message compared 68,000 by 68,000 characters (126 s for 60,000). Now only stretches between anchors are."""
    largest = [0]

    class Measured(SequenceMatcher):  # type: ignore[type-arg]
        def set_seqs(self, a: Any, b: Any) -> None:
            largest[0] = max(largest[0], len(a) * len(b))
            assert largest[0] <= 250_000, f"difflib asked to compare {len(a)} by {len(b)}"
            super().set_seqs(a, b)

    monkeypatch.setattr("fokus.api.reanchor_spans.SequenceMatcher", Measured)
    spans = [_sentence(LONG, k) for k in range(0, 1200, 7)]
    placements = reanchor(LONG, _long_edit(), spans)
    assert sum(p.state == EXACT for p in placements) >= len(spans) - 3
    assert 0 < largest[0] <= 250_000


def test_a_long_message_of_a_few_words_repeated_still_follows_them() -> None:
    """Where no word occurs once, runs of words anchor the diff; where no run does either (text that repeats itself
    every few words), the coding still finds its words, near where they were."""
    sentences = [f"ja nei {'ja ' * (k % 5)}nei" for k in range(4000)]
    sentences[" ".join(sentences)[:45000].count(" ja nei ")] = "ja nei ja, sa Ingrid"  # after the deletion
    old = " ".join(sentences)
    start = old.index(" ", 50000) + 1
    for text, expected in ((old, start - 95), (old.replace("ja, sa Ingrid", "ja nei nei"), None)):
        new = text[:20000] + " HEI " + text[20000:40000] + text[40100:] + " slutt"
        [placement] = reanchor(text, new, [(start, start + 60)])
        assert placement.state == EXACT
        assert new[placement.start : placement.end] == text[start : start + 60]
        if expected is not None:  # "Ingrid" anchors the diff
            assert placement.start == expected
        assert abs(placement.start - (start - 95)) < 100
