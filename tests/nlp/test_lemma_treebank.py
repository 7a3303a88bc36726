"""Measuring lemmas on a CoNLL-U treebank with its gold tokens (fokus.nlp.ud and gold_tokens scoring).

The treebank here is a few sentences written for this test, in the CoNLL-U format of Universal Dependencies.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from fokus.nlp.gold import lemma_accuracy
from fokus.nlp.ud import read_conllu

TREEBANK = """\
# sent_id = 1
# text = Brøytebilen går.Takk!
1\tBrøytebilen\tbrøytebil\tNOUN\t_\t_\t2\tnsubj\t_\t_
2\tgår\tgå\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No
3\t.\t$.\tPUNCT\t_\t_\t2\tpunct\t_\tSpaceAfter=No
4\tTakk\ttakk\tINTJ\t_\t_\t2\tdiscourse\t_\tSpaceAfter=No
5\t!\t$!\tPUNCT\t_\t_\t4\tpunct\t_\t_

# sent_id = 2
# text = Kommunens bøker
1-2\tKommunens\t_\t_\t_\t_\t_\t_\t_\t_
1\tKommunen\tkommune\tNOUN\t_\t_\t3\tnmod\t_\t_
2\ts\ts\tPART\t_\t_\t1\tcase\t_\t_
3\tbøker\tbok\tNOUN\t_\t_\t0\troot\t_\t_
3.1\tleses\tlese\tVERB\t_\t_\t_\t_\t_\t_
"""


def test_conllu_sentences_keep_the_syntactic_words_and_their_spaces(tmp_path: Path) -> None:
    path = tmp_path / "tiny.conllu"
    path.write_text(TREEBANK, encoding="utf-8")
    first, second = read_conllu(path)
    assert first.text == "Brøytebilen går.Takk!"
    assert [form for form, _, _ in first.tokens] == ["Brøytebilen", "går", ".", "Takk", "!"]
    assert first.spaces == [True, False, False, False, True]
    assert second.tokens == [("Kommunen", "kommune", "NOUN"), ("s", "s", "PART"), ("bøker", "bok", "NOUN")]


def test_gold_tokens_bypass_the_tokenizer_and_the_sentence_splitter(tmp_path: Path, nlp: Language) -> None:
    path = tmp_path / "tiny.conllu"
    path.write_text(TREEBANK, encoding="utf-8")
    sentences = read_conllu(path)
    # from the text, the tokenizer keeps "Kommunens" whole and the sentence does not align with its two words
    assert lemma_accuracy(nlp, sentences[1:]).misaligned == 1
    score = lemma_accuracy(nlp, sentences, gold_tokens=True)
    assert score.misaligned == 0
    assert score.tokens == 6  # punctuation is not counted
    assert score.by_pos == {"NOUN": 3, "VERB": 1, "INTJ": 1, "PART": 1}
    assert score.correct_by_pos["VERB"] == 1  # går -> gå
    assert ("bøker", "bok", "bok") not in score.errors
    assert score.correct == 6, score.errors
