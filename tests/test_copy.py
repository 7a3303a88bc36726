"""`fokus copy`: a whole project between SQLite and PostgreSQL, the same project on arrival, or nothing at all."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, Text, cast, func, inspect, null, select, text, update

from fokus.api.cases import case_rows
from fokus.api.codebook import load_codebook
from fokus.api.codebook_edit import move_code
from fokus.api.coding_actions import add_coding, decide, undo
from fokus.api.codings import coding_rows
from fokus.api.memos import add_memo
from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.model import (
    Code,
    Coder,
    CoderKind,
    Coding,
    Event,
    ExchangeId,
    LearnedModel,
    Message,
    ModelExample,
    ParticipantIdentity,
    ScoreRun,
)
from fokus.store import Project, open_project
from fokus.store.backup import check_backup
from fokus.store.checksum import table_checksum
from fokus.store.copy import copy_database, copy_project, project_tables, sqlite_snapshot
from fokus.store.migrate import HEAD
from tests import pgserver
from tests.conftest import SMALL_CODEBOOK, at, parsed, record

runner = CliRunner()
needs_pg = pytest.mark.postgresql


def fokus(*args: str, ok: bool = True) -> tuple[str, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    else:
        assert result.exit_code != 0, result.output
    return result.stdout, result.stderr


def checksums(db: str) -> dict[str, tuple[int, str]]:
    """Every table counted and hashed, independently of any copy."""
    project = open_project(db)
    try:
        with project.read() as session:
            connection = session.connection()
            return {table.name: table_checksum(connection, table) for table in project_tables()}
    finally:
        project.close()


def is_empty_database(url: str) -> bool:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names() == [] and inspect(engine).get_sequence_names() == []
    finally:
        engine.dispose()


CASES = "kommune,n:integer,score:float,topp10:boolean,siden:date,fylke\nBodø,48200,91.5,ja,2009-11-02,Nordland\n"
CASES += "Voss,15000,0.1,nei,2011-01-31,Vestland\n"


def build_rich_project(path: Path, codebook: Path) -> str:
    """A project with something in every kind of table: messages and a reply, real names, cases with typed values,
    a codebook with a code moved under a newer one, accepted, suggested and rejected codings (JSON details, a JSON
    null among them), an undone step in the event log, memos, and pages with posts, comments (a reply by the page)
    and a score run."""
    db = str(path)
    fokus("--db", db, "init", "--codebook", str(codebook))
    cases = path.parent / "cases.csv"
    cases.write_text(CASES, encoding="utf-8")
    fokus("--db", db, "cases", "import", str(cases))
    project = open_project(db)
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("p1", "Kari Holmen", "Flommen kom i natt. Vi svarte på Facebook.", when=at(1)),
                    record("c1", "Øystein Berg", "Takk for god informasjon!", when=at(1, 11), thread="p1"),
                    record("r1", "Kari Holmen", "Bare hyggelig, Øystein.", when=at(1, 12), thread="p1", parent="c1"),
                    record("p2", "Siri Åsland", "Hvordan når vi ungdommen? 🙂", when=at(2)),
                )
            ],
        )
        # a newer top code, and an older one moved under it: its parent has a higher id
        codebook.write_text(SMALL_CODEBOOK + "  - id: omdomme\n    name: Omdømme\n", encoding="utf-8")
        load_codebook(session, read_codebook(codebook))
        move_code(session, "dialog", "omdomme")
        coders = CoderRegistry(session)
        ingrid = coders.get_or_create("ingrid", CoderKind.HUMAN)
        machine = coders.get_or_create("fokus", CoderKind.MACHINE)
        first = session.scalar(select(func.min(Message.id)))
        assert first is not None
        flom = session.scalar(select(Code.id).where(Code.path == "krise/flom"))
        krise = session.scalar(select(Code.id).where(Code.path == "krise"))
        assert flom is not None
        assert krise is not None
        suggestions = [
            Coding(message_id=first, code_id=flom, coder_id=machine, start=0, end=7, status="suggested",
                   origin="rule:krise/flom:r1", confidence=0.1 + 0.2, details={"rule": "r1", "lemmas": ["flom"],
                   "score": {"b": 2.5e-08, "a": None}}),
            Coding(message_id=first, code_id=krise, coder_id=machine, start=0, end=19, status="suggested",
                   origin="model:1", confidence=0.8125, details=None),  # stored as JSON null, not SQL NULL
            Coding(message_id=first + 1, code_id=krise, coder_id=machine, start=0, end=4, status="suggested",
                   origin="model:1", confidence=1 / 3),
        ]  # fmt: skip
        session.add_all(suggestions)
        session.flush()
        added = add_coding(session, first + 1, "omdomme/dialog", 0, 25, ingrid)
        decide(session, suggestions[0].id, True, ingrid)
        decide(session, suggestions[2].id, False, ingrid)
        add_memo(session, "Tidlig varsel; sjekk mot kommunens logg.", coder_id=ingrid, coding_id=added.coding_id)
        add_memo(session, "Prosjektnotat: «ungdom» som tema?")
        add_coding(session, first + 3, "krise", 0, 6, ingrid)
    with project.begin() as session:
        assert undo(session, ingrid) is not None  # the last coding: an event that reverts another
        model = LearnedModel(
            version=1,
            path="",
            sha256="0" * 64,
            sentences=3,
            target_precision=0.9,
            report={"krise": {"precision": 0.91, "recall": None}},
            data=bytes(range(256)) * 4,
        )
        session.add(model)
        session.flush()
        session.add(ModelExample(model_id=model.id, coding_id=suggestions[0].id, label="positive"))
        session.add_all(ExchangeId(kind=kind, local_id=n, guid=str(uuid.uuid4())) for kind in ("code", "source")
                        for n in (1, 2, 10))  # fmt: skip
        session.add(
            ScoreRun(
                criteria_sha256="1" * 64,
                criteria="criteria:\n  - metric: E\n    weight: 1\n",
                window_from=date(2013, 2, 1),
                window_to=date(2013, 5, 31),
                results={"111": {"score": 1.25, "rank": 1, "topp10": True}},
            )
        )
    project.close()
    pages = Path(__file__).parent / "pages" / "data"  # a page feed with comments, replies and the pages file
    fokus("--db", db, "pages", "import", "--pages", str(pages / "pages.csv"), str(pages / "bergen-feed.json"))
    with sqlite3.connect(path) as conn:  # a message whose parent has a higher id: a cycle only a second pass copies
        conn.execute("UPDATE messages SET parent_id = (SELECT max(id) FROM messages) WHERE id = ?", (first,))
    return db


@pytest.fixture
def rich(tmp_path: Path, codebook_file: Path) -> str:
    return build_rich_project(tmp_path / "rik.db", codebook_file)


def listing(db: str) -> dict[str, Any]:
    """What a researcher sees of the project, through fokus's own API."""
    project = open_project(db)
    try:
        with project.read() as session:
            attributes, cases = case_rows(session)
            return {
                "codings": sorted(json.dumps(row, sort_keys=True, default=str) for row in coding_rows(session)),
                "cases": [attributes and [a.name for a in attributes], cases],
                "names": sorted(session.execute(select(ParticipantIdentity.name, ParticipantIdentity.key)).all()),
                "codes": sorted(session.execute(select(Code.id, Code.path, Code.parent_id)).all()),
                "parents": sorted(session.execute(select(Message.id, Message.parent_id)).all()),
                "sql_nulls": session.scalar(select(func.count()).where(Coding.details.is_(None))),
                "json_nulls": session.scalar(select(func.count()).where(cast(Coding.details, Text) == "null")),
            }
    finally:
        project.close()


@needs_pg
def test_a_project_goes_to_postgresql_and_back_unchanged(rich: str, pg_db: str, tmp_path: Path) -> None:
    back = str(tmp_path / "tilbake.db")
    original = checksums(rich)
    out, _ = fokus("copy", rich, pg_db)
    assert len(out.strip().splitlines()) == len(project_tables()) + 1
    for table, (rows, checksum) in original.items():
        assert f"{rows:,} rows  sha256 {checksum[:16]}  ok" in next(
            line for line in out.splitlines() if line.startswith(table + " ")
        )
    assert "every table's count and checksum match" in out
    assert checksums(pg_db) == original
    fokus("copy", "--quiet", pg_db, back)
    assert stat.S_IMODE(os.stat(back).st_mode) == 0o600  # from a server: its owner's alone, real names inside
    assert checksums(back) == original
    assert listing(back) == listing(rich)
    assert listing(pg_db) == listing(rich)
    assert listing(rich)["json_nulls"] == 1  # the JSON null is not a missing value, nor does it become one
    empty = {name for name, (rows, _) in original.items() if not rows}
    only_spacy_or_dyi = {"units", "tag_state", "rule_state", "message_aliases"}
    assert empty <= only_spacy_or_dyi


@needs_pg
def test_the_target_gets_the_migrations_schema(rich: str, pg_db: str, pg_admin: str, tmp_path: Path) -> None:
    copy_database(rich, pg_db)
    fresh = pgserver.create_database(pg_admin)
    try:
        open_project(fresh, create=True).close()
        assert schema(pg_db) == schema(fresh)
    finally:
        pgserver.drop_database(pg_admin, fresh)
    back = tmp_path / "tilbake.db"
    copy_database(pg_db, back)
    new = tmp_path / "ny.db"
    open_project(new, create=True).close()
    assert schema(f"sqlite:///{back}") == schema(f"sqlite:///{new}")  # (batch migrations order SQLite's FKs freely)


def schema(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        found = inspect(engine)
        described: dict[str, Any] = {}
        for name in found.get_table_names():
            described[name] = [
                [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in found.get_columns(name)],
                found.get_pk_constraint(name),
                sorted(found.get_foreign_keys(name), key=lambda fk: fk["name"]),
                sorted(found.get_indexes(name), key=lambda ix: ix["name"]),
                sorted(found.get_unique_constraints(name), key=lambda uq: uq["name"]),
                sorted(found.get_check_constraints(name), key=lambda ck: ck["name"]),
            ]
        with engine.connect() as conn:
            described["alembic_version"] = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        return described
    finally:
        engine.dispose()


@needs_pg
def test_new_rows_after_a_copy_into_postgresql_get_fresh_ids(rich: str, pg_db: str) -> None:
    copy_database(rich, pg_db)
    project = open_project(pg_db)
    try:
        with project.begin() as session:
            highest = session.scalar(select(func.max(Coding.id)))
            last_event = session.scalar(select(func.max(Event.id)))
            ingrid = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
            message = session.scalar(select(func.max(Message.id)))
            assert message is not None
            report = add_coding(session, message, "krise/flom", 1, 3, ingrid)
            assert report.coding_id is not None
            assert highest is not None
            assert report.coding_id > highest
            assert (session.scalar(select(func.max(Event.id))) or 0) > (last_event or 0)
            coders = session.scalar(select(func.max(Coder.id))) or 0
            assert CoderRegistry(session).get_or_create("ny koder", CoderKind.HUMAN) > coders
    finally:
        project.close()


def _a_microsecond_later(connection: Connection) -> None:
    first = connection.scalar(select(func.min(Event.id)))
    when = connection.scalar(select(Event.at).where(Event.id == first))
    assert when is not None
    connection.execute(update(Event).where(Event.id == first).values(at=when + timedelta(microseconds=1)))


def _json_null_to_sql_null(connection: Connection) -> None:
    done = connection.execute(update(Coding).where(cast(Coding.details, Text) == "null").values(details=null()))
    assert done.rowcount == 1


# One changed value of each kind the copy reads (fokus.store.checksum), and one row gone.
CORRUPTIONS = {
    "float": (
        "UPDATE codings SET confidence = 0.5 WHERE id = (SELECT min(id) FROM codings WHERE confidence IS NOT NULL)",
        "table codings: the copy's checksum differs",
    ),
    "time": (_a_microsecond_later, "table events: the copy's checksum differs"),
    "json null": (_json_null_to_sql_null, "table codings: the copy's checksum differs"),
    "boolean": (
        "UPDATE codes SET codable = NOT codable WHERE id = (SELECT min(id) FROM codes)",
        "table codes: the copy's checksum differs",
    ),
    "text": (
        "UPDATE participant_identities SET name = name || ' ' WHERE id = (SELECT min(id) FROM participant_identities)",
        "table participant_identities: the copy's checksum differs",
    ),
    "row": (
        "DELETE FROM memos WHERE id = (SELECT max(id) FROM memos)",
        "table memos: 2 rows in the source, 2 copied, 1",
    ),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_failed_check_leaves_nothing(rich: str, db: str, corruption: str) -> None:
    change, refusal = CORRUPTIONS[corruption]
    source = open_project(rich)

    def corrupt(connection: Connection) -> None:
        if isinstance(change, str):
            assert connection.execute(text(change)).rowcount == 1
        else:
            change(connection)

    try:
        with pytest.raises(FokusError, match=refusal) as caught:
            copy_project(source, db, before_check=corrupt)
    finally:
        source.close()
    assert "nothing was written" in str(caught.value)
    if "://" in db:
        assert is_empty_database(db)
    else:
        assert list(Path(db).parent.glob(f"*{Path(db).name}*")) == []


def test_a_time_sqlite_holds_in_another_form_arrives_as_the_same_moment(rich: str, db: str) -> None:
    # written by another tool: no microseconds, or an offset; fokus itself reads both as these moments
    other_forms = {"2013-03-01 10:00:00": at(1, 10), "2013-03-02T11:00:00.5+01:00": at(2, 10) + timedelta(seconds=0.5)}
    with sqlite3.connect(rich) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM messages ORDER BY id LIMIT 2")]
        for message, stored in zip(ids, other_forms, strict=True):
            conn.execute("UPDATE messages SET created_at = ? WHERE id = ?", (stored, message))
    report = copy_database(rich, db)
    assert {t.name: (t.rows, t.checksum) for t in report.tables} == checksums(rich) == checksums(db)
    copied = open_project(db)
    try:
        with copied.read() as session:
            times = [session.scalar(select(Message.created_at).where(Message.id == message)) for message in ids]
    finally:
        copied.close()
    assert times == list(other_forms.values())
    if "://" not in db:  # in the copy, in the form fokus writes
        with sqlite3.connect(db) as conn:
            stored = [conn.execute("SELECT created_at FROM messages WHERE id = ?", (m,)).fetchone()[0] for m in ids]
        assert stored == ["2013-03-01 10:00:00.000000", "2013-03-02 10:00:00.500000"]


def test_a_broken_reference_is_refused_and_leaves_nothing(rich: str, db: str) -> None:
    with sqlite3.connect(rich) as conn:  # foreign keys are not enforced on this connection
        conn.execute("UPDATE codings SET message_id = 999999 WHERE id = (SELECT max(id) FROM codings)")
    with pytest.raises(FokusError, match=r"codings.*nothing was written"):
        copy_database(rich, db)
    if "://" in db:
        assert is_empty_database(db)
    else:
        assert list(Path(db).parent.glob(f"*{Path(db).name}*")) == []


def test_an_interrupted_copy_leaves_nothing(rich: str, db: str) -> None:
    source = open_project(rich)

    def interrupt(stage: str, done: int, total: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C halfway through the rows

    try:
        with pytest.raises(KeyboardInterrupt):
            copy_project(source, db, progress=interrupt)
    finally:
        source.close()
    if "://" in db:
        assert is_empty_database(db)
    else:
        assert list(Path(db).parent.glob(f"*{Path(db).name}*")) == []


@needs_pg
def test_a_row_the_target_refuses_rolls_everything_back(rich: str, pg_db: str) -> None:
    with sqlite3.connect(rich) as conn:  # SQLite does not enforce VARCHAR lengths; PostgreSQL does
        conn.execute("UPDATE codes SET name = ? WHERE path = 'krise'", ("x" * 201,))
    _, err = fokus("copy", rich, pg_db, ok=False)
    assert err.count("\n") == 1
    assert "table codes could not be copied: value too long" in err
    assert is_empty_database(pg_db)


def test_the_copy_reads_one_snapshot_while_others_write(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(record("m1", "Kari Holmen", "Flommen kom.", when=at(1)))])
    before = project_counts(project)
    writer = open_project(project.display)
    wrote: list[str] = []

    def write_meanwhile(stage: str, done: int, total: int) -> None:
        if not wrote:  # after the first table is read, another process adds a message and a coding
            with writer.begin() as session:
                import_messages(session, [parsed(record("m2", "Ola", "Ny melding.", when=at(2)), sha="b" * 64)])
                coder = CoderRegistry(session).get_or_create("ola", CoderKind.HUMAN)
                add_coding(session, session.scalar(select(func.max(Message.id))) or 0, "krise", 0, 3, coder)
            wrote.append(stage)

    target = tmp_path / "kopi.db"
    report = copy_project(project, target, progress=write_meanwhile)
    writer.close()
    assert wrote
    counts = {t.name: t.rows for t in report.tables}
    assert counts["messages"] == before["messages"] == 1
    assert counts["codings"] == before["codings"] == 0
    assert project_counts(project)["messages"] == 2  # the write landed, in the source only
    assert {name: rows for name, (rows, _) in checksums(str(target)).items()} == counts


def project_counts(project: Project) -> dict[str, int]:
    with project.read() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) or 0 for t in project_tables()}


@needs_pg
def test_refusals_leave_source_and_target_as_they_were(rich: str, pg_db: str, tmp_path: Path) -> None:
    before = checksums(rich)
    # a target that is a project already, on either backend
    other = tmp_path / "annen.db"
    fokus("--db", str(other), "init", "--empty")
    other_before = checksums(str(other))
    _, err = fokus("copy", rich, str(other), ok=False)
    assert (
        err.strip()
        == f"fokus: error: {other}: exists already; a copy goes into a new file (name a file that does not exist yet)"
    )
    assert checksums(str(other)) == other_before
    fokus("--db", pg_db, "init", "--empty")
    pg_before = checksums(pg_db)
    _, err = fokus("copy", rich, pg_db, ok=False)
    assert err.count("\n") == 1
    assert "the database is not empty" in err
    assert checksums(pg_db) == pg_before
    # an empty file is a file too
    empty = tmp_path / "tom.db"
    empty.touch()
    _, err = fokus("copy", rich, str(empty), ok=False)
    assert "exists already" in err
    assert empty.stat().st_size == 0
    # sources that are no project
    target = tmp_path / "kopi.db"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    for source, reason in [
        (str(tmp_path / "missing.db"), "no project here"),
        (str(junk), "not a fokus project"),
        (str(tmp_path), "is a folder"),
    ]:
        _, err = fokus("copy", source, str(target), ok=False)
        assert err.count("\n") == 1
        assert reason in err
        assert not target.exists()
    # a source with tables fokus does not know: a copy of it would not be whole
    with sqlite3.connect(rich) as conn:
        conn.execute("CREATE TABLE notater (tekst TEXT)")
    _, err = fokus("copy", rich, str(target), ok=False)
    assert "tables fokus does not know (notater)" in err
    assert not target.exists()
    with sqlite3.connect(rich) as conn:
        conn.execute("DROP TABLE notater")
    # a source made by a newer fokus
    with sqlite3.connect(rich) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    _, err = fokus("copy", rich, str(target), ok=False)
    assert "newer fokus" in err
    assert not target.exists()
    assert list(tmp_path.glob(".kopi.db*")) == []
    with sqlite3.connect(rich) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (HEAD,))
    assert checksums(rich) == before


@needs_pg
def test_passwords_are_never_shown(rich: str, pg_db: str) -> None:
    with_password = pg_db.replace("fokus@", "fokus:hemmelig-passord@", 1)
    assert "hemmelig" in with_password
    out, err = fokus("copy", rich, with_password)
    assert "hemmelig" not in out + err
    assert "***" in out
    _, err = fokus("copy", rich, with_password, ok=False)
    assert "hemmelig" not in err
    assert "***" in err
    _, err = fokus("copy", with_password.rsplit("/", 1)[0] + "/finnes_ikke", "x.db", ok=False)
    assert "hemmelig" not in err
    assert err.count("\n") == 1


def test_a_sqlite_snapshot_of_a_server_project(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(record("m1", "Kari Holmen", "Flommen kom.", when=at(1)))])
    path = tmp_path / "snapshot.db"
    report = sqlite_snapshot(project, path)
    check_backup(path)  # what `fokus restore` asks of a copy
    assert {t.name: (t.rows, t.checksum) for t in report.tables} == checksums(str(path))
    with pytest.raises(FokusError, match="exists already"):
        sqlite_snapshot(project, path)


@needs_pg
def test_fokus_backup_of_a_server_project_writes_checked_sqlite_copies(rich: str, pg_db: str, tmp_path: Path) -> None:
    fokus("copy", rich, pg_db)
    folder = tmp_path / "kopier"
    for label in ("first", "second", "third"):
        out, _ = fokus("--db", pg_db, "backup", "--to", str(folder), "--keep", "2", "--label", label)
        assert "checked" in out
    copies = sorted(folder.glob("*.bak"))
    assert [c.name.rsplit(".", 2)[1] for c in copies] == ["second", "third"]  # the oldest was pruned
    listed, _ = fokus("--db", pg_db, "backup", "--to", str(folder), "--list")
    assert "third" in listed
    assert "first" not in listed
    check_backup(copies[-1])  # what `fokus restore` asks of a copy
    assert checksums(str(copies[-1])) == checksums(pg_db)  # the server's project, table for table


# --- the demo, each way -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = runner.invoke(main, ["--db", str(path), "demo", "--no-tui", "--focus-group-only"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return str(path)


@pytest.mark.slow
@needs_pg
def test_the_demo_on_postgresql_shows_the_same_status(demo_db: str, pg_db: str, tmp_path: Path) -> None:
    fokus("copy", demo_db, pg_db)
    here, _ = fokus("--db", demo_db, "status")
    there, _ = fokus("--db", pg_db, "status")
    assert there.splitlines()[1:] == here.splitlines()[1:]  # the first line names the project
    figures = json.loads(fokus("--db", demo_db, "status", "--json")[0])
    assert figures["codings"]["accepted"] > 0  # two empty projects would agree too
    assert json.loads(fokus("--db", pg_db, "status", "--json")[0]) == figures
    assert fokus("--db", pg_db, "freq", "--format", "csv")[0] == fokus("--db", demo_db, "freq", "--format", "csv")[0]
    back = tmp_path / "demo-tilbake.db"
    fokus("copy", pg_db, str(back))
    assert checksums(str(back)) == checksums(demo_db)


# --- the checksum itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_the_checksum_sees_one_changed_value_and_nothing_else(db: str, tmp_path: Path) -> None:
    project = open_project(db, create=True)
    table = next(t for t in project_tables() if t.name == "events")
    rows = [
        {
            "id": 1,
            "at": at(1),
            "batch": "b1",
            "action": "coding.add",
            "before": None,
            "after": {"a": 1, "b": [0.1, None]},
        },
        {"id": 2, "at": at(2), "batch": "b1", "action": "coding.add", "before": None, "after": {"x": "ø"}},
    ]  # "before" is JSON null: SQLAlchemy writes None so into a JSON column
    try:
        with project.engine.begin() as conn:
            conn.execute(table.insert(), rows)
            first = table_checksum(conn, table)
            assert table_checksum(conn, table) == first
            conn.execute(text("""UPDATE events SET "after" = '{"a": 2, "b": [0.1, null]}' WHERE id = 1"""))
            changed = table_checksum(conn, table)
            assert changed[0] == first[0]
            assert changed[1] != first[1]
            conn.execute(text("""UPDATE events SET "after" = '{"a": 1, "b": [0.1, null]}' WHERE id = 1"""))
            assert table_checksum(conn, table) == first
            # the JSON's text is what is copied and checked: the same keys in another order are another text
            conn.execute(text("""UPDATE events SET "after" = '{"b": [0.1, null], "a": 1}' WHERE id = 1"""))
            assert table_checksum(conn, table) != first
            conn.execute(text("""UPDATE events SET "after" = '{"a": 1, "b": [0.1, null]}' WHERE id = 1"""))
            conn.execute(table.update().where(table.c.id == 2).values(at=at(2) + timedelta(microseconds=1)))
            assert table_checksum(conn, table) != first
            conn.execute(table.update().where(table.c.id == 2).values(at=at(2)))
            assert table_checksum(conn, table) == first
            conn.execute(text("UPDATE events SET before = NULL WHERE id = 2"))  # SQL NULL, where JSON null was
            assert table_checksum(conn, table) != first
            conn.rollback()
    finally:
        project.close()


@pytest.mark.postgresql
def test_every_direction(project: Project, pg_admin: str, tmp_path: Path) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(record("m1", "Kari Holmen", "Flommen kom.", when=at(1)))])
        ingrid = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
        add_coding(session, session.scalar(select(func.max(Message.id))) or 0, "krise/flom", 0, 7, ingrid)
    source = checksums(project.display)
    server = pgserver.create_database(pg_admin)
    try:
        for target in (str(tmp_path / "kopi.db"), server):
            report = copy_project(project, target)
            assert {t.name: (t.rows, t.checksum) for t in report.tables} == source == checksums(target)
        if project.sqlite_path is not None:  # a file copied from a file is as private as it
            assert os.stat(tmp_path / "kopi.db").st_mode == os.stat(project.sqlite_path).st_mode
    finally:
        pgserver.drop_database(pg_admin, server)
