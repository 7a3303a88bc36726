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

from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from fokus.nlp.forms import FORMS, NOT_START, Form, Forms, column, text_of

COMPONENT = "fokus_sentences"

MONTHS = frozenset(
    "januar februar mars april mai juni juli august september oktober november desember "
    "jan feb mar apr jun jul aug sep sept okt nov des".split()
)
# Abbreviations the tokenizer leaves as "t.d" + "." (Nynorsk and rarer Bokmål ones); a "." after them is not an end.
ABBREVIATIONS = frozenset(
    "t.d m.a bl.a f.eks o.l osb jf ca kl nr pga evt ev mht dvs t.o.m ifm iflg sml vha mvh pr tlf".split()
)
CLOSERS = frozenset(")]}»\"'”’")
CLOSING_ABBREVIATIONS = frozenset(("osv.", "mm.", "m.m.", "etc.", "o.l."))


def segment(doc: Doc, forms: Forms | None = None) -> Doc:
    """Set ``is_sent_start`` on every token of ``doc``."""
    tokens = doc.user_data[FORMS] = (forms or Forms()).of(doc)
    starts = sentence_starts(tokens)
    if tokens:
        doc.from_array([SENT_START], column([1 if start else NOT_START for start in starts]))
    return doc


def sentence_starts(tokens: list[Form]) -> list[bool]:
    """Whether each token starts a sentence (see the module docstring)."""
    count = len(tokens)
    starts = [False] * count
    if count:
        starts[0] = True
    i = 0
    while i < count:
        token = tokens[i]
        text = token.text
        if token.space:
            if token.newline and i + 1 < count:
                starts[i + 1] = True
            i += 1
            continue
        end = None
        if token.end:
            nxt = _next_word(tokens, i)
            day_of_month = text == "." and _ordinal_date(tokens, i)
            pause = text in ("...", "…") and nxt is not None and not nxt.opens
            abbreviation = text == "." and i > 0 and tokens[i - 1].lower in ABBREVIATIONS and not _opens(nxt)
            if not (day_of_month or pause or abbreviation):
                end = i
        elif token.ordinal:
            nxt = _next_word(tokens, i)
            if nxt is not None and nxt.upper and nxt.lower not in MONTHS:
                end = i  # "i 2013. Neste år": a year at the end of a sentence, not "17. mai"
        elif token.abbreviation and not token.url:
            nxt = _next_word(tokens, i)
            if nxt is not None and nxt.upper and text.lower() in CLOSING_ABBREVIATIONS:
                end = i
        elif token.emoji:
            nxt = _next_word(tokens, i)
            if nxt is not None and not nxt.emoji and nxt.upper and nxt.text != "I":
                end = i
        if end is not None:
            # the sentence keeps the emojis, smileys, closing quotes and further punctuation that follow
            j = end + 1
            closed = False
            while j < count and not tokens[j].space and (tokens[j].emoji or tokens[j].text in CLOSERS or tokens[j].end):
                closed = closed or tokens[j].text in CLOSERS
                j += 1
            after = _next_word(tokens, j - 1)
            if closed and after is not None and not after.opens:
                i = j  # "(etter tre dager!) og fikk": the "!" closes a quote or bracket, not the sentence
                continue
            while j < count and tokens[j].space and not tokens[j].newline:
                j += 1
            if j < count and not tokens[j].space:
                starts[j] = True
            i = j
            continue
        i += 1
    return starts


def _opens(token: Form | None) -> bool:
    """Whether the next word looks like the start of a sentence (or there is none)."""
    return token is None or token.opens


def _next_word(tokens: list[Form], i: int) -> Form | None:
    for token in tokens[i + 1 :]:
        if token.newline:
            return None
        if not token.space:
            return token
    return None


def _ordinal_date(tokens: list[Form], i: int) -> bool:
    """A "." between a day number and a month: "17 . mai" when the tokenizer split them."""
    previous = tokens[i - 1] if i > 0 else None
    nxt = _next_word(tokens, i)
    return bool(previous is not None and previous.text.isdigit() and nxt is not None and nxt.lower in MONTHS)


class SentenceSplitter:
    """The spaCy component; it keeps the facts of the forms it has seen (fokus.nlp.forms)."""

    def __init__(self) -> None:
        self.forms = Forms()

    def __call__(self, doc: Doc) -> Doc:
        return segment(doc, self.forms)


@Language.factory(COMPONENT)
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter()


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """The sentences of a segmented doc as (start, end) character offsets, whitespace trimmed, none empty.

    Read from the doc's arrays rather than from ``doc.sents``, which makes a ``Span`` and its text per sentence."""
    if not len(doc):
        return []
    if "sents" in doc.user_hooks or not doc.has_annotation("SENT_START"):
        bounds = [(sent.start_char, sent.end_char) for sent in doc.sents]
    else:
        table = doc.to_array([SENT_START, IDX, LENGTH]).tolist()
        bounds, first = [], 0
        for i in range(1, len(table) + 1):
            if i == len(table) or table[i][0] == 1:
                bounds.append((table[first][1], table[i - 1][1] + table[i - 1][2]))
                first = i
    text = text_of(doc)
    spans = []
    for start_char, end_char in bounds:
        sentence = text[start_char:end_char]
        stripped = sentence.strip()
        if not stripped:
            continue
        start = start_char + (len(sentence) - len(sentence.lstrip()))
        spans.append((start, start + len(stripped)))
    return spans
