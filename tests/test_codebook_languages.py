"""Codebooks in two languages: names and notes as `{nb: ..., en: ...}`, stored in the codebook's language with the
others beside them, shown in the reader's language, kept by loads, renamed where they are seen, migrated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import select

from fokus.api.codebook import codable_codes, codebook_rows, load_codebook
from fokus.api.codebook_edit import edit_code, rename_code
from fokus.cli import main
from fokus.domain.codes import shown_name, shown_text
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.i18n import use
from fokus.model import Code
from fokus.store import Project, open_project
from fokus.store.migrate import HEAD, alembic_config, current_revision

TWO_LANGUAGES = """\
codebook: Liten kodebok
codes:
  - id: krise
    name: {nb: Krise og beredskap, en: Crisis and emergency}
    description: {nb: Kriser og beredskap., en: Crises and preparedness.}
    children:
      - id: flom
        name: Flom
  - id: dialog
    name: {en: Dialogue with residents, nb: Innbyggerdialog}
    include: {en: Questions and answers.}
"""


def write(tmp_path: Path, text: str, name: str = "cb.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_codebooks_language_is_stored_and_the_others_kept_beside(tmp_path: Path) -> None:
    spec = read_codebook(write(tmp_path, TWO_LANGUAGES)).by_path()
    assert (spec["krise"].name, spec["krise"].description) == ("Krise og beredskap", "Kriser og beredskap.")
    assert spec["krise"].translations == {
        "en": {"name": "Crisis and emergency", "description": "Crises and preparedness."}
    }
    assert (spec["krise/flom"].name, spec["krise/flom"].translations) == ("Flom", None)
    assert spec["dialog"].name == "Innbyggerdialog"
    assert spec["dialog"].include == "Questions and answers."  # no Norwegian text: the one there is, stored
    assert spec["dialog"].translations == {
        "en": {"name": "Dialogue with residents", "include": "Questions and answers."}
    }


def test_an_english_codebook_keeps_norwegian_as_the_translation(tmp_path: Path) -> None:
    text = "language: en\ncodes:\n  - id: a\n    name: {nb: Krise, en: Crisis}\n"
    code = read_codebook(write(tmp_path, text)).codes[0]
    assert (code.name, code.translations) == ("Crisis", {"nb": {"name": "Krise"}})


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("codes:\n  - id: a\n    name:\n      nb: A\n      de: B\n", 5, "unknown language 'de' in 'name'"),
        ("codes:\n  - id: a\n    name: {}\n", 3, "'name' has no text in any language"),
        ("codes:\n  - id: a\n    name: {nb: A, en: ''}\n", 3, "'en' is empty"),
        ("codes:\n  - id: a\n    name: A\n    description: {en: [x]}\n", 4, "'en' must be text"),
    ],
)
def test_bad_language_mappings_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FokusError) as err:
        read_codebook(path)
    assert f"{path}:line {line}: {words}" in str(err.value)


def test_a_bad_mapping_writes_nothing(project: Project, tmp_path: Path) -> None:
    bad = write(tmp_path, TWO_LANGUAGES.replace("en: Crisis and emergency", "fr: Crise"))
    result = CliRunner().invoke(main, ["--db", project.display, "codebook", "load", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == (f"fokus: error: {bad}:line 4: unknown language 'fr' in 'name' (allowed: en, nb, nn)\n")
    with project.read() as session:
        assert session.scalars(select(Code.translations)).all() == [None] * 5


def loaded(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        load_codebook(session, read_codebook(write(tmp_path, TWO_LANGUAGES)))


def test_loading_stores_translations_and_shows_the_readers_language(project: Project, tmp_path: Path) -> None:
    loaded(project, tmp_path)
    with project.read() as session:
        krise = session.scalars(select(Code).where(Code.path == "krise")).one()
        assert krise.name == "Krise og beredskap"
        assert krise.translations == {"en": {"name": "Crisis and emergency", "description": "Crises and preparedness."}}
        assert (shown_name(krise, "en"), shown_name(krise, "nb"), shown_name(krise, "qps")) == (
            "Crisis and emergency",
            "Krise og beredskap",
            "Crisis and emergency",
        )
        assert shown_text(krise, "include", "en") is None
        use("en")
        assert dict(codable_codes(session))["dialog"] == "Dialogue with residents"
        assert dict(codable_codes(session))["krise/flom"] == "Flom"  # no English name: the stored one
        use("nb")
        assert dict(codable_codes(session))["dialog"] == "Innbyggerdialog"
        rows = {row["id"]: row for row in codebook_rows(session)}
        assert rows["krise"]["name"] == "Krise og beredskap"  # what files keep, whatever the reader's language
        assert rows["krise"]["translations"]["en"]["name"] == "Crisis and emergency"
        assert "translations" not in rows["krise/flom"]
        use("en")
        shown = {row["id"]: row for row in codebook_rows(session, shown=True)}
        assert (shown["krise"]["name"], shown["krise"]["description"]) == (
            "Crisis and emergency",
            "Crises and preparedness.",
        )


def test_codebook_show_table_in_the_readers_language_json_keeps_the_stored_name(
    project: Project, tmp_path: Path
) -> None:
    loaded(project, tmp_path)
    runner = CliRunner()
    english = runner.invoke(main, ["--lang", "en", "--db", project.display, "codebook", "show"])
    norsk = runner.invoke(main, ["--lang", "nb", "--db", project.display, "codebook", "show"])
    assert english.exit_code == norsk.exit_code == 0, english.output + norsk.output
    assert "Crisis and emergency" in english.output
    assert "Krise og beredskap" not in english.output
    assert "Krise og beredskap" in norsk.output
    assert "Crisis and emergency" not in norsk.output
    rows = json.loads(runner.invoke(main, ["--db", project.display, "codebook", "show", "--json"]).output)
    assert rows[0]["name"] == "Krise og beredskap"
    assert rows[0]["translations"] == {
        "en": {"name": "Crisis and emergency", "description": "Crises and preparedness."}
    }


def test_analyses_show_the_readers_name_and_csv_keeps_the_stored_one(project: Project, tmp_path: Path) -> None:
    loaded(project, tmp_path)
    runner = CliRunner()

    def freq(lang: str, shown: str) -> str:
        result = runner.invoke(main, ["--lang", lang, "--db", project.display, "freq", "--format", shown])
        assert result.exit_code == 0, result.output
        return result.output

    english, norsk = freq("en", "md"), freq("nb", "md")  # the terminal table leaves names out
    assert "Crisis and emergency" in english
    assert "Krise og beredskap" not in english
    assert "Krise og beredskap" in norsk
    assert "Crisis and emergency" not in norsk
    assert "Flom" in english  # a code with one name shows it in every language
    assert freq("en", "csv") == freq("nb", "csv")
    assert "Krise og beredskap" in freq("en", "csv")
    assert json.loads(freq("en", "json")) == json.loads(freq("nb", "json"))


def test_a_one_language_codebook_shows_json_as_before(project: Project) -> None:
    result = CliRunner().invoke(main, ["--db", project.display, "codebook", "show", "--json"])
    rows = json.loads(result.output)
    keys = ["id", "name", "parent", "description", "include", "exclude", "examples", "color", "codable", "codings"]
    assert [list(row) for row in rows] == [keys] * 5
    assert rows[0] == {
        "id": "krise",
        "name": "Krise og beredskap",
        "parent": None,
        "description": "Kriser og beredskap.",
        "include": None,
        "exclude": None,
        "examples": [],
        "color": "#D62728",
        "codable": True,
        "codings": 0,
    }


def test_loading_again_keeps_translations(project: Project, tmp_path: Path) -> None:
    loaded(project, tmp_path)
    with project.begin() as session:
        report = load_codebook(session, read_codebook(write(tmp_path, TWO_LANGUAGES)))
        assert (report.added, report.updated) == ([], [])
    with project.read() as session:
        assert session.scalar(select(Code.translations).where(Code.path == "krise"))["en"]["name"] == (
            "Crisis and emergency"
        )


def test_a_refi_qda_load_keeps_the_translations(project: Project, tmp_path: Path) -> None:
    loaded(project, tmp_path)
    qdc = tmp_path / "book.qdc"
    runner = CliRunner()
    exported = runner.invoke(main, ["--db", project.display, "codebook", "export", "-o", str(qdc)])
    assert exported.exit_code == 0, exported.output
    assert "Krise og beredskap" in qdc.read_text(encoding="utf-8")  # REFI-QDA keeps the codebook's own names
    assert "Crisis and emergency" not in qdc.read_text(encoding="utf-8")
    loaded_again = runner.invoke(main, ["--db", project.display, "codebook", "load", str(qdc)])
    assert loaded_again.exit_code == 0, loaded_again.output
    with project.read() as session:
        assert session.scalar(select(Code.translations).where(Code.path == "krise")) is not None


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_rename_changes_the_name_the_reader_sees_and_undo_restores_it(
    project: Project, tmp_path: Path, lang: str
) -> None:
    loaded(project, tmp_path)
    use(lang)
    with project.begin() as session:
        report = rename_code(session, "krise", name="Ny", coder_id=None)
        assert report.codes == ["krise"]
    with project.read() as session:
        krise = session.scalars(select(Code).where(Code.path == "krise")).one()
        if lang == "en":
            assert (krise.name, krise.translations["en"]["name"]) == ("Krise og beredskap", "Ny")
        else:
            assert (krise.name, krise.translations["en"]["name"]) == ("Ny", "Crisis and emergency")
        assert shown_name(krise) == "Ny"
    with project.begin() as session:  # a code without the reader's language: the stored name, in either language
        rename_code(session, "krise/flom", name="Oversvømmelse")
    with project.read() as session:
        assert session.scalar(select(Code.name).where(Code.path == "krise/flom")) == "Oversvømmelse"


def test_editing_changes_the_stored_texts_and_keeps_the_translations(project: Project, tmp_path: Path) -> None:
    """The codebook screen shows and edits the stored texts, whatever the reader's language."""
    loaded(project, tmp_path)
    use("en")
    with project.begin() as session:
        edit_code(session, "krise", name="Krise", description="Kriser.")
        krise = session.scalars(select(Code).where(Code.path == "krise")).one()
        assert (krise.name, krise.description) == ("Krise", "Kriser.")
        assert krise.translations == {"en": {"name": "Crisis and emergency", "description": "Crises and preparedness."}}


def test_undo_of_a_rename_restores_the_translations(project: Project, tmp_path: Path) -> None:
    loaded(project, tmp_path)
    args = ["--lang", "en", "--db", project.display, "codebook", "rename", "krise", "--name", "Crisis"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with project.read() as session:
        assert session.scalar(select(Code.translations).where(Code.path == "krise"))["en"]["name"] == "Crisis"
    undone = CliRunner().invoke(main, ["--db", project.display, "undo"])
    assert undone.exit_code == 0, undone.output
    with project.read() as session:
        krise = session.scalars(select(Code).where(Code.path == "krise")).one()
        assert krise.name == "Krise og beredskap"
        assert krise.translations == {"en": {"name": "Crisis and emergency", "description": "Crises and preparedness."}}


def test_a_project_from_the_previous_revision_migrates_with_its_codes(project: Project) -> None:
    with project.engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # as fokus migrates: the table is copied, its references wait
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with connection.begin():
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        if connection.dialect.name == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    with project.read() as session:
        assert current_revision(session.connection()) == "0007"
    project.close()
    again = open_project(project.display)
    try:
        with again.read() as session:
            assert current_revision(session.connection()) == HEAD
            assert session.execute(
                select(Code.path, Code.name, Code.translations).where(Code.path == "krise")
            ).one() == (
                "krise",
                "Krise og beredskap",
                None,
            )
    finally:
        again.close()
