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
