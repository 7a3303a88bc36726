"""REFI-QDA projects: exports that validate, round trips that lose nothing, foreign files, hostile files refused."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import select, update

from fokus.api.cases import import_cases
from fokus.api.codings import coding_rows, import_codings
from fokus.api.messages import import_messages
from fokus.errors import FokusError
from fokus.exchange.project_export import export_qdpx
from fokus.exchange.project_import import import_qdpx
from fokus.exchange.qdpx_read import read_qdpx
from fokus.files.cases import read_case_table
from fokus.files.codings import CodingRow
from fokus.model import Code, ExchangeId, Memo, Message, Participant
from fokus.store import Project, open_project
from tests import pgserver
from tests.conftest import at, parsed, record
from tests.test_cli import fokus
from tests.test_cli_import import content
from tests.test_import_messages import holdings

FLOOD = "Flommen kom i natt.\nVi la ut varsel kl. 05."
SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parent / "Project-mrt2019.xsd"))
NS = "urn:QDA-XML:project:1.0"


@pytest.fixture
def new_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """More empty projects on the test's backend (``db`` is one): SQLite files beside it, or new PostgreSQL
    databases, dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            made.append(str(tmp_path / f"{len(made) + 1}.db"))
        else:
            made.append(pgserver.create_database(request.getfixturevalue("pg_admin")))
        return made[-1]

    yield make
    if backend == "postgresql":
        for url in made:
            pgserver.drop_database(request.getfixturevalue("pg_admin"), url)


def row(message: str, code: str, start: int | None, end: int | None, coder: str, status: str = "accepted") -> CodingRow:
    from fokus.model import CodingStatus

    origin = "rule:krise:flom" if status == "suggested" else "human"
    return CodingRow(message, code, start, end, None, CodingStatus(status), origin, None, coder, None, "test")


@pytest.fixture
def source(project: Project, tmp_path: Path) -> Project:
    return fill(project, tmp_path)


def fill(project: Project, tmp_path: Path) -> Project:
    """Threads, cases, codings by two coders (one a suggestion) and memos on a code, a message and the project."""
    cases = tmp_path / "cases.csv"
    cases.write_text("kommune,innbyggertall,topp10,siden\nBodø,48200,ja,2009-11-02\nVoss,14100,nei,\n", "utf-8")
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("p1", "Kari Holmen", FLOOD, when=at(1), case="Bodø"),
                    record("c1", "Ragnhild Vik", "Bra! 👍", when=at(1, 11), thread="p1", parent="p1", case="Voss"),
                    record("r1", "Kari Holmen", "Takk 😊", when=at(1, 12), thread="p1", parent="c1"),
                    record("p2", "Geir Mathisen", "Et nytt innlegg om dialog.", when=at(3)),
                )
            ],
        )
        import_cases(session, read_case_table(cases), str(cases))
        import_codings(
            session,
            [
                row("p1", "krise/flom", 0, 19, "ingrid"),
                row("p1", "krise/flom", 0, 19, "magnus"),
                row("c1", "dialog", None, None, "ingrid"),
                row("p2", "dialog", 3, 14, "magnus", status="suggested"),
            ],
            display="test",
        )
        flom = session.scalar(select(Code.id).where(Code.path == "krise/flom"))
        c1 = session.scalar(select(Message.id).where(Message.external_id == "c1"))
        session.add_all(
            [
                Memo(text="Flom-koden trenger en bedre definisjon.", code_id=flom),
                Memo(text="Et fint eksempel på ros.", message_id=c1),
                Memo(text="Prosjektnotat: vi koder setninger."),
            ]
        )
    return project


def export(project: Project, out: Path, **options: bool) -> Path:
    with project.begin() as session:
        export_qdpx(session, out, **options)
    return out


def test_the_export_validates_and_holds_everything_but_real_names(source: Project, tmp_path: Path) -> None:
    out = export(source, tmp_path / "p.qdpx")
    archive = zipfile.ZipFile(out)
    names = archive.namelist()
    assert names[0] == "project.qde"
    assert all(n == "project.qde" or n.startswith("sources/") for n in names)
    xml = archive.read("project.qde").decode("utf-8")
    SCHEMA.validate(xml)
    everything = xml + "".join(archive.read(n).decode("utf-8") for n in names[1:])
    for real in ("Kari Holmen", "Ragnhild Vik", "Geir Mathisen"):
        assert real not in everything
    assert "Deltaker 01" in everything
    assert xml.count("<Coding ") == 3  # the suggestion is left out
    text = archive.read(next(n for n in names if n.startswith("sources/"))).decode("utf-8")
    assert "Flommen kom i natt.\nVi la ut varsel kl. 05." in text


def test_guids_are_stable_and_suggestions_come_when_asked(source: Project, tmp_path: Path) -> None:
    first = zipfile.ZipFile(export(source, tmp_path / "1.qdpx")).read("project.qde").decode()
    second = zipfile.ZipFile(export(source, tmp_path / "2.qdpx", include_suggestions=True)).read("project.qde").decode()
    import re

    guids = set(re.findall(r'guid="([0-9a-f-]{36})"', first))
    assert len(guids) > 10
    assert guids <= set(re.findall(r'guid="([0-9a-f-]{36})"', second))
    assert second.count("<Coding ") == 4
    SCHEMA.validate(second)


def test_a_round_trip_into_a_fresh_project_loses_nothing(
    source: Project, tmp_path: Path, new_db: Callable[[], str]
) -> None:
    out = export(source, tmp_path / "p.qdpx", include_suggestions=True)
    fresh = open_project(new_db(), create=True)
    with fresh.begin() as session:
        report = import_qdpx(session, read_qdpx(out))
    assert report.messages is not None
    assert report.messages.messages_added == 4
    assert report.not_modelled == {}

    def snapshot(project: Project) -> dict[str, object]:
        with project.read() as session:
            codings = sorted(
                (r["message_id"], r["code"], r["start"], r["end"], r["coder"], r["status"], r["origin"], r["text"])
                for r in coding_rows(session)
            )
            codes = sorted(
                (c.path, c.name, c.description, c.include_note, c.exclude_note, tuple(c.examples), c.color, c.codable)
                for c in session.scalars(select(Code))
            )
            memos = sorted(
                (m.text, m.message_id is not None, m.code_id is not None) for m in session.scalars(select(Memo))
            )
            people = sorted(
                (p.pseudonym, p.case.name if p.case else None) for p in session.scalars(select(Participant))
            )
            messages = sorted(
                (m.external_id, m.kind, m.text, m.created_at, m.participant.pseudonym)
                for m in session.scalars(select(Message))
            )
            from fokus.api.cases import case_rows

            _, cases = case_rows(session)
        return {"codings": codings, "codes": codes, "memos": memos, "people": people, "messages": messages,
                "cases": cases}  # fmt: skip

    assert snapshot(fresh) == snapshot(source)
    # and the GUIDs came along: exporting the copy names the same objects the same way
    again = zipfile.ZipFile(export(fresh, tmp_path / "again.qdpx", include_suggestions=True)).read("project.qde")
    original = zipfile.ZipFile(out).read("project.qde")
    import re

    assert set(re.findall(rb'guid="([0-9a-f-]{36})"', again)) == set(re.findall(rb'guid="([0-9a-f-]{36})"', original))
    fresh.close()


def test_importing_an_export_into_its_own_project_adds_nothing(source: Project, tmp_path: Path) -> None:
    with source.begin() as session:
        session.execute(update(Code).where(Code.path == "krise").values(rules=[{"id": "r", "any": ["flom"]}]))
    out = export(source, tmp_path / "p.qdpx")
    with source.begin() as session:
        report = import_qdpx(session, read_qdpx(out))
    assert report.messages is not None
    assert report.codings is not None
    assert (report.messages.messages_added, report.codings.added, report.memos) == (0, 0, 0)
    with source.read() as session:  # a REFI-QDA codebook holds no rules: the project's stay
        assert session.scalar(select(Code.rules).where(Code.path == "krise")) == [{"id": "r", "any": ["flom"]}]


FOREIGN = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Fra NVivo" origin="NVivo 14">
  <Users><User guid="AAAAAAAA-0000-0000-0000-000000000001" name="Ingrid Forsker"/></Users>
  <CodeBook><Codes>
    <Code guid="BBBBBBBB-0000-0000-0000-000000000001" name="Krise og beredskap" isCodable="true" color="#D62728">
      <Description>Alt om kriser.</Description>
      <NoteRef targetGUID="EEEEEEEE-0000-0000-0000-000000000001"/>
      <Code guid="BBBBBBBB-0000-0000-0000-000000000002" name="Flom" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="CCCCCCCC-0000-0000-0000-000000000001" name="Innbyggere" typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="DDDDDDDD-0000-0000-0000-000000000001" name="Bodø">
    <VariableValue><VariableRef targetGUID="CCCCCCCC-0000-0000-0000-000000000001"/><IntegerValue>48200</IntegerValue></VariableValue>
    <SourceRef targetGUID="FFFFFFFF-0000-0000-0000-000000000001"/>
  </Case></Cases>
  <Sources>
    <TextSource guid="FFFFFFFF-0000-0000-0000-000000000001" name="Intervju 1" plainTextPath="intervju1.txt" creatingUser="AAAAAAAA-0000-0000-0000-000000000001" creationDateTime="2013-05-02T10:00:00Z">
      <PlainTextSelection guid="99999999-0000-0000-0000-000000000001" startPosition="0" endPosition="12" creatingUser="AAAAAAAA-0000-0000-0000-000000000001">
        <Coding guid="88888888-0000-0000-0000-000000000001" creatingUser="AAAAAAAA-0000-0000-0000-000000000001"><CodeRef targetGUID="BBBBBBBB-0000-0000-0000-000000000002"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="FFFFFFFF-0000-0000-0000-000000000002" name="Notat">
      <PlainTextContent>Kort notat om omdømme.</PlainTextContent>
    </TextSource>
    <PDFSource guid="FFFFFFFF-0000-0000-0000-000000000003" name="Rapport" path="internal://rapport.pdf"/>
  </Sources>
  <Notes><Note guid="EEEEEEEE-0000-0000-0000-000000000001" name="Om koden"><PlainTextContent>Husk ras.</PlainTextContent></Note></Notes>
  <Sets><Set guid="77777777-0000-0000-0000-000000000001" name="Utvalg"/></Sets>
</Project>
"""  # noqa: E501


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def foreign(tmp_path: Path, qde: str = FOREIGN) -> Path:
    path = tmp_path / "nvivo.qdpx"
    path.write_bytes(
        zip_bytes({"project.qde": qde.encode(), "Sources/intervju1.txt": "\ufeffFlommen kom. Vi svarte.".encode()})
    )
    return path


def test_a_project_from_another_tool(tmp_path: Path, db: str) -> None:
    path = foreign(tmp_path)
    project = open_project(db, create=True)
    with project.begin() as session:
        report = import_qdpx(session, read_qdpx(path))
        codings = list(coding_rows(session))
        memo = session.scalars(select(Memo)).one()
        code_of_memo = session.get(Code, memo.code_id)
    project.close()
    assert report.not_modelled == {"PDF sources": 1, "sets": 1}
    assert [(r["code"], r["text"], r["coder"], r["case"]) for r in codings] == [
        ("krise-og-beredskap/flom", "Flommen kom.", "Ingrid Forsker", "Bodø")
    ]
    assert code_of_memo is not None
    assert code_of_memo.path == "krise-og-beredskap"
    assert memo.text == "Husk ras."


def test_hostile_projects_are_refused_in_one_line_and_write_nothing(tmp_path: Path, db: str) -> None:
    fokus("--db", db, "init", "--empty")
    before = content(db)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10))
        + f']><Project xmlns="{NS}" name="&lol9;"/>'
    )
    external = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project xmlns="{NS}" name="&x;"/>'
    )
    cases = {
        "laughs.qdpx": (zip_bytes({"project.qde": laughs.encode()}), "entities"),
        "xxe.qdpx": (zip_bytes({"project.qde": external.encode()}), "entities"),
        "slip.qdpx": (zip_bytes({"project.qde": FOREIGN.encode(), "../../evil.txt": b"x"}), "unsafe file name"),
        "bomb.qdpx": (zip_bytes({"project.qde": b"<" + b" " * 200_000_000 + b">"}), "zip bomb"),
        "empty.qdpx": (zip_bytes({"readme.txt": b"hei"}), "no project.qde"),
        "broken.qdpx": (b"PK\x03\x04broken", "zip"),
    }
    for name, (data, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        err = fokus("--db", db, "import", str(path), ok=False)
        assert err.startswith(f"fokus: error: {path}"), err
        assert err.count("\n") == 1, err
        assert words in err, err
    assert content(db) == before


def test_the_command_line_round_trip(tmp_path: Path, codebook_file: Path, db: str, new_db: Callable[[], str]) -> None:
    a, b, c = db, new_db(), new_db()
    fokus("--db", a, "init", "--codebook", str(codebook_file))
    (tmp_path / "m.csv").write_text(
        "id,author,created_time,text\n1,Kari Holmen,2013-03-01 10:00,Flommen kom.\n", "utf-8"
    )
    fokus("--db", a, "import", "m.csv")
    fokus("--db", a, "codings", "add", "1", "krise/flom", "--coder", "ingrid")
    out = fokus("--db", a, "qdpx", "export", "a.qdpx")
    assert "1 sources, 5 codes, 1 codings" in out
    fokus("--db", b, "init", "--empty")
    out = fokus("--db", b, "import", "a.qdpx")
    assert "1 messages added" in out
    assert "1 codings added" in out
    exported = json.loads(fokus("--db", b, "codings", "export", "--format", "json"))
    assert [(r["message_id"], r["code"], r["text"], r["coder"]) for r in exported] == [
        ("1", "krise/flom", "Flommen kom.", "ingrid")
    ]
    fokus("--db", a, "codebook", "export", "--format", "qdc", "-o", "a.qdc")
    fokus("--db", c, "init", "--empty")
    assert "5 added" in fokus("--db", c, "codebook", "load", "a.qdc")
    assert [c["id"] for c in json.loads(fokus("--db", c, "codebook", "show", "--json"))] == [
        c["id"] for c in json.loads(fokus("--db", a, "codebook", "show", "--json"))
    ]


def test_sources_beside_the_project_and_at_absolute_paths(tmp_path: Path, db: str) -> None:
    (tmp_path / "tekster").mkdir()
    (tmp_path / "tekster" / "a.txt").write_text("Relativ tekst om flom.", encoding="utf-8")
    absolute = tmp_path / "b.txt"
    absolute.write_text("Absolutt tekst.", encoding="utf-8")
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p"><Sources>'
        '<TextSource guid="11111111-0000-0000-0000-000000000001" name="A" plainTextPath="relative://tekster/a.txt"/>'
        f'<TextSource guid="11111111-0000-0000-0000-000000000002" name="B" plainTextPath="absolute://{absolute}"/>'
        "</Sources></Project>"
    )
    path = tmp_path / "renamed.zip"  # a .qdpx under another name is still found by its project.qde
    path.write_bytes(zip_bytes({"project.qde": qde.encode()}))
    fokus("--db", db, "init", "--empty")
    out = fokus("--db", db, "import", "--allow-external-sources", str(path))  # absolute:// needs it
    assert "2 messages added" in out
    assert f"read the source text from {absolute} (15 bytes), outside the .qdpx" in out
    texts = sorted(m["text"] for m in json.loads(fokus("--db", db, "export", "messages", "--format", "json")))
    assert texts == ["Absolutt tekst.", "Relativ tekst om flom."]


def test_a_source_in_another_encoding_is_an_error_not_a_guess(tmp_path: Path) -> None:
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p"><Sources>'
        '<TextSource guid="11111111-0000-0000-0000-000000000001" name="A" plainTextPath="internal://a.txt"/>'
        "</Sources></Project>"
    )
    latin = tmp_path / "latin.qdpx"
    latin.write_bytes(zip_bytes({"project.qde": qde.encode(), "sources/a.txt": "Beredskap på Ørsta".encode("cp1252")}))
    with pytest.raises(FokusError, match="not UTF-8 text") as err:
        read_qdpx(latin)
    assert "a.txt" in str(err.value)
    utf16 = tmp_path / "utf16.qdpx"
    utf16.write_bytes(zip_bytes({"project.qde": qde.encode(), "sources/a.txt": "Beredskap på Ørsta".encode("utf-16")}))
    assert read_qdpx(utf16).sources[0].text == "Beredskap på Ørsta"


def exchanged(project: Project) -> dict[str, list[tuple[object, ...]]]:
    """What an import of REFI-QDA leaves beside the messages: codes, memos and the GUIDs kept for each kind."""
    with project.read() as session:
        codes = session.execute(select(Code.path, Code.name, Code.description, Code.color, Code.codable, Code.position))
        memos = session.execute(
            select(Memo.text, Message.external_id, Code.path, Memo.case_id.is_not(None), Memo.coding_id.is_not(None))
            .outerjoin(Message, Memo.message_id == Message.id)
            .outerjoin(Code, Memo.code_id == Code.id)
        )
        found = {
            "codes": [tuple(r) for r in codes],
            "memos": [tuple(r) for r in memos],
            "guids": [tuple(r) for r in session.execute(select(ExchangeId.kind, ExchangeId.guid))],
        }
    return {name: sorted(rows, key=repr) for name, rows in found.items()}


@pytest.mark.postgresql
def test_refi_qda_projects_make_the_same_project_on_both_backends(
    tmp_path: Path, pg_db: str, codebook_file: Path
) -> None:
    """A project from another tool, and one fokus exported (pseudonyms, threads, codings, memos, cases)."""
    from fokus.api.codebook import load_codebook
    from fokus.files.codebook import load_codebook as read_codebook

    made = open_project(tmp_path / "kilde.db", create=True)  # where the export comes from is not what is tested
    with made.begin() as session:
        load_codebook(session, read_codebook(codebook_file))
    exported = export(fill(made, tmp_path), tmp_path / "p.qdpx", include_suggestions=True)
    made.close()
    # a document without a time is given the time of its import: here it has one, so the two can be compared
    dated = foreign(tmp_path, FOREIGN.replace('name="Notat">', 'name="Notat" creationDateTime="2013-05-03T08:00:00Z">'))
    seen = []
    for target in (str(tmp_path / "p.db"), pg_db):
        project = open_project(target, create=True)
        reports = []
        for path in (dated, exported):
            with project.begin() as session:
                reports.append(import_qdpx(session, read_qdpx(path)))
        seen.append((holdings(project), exchanged(project), [(r.memos, r.clipped, r.not_modelled) for r in reports]))
        project.close()
    sqlite, postgresql = seen
    assert postgresql == sqlite
    assert len(sqlite[0]["messages"]) == 2 + 4  # two documents, four messages
    assert len(sqlite[0]["codings"]) == 1 + 4
    assert len(sqlite[1]["memos"]) == 1 + 3


USER = "AAAAAAAA-0000-0000-0000-000000000001"
CODE = "BBBBBBBB-0000-0000-0000-000000000001"


def qde(*, users: str = "", variables: str = "", cases: str = "", thread: str = "", message: str = "",
        coding: str = "", guid: str = "FFFFFFFF-0000-0000-0000-000000000001") -> str:  # fmt: skip
    """A small project: a user, a code, variables and cases as given, and one source with one coded selection whose
    descriptions hold the given "fokus:..." lines."""
    selection = (  # the message, as fokus writes it; then a coding of its first sentence
        '<PlainTextSelection guid="99999999-0000-0000-0000-000000000001" startPosition="0" endPosition="23">'
        f"<Description>fokus:message\nid=m1\nparticipant=Deltaker 01\n{message}</Description></PlainTextSelection>"
        '<PlainTextSelection guid="99999999-0000-0000-0000-000000000002" startPosition="0" endPosition="12">'
        f"<Description>fokus:coding\nstatus=accepted\n{coding}</Description>"
        f'<Coding guid="88888888-0000-0000-0000-000000000001"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</PlainTextSelection>"
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p">'
        f'<Users><User guid="{USER}" name="Ingrid"/>{users}</Users>'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Krise" isCodable="true"/></Codes></CodeBook>'
        f"<Variables>{variables}</Variables><Cases>{cases}</Cases>"
        f'<Sources><TextSource guid="{guid}" name="Tråd" creatingUser="{USER}">'
        f"<Description>fokus:thread\nid=t1\n{thread}</Description>"
        f"<PlainTextContent>Flommen kom. Vi svarte.</PlainTextContent>{selection}</TextSource></Sources></Project>"
    )


def variable(kind: str, name: str = "n") -> str:
    return f'<Variable guid="CCCCCCCC-0000-0000-0000-000000000001" name="{name}" typeOfVariable="{kind}"/>'


def case(value: str = "", name: str = "Bodø") -> str:
    held = (
        '<VariableValue><VariableRef targetGUID="CCCCCCCC-0000-0000-0000-000000000001"/>'
        f"<TextValue>{value}</TextValue></VariableValue>"
        if value
        else ""
    )
    return f'<Case guid="DDDDDDDD-0000-0000-0000-000000000001" name="{name}">{held}</Case>'


# What a column of the project cannot hold (PostgreSQL holds columns to their length and integers to 64 bits, where
# SQLite stored anything), and values fokus's own lines never hold: refused with the file and the place.
REFUSED = {
    "user name": (qde(users=f'<User guid="AAAAAAAA-0000-0000-0000-000000000002" name="{"u" * 101}"/>'), "line 1",
                  "user name too long: 101 characters (at most 100)"),
    "case name": (qde(cases=case(name="k" * 101)), "line 1", "case name too long: 101 characters (at most 100)"),
    "variable name": (qde(variables=variable("Text", "v" * 201), cases=case("a")), "line 1",
                      "variable name too long: 201 characters (at most 200)"),
    "guid": (qde(guid="FFFFFFFF-0000-0000-0000-0000000000010000"), "line 1", "a TextSource element has a bad guid"),
    "thread id": (qde(thread=f"id={'t' * 201}"), "source Tråd", "thread id too long: 201 characters (at most 200)"),
    "message id": (qde(message=f"id={'m' * 201}"), "selection 99999999-0000-0000-0000-000000000001",
                   "message id too long: 201 characters"),
    "participant": (qde(message=f"participant={'p' * 101}"), "selection", "participant too long: 101 characters"),
    "kind": (qde(message="kind=innlegg"), "selection", "kind='innlegg': not one of post, comment, reply"),
    "reactions": (qde(message="reactions=mange"), "selection", "reactions='mange': not a whole number"),
    "huge reactions": (qde(message=f"reactions={2**63}"), "selection", "larger than a whole number can be"),
    "time": (qde(message="created_at=2013-03-01T10:00:00"), "selection", "not a date and time with its time zone"),
    "status": (qde(coding="status=kanskje"), "selection", "status='kanskje': not one of accepted, suggested"),
    "confidence": (qde(coding="confidence=2"), "selection", "confidence='2': not a number from 0 to 1"),
    "origin": (qde(coding=f"origin={'o' * 201}"), "selection", "origin too long: 201 characters (at most 200)"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_a_project_cannot_hold_is_refused_naming_the_place(project: Project, tmp_path: Path, name: str) -> None:
    text, where, words = REFUSED[name]
    path = tmp_path / "p.qdpx"
    path.write_bytes(zip_bytes({"project.qde": text.encode()}))
    before = content(project.display)
    with pytest.raises(FokusError) as caught, project.begin() as session:
        import_qdpx(session, read_qdpx(path))
    message = str(caught.value)
    assert message.startswith(f"{path}:{where}"), message
    assert words in message
    assert "\n" not in message
    assert content(project.display) == before
    path.write_bytes(zip_bytes({"project.qde": qde().encode()}))  # the same project with every value in its place
    with project.begin() as session:
        report = import_qdpx(session, read_qdpx(path))
    assert report.codings is not None
    assert report.codings.added == 1


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [("Integer", str(2**63 - 1), 2**63 - 1), ("Integer", str(2**63), None), ("Float", "1.5", 1.5),
     ("Float", "nan", None), ("Float", "inf", None), ("Integer", "mange", None)],
)  # fmt: skip
def test_a_variable_value_the_database_cannot_hold_is_left_out(
    project: Project, tmp_path: Path, kind: str, raw: str, stored: object
) -> None:
    """As a value that does not read as its type is: SQLite failed on the huge number and PostgreSQL on it too, and
    the infinite float became NULL on one and Infinity on the other."""
    from fokus.api.cases import case_rows

    path = tmp_path / "p.qdpx"
    path.write_bytes(zip_bytes({"project.qde": qde(variables=variable(kind), cases=case(raw)).encode()}))
    with project.begin() as session:
        import_qdpx(session, read_qdpx(path))
    with project.read() as session:
        _, rows = case_rows(session)
    assert [(row["case"], row["n"]) for row in rows] == [("Bodø", stored)]


def test_a_code_moved_under_a_newer_code_exports_under_it(project: Project, tmp_path: Path) -> None:
    """`fokus codebook move` can put a code under one that comes later in codebook order; the export must still
    write every parent before its children (it failed with a KeyError)."""
    from fokus.api.codebook_edit import move_code

    with project.begin() as session:
        move_code(session, "krise", "dialog")  # dialog comes after krise in the codebook
    out = tmp_path / "moved.qdpx"
    with project.begin() as session:  # an export records the GUIDs it hands out
        export_qdpx(session, out)
    with zipfile.ZipFile(out) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    dialog = root.find(".//q:Code[@name='Innbyggerdialog']", ns)
    assert dialog is not None
    assert [c.get("name") for c in dialog.findall("q:Code", ns)] == ["Krise og beredskap"]
    assert [c.get("name") for c in dialog.findall("q:Code/q:Code", ns)] == ["Flom"]  # krise took flom with it
