"""parse_mapping: the CLI's --map items."""

from __future__ import annotations

from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.importers import CROWDTANGLE, parse_mapping


def test_field_equals_column_items() -> None:
    assert parse_mapping(["text=Innhold", " Case = Kommune ", "author=Navn=Etternavn"]) == {
        "text": "Innhold",
        "case": "Kommune",
        "author": "Navn=Etternavn",
    }


def test_the_crowdtangle_preset_and_overrides() -> None:
    assert parse_mapping(["crowdtangle"]) == dict(CROWDTANGLE)
    assert parse_mapping(["CrowdTangle", "case=Page Name"]) == dict(CROWDTANGLE) | {"case": "Page Name"}
    assert parse_mapping(["crowdtangle", "text=Description"])["text"] == "Description"


def test_mapping_files(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("text: Innhold\ncase: Kommune\n", encoding="utf-8")
    (tmp_path / "m.json").write_text('{"author": "Navn"}', encoding="utf-8")
    assert parse_mapping([str(tmp_path / "m.yaml"), str(tmp_path / "m.json")]) == {
        "text": "Innhold",
        "case": "Kommune",
        "author": "Navn",
    }


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("tekst=Innhold", "unknown field 'tekst' (fields: id, author, created_time, text, thread_id, parent_id, case"),
        ("Innhold", "expected field=Column, a preset (crowdtangle) or a .yaml/.json file (fields: id, author"),
        ("text=", "field 'text' needs a column name"),
    ],
)
def test_bad_items_are_errors(item: str, words: str) -> None:
    with pytest.raises(FokusError) as caught:
        parse_mapping([item])
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("list.yaml", "- text\n", "expected a mapping"),
        ("bad.yaml", "text: [unclosed\n", "not valid YAML"),
        ("bad.json", "{", "not valid JSON"),
        ("field.yml", "tekst: Innhold\n", "unknown field"),
        ("number.json", '{"text": 5}', "needs a column name"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, name: str, content: str, words: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FokusError, match=words):
        parse_mapping([str(path)])


def test_a_missing_mapping_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FokusError) as caught:
        parse_mapping([str(tmp_path / "missing.yaml")])
    assert caught.value.path == str(tmp_path / "missing.yaml")
    assert "cannot read" in caught.value.reason
