"""Databases fokus refuses stay as they were, and storage that fails is one line, never an internal error.

- A database made by something else (no ``alembic_version``, an empty one, another Alembic project's) is refused
  before anything could write to it: on SQLite its bytes, time and journal mode stay the same (no WAL pragma), on
  both backends it gets no fokus table.
- A failed ``fokus init`` leaves no project behind: schema and codebook are one transaction.
- A full disk, a damaged page and a project that cannot be written each end in one line naming the project and the
  reason, exit 1. A project on read-only storage opens read-only: reading commands work, writing ones say why not.

Full and read-only disks are real: a small tmpfs, one remounted read-only, ``chattr +i`` (tests/mounts.py).
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import URL, Engine, create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from fokus.api.codebook import load_codebook
from fokus.cli import main
from fokus.files.codebook import load_codebook as read_codebook
from fokus.model import Setting
from fokus.store.engine import database_url, display
from tests import mounts
from tests.mounts import remount_read_only, tmpfs, unwritable

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "corpus" / "csv" / "april-mai.csv"


def fokus(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = fokus(*args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    """The one line a refused command prints on stderr (and its exit code 1)."""
    result = fokus(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def tables(db: str) -> set[str]:
    engine = create_engine(database_url(db))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def file_state(path: Path) -> tuple[bytes, int, str]:
    """The file's bytes, its modification time and its journal mode (read without changing any of them)."""
    state = (path.read_bytes(), path.stat().st_mtime_ns)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    return (*state, mode)


# --- databases made by something else ------------------------------------------------------------------------------

FOREIGN = {
    "no alembic_version": ["CREATE TABLE notes (x integer)"],
    "an empty alembic_version": [
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
        "CREATE TABLE notes (x integer)",
    ],
    "another Alembic project": [
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('3fa2b1c0d9e8')",
        "CREATE TABLE notes (x integer)",
    ],
}


@pytest.mark.parametrize("kind", list(FOREIGN))
def test_a_database_made_by_something_else_is_refused_and_left_as_it_was(db: str, kind: str) -> None:
    engine = create_engine(database_url(db))
    with engine.begin() as conn:
        for statement in FOREIGN[kind]:
            conn.execute(text(statement))
    engine.dispose()
    before = tables(db)
    path = Path(db) if "://" not in db else None
    state = file_state(path) if path else None
    shown = db if path else display(database_url(db))

    for command in (["status"], ["import", str(CSV)], ["codebook", "show"]):
        line = refused("--db", db, *command)
        assert line == f"fokus: error: {shown}: not a fokus project (a database made by something else)\n"
    assert tables(db) == before  # no fokus schema
    if path is not None:
        assert file_state(path) == state  # the same bytes and time, and still journal_mode=delete (no WAL)
        assert state is not None
        assert state[2] == "delete"


def test_a_fokus_schema_without_its_revision_is_refused(db: str) -> None:
    ok("--db", db, "init", "--empty")
    engine = create_engine(database_url(db))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    engine.dispose()
    shown = db if "://" not in db else display(database_url(db))
    line = refused("--db", db, "status")
    assert line == f"fokus: error: {shown}: not a fokus project (its alembic_version table holds no schema revision)\n"


# --- a failed init -------------------------------------------------------------------------------------------------


def test_a_failed_init_leaves_no_project_behind(db: str, codebook_file: Path) -> None:
    from fokus.store.project import create_project  # (here, so the rest runs on a fokus without it)

    spec = read_codebook(codebook_file)

    def fails_halfway(session):  # type: ignore[no-untyped-def]
        load_codebook(session, spec)  # the codebook is written ...
        session.flush()
        session.add_all([Setting(key="x", value="1"), Setting(key="x", value="2")])
        session.flush()  # ... and then the database refuses a row

    with pytest.raises(IntegrityError):
        create_project(db, fails_halfway)
    if "://" in db:
        assert tables(db) == set()  # the schema went with the rest: PostgreSQL rolls DDL back
    else:
        assert list(Path(db).parent.glob("p.db*")) == []
    out = ok("--db", db, "init", "--codebook", str(codebook_file))  # not "a project exists here already"
    assert "with the codebook 'Liten kodebok' (5 codes)" in out


@pytest.mark.parametrize("backend", ["sqlite"])
def test_init_on_a_full_disk_says_so_and_leaves_no_file(backend: str, tmp_path: Path, codebook_file: Path) -> None:
    with tmpfs(tmp_path / "disk", "100k") as disk:
        db = str(disk / "p.db")
        line = refused("--db", db, "init", "--codebook", str(codebook_file))
        assert line == (
            f"fokus: error: {db}: the disk is full (database or disk is full); nothing of this command was written"
            " (free some space, then run it again)\n"
        )
        assert list(disk.iterdir()) == []


# --- storage that fails --------------------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path, codebook_file: Path) -> Path:
    """A SQLite project with the April-May messages of the demo corpus."""
    db = tmp_path / "small" / "p.db"
    ok("--db", str(db), "init", "--codebook", str(codebook_file))
    ok("--db", str(db), "import", str(CSV))
    return db


def messages(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    finally:
        conn.close()


def big_csv(path: Path, rows: int) -> Path:
    words = "flom krise beredskap kommune innbygger dialog rådmann ordfører skole".split()
    lines = ["id,thread_id,parent_id,author,created_time,text"]
    for i in range(rows):
        text_ = f"melding {i}: " + " ".join(words[(i + j) % len(words)] for j in range(150))
        lines.append(f"b{i},b{i},,Person {i % 40},2013-05-{1 + i % 28:02d}T10:{i % 60:02d}:00+02:00,{text_}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_full_disk_is_one_line_and_the_project_stays_whole(tmp_path: Path, codebook_file: Path) -> None:
    export = big_csv(tmp_path / "stor.csv", 2000)  # about 2 MB of text
    with tmpfs(tmp_path / "disk", "1m") as disk:
        db = disk / "p.db"
        ok("--db", str(db), "init", "--codebook", str(codebook_file))
        ok("--db", str(db), "import", str(CSV))
        before = messages(db)
        line = refused("--db", str(db), "import", str(export))
        assert line == (
            f"fokus: error: {db}: the disk is full (database or disk is full); nothing of this command was written"
            " (free some space, then run it again)\n"
        )
        assert messages(db) == before
        assert "messages      253 in" in ok("--db", str(db), "status")


def test_a_damaged_page_is_one_line_naming_the_project(small: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(small)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'messages'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with small.open("r+b") as file:  # the page that holds the messages table's root: garbage
        file.seek((root - 1) * size)
        file.write(b"\xff" * size)
    damaged = f"fokus: error: {small}: the project file is damaged (database disk image is malformed)"
    restore = " (restore a backup: `fokus backup --list`, then `fokus restore COPY`)\n"
    assert refused("--db", str(small), "status") == damaged + restore
    assert refused("--db", str(small), "export", "messages", "-o", str(tmp_path / "m.csv")) == damaged + restore
    assert not (tmp_path / "m.csv").exists()
    written = "; nothing of this command was written"
    assert refused("--db", str(small), "import", str(big_csv(tmp_path / "ny.csv", 3))) == damaged + written + restore


READ_ONLY = ["a read-only mount", "an unwritable file", "an unwritable folder"]


@pytest.fixture(params=READ_ONLY)
def read_only(request: pytest.FixtureRequest, small: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The small project where it cannot be written, and why fokus says it cannot."""
    kind = request.param
    if kind == "a read-only mount":
        with tmpfs(tmp_path / "ro", "4m") as folder:
            db = folder / "p.db"
            db.write_bytes(small.read_bytes())
            remount_read_only(folder)
            yield db, "it lies on a file system mounted read-only"
        return
    target = small if kind == "an unwritable file" else small.parent
    why = {
        "an unwritable file": "the file is not writable for this user",
        "an unwritable folder": "its folder is not writable for this user (SQLite writes its -wal and -shm files"
        " beside the project)",
    }[kind]
    with unwritable(target):
        yield small, why


def test_a_read_only_project_reads_and_says_why_it_cannot_be_written(
    read_only: tuple[Path, str], tmp_path: Path
) -> None:
    db, why = read_only
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    status = ok("--db", str(db), "status")
    assert status.startswith(f"Project {db}\n")
    assert "messages      253 in" in status
    assert "codings" in ok("--db", str(db), "freq")
    ok("--db", str(db), "export", "messages", "-o", str(tmp_path / "m.csv"))
    assert len((tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()) > 253

    cannot = (
        f"fokus: error: {db}: the project is read-only: {why}; fokus can read it (status, export, freq) but not"
        " change it (copy it to a folder you can write to, and work on the copy)\n"
    )
    assert refused("--db", str(db), "import", str(big_csv(tmp_path / "ny.csv", 3))) == cannot
    assert refused("--db", str(db), "codebook", "delete", "dialog", "--yes") == cannot
    if why.startswith("the file"):  # the folder takes a copy, and the copy is whole
        assert "Backed up" in ok("--db", str(db), "backup")
    else:
        line = refused("--db", str(db), "backup")
        assert line.startswith(f"fokus: error: {db}: no backup can be written beside the project: ")
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before


@pytest.mark.postgresql
def test_a_read_only_database_on_a_server_reads_and_says_why_it_cannot_be_written(
    pg_db: str, codebook_file: Path
) -> None:
    ok("--db", pg_db, "init", "--codebook", str(codebook_file))
    ok("--db", pg_db, "import", str(CSV))
    name = pg_db.rsplit("/", 1)[1]
    engine = create_engine(pg_db, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()
    assert "messages      253 in" in ok("--db", pg_db, "status")
    line = refused("--db", pg_db, "codebook", "delete", "dialog", "--yes")
    assert re.fullmatch(
        f"fokus: error: {re.escape(display(database_url(pg_db)))}: the database accepts no writes"
        r" \(cannot execute [A-Z]+ in a read-only transaction\); nothing of this command was written\n",
        line,
    )


@pytest.mark.postgresql
def test_a_full_disk_on_the_server_is_one_line(pg_admin: str, codebook_file: Path, tmp_path: Path) -> None:
    """The server's files for the project on a small tmpfs (a tablespace): it fills up during an import."""
    admin = make_url(pg_admin)
    if admin.host not in ("127.0.0.1", "localhost", None) or not mounts.ROOT:
        pytest.skip("needs root and the PostgreSQL server on this machine (a tablespace on a tmpfs)")
    try:
        server_user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("the server's user is not postgres")
    folder = Path(
        tempfile.mkdtemp(prefix="fokus-test-space-")
    )  # not under pytest's folder, which postgres cannot enter
    folder.chmod(0o755)
    name = f"fokus_full_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with tmpfs(folder, "24m"):
            try:
                _fill_the_servers_disk(engine, admin, name, folder, server_user, codebook_file, tmp_path)
            finally:
                # while the tmpfs is still there: a tablespace whose folder vanished breaks the server's checkpoints
                with engine.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    conn.execute(text(f"DROP TABLESPACE IF EXISTS {name}"))
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _fill_the_servers_disk(
    engine: Engine,
    admin: URL,
    name: str,
    folder: Path,
    server_user: pwd.struct_passwd,
    codebook_file: Path,
    tmp_path: Path,
) -> None:
    """Import twice what fits into a tablespace on the tmpfs at ``folder``; one line, and the project intact."""
    space = folder / "pg"
    space.mkdir()
    os.chown(space, server_user.pw_uid, server_user.pw_gid)
    with engine.connect() as conn:
        conn.execute(text(f"CREATE TABLESPACE {name} LOCATION '{space}'"))
        conn.execute(text(f"CREATE DATABASE {name} TABLESPACE {name}"))
    db = admin.set(database=name).render_as_string(hide_password=False)
    ok("--db", db, "init", "--codebook", str(codebook_file))
    ballast = folder / "ballast"
    ballast.write_bytes(b"\0" * (1 << 20))
    free = shutil.disk_usage(folder).free
    export = big_csv(tmp_path / "stor.csv", 2 * free // 1000)  # twice what fits
    line = refused("--db", db, "import", str(export))
    assert re.fullmatch(
        f"fokus: error: {re.escape(display(make_url(db)))}: the database server's disk is full"
        r' \(could not extend file "[^"]+": No space left on device\); nothing of this command was written'
        r" \(ask for more space on the server, then run it again\)\n",
        line,
    ), line
    ballast.unlink()  # as the hint says (a full server cannot even start a new connection)
    assert "messages      0 in 0 threads" in ok("--db", db, "status")
