"""No English escapes the errors of the core: in the pseudo-locale `qps`, where every string that went through the
translation layer comes out between ⟦ ⟧, the errors a researcher's files and commands can cause in the importers, the
REFI-QDA exchange, the store and the library API hold no word outside ⟦ ⟧ but their data.

The data is what the error names and quotes: the file (`path`), the place in it (`where`) and the values it quotes
('...'), which are the researcher's and never translated. So the check removes those, then the marked spans (nested
ones too: a reason formatted into another message), and asks that no word is left. A reason or a hint written
without `_()` leaves its words behind, and the test names them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fokus.api.codebook_edit import move_code, rename_code
from fokus.api.memos import edit_memo, memo_on_case
from fokus.api.review import review_queue
from fokus.api.rule_proposals import check_codebook_file
from fokus.errors import FokusError
from fokus.i18n import use
from fokus.store import Project, open_project
from tests.exchange.test_qdpx import NS, zip_bytes
from tests.exchange.test_qdpx_hostile import qdpx, text_source

INNERMOST = re.compile(r"⟦[^⟦⟧]*⟧")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
WORD = re.compile(r"[^\W\d_]{2,}")


def escaped(error: FokusError) -> list[str]:
    """The words of ``error`` outside ⟦ ⟧, once its data (file, place, quoted values) is left out."""
    text = str(error)
    for data in sorted((d for d in (error.path, error.where) if d), key=len, reverse=True):
        text = text.replace(" ".join(data.split()), " ")
    while (inner := INNERMOST.sub(" ", text)) != text:
        text = inner
    return WORD.findall(QUOTED.sub(" ", text))


def raised(action: Callable[[], object]) -> FokusError:
    """The FokusError ``action`` raises, in the pseudo-locale."""
    previous = use("qps")
    try:
        with pytest.raises(FokusError) as caught:
            action()
    finally:
        use(previous)
    return caught.value


def check(action: Callable[[], object]) -> FokusError:
    error = raised(action)
    assert "⟦" in str(error), str(error)
    assert escaped(error) == [], str(error)
    return error


# --- archives and files given to `fokus import` -----------------------------------------------------------------------


def test_a_truncated_zip(tmp_path: Path) -> None:
    from fokus.importers.archive import SafeZip

    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("your_activity_across_facebook/groups/group_posts_v2.json", "{}" * 5000)
    cut = tmp_path / "export.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    error = check(lambda: SafeZip(cut, str(cut)))
    assert error.path == str(cut)


def test_a_path_outside_the_archive(tmp_path: Path) -> None:
    from fokus.importers.archive import SafeZip

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../.bashrc", "echo hei")
    error = check(lambda: SafeZip(path, str(path)))
    assert "'../../.bashrc'" in str(error)


def test_a_csv_without_a_needed_column() -> None:
    from fokus.importers.csvfile import parse_csv

    data = b"id,author,text\n1,Kari,Hei\n"
    check(lambda: parse_csv(data, "meldinger.csv"))


def test_a_file_that_is_not_utf8() -> None:
    from fokus.importers.decoding import decode_text

    error = check(lambda: decode_text("id,text\n1,Bodø\n".encode("latin-1"), "meldinger.csv"))
    assert error.where == "line 2 (byte 13)"


def test_a_file_no_format_reads() -> None:
    from fokus.importers.detect import NotAnExport, ReadOptions, parse_bytes
    from fokus.importers.times import zone_named

    options = ReadOptions(None, zone_named("Europe/Oslo"))

    def given_directly() -> None:
        try:
            parse_bytes(b"Dette er ikke en eksport, bare en merknad.\n", "LESMEG.txt", options)
        except NotAnExport as err:
            raise err.as_error("LESMEG.txt") from None

    check(given_directly)


def test_broken_json() -> None:
    from fokus.importers.decoding import load_json

    check(lambda: load_json(b'{"data": [{"id": "1", "message": "Hei"', "feed.json"))


def test_a_transcript_without_a_thread() -> None:
    from fokus.importers.transcript import parse_transcript

    check(lambda: parse_transcript(b"[2024-05-12 10:00] Kari: Hei\n", "samtale.txt"))


def test_a_mapping_with_an_unknown_field() -> None:
    from fokus.importers.csvmapping import parse_mapping

    check(lambda: parse_mapping(["forfatter=Author"]))


def test_a_name_too_long_for_its_column() -> None:
    from fokus.importers.limits import check_length

    check(lambda: check_length("K" * 300, 100, "author name", "line 3", "meldinger.csv"))


# --- YAML written by hand ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("codes:\n  - id: krise\n    name: Krise\n    name: Kriser\n", id="a key written twice"),
        pytest.param("codes:\n  - id: krise\n    name: [Krise\n", id="an unclosed bracket"),
        pytest.param('codes:\n  - id: krise\n    name: "Kri\\x01se"\n', id="a control character"),
        pytest.param("codes:\n  - id: krise\n    created: 2024-02-30\n", id="a date that does not exist"),
    ],
)
def test_a_yaml_codebook_with_a_typo(tmp_path: Path, text: str) -> None:
    from fokus.importers.located_yaml import load_located_yaml

    path = tmp_path / "kodebok.yaml"
    path.write_text(text, encoding="utf-8")
    error = check(lambda: load_located_yaml(path))
    assert error.path == str(path)


# --- REFI-QDA ---------------------------------------------------------------------------------------------------------


def test_a_qdpx_with_a_bad_guid(tmp_path: Path) -> None:
    from fokus.exchange.qdpx_read import read_qdpx

    path = qdpx(tmp_path, '<TextSource guid="not-a-guid" name="Kilde"><PlainTextContent>Hei</PlainTextContent>'
                "</TextSource>")  # fmt: skip
    error = check(lambda: read_qdpx(path))
    assert "'not-a-guid'" in str(error)


def test_a_qdpx_whose_source_lies_outside_the_archive(tmp_path: Path) -> None:
    from fokus.exchange.qdpx_read import read_qdpx

    secret = tmp_path / "hemmelig.txt"
    secret.write_text("passord", encoding="utf-8")
    (tmp_path / "nedlastet").mkdir()
    path = qdpx(tmp_path / "nedlastet", text_source(1, path=f"absolute://{secret}"))
    error = check(lambda: read_qdpx(path))
    assert f"'absolute://{secret}'" in str(error)


def test_a_qdpx_without_a_project(tmp_path: Path) -> None:
    from fokus.exchange.qdpx_read import read_qdpx

    path = tmp_path / "p.qdpx"
    path.write_bytes(zip_bytes({"sources/a.txt": b"Hei"}))
    check(lambda: read_qdpx(path))


def test_a_qdc_that_is_a_project(tmp_path: Path) -> None:
    from fokus.exchange.qdc import read_qdc

    path = tmp_path / "kodebok.qdc"
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p"/>', encoding="utf-8")
    check(lambda: read_qdc(path))


def test_xml_with_an_entity(tmp_path: Path) -> None:
    from fokus.exchange.xmlsafe import parse_xml

    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    check(lambda: parse_xml(data, "p.qdpx!project.qde"))


# --- the store --------------------------------------------------------------------------------------------------------


def test_a_backup_that_is_not_a_regular_file(tmp_path: Path) -> None:
    from fokus.store.backup import restore_sqlite

    live = tmp_path / "p.db"
    open_project(str(live), create=True).close()
    folder = tmp_path / "p.db.20240512T100000000000Z.manual.bak"
    folder.mkdir()
    error = check(lambda: restore_sqlite(live, folder))
    assert error.path == str(folder)


def test_no_project_here(tmp_path: Path) -> None:
    check(lambda: open_project(str(tmp_path / "ingen.db")))


def test_a_copy_into_a_target_that_is_not_empty(project: Project) -> None:
    """On SQLite the target is a file that exists; on PostgreSQL a database that holds a project already."""
    from fokus.store.copy import copy_project

    target = project.display if project.sqlite_path is None else str(project.sqlite_path)
    check(lambda: copy_project(project, target))


# --- the library API --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda s: rename_code(s, "nei", name="Nei"), id="rename a code that is not there"),
        pytest.param(lambda s: move_code(s, "krise", "krise"), id="move a code under itself"),
        pytest.param(lambda s: edit_memo(s, 999, "Ny tekst", 1), id="edit a memo that is not there"),
        pytest.param(lambda s: memo_on_case(s, "Atlantis", "Hei"), id="a memo on a case that is not there"),
        pytest.param(lambda s: review_queue(s, order="tilfeldig"), id="an unknown review order"),
        pytest.param(lambda s: check_codebook_file(Path(".")), id="rules written into a folder"),
    ],
)
def test_the_library_refuses_in_the_readers_language(project: Project, action: Callable[[Session], object]) -> None:
    with project.begin() as session:
        check(lambda: action(session))
