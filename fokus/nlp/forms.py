"""What fokus's components need to know about a word form, worked out once per form rather than once per token.

Word forms follow Zipf's law: a few thousand forms make up most tokens of group talk. Reading a spaCy ``Token``
object per token and asking it for its text, lower case and flags cost more than the rest of tagging together, so
the sentence splitter and the lemmatizer read a doc as arrays (``Doc.to_array``) and look each form's facts up here
by its hash: one dictionary hit per token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import ORTH, SPACY
from spacy.tokens import Doc
from spacy.vocab import Vocab

ENDS = re.compile(r"^[.!?…]+$")
SMILEY = re.compile(r"^(?:[:;=8xX][-'^]?[()\[\]DPpOo/\\|*3]+|<3|xD+|XD+|:'\()$")
ORDINAL = re.compile(r"^\d+(?:[.:,]\d+)*\.$")  # "17." and "14.15." (a time closing a sentence)
ABBREVIATION_END = re.compile(r"^[^\W\d_]{1,5}\.$|^(?:[^\W\d_]{1,4}\.){2,}$")
OPENING = '«"(“-–'
FORMS = "fokus.forms"  # doc.user_data: the facts of its tokens, from the sentence splitter for the lemmatizer
TEXT = "fokus.text"  # doc.user_data: the doc's text, which spaCy builds from its tokens on every access


def emoji_text(text: str) -> bool:
    """A smiley (":)", "<3") or a run of emoji and other symbols."""
    if SMILEY.match(text):
        return True
    return all(ord(ch) >= 0x2190 and not ch.isalnum() for ch in text)


@dataclass(frozen=True, slots=True)
class Form:
    """One word form's facts, the same wherever it occurs."""

    text: str
    spaced: str  # the text with the space that follows it
    lower: str
    space: bool  # whitespace only
    newline: bool
    punct: bool
    url: bool
    num: bool
    end: bool  # ".", "!", "?", "…" or a run of them
    ordinal: bool  # "17." or "14.15."
    abbreviation: bool  # looks like "osv." or "m.m."
    emoji: bool
    upper: bool  # starts with a capital
    opens: bool  # looks like the start of a sentence: a capital, a digit or an opening quote
    letter: bool  # holds a letter


class Forms:
    """The facts of every form seen so far, by the form's hash in a vocabulary's string store."""

    def __init__(self) -> None:
        self._known: dict[int, Form] = {}

    def of(self, doc: Doc) -> list[Form]:
        """The facts of each token of ``doc``, in order; the doc's text is kept with it on the way (``text_of``)."""
        known = self._known
        found = []
        pieces = []
        for orth, space in doc.to_array([ORTH, SPACY]).tolist():
            form = known.get(orth)
            if form is None:
                form = known[orth] = _facts(doc.vocab, orth)
            found.append(form)
            pieces.append(form.spaced if space else form.text)
        if TEXT not in doc.user_data:
            doc.user_data[TEXT] = "".join(pieces)
        return found


def _facts(vocab: Vocab, orth: int) -> Form:
    lexeme = vocab[orth]
    text = lexeme.orth_
    lower = lexeme.lower_
    first = text[:1]
    return Form(
        text=text,
        spaced=text + " ",
        lower=lower,
        space=lexeme.is_space,
        newline="\n" in text,
        punct=lexeme.is_punct,
        url=lexeme.like_url,
        num=lexeme.like_num,
        end=bool(ENDS.match(text)),
        ordinal=bool(ORDINAL.match(text)),
        abbreviation=bool(ABBREVIATION_END.match(text)),
        emoji=emoji_text(text),
        upper=first.isupper(),
        opens=first.isupper() or first.isdigit() or (first != "" and first in OPENING),
        letter=lower.isalpha() or any(ch.isalpha() for ch in lower),
    )


def text_of(doc: Doc) -> str:
    """The doc's text, built once and kept with the doc: sentences, lemmas and rules each need it."""
    text = doc.user_data.get(TEXT)
    if text is None:
        text = doc.user_data[TEXT] = doc.text
    return str(text)


NOT_START = 2**64 - 1  # SENT_START -1 ("not a sentence start") as the unsigned 64 bits Doc.from_array reads


def column(values: list[int]) -> Any:
    """Values (hashes, or 1 / ``NOT_START``) for ``Doc.from_array`` with one attribute."""
    return numpy.array(values, dtype=numpy.uint64)
