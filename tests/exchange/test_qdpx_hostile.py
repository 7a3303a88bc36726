"""REFI-QDA projects from others: files outside the archive, repeated GUIDs and texts, sources without plain text,
and codings that cannot come in as they are, each refused in one line or reported, never read or dropped silently."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.codings import coding_rows
from fokus.errors import FokusError
from fokus.exchange import project_import, qdpx_read, qdpx_texts
from fokus.exchange.project_import import import_qdpx
from fokus.exchange.qdpx_read import read_qdpx
from fokus.model import Message
from fokus.store import open_project
from tests.exchange.test_qdpx import NS, zip_bytes
from tests.exchange.test_qdpx import new_db as new_db  # a fixture
from tests.test_cli import fokus
from tests.test_cli_import import content

CODE = "c0000000-0000-4000-8000-000000000001"
CODEBOOK = f'<CodeBook><Codes><Code guid="{CODE}" name="Flom" isCodable="true"/></Codes></CodeBook>'
USERS = '<Users><User guid="a0000000-0000-4000-8000-000000000001" name="Ingrid"/></Users>'


def guid(kind: str, n: int) -> str:
    return f"{kind}0000000-0000-4000-8000-{n:012d}"


def selection(n: int, start: int, end: int, *codes: str) -> str:
    codings = "".join(
        f'<Coding guid="{guid("d", 10 * n + i)}"><CodeRef targetGUID="{code}"/></Coding>'
        for i, code in enumerate(codes)
    )
    where = f'startPosition="{start}" endPosition="{end}"'
    return f'<PlainTextSelection guid="{guid("5", n)}" {where}>{codings}</PlainTextSelection>'


def text_source(n: int, *, path: str | None = None, text: str | None = None, inner: str = "", extra: str = "") -> str:
    attributes = f' plainTextPath="{path}"' if path else ""
    content = f"<PlainTextContent>{text}</PlainTextContent>" if text is not None else ""
    return f'<TextSource guid="{guid("1", n)}" name="Kilde {n}"{attributes}{extra}>{content}{inner}</TextSource>'


def qdpx(folder: Path, *sources: str, members: dict[str, bytes] | None = None, name: str = "p.qdpx") -> Path:
    qde = f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p">{USERS}{CODEBOOK}<Sources>'
    qde += "".join(sources) + "</Sources></Project>"
    path = folder / name
    path.write_bytes(zip_bytes({"project.qde": qde.encode(), **(members or {})}))
    return path


def stored(db: str) -> tuple[list[str], list[str]]:
    """The project's message texts and the texts its codings cover, sorted."""
    project = open_project(db)
    with project.begin() as session:
        texts = sorted(session.scalars(select(Message.text)))
        covered = sorted(r["text"] for r in coding_rows(session, real_names=True))
    project.close()
    return texts, covered


def outside(path: str) -> str:
    return (
        f"is a file outside the .qdpx and its folder: {path!r}; a .qdpx can name any file on this computer, so fokus"
        " reads such files only with --allow-external-sources"
    )


# --- point 1: no file of this computer is read unless the user says so ------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private file beside the folder the .qdpx is in, as ~/.ssh/id_ed25519 would be."""
    (tmp_path / "nedlastet").mkdir()
    path = tmp_path / "hemmelig.txt"
    path.write_text("PRIVATE KEY", encoding="utf-8")
    (tmp_path / "nedlastet" / "lenke.txt").symlink_to(path)
    return path


@pytest.mark.parametrize(
    "target",
    [
        "absolute://{secret}",
        "{secret}",
        "absolute:///proc/self/environ",
        "relative://../hemmelig.txt",
        "relative://../../../../../../../..{secret}",
        "relative://lenke.txt",
        "relative:///etc/passwd",
    ],
    ids=["absolute", "bare", "proc", "dotdot", "deep", "symlink", "relative-absolute"],
)
def test_a_file_outside_the_folder_of_the_qdpx_is_refused_naming_it_and_the_flag(
    tmp_path: Path, secret: Path, target: str
) -> None:
    named = target.format(secret=secret)
    path = qdpx(tmp_path / "nedlastet", text_source(1, path=named), text_source(2, path="/etc/passwd"))
    with pytest.raises(FokusError) as caught:
        read_qdpx(path)  # was read into the project, and from there into every export
    assert str(caught.value) == f"{path}: the text of 'Kilde 1' {outside(named)}"


def test_with_the_flag_external_files_are_read_and_listed_with_their_size(
    tmp_path: Path, secret: Path, db: str
) -> None:
    path = qdpx(tmp_path / "nedlastet", text_source(1, path=f"absolute://{secret}"))
    fokus("--db", db, "init", "--empty")
    before = content(db)
    error = fokus("--db", db, "import", str(path), ok=False)
    assert error == f"fokus: error: {path}: the text of 'Kilde 1' {outside(f'absolute://{secret}')}\n"
    assert content(db) == before
    out = fokus("--db", db, "import", "--allow-external-sources", str(path))
    assert f"  read the source text from {secret} (11 bytes), outside the .qdpx\n" in out
    assert stored(db) == (["PRIVATE KEY"], [])


def test_a_source_inside_the_folder_of_the_qdpx_needs_no_flag(tmp_path: Path) -> None:
    (tmp_path / "tekster").mkdir()
    (tmp_path / "tekster" / "a.txt").write_text("Relativ tekst.", encoding="utf-8")
    project = read_qdpx(qdpx(tmp_path, text_source(1, path="relative://tekster/../tekster/a.txt")))
    assert [s.text for s in project.sources] == ["Relativ tekst."]
    assert [(Path(f.path).name, f.size) for f in project.external_files] == [("a.txt", 14)]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_with_the_flag_only_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    target = {"fifo": tmp_path / "pipe.txt", "device": Path("/dev/zero"), "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(target)  # opening it to read would wait for a writer forever
    path = qdpx(tmp_path, text_source(1, path=f"absolute://{target}"))
    with pytest.raises(FokusError) as caught:
        read_qdpx(path, allow_external_sources=True)
    assert (
        str(caught.value)
        == f"{path}: the source file {str(target)!r} is not a regular file (a pipe, a device or a folder?)"
    )


def test_external_files_count_against_the_archives_budget(
    tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = qdpx(tmp_path, text_source(1, path=f"absolute://{secret}"))
    size = len(path.read_bytes())  # the project.qde, about as large as the file
    monkeypatch.setattr(qdpx_texts, "MAX_FILE_BYTES", size + 5)  # room for the XML, not for the 11 bytes of the file
    with pytest.raises(FokusError) as caught:
        read_qdpx(path, allow_external_sources=True)
    assert str(caught.value) == (
        f"{secret}: the archive's files and the source files outside it add up to more than {size + 5:,} bytes"
    )
    monkeypatch.setattr(qdpx_texts, "MAX_FILE_BYTES", 10 * size)
    assert read_qdpx(path, allow_external_sources=True).sources[0].text == "PRIVATE KEY"


# --- point 8: one GUID, one object; no coding dropped or merged without a word ----------------------------------------


@pytest.mark.parametrize("twice", ["source", "selection"])
def test_two_objects_with_one_guid_are_refused(tmp_path: Path, db: str, twice: str) -> None:
    first = text_source(1, text="Flommen kom.", inner=selection(1, 0, 7, CODE))
    second = text_source(2, text="Vi svarte.", inner=selection(2, 0, 2, CODE))
    if twice == "source":
        second = second.replace(guid("1", 2), guid("1", 1))  # was silently one message
        reason = (
            "the text source 'Kilde 2' has the GUID 10000000-0000-4000-8000-000000000001 of the text source 'Kilde 1'"
        )
    else:
        second = second.replace(guid("5", 2), guid("5", 1))
        reason = (
            "a selection in 'Kilde 2' has the GUID 50000000-0000-4000-8000-000000000001 of a selection in 'Kilde 1'"
        )
    path = qdpx(tmp_path, first, second)
    fokus("--db", db, "init", "--empty")
    before = content(db)
    error = fokus("--db", db, "import", str(path), ok=False)
    assert error == (
        f"fokus: error: {path}:line 1: {reason} (a GUID names one object: the two would become one) (the file was"
        " damaged or edited by hand)\n"
    )
    assert content(db) == before


def test_codings_to_unknown_codes_empty_or_outside_are_reported(tmp_path: Path, db: str) -> None:
    unknown = "c0000000-0000-4000-8000-000000000099"
    no_ref = f'<PlainTextSelection guid="{guid("5", 4)}" startPosition="0" endPosition="3"><Coding guid="{guid("d", 99)}"/></PlainTextSelection>'  # noqa: E501
    source = text_source(
        1, text="Flommen kom i natt.", inner=selection(1, 0, 7, CODE, unknown) + selection(2, 4, 4, CODE) + no_ref
    )
    path = qdpx(tmp_path, source)
    fokus("--db", db, "init", "--empty")
    out = fokus("--db", db, "import", str(path))
    assert "1 codings added" in out
    assert out.splitlines()[1:] == [
        "  1 codings not imported: a Coding without a CodeRef:",
        f"    coding {guid('d', 99)} in 'Kilde 1'",
        "  1 codings not imported: their CodeRef names no code of the file's codebook:",
        f"    coding {guid('d', 11)} in 'Kilde 1', code {unknown}",
        "  1 codings not imported: their selection holds no characters:",
        f"    coding {guid('d', 20)} in 'Kilde 1', code flom",
    ]


def _two_codings_on_a_name(tmp_path: Path, db: str) -> None:
    """A project whose message 2 names Kari Holmen, with a coding on each part of her name."""
    fokus("--db", db, "init", "--empty")
    (tmp_path / "k.yaml").write_text("codebook: k\ncodes:\n  - id: tone\n    name: Tone\n", encoding="utf-8")
    fokus("--db", db, "codebook", "load", "k.yaml")
    (tmp_path / "m.csv").write_text(
        "id,author,created_time,text\n1,Kari Holmen,2013-03-01 10:00,Hei\n"
        "2,Per Hansen,2013-03-01 10:05,Jeg snakket med Kari Holmen om flommen.\n",
        encoding="utf-8",
    )
    fokus("--db", db, "import", "m.csv")
    fokus("--db", db, "codings", "add", "2", "tone", "--span", "16:20", "--coder", "ingrid")
    fokus("--db", db, "codings", "add", "2", "tone", "--span", "21:27", "--coder", "ingrid")


def test_a_redacted_export_into_a_new_project_reports_the_codings_it_merges(
    tmp_path: Path, db: str, new_db: Callable[[], str]
) -> None:
    """Two codings on the two parts of a name: the export shows the name as one placeholder, so both cover it."""
    _two_codings_on_a_name(tmp_path, db)
    fokus("--db", db, "qdpx", "export", "a.qdpx")
    fresh = new_db()
    fokus("--db", fresh, "init", "--empty")
    out = fokus("--db", fresh, "import", "a.qdpx")
    assert "1 codings added" in out  # was all that was said
    assert "  1 codings merged into an earlier coding of the file with the same code, coder and span:\n" in out
    any_guid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    shown = re.escape("'Jeg snakket med [Deltaker 01] om flommen.'")  # the thread, by its redacted title
    assert re.search(f"\n    coding {any_guid} in {shown}, code tone, into coding {any_guid}\n", out), out


def test_a_redacted_export_back_into_its_own_project_adds_no_coding(tmp_path: Path, db: str) -> None:
    """The two codings on "Kari" and "Holmen" both show as the placeholder; back home they are the codings the
    project has (their GUIDs say so), not a third one over the whole name."""
    _two_codings_on_a_name(tmp_path, db)
    fokus("--db", db, "codings", "add", "2", "tone", "--span", "0:3", "--coder", "ingrid")
    before = _spans(db)
    fokus("--db", db, "qdpx", "export", "a.qdpx")
    out = fokus("--db", db, "import", "a.qdpx")
    assert _spans(db) == before == [(0, 3), (16, 20), (21, 27)]
    assert "0 codings added" in out
    assert "merged" not in out


def _spans(db: str) -> list[tuple[int, int]]:
    project = open_project(db)
    try:
        with project.read() as session:
            return sorted((row["start"], row["end"]) for row in coding_rows(session))
    finally:
        project.close()


# --- point 7: repeated texts and NVivo for Mac ------------------------------------------------------------------------


def test_two_sources_with_the_same_text_are_one_message_and_say_so(tmp_path: Path, db: str) -> None:
    same = "Samme tekst om flommen."
    when = ' creationDateTime="2024-01-02T10:00:00Z"'
    path = qdpx(
        tmp_path,
        text_source(1, text=same, inner=selection(1, 0, 5, CODE), extra=when),
        text_source(2, text=same, inner=selection(2, 0, 5, CODE) + selection(3, 6, 11, CODE), extra=when),
    )
    fokus("--db", db, "init", "--empty")
    out = fokus("--db", db, "import", str(path))  # was an internal error (KeyError)
    assert "1 messages added (1 already there)" in out
    assert "2 codings added" in out
    assert "  the text source 'Kilde 2' has the author, time and text of 'Kilde 1': imported as that message\n" in out
    assert (
        "  1 codings merged into an earlier coding of the file with the same code, coder and span:\n"
        f"    coding {guid('d', 20)} in 'Kilde 2', code flom, into coding {guid('d', 10)}\n"
    ) in out
    assert stored(db) == (["Samme tekst om flommen."], ["Samme", "tekst"])


def test_nvivo_for_mac_docx_sources_with_empty_text_are_reported_not_a_crash(tmp_path: Path, db: str) -> None:
    """NVivo 15 for Mac: each source a .docx with an empty .txt beside it, under a lowercase sources/ folder."""
    docx = text_source(
        1,
        path=f"internal://{guid('1', 1)}.txt",
        extra=f' richTextPath="internal://{guid("1", 1)}.docx"',
        inner=selection(1, 0, 12, CODE),
    )
    also_empty = text_source(2, path=f"internal://{guid('1', 2)}.txt", extra=' richTextPath="internal://b.docx"')
    plain = text_source(3, path=f"internal://{guid('1', 3)}.txt", inner=selection(3, 0, 7, CODE))
    docx_only = text_source(4, extra=' richTextPath="internal://d.docx"', inner=selection(4, 3, 9, CODE))
    members = {
        f"sources/{guid('1', 1)}.txt": b"",
        f"sources/{guid('1', 1)}.docx": b"PK\x03\x04 a Word file",
        f"sources/{guid('1', 2)}.txt": b"\xef\xbb\xbf\r\n",
        f"sources/{guid('1', 3)}.txt": b"Flommen kom.",
    }
    path = qdpx(tmp_path, docx, also_empty, plain, docx_only, members=members)
    fokus("--db", db, "init", "--empty")
    out = fokus("--db", db, "import", str(path))  # was an internal error (KeyError), or a selection "outside its text"
    assert "1 messages added" in out
    assert "1 codings added" in out
    assert (
        "  not imported (fokus does not model them): 3 text sources without plain text (NVivo for Mac: a .docx beside"
        " an empty .txt)\n"
    ) in out
    assert (
        "  2 codings not imported: on a text source without plain text:\n"
        f"    coding {guid('d', 10)} in 'Kilde 1', code flom\n"
        f"    coding {guid('d', 40)} in 'Kilde 4', code flom\n"
    ) in out
    assert stored(db) == (["Flommen kom."], ["Flommen"])


def test_a_source_repeating_a_message_of_the_project_keeps_its_codings(tmp_path: Path, db: str) -> None:
    """Imported twice under new GUIDs (a copy of the file made by another tool): the second time every source
    repeats a message the project has, and its codings find that message (today: KeyError)."""
    when = ' creationDateTime="2024-01-02T10:00:00Z"'
    first = qdpx(tmp_path, text_source(1, text="Flommen kom.", inner=selection(1, 0, 7, CODE), extra=when))
    project = open_project(db, create=True)
    with project.begin() as session:
        import_qdpx(session, read_qdpx(first))
    copy = qdpx(
        tmp_path,
        text_source(7, text="Flommen kom.", inner=selection(7, 8, 11, CODE), extra=when),
        name="kopi.qdpx",
    )
    with project.begin() as session:
        report = import_qdpx(session, read_qdpx(copy))
    project.close()
    assert report.merged_sources == [("Kilde 7", f"qdpx:{guid('1', 1)}")]
    assert report.codings is not None
    assert report.codings.added == 1


def test_a_source_that_repeats_another_but_for_white_space_drops_its_codings_and_says_so(
    tmp_path: Path, db: str
) -> None:
    """The two become one message (fokus compares texts with white space collapsed), but the second's offsets count
    its own spaces: placed on the first's text, its codings would cover other words."""
    when = ' creationDateTime="2024-01-02T10:00:00Z"'
    path = qdpx(
        tmp_path,
        text_source(1, text="Samme tekst.", extra=when),
        text_source(2, text="Samme    tekst.", inner=selection(2, 9, 14, CODE), extra=when),
    )
    project = open_project(db, create=True)
    with project.begin() as session:
        report = import_qdpx(session, read_qdpx(path))
    project.close()
    assert report.merged_sources == [("Kilde 2", "Kilde 1")]
    assert [(d.reason, d.coding) for d in report.dropped] == [
        (qdpx_read.OTHER_SPACING, guid("d", 20)),
    ]
    assert stored(db) == (["Samme tekst."], [])


def test_a_long_list_of_dropped_codings_shows_ten_and_counts_the_rest(tmp_path: Path, db: str) -> None:
    unknown = "c0000000-0000-4000-8000-000000000099"
    selections = "".join(selection(n, 0, 7, unknown) for n in range(1, 14))
    path = qdpx(tmp_path, text_source(1, text="Flommen kom.", inner=selections))
    fokus("--db", db, "init", "--empty")
    lines = fokus("--db", db, "import", str(path)).splitlines()
    assert lines[1] == "  13 codings not imported: their CodeRef names no code of the file's codebook:"
    assert lines[2:12] == [f"    coding {guid('d', 10 * n)} in 'Kilde 1', code {unknown}" for n in range(1, 11)]
    assert lines[12:] == ["    and 3 more"]


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59Z", "1900-01-01T00:00:00Z"])
def test_a_creation_time_out_of_range_is_refused_naming_the_element(tmp_path: Path, db: str, when: str) -> None:
    """A source's time becomes its message's; a year no Norwegian time can show broke every command afterwards."""
    path = qdpx(tmp_path, text_source(1, text="Om flommen.", extra=f' creationDateTime="{when}"'))
    fokus("--db", db, "init", "--empty")
    line = fokus("--db", db, "import", str(path), ok=False)
    assert line == (
        f"fokus: error: {path}:line 1, the TextSource's creationDateTime: date and time out of range: {when!r}"
        " (fokus reads times from 1970 through 2099)\n"
    )
    assert stored(db) == ([], [])


# --- read as it is parsed: only what the schema places is read, everything else is counted as before ------------------


def test_sources_cases_and_notes_are_read_only_in_their_own_sections(tmp_path: Path) -> None:
    """The file is read one source, case and note at a time as it is parsed; one outside its section (a second
    Sources, a source inside a set) is not read, and what fokus does not model is counted wherever it is."""
    first = text_source(1, text="Flommen kom.", inner=selection(1, 0, 7, CODE) + "<Link/>")
    stray = text_source(2, text="Raset gikk.")
    case = f'<Case guid="{guid("e", 1)}" name="Bodø"><SourceRef targetGUID="{guid("1", 1)}"/></Case>'
    note = f'<Note guid="{guid("f", 1)}" name="Memo"><PlainTextContent>Husk ras.</PlainTextContent></Note>'
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p">{USERS}{CODEBOOK}'
        f"<Cases>{case}</Cases><Sources>{first}<PDFSource/></Sources><Notes>{note}</Notes>"
        f"<Sources>{stray}</Sources><Sets><Set>{stray.replace('00000000002', '00000000003')}</Set></Sets>"
        f"<Notes>{note.replace('f0000000', 'f1000000')}</Notes></Project>"
    )
    path = tmp_path / "p.qdpx"
    path.write_bytes(zip_bytes({"project.qde": qde.encode()}))
    project = read_qdpx(path)
    assert [s.name for s in project.sources] == ["Kilde 1"]
    assert [c[1] for s in project.sources for sel in s.selections for c in sel.codings] == [CODE]
    assert [(c.name, c.selections) for c in project.cases] == [("Bodø", [guid("1", 1)])]
    assert [(n.guid, n.text) for n in project.notes] == [(guid("f", 1), "Husk ras.")]
    assert project.not_modelled == {"links": 1, "PDF sources": 1, "sets": 1}
    assert list(project.users.values()) == ["Ingrid"]
    assert project.codebook is not None


@pytest.mark.parametrize("seed", range(30))
def test_the_message_a_selection_starts_in_is_the_first_that_holds_its_start(seed: int) -> None:
    """The import finds a selection's message by bisection among ranges that do not overlap, one by one among
    ranges that do: the same message as looking through all of them in order."""
    rng = random.Random(seed)
    spans: list[tuple[int, int, str]] = []
    at = 0
    for n in range(rng.randint(0, 12)):
        at += rng.choice([0, 0, 1, 5]) if seed % 3 else rng.randint(-4, 4)  # every third: overlapping ranges
        spans.append((max(at, 0), max(at, 0) + rng.choice([0, 1, 3, 7]), f"m{n}"))
        at = spans[-1][1] if seed % 3 else at
    spans.sort()
    owner = project_import._Owners(spans)
    for start in range(-1, (spans[-1][1] if spans else 0) + 2):
        assert owner(start) == next((r for r in spans if r[0] <= start < r[1] or r[0] == start), None)
