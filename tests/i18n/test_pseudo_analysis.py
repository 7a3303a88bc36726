"""The analyses speak the reader's language where people read them, and only there.

With the pseudo-locale every string that went through the translation layer comes back between ⟦ ⟧: a report
rendered in it, with those spans removed, must hold no English prose of its own. What is left is data (codes,
names, the researchers' messages and hypotheses, numbers) or words that escaped the layer. Telling the two apart
by a list of English words would flag a municipality called "Voss" or a code called "tone", and miss jargon; so the
heuristic compares two vocabularies that we do have: the words of the analysis modules' own message ids (what
fokus writes in English, read by Babel's extractor the way the catalogue is made) and the words of the project's
data. A word left over that fokus writes and the data does not hold escaped the layer. It can miss a word that is
both (a code named "test"), never flag one the data explains, and it needs no upkeep when a message is added.

With Bokmål the Markdown writes numbers and headings the Norwegian way; CSV and JSON are byte for byte the same in
every language, since programs read them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from sqlalchemy import select

import fokus.analysis
import fokus.files
from fokus.analysis.agreement import agreement, disagreements
from fokus.analysis.cooccurrence import cooccurrence, matrix
from fokus.analysis.frequencies import frequencies
from fokus.analysis.hypotheses import check_hypotheses
from fokus.analysis.passages import passages
from fokus.analysis.practices import find_practices
from fokus.analysis.report import cell, heading, write_report
from fokus.errors import FokusError
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook
from fokus.files.hypotheses import load_hypotheses
from fokus.i18n import catalogues, use
from fokus.model import Attribute, Case, CaseValue, Code, Coder, Message, Participant, Thread
from fokus.resources import default_hypotheses
from fokus.store import Project
from tests.analysis.backends import backend, demo, demo_postgresql, demo_sqlite

__all__ = ["backend", "demo", "demo_postgresql", "demo_sqlite"]

PSEUDO_SPAN = re.compile(r"⟦[^⟦⟧]*⟧")
WORD = re.compile(r"[^\W\d_]{3,}")

#: Each report a person reads, made from an open session.
REPORTS: dict[str, Callable[[Any], Any]] = {
    "frequencies": lambda s: frequencies(s),
    "frequencies by case": lambda s: frequencies(s, split="case"),
    "frequencies by month": lambda s: frequencies(s, split="month"),
    "co-occurrence": lambda s: cooccurrence(s),
    "matrix": lambda s: matrix(s, "fylke"),
    "agreement": lambda s: agreement(s),
    "disagreements": lambda s: disagreements(s),
    "hypotheses": lambda s: check_hypotheses(s, load_hypotheses(default_hypotheses())),
    "practices": lambda s: find_practices(s, include_unshared=True),
    "passages": lambda s: passages(s, "dialog", limit=5, with_code="krise"),
}


def without_marked(text: str) -> str:
    """The text with every ⟦...⟧ span removed, innermost first (a translated sentence may hold translated parts)."""
    while True:
        rest = PSEUDO_SPAN.sub(" ", text)
        if rest == text:
            return rest
        text = rest


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def english_vocabulary() -> set[str]:
    """The words of the message ids in fokus/analysis and fokus/files, as Babel extracts them for the catalogue."""
    found: set[str] = set()
    for package in (fokus.analysis, fokus.files):
        for path in sorted(Path(package.__path__[0]).glob("*.py")):
            for _line, message, _comments, _context in extract_from_file("python", path, keywords=DEFAULT_KEYWORDS):
                for text in message if isinstance(message, tuple) else (message,):
                    found |= words(re.sub(r"\{[^}]*\}", " ", text))  # a placeholder's name is not English
    return found


SHOWN = ("name", "description")  # the texts of a code that reports show (not its include and exclude notes)


def data_vocabulary(session: Any) -> set[str]:
    """Every word of what the researchers brought: messages, codes, cases and their values, names, hypotheses."""
    texts: list[str] = [default_hypotheses().read_text(encoding="utf-8")]
    for column in (
        Message.text,
        Thread.title,
        Code.path,
        Code.name,
        Code.description,
        Case.name,
        Attribute.name,
        CaseValue.value_text,
        Participant.pseudonym,
        Coder.name,
    ):
        texts += [str(value) for value in session.scalars(select(column)) if value is not None]
    for translations in session.scalars(select(Code.translations)):  # names in the codebook's other languages
        texts += [text for given in (translations or {}).values() for key, text in given.items() if key in SHOWN]
    return words("\n".join(texts))


def terminal(report: Any) -> str:
    """What the terminal table shows (fokus.cli.common.emit draws it with these): title, headings, cells."""
    shown = report.brief() if hasattr(report, "brief") else report
    columns = getattr(shown, "terminal_columns", shown.columns)()
    lines = [shown.title, " | ".join(heading(c) for c in columns)]
    lines += [" | ".join(cell(row.get(c), c) for c in columns) for row in shown.rows()]
    return "\n".join(lines)


def escaped(text: str, english: set[str], data: set[str]) -> list[str]:
    """The words fokus writes in English that are left outside ⟦ ⟧ and are not the project's data."""
    return sorted(words(without_marked(text)) & english - data)


@pytest.fixture(scope="module")
def vocabularies(demo: Project) -> Iterator[tuple[set[str], set[str]]]:
    with demo.read() as session:
        yield english_vocabulary(), data_vocabulary(session)


@pytest.mark.parametrize("name", REPORTS)
def test_no_english_prose_escapes_the_layer(demo: Project, vocabularies: tuple[set[str], set[str]], name: str) -> None:
    english, data = vocabularies
    use("qps")
    with demo.read() as session:
        report = REPORTS[name](session)
        markdown, table = report.markdown(), terminal(report)
    if name == "practices":  # a practice's title and words are lemmas of its passages: data too
        data = data | words(" ".join(f"{p.title} {' '.join(w for w, _v in p.words)}" for p in report.practices))
    assert "⟦" in markdown  # the reports did go through the layer
    assert "⟦" in table
    assert escaped(markdown, english, data) == [], markdown
    assert escaped(table, english, data) == [], table
    use("en")


def test_the_check_finds_a_heading_that_escaped(vocabularies: tuple[set[str], set[str]]) -> None:
    """The heuristic is not blind: an unwrapped English heading beside marked text is caught, data is not."""
    english, data = vocabularies
    text = "# Theme frequencies ⟦(accepted codings)⟧\n\n| ⟦code⟧ | Voss | dialog |"
    assert escaped(text, english, data) == ["frequencies", "theme"]


@pytest.mark.parametrize("name", REPORTS)
def test_csv_and_json_are_the_same_in_every_language(demo: Project, name: str) -> None:
    outputs: dict[str, dict[str, str]] = {}
    for lang in ("en", "nb", "qps"):
        use(lang)
        with demo.read() as session:
            report = REPORTS[name](session)
        outputs[lang] = {}
        for fmt in ("csv", "json"):
            out = io.StringIO()
            write_report(report, fmt, out)
            outputs[lang][fmt] = out.getvalue()
    use("en")
    assert outputs["nb"] == outputs["en"]
    assert outputs["qps"] == outputs["en"]
    assert "⟦" not in outputs["en"]["json"]


def test_norwegian_numbers_in_markdown(demo: Project) -> None:
    use("nb")
    with demo.read() as session:
        agreed = agreement(session)
        hypotheses = check_hypotheses(session, load_hypotheses(default_hypotheses()))
        found = passages(session, "dialog", limit=1)
        agreed_md, hypotheses_md, passages_md = agreed.markdown(), hypotheses.markdown(), found.markdown()
    use("en")
    # thousands grouped with a (no-break) space, decimals with a comma: 23 496 decisions, alpha 0,4...
    assert re.search(r"\d[\s\u00a0\u202f]\d{3}\b", agreed_md), agreed_md
    assert re.search(r"\| 0,\d+ \|", agreed_md)
    assert not re.search(r"\| 0\.\d+ \|", agreed_md)
    # p-values and intervals keep their digits with the decimal comma; shares as Norwegian percentages
    assert re.search(r"p = \d,\d+", hypotheses_md)
    assert "α = 0,05" in hypotheses_md
    assert re.search(r"\d+[\u00a0\s]%", hypotheses_md)
    assert not re.search(r"\bp = \d\.\d", hypotheses_md)
    # dates in prose written out, Norwegian style: (14. januar 2013; ...
    assert re.search(
        r"\(\d{1,2}\. (januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember) \d{4};",
        passages_md,
    )


def test_norwegian_headings_when_translated(demo: Project) -> None:
    """Once analysis.po is merged into the catalogue the headings are Norwegian (the pseudo test proves they go
    through the layer whatever the catalogue holds)."""
    if catalogues.catalogue("nb").gettext("Theme frequencies ({counted})") == "Theme frequencies ({counted})":
        pytest.skip("the Bokmål catalogue has no translation of the analyses yet")
    use("nb")
    with demo.read() as session:
        shown = frequencies(session).markdown()
        table = terminal(frequencies(session))
    use("en")
    assert shown.startswith("# Temafrekvenser (godkjente kodinger, underkoder rullet opp)")
    assert "| kode | navn | nivå | kodinger | meldinger | tråder | deltakere | case |" in shown
    assert "kodinger" in table.splitlines()[1]


#: Files a researcher may get wrong, one mistake each, and the reader of each.
BROKEN_FILES: dict[str, tuple[str, str, Callable[[Path], Any]]] = {
    "case table": ("cases.csv", "kommune,fylke\nVoss,Vestland\nVoss,Vestland\n", read_case_table),
    "codebook": ("kodebok.yaml", "codes:\n  - id: Krise\n    name: Krise\n", load_codebook),
    "hypotheses": (
        "hypoteser.yaml",
        "hypotheses:\n  - id: H1\n    statement: Krise\n    test: association\n    unit: message\n    codes: [krise]\n",
        load_hypotheses,
    ),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_file_error_is_in_the_readers_language(tmp_path: Path, name: str) -> None:
    """The reason and the hint go through the layer; the file and the line are data and stay as they are."""
    filename, text, read = BROKEN_FILES[name]
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    use("qps")
    with pytest.raises(FokusError) as caught:
        read(path)
    use("en")
    error = caught.value
    assert error.reason.startswith("⟦"), error.reason
    assert error.hint is None or error.hint.startswith("⟦"), error.hint
    assert error.where is None or "⟦" not in error.where
    assert error.path is None or "⟦" not in error.path
