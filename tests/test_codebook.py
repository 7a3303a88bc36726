"""Codebook files: strict validation with line numbers, and loading that reconciles without losing codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.codebook import codebook_rows, load_codebook
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.model import Code
from fokus.store import Project
from tests.conftest import SMALL_CODEBOOK


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_parents_and_order(codebook_file: Path) -> None:
    spec = read_codebook(codebook_file)
    assert [c.path for c in spec.codes] == ["krise", "krise/flom", "dialog", "gruppe", "gruppe/barn"]
    assert spec.by_path()["krise/flom"].parent == "krise"
    assert spec.by_path()["krise"].color == "#D62728"
    assert spec.by_path()["gruppe"].codable is False
    assert spec.by_path()["krise/flom"].line == 9


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("codes:\n  - id: a\n    name: A\n    exlude: typo\n", 4, "unknown key 'exlude'"),
        ("codes:\n  - id: Krise!\n    name: A\n", 2, "bad code id"),
        ("codes:\n  - id: a\n    name: A\n    color: red\n", 4, "bad color"),
        ("codes:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", 4, "defined twice (first on line 2)"),
        ("codes:\n  - id: a\n    name: A\n    name: B\n", 4, "duplicate key 'name'"),
        ("codes:\n  - id: a\n    name: [unclosed\n", 4, "not valid YAML"),
        ("codes:\n  - id: a\n", 2, "missing 'name'"),
        ("codes:\n  - id: a\n    name: A\n    codable: kanskje\n", 4, "true or false"),
        ("codes: []\n", 1, "no codes"),
        ("- just a list\n", 1, "a codebook is a mapping"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FokusError) as err:
        read_codebook(path)
    message = str(err.value)
    assert message.startswith(f"{path}:line {line}: "), message
    assert words in message
    assert "\n" not in message


def test_loading_again_updates_and_keeps_what_the_file_lost(project: Project, tmp_path: Path) -> None:
    changed = SMALL_CODEBOOK.replace("name: Flom", "name: Flom og ras").replace(
        "  - id: dialog\n    name: Innbyggerdialog\n", "  - id: omdomme\n    name: Omdømme\n"
    )
    with project.begin() as session:
        report = load_codebook(session, read_codebook(write(tmp_path, changed)))
    assert report.added == ["omdomme"]
    assert report.updated == ["krise/flom"]
    assert report.kept == ["dialog"]
    with project.read() as session:
        assert session.scalar(select(Code.name).where(Code.path == "krise/flom")) == "Flom og ras"
        rows = codebook_rows(session)
    assert {r["id"] for r in rows} == {"krise", "krise/flom", "dialog", "gruppe", "gruppe/barn", "omdomme"}
    flom = next(r for r in rows if r["id"] == "krise/flom")
    assert flom["parent"] == "krise"
    assert set(flom) >= {"id", "name", "parent", "description", "color"}


def test_the_default_codebook_is_valid_and_complete() -> None:
    from fokus.resources import default_codebook

    spec = read_codebook(default_codebook())
    top = [c.path for c in spec.codes if c.parent is None]
    assert top == [
        "dialog", "omdomme", "krise", "medvirkning", "eierskap",
        "ressurser", "plattform", "ungdom", "politikk", "god-praksis",
    ]  # fmt: skip
    for code in spec.codes:
        for text in (code.name, code.description, code.include, code.exclude):
            assert text, code.path
        assert code.examples, code.path
        assert code.color, code.path


# --- control characters: refused with the file, line and field ---------------------------------------------------

NUL_HINT = '(remove the escape "\\x00" from the file)'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'codes:\n  - id: krise\n    name: "Kri\\0se"\n',
            "line 3: 'name' holds a NUL character (U+0000), which PostgreSQL cannot store " + NUL_HINT,
        ),
        (
            'codebook: Liten\ndescription: "Om\\x00 flom"\ncodes:\n  - id: krise\n    name: Krise\n',
            "line 2: 'description' holds a NUL character (U+0000), which PostgreSQL cannot store " + NUL_HINT,
        ),
        (
            'codes:\n  - id: krise\n    name: Krise\n    examples: ["ok", "Flom\\0"]\n',
            "line 4: 'examples' holds a NUL character (U+0000), which PostgreSQL cannot store " + NUL_HINT,
        ),
        (
            "codes:\n  - id: krise\n    name: Krise\n    rules:\n      - id: r1\n"
            '        pattern: [{LOWER: "fl\\0m"}]\n',
            "line 6: 'LOWER' holds a NUL character (U+0000), which PostgreSQL cannot store " + NUL_HINT,
        ),
        (
            'codes:\n  - id: krise\n    name: Krise\n    include: "Ring\\a"\n',
            "line 4: 'include' holds a control character (U+0007), which no text of a codebook needs"
            ' (remove the escape "\\x07" from the file)',
        ),
        (
            'codes:\n  - id: krise\n    "na\\0me": Krise\n',
            "line 3: a key holds a NUL character (U+0000), which PostgreSQL cannot store " + NUL_HINT,
        ),
    ],
    ids=["name", "description", "example", "rule-pattern", "bell", "key"],
)
def test_a_control_character_is_refused_naming_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    """SQLite stored a NUL from a "\\0" escape; PostgreSQL refused it, and `fokus copy` failed on it."""
    path = write(tmp_path, text)
    with pytest.raises(FokusError) as err:
        read_codebook(path)
    assert str(err.value) == f"{path}:{message}"


def test_tabs_and_line_breaks_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, 'codes:\n  - id: krise\n    name: Krise\n    description: "Før:\\tflom\\r\\netter"\n')
    assert read_codebook(path).codes[0].description == "Før:\tflom\r\netter"


def test_a_hypothesis_file_shares_the_check(tmp_path: Path) -> None:
    from fokus.files.hypotheses import load_hypotheses

    path = tmp_path / "h.yaml"
    text = 'hypotheses:\n  - {id: H1, statement: "Flom\\0", test: trend, code: krise, unit: message}\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FokusError) as err:
        load_hypotheses(path)
    assert str(err.value) == (
        f"{path}:line 2: 'statement' holds a NUL character (U+0000), which PostgreSQL cannot store " + NUL_HINT
    )


def test_a_codebook_with_a_nul_is_refused_and_nothing_is_written(db: str, tmp_path: Path, codebook_file: Path) -> None:
    from tests.test_cli import fokus

    fokus("--db", db, "init", "--codebook", str(codebook_file))
    path = write(tmp_path, SMALL_CODEBOOK.replace("name: Flom", 'name: "Flom\\0"'))
    error = fokus("--db", db, "codebook", "load", str(path), ok=False)
    assert error.strip() == (
        f"fokus: error: {path}:line 10: 'name' holds a NUL character (U+0000), which PostgreSQL cannot store {NUL_HINT}"
    )
    assert "Flom" in fokus("--db", db, "codebook", "show")
    assert "\x00" not in fokus("--db", db, "codebook", "show", "--json")
