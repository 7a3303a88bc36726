"""Hypothesis files in two languages: title, description, statements and notes as `{nb: ..., en: ...}`, reported in
the reader's language (Markdown, the terminal table), kept stable in JSON and CSV, refused with file and line when
the mapping is wrong; and the shipped codebook and hypotheses read in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fokus.cli import main
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook
from fokus.files.hypotheses import load_hypotheses
from fokus.resources import default_hypotheses
from fokus.store import Project

ROOT = Path(__file__).resolve().parents[1]

TWO_LANGUAGES = """\
title: {nb: Hypoteser om kriser, en: Hypotheses about crises}
description:
  nb: Et lite sett for testen.
  en: A small set for the test.
hypotheses:
  - id: H1
    statement:
      nb: Der det snakkes om krise, snakkes det om dialog.
      en: Where crises are talked about, dialogue is talked about.
    test: association
    codes: [krise, dialog]
    unit: message
    direction: positive
    note: {nb: En merknad., en: A note.}
  - id: H2
    statement: {en: Crises become rarer., nb: Kriser blir sjeldnere.}
    test: trend
    code: krise
    unit: message
    direction: negative
"""
# title, description, H1's statement, H2's statement, H1's note
NORWEGIAN = ["Hypoteser om kriser", "Et lite sett for testen.", "Der det snakkes om krise", "Kriser blir", "En merknad"]
ENGLISH = ["Hypotheses about crises", "A small set for the test.", "Where crises are talked", "Crises become", "A note"]

ONE_LANGUAGE = """\
title: Hypoteser om kriser
hypotheses:
  - id: H1
    statement: Der det snakkes om krise, snakkes det om dialog.
    test: association
    codes: [krise, dialog]
    unit: message
    note: En merknad.
"""


LANGUAGES = ("en", "nb")


def write(tmp_path: Path, text: str, name: str = "hypoteser.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check(project: Project, path: Path, lang: str, *options: str) -> str:
    result = CliRunner().invoke(
        main, ["--db", project.display, "--lang", lang, "hypotheses", "check", str(path), *options]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("lang", "shown", "hidden"), [("en", ENGLISH, NORWEGIAN), ("nb", NORWEGIAN, ENGLISH)])
def test_markdown_shows_the_readers_language(
    project: Project, tmp_path: Path, lang: str, shown: list[str], hidden: list[str]
) -> None:
    markdown = check(project, write(tmp_path, TWO_LANGUAGES), lang, "--format", "md")
    title, description, statement, statement2, note = shown
    assert markdown.startswith(f"# {title}\n\n{description}\n\n")
    assert f"\n## H1: {statement}" in markdown
    assert f"\n## H2: {statement2}" in markdown
    assert f"\n*{note}" in markdown
    assert f"| H1 | {statement}" in markdown  # the summary table too
    assert [text for text in hidden if text in markdown] == []


def test_the_pseudo_locale_reads_the_english(project: Project, tmp_path: Path) -> None:
    """The statements are the researchers' data, not messages: under the pseudo-locale they read English, unmarked."""
    markdown = check(project, write(tmp_path, TWO_LANGUAGES), "qps", "--format", "md")
    assert "\n## H1: Where crises are talked about, dialogue is talked about.\n" in markdown
    assert [text for text in NORWEGIAN if text in markdown] == []


@pytest.mark.parametrize(("lang", "title"), [("en", "Hypotheses about crises"), ("nb", "Hypoteser om kriser")])
def test_the_terminal_table_has_the_title_in_the_readers_language(
    project: Project, tmp_path: Path, lang: str, title: str
) -> None:
    table = check(project, write(tmp_path, TWO_LANGUAGES), lang)
    assert table.splitlines()[0].strip() == title
    assert "H1" in table
    assert "H2" in table


def test_json_and_csv_keep_the_norwegian_in_every_language(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path, TWO_LANGUAGES)
    for fmt in ("json", "csv"):
        outputs = {lang: check(project, path, lang, "--format", fmt) for lang in ("en", "nb", "qps")}
        assert outputs["en"] == outputs["nb"] == outputs["qps"], fmt
    results = json.loads(check(project, path, "en", "--format", "json"))
    assert [r["statement"] for r in results] == [
        "Der det snakkes om krise, snakkes det om dialog.",
        "Kriser blir sjeldnere.",  # the Norwegian, though the mapping gives the English first
    ]
    assert [text for text in ENGLISH if text in json.dumps(results)] == []
    csv = check(project, path, "en", "--format", "csv")
    assert "Der det snakkes om krise, snakkes det om dialog." in csv
    assert "Where crises" not in csv


def test_the_file_keeps_every_language(tmp_path: Path) -> None:
    spec = load_hypotheses(write(tmp_path, TWO_LANGUAGES))
    h1, h2 = spec.hypotheses
    assert (spec.title, spec.description, h1.statement, h1.note) == (
        "Hypoteser om kriser",
        "Et lite sett for testen.",
        "Der det snakkes om krise, snakkes det om dialog.",
        "En merknad.",
    )
    assert spec.translations == {"en": {"title": "Hypotheses about crises", "description": "A small set for the test."}}
    assert h1.translations == {
        "en": {"statement": "Where crises are talked about, dialogue is talked about.", "note": "A note."}
    }
    assert (h2.shown("statement", "en"), h2.shown("statement", "nb"), h2.shown("note", "en")) == (
        "Crises become rarer.",
        "Kriser blir sjeldnere.",
        None,
    )
    assert h1.shown("statement", "nn") == h1.statement  # no Nynorsk given: the stable text


def test_a_file_in_english_only_is_shown_in_english_to_everyone(tmp_path: Path) -> None:
    spec = load_hypotheses(
        write(tmp_path, "hypotheses:\n  - {id: H1, statement: {en: Crises grow.}, test: trend, code: k, unit: case}\n")
    )
    (h,) = spec.hypotheses
    assert (h.statement, h.translations, h.shown("statement", "nb")) == ("Crises grow.", None, "Crises grow.")


BAD = [
    # (the statement's or title's YAML, the line the error names, the reason)
    ("    statement: {nb: A, de: B}\n", 3, "unknown language 'de' in 'statement'"),
    ("    statement:\n      nb: A\n      fr: B\n", 5, "unknown language 'fr' in 'statement'"),
    ("    statement: {}\n", 3, "'statement' has no text in any language"),
    ("    statement: {nb: A, en: ''}\n", 3, "'en' is empty"),
    ("    statement: {nb: '   '}\n", 3, "'nb' is empty"),
    ("    statement: {nb: A, en: [x]}\n", 3, "'en' must be text"),
    ("    statement: A\n    note: {sv: B}\n", 4, "unknown language 'sv' in 'note'"),
    ("    statement: A\n    note: {}\n", 4, "'note' has no text in any language"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD)
def test_bad_language_mappings_name_file_and_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = write(tmp_path, "hypotheses:\n  - id: H1\n" + text + "    test: trend\n    code: k\n    unit: message\n")
    with pytest.raises(FokusError) as err:
        load_hypotheses(path)
    assert f"{path}:line {line}: {reason}" in str(err.value)


def test_a_bad_title_is_one_line_from_the_cli(project: Project, tmp_path: Path) -> None:
    bad = write(tmp_path, TWO_LANGUAGES.replace("en: Hypotheses about crises", "de: Hypothesen"))
    result = CliRunner().invoke(main, ["--db", project.display, "hypotheses", "check", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == f"fokus: error: {bad}:line 1: unknown language 'de' in 'title' (allowed: en, nb, nn)\n"


def test_a_one_language_file_reports_as_before(project: Project, tmp_path: Path) -> None:
    """A plain text is the only text: every language shows it, and it reports as the same text in a one-language
    mapping does."""
    path = write(tmp_path, ONE_LANGUAGE)
    plain = {(lang, fmt): check(project, path, lang, "--format", fmt) for lang in LANGUAGES for fmt in ("md", "json")}
    for lang in LANGUAGES:
        markdown = plain[lang, "md"]
        assert markdown.startswith("# Hypoteser om kriser\n\n")
        assert "\n## H1: Der det snakkes om krise, snakkes det om dialog.\n" in markdown
        assert "\n*En merknad.*\n" in markdown
    assert plain["en", "json"] == plain["nb", "json"]
    assert json.loads(plain["en", "json"])[0]["statement"] == "Der det snakkes om krise, snakkes det om dialog."
    write(
        tmp_path,
        ONE_LANGUAGE.replace("title: Hypoteser om kriser", "title: {nb: Hypoteser om kriser}")
        .replace("statement: Der det", "statement: {nb: 'Der det")
        .replace("om dialog.\n", "om dialog.'}\n")
        .replace("note: En merknad.", "note: {nb: En merknad.}"),
    )
    assert load_hypotheses(path).hypotheses[0].translations is None
    mapped = {(lang, fmt): check(project, path, lang, "--format", fmt) for lang in LANGUAGES for fmt in ("md", "json")}
    assert mapped == plain


CODE_PATHS = re.compile(r"\b[a-z-]+/[a-z-]+\b")


def english(item: Any, key: str) -> str | None:
    return (item.translations or {}).get("en", {}).get(key)


def test_the_shipped_hypotheses_read_in_english_and_norwegian() -> None:
    spec = load_hypotheses(default_hypotheses())
    assert english(spec, "title") == "Hypotheses from the KS study of municipalities in social media"
    assert spec.title == "Hypoteser fra KS-studien om kommunene i sosiale medier"
    assert english(spec, "description")
    assert spec.description
    for h in spec.hypotheses:
        assert english(h, "statement") not in (None, h.statement), h.id
        assert (h.note is None) == (english(h, "note") is None), h.id
    h1 = spec.hypotheses[0]
    assert (h1.statement, english(h1, "statement")) == (
        "Der ledelsen eier satsingen, snakkes det også om ressurser.",
        "Where the leadership owns the effort, resources are talked about too.",
    )


def test_the_shipped_codebook_has_every_note_in_english() -> None:
    codebook = load_codebook(ROOT / "codebooks" / "kommune-sosiale-medier.yaml")
    assert len(codebook.codes) == 33
    for code in codebook.codes:
        for key in ("description", "include", "exclude"):
            norwegian, given = getattr(code, key), english(code, key)
            assert norwegian
            assert given not in (None, norwegian), (code.path, key)
            # the code paths a note points to are the same in English: krise/under, dialog/kritikk...
            assert CODE_PATHS.findall(norwegian) == CODE_PATHS.findall(given), (code.path, key)
    dialog = codebook.by_path()["dialog"]
    assert dialog.include == (
        "Utsagn om dialog med innbyggerne generelt, om at siden skal være en kanal for å spørre kommunen, "
        "og om hva dialogen gir kommunen."
    )
