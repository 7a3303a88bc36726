"""Sentence boundaries for Facebook talk: the coding units of fokus.

spaCy's rule-based sentencizer splits at every ".", "!" and "?", which in group talk cuts "kl. 10.30", "17. mai"
and "..." pauses apart and misses the many sentences that end in an emoji, a smiley or a line break. Here:

- a line break ends a sentence (comments are written line by line);
- ".", "!", "?", "…" and their runs end a sentence, also before a lowercase word (people skip capitals), except a
  "..." pause followed by a lowercase word, and a "." after an ordinal before a month ("17. mai");
- emojis and smileys right after the punctuation stay with the sentence they close ("Takk! 😊");
- an emoji or smiley ends a sentence when a capitalised word follows ("Så bra 😊 Vi prøver også");
- closing quotes and brackets stay with the sentence they close.

spaCy's Norwegian tokenizer already keeps abbreviations ("f.eks.", "bl.a.", "kl.", "nr.", "osv."), numbers, times
and URLs in one token; an abbreviation ends a sentence only when a capitalised word follows it ("... osv. Vi").
"""

from __future__ import annotations

import functools
import re

from spacy.language import Language
from spacy.tokens import Doc, Token

COMPONENT = "fokus_sentences"

ENDS = re.compile(r"^[.!?…]+$")
SMILEY = re.compile(r"^(?:[:;=8xX][-'^]?[()\[\]DPpOo/\\|*3]+|<3|xD+|XD+|:'\()$")
MONTHS = frozenset(
    "januar februar mars april mai juni juli august september oktober november desember "
    "jan feb mar apr jun jul aug sep sept okt nov des".split()
)
ORDINAL = re.compile(r"^\d+(?:[.:,]\d+)*\.$")  # "17." and "14.15." (a time closing a sentence)
# Abbreviations the tokenizer leaves as "t.d" + "." (Nynorsk and rarer Bokmål ones); a "." after them is not an end.
ABBREVIATIONS = frozenset(
    "t.d m.a bl.a f.eks o.l osb jf ca kl nr pga evt ev mht dvs t.o.m ifm iflg sml vha mvh pr tlf".split()
)
CLOSERS = frozenset(")]}»\"'”’")
ABBREVIATION_END = re.compile(r"^[^\W\d_]{1,5}\.$|^(?:[^\W\d_]{1,4}\.){2,}$")


def is_emoji(token: Token) -> bool:
    return _emoji_text(token.text)


@functools.lru_cache(maxsize=65536)
def _emoji_text(text: str) -> bool:
    if SMILEY.match(text):
        return True
    return all(ord(ch) >= 0x2190 and not ch.isalnum() for ch in text)


def _starts_new(token: Token | None) -> bool:
    """Whether the next word looks like the start of a sentence (a capital, a digit, or an opening quote)."""
    if token is None:
        return True
    first = token.text[:1]
    return first.isupper() or first.isdigit() or first in '«"(“-–'


def segment(doc: Doc) -> Doc:
    """Set ``is_sent_start`` on every token of ``doc``."""
    tokens = list(doc)
    count = len(tokens)
    starts = [False] * count
    if count:
        starts[0] = True
    i = 0
    while i < count:
        token = tokens[i]
        text = token.text
        if token.is_space:
            if "\n" in text and i + 1 < count:
                starts[i + 1] = True
            i += 1
            continue
        end = None
        if ENDS.match(text):
            nxt = _next_word(tokens, i)
            day_of_month = text == "." and _ordinal_date(tokens, i)
            pause = text in ("...", "…") and nxt is not None and not _starts_new(nxt)
            abbreviation = text == "." and i > 0 and tokens[i - 1].lower_ in ABBREVIATIONS and not _starts_new(nxt)
            if not (day_of_month or pause or abbreviation):
                end = i
        elif ORDINAL.match(text):
            nxt = _next_word(tokens, i)
            if nxt is not None and nxt.text[:1].isupper() and nxt.lower_ not in MONTHS:
                end = i  # "i 2013. Neste år": a year at the end of a sentence, not "17. mai"
        elif ABBREVIATION_END.match(text) and not token.like_url:
            nxt = _next_word(tokens, i)
            if nxt is not None and nxt.text[:1].isupper() and text.lower() in ("osv.", "mm.", "m.m.", "etc.", "o.l."):
                end = i
        elif is_emoji(token):
            nxt = _next_word(tokens, i)
            if nxt is not None and not is_emoji(nxt) and nxt.text[:1].isupper() and nxt.text != "I":
                end = i
        if end is not None:
            # the sentence keeps the emojis, smileys, closing quotes and further punctuation that follow
            j = end + 1
            closed = False
            while (
                j < count
                and not tokens[j].is_space
                and (is_emoji(tokens[j]) or tokens[j].text in CLOSERS or ENDS.match(tokens[j].text))
            ):
                closed = closed or tokens[j].text in CLOSERS
                j += 1
            after = _next_word(tokens, j - 1)
            if closed and after is not None and not _starts_new(after):
                i = j  # "(etter tre dager!) og fikk": the "!" closes a quote or bracket, not the sentence
                continue
            while j < count and tokens[j].is_space and "\n" not in tokens[j].text:
                j += 1
            if j < count and not tokens[j].is_space:
                starts[j] = True
            i = j
            continue
        i += 1
    for token, start in zip(tokens, starts, strict=True):
        token.is_sent_start = start
    return doc


def _next_word(tokens: list[Token], i: int) -> Token | None:
    for token in tokens[i + 1 :]:
        if "\n" in token.text:
            return None
        if not token.is_space:
            return token
    return None


def _ordinal_date(tokens: list[Token], i: int) -> bool:
    """A "." between a day number and a month: "17 . mai" when the tokenizer split them."""
    previous = tokens[i - 1] if i > 0 else None
    nxt = _next_word(tokens, i)
    return bool(previous is not None and previous.text.isdigit() and nxt is not None and nxt.lower_ in MONTHS)


@Language.component(COMPONENT)
def sentences(doc: Doc) -> Doc:
    return segment(doc)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """The sentences of a segmented doc as (start, end) character offsets, whitespace trimmed, none empty."""
    spans = []
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(text) - len(text.lstrip()))
        spans.append((start, start + len(stripped)))
    return spans
