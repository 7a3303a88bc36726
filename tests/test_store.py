"""The project database on SQLite and PostgreSQL: creation, each backend's promises, migrations that match the
models, UTC times, refusals."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from fokus.errors import FokusError
from fokus.model import Base, Case, Setting
from fokus.store import Project, open_project
from fokus.store.migrate import HEAD, head_revision


def test_new_project_is_at_head_with_sqlite_promises(tmp_path: Path) -> None:
    project = open_project(tmp_path / "new.db", create=True)
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    project.close()


@pytest.mark.postgresql
def test_a_new_postgresql_project_reads_one_snapshot_and_writes_under_the_project_lock(pg_db: str) -> None:
    from fokus.store.engine import PROJECT_LOCK_KEY

    project = open_project(pg_db, create=True)
    assert project.sqlite_path is None
    with project.read() as session:
        assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            session.execute(text("INSERT INTO settings (key, value) VALUES ('x', '1')"))
    lock = text("SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objid = :key")
    with project.begin() as session:
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
        assert session.execute(lock, {"key": PROJECT_LOCK_KEY & 0xFFFFFFFF}).scalars().all() == ["ExclusiveLock"]
    with project.begin(concurrent=True) as session:
        assert session.execute(lock, {"key": PROJECT_LOCK_KEY & 0xFFFFFFFF}).scalars().all() == ["ShareLock"]
    with project.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    project.close()


def test_the_head_constant_is_the_newest_migration() -> None:
    assert head_revision() == HEAD


def test_migrations_create_exactly_the_models(db: str) -> None:
    project = open_project(db, create=True)
    with project.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    project.close()
    assert diff == []


@pytest.mark.postgresql
def test_open_refuses_what_is_not_a_project_on_a_server(pg_db: str) -> None:
    with pytest.raises(FokusError, match="the database is empty"):
        open_project(pg_db)
    engine = create_engine(pg_db)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (x integer)"))
    engine.dispose()
    with pytest.raises(FokusError, match="made by something else"):
        open_project(pg_db)
    with pytest.raises(FokusError, match="not empty"):
        open_project(pg_db, create=True)
    gone = pg_db.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(FokusError, match=r'cannot reach the database: .*"no_such_database" does not exist'):
        open_project(gone)
    secret = pg_db.replace("fokus@", "fokus:hemmelig@").rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(FokusError) as refused:
        open_project(secret)
    assert "hemmelig" not in str(refused.value)
    assert "***" in str(refused.value)


def test_open_refuses_what_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(FokusError, match="no project here"):
        open_project(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(FokusError, match="not a fokus project"):
        open_project(junk)

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(FokusError, match="made by something else"):
        open_project(other)

    with pytest.raises(FokusError, match="is a folder"):
        open_project(tmp_path)


def test_create_refuses_an_existing_project(project: Project) -> None:
    with pytest.raises(FokusError, match="exists here already"):
        open_project(project.display, create=True)


def test_unknown_newer_revision_is_refused(project: Project) -> None:
    with project.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    with pytest.raises(FokusError, match="newer fokus"):
        open_project(project.display)


def test_times_are_stored_utc_and_come_back_aware(project: Project) -> None:
    oslo_summer = timezone(timedelta(hours=2))
    with project.begin() as session:
        session.add(Case(name="Bodø", created_at=datetime(2013, 4, 1, 12, 0, tzinfo=oslo_summer)))
    with project.read() as session:
        stored = session.scalars(select(Case.created_at)).one()
    assert stored == datetime(2013, 4, 1, 10, 0, tzinfo=UTC)
    assert stored.tzinfo is UTC
    with project.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT created_at FROM cases").scalar()
    assert str(raw).startswith("2013-04-01 10:00:00")


def test_naive_times_are_refused(project: Project) -> None:
    with project.begin(dry_run=True) as session:
        session.add(Case(name="Naiv", created_at=datetime(2013, 4, 1, 12, 0)))
        with pytest.raises(Exception, match="naive datetime"):
            session.flush()


def test_a_failing_command_writes_nothing(project: Project) -> None:
    def fail() -> None:
        with project.begin() as session:
            session.add(Setting(key="x", value="1"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    with project.read() as session:
        assert session.get(Setting, "x") is None


def test_dry_run_checks_everything_and_writes_nothing(project: Project) -> None:
    with project.begin(dry_run=True) as session:
        session.add(Setting(key="y", value="1"))
        session.flush()
        assert session.get(Setting, "y") is not None
    with project.read() as session:
        assert session.get(Setting, "y") is None


def test_reading_does_not_block_a_writer(project: Project) -> None:
    with project.read() as reader:
        reader.execute(select(Setting)).all()
        with project.begin() as writer:
            writer.add(Setting(key="z", value="1"))
    with project.read() as session:
        assert session.get(Setting, "z") is not None


def test_an_older_project_is_backed_up_then_migrated(tmp_path: Path) -> None:
    from alembic import command

    from fokus.store.engine import database_url, make_engine
    from fokus.store.migrate import alembic_config

    path = tmp_path / "old.db"
    engine = make_engine(database_url(path))
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('gammel', 'ja')")
        connection.commit()
    engine.dispose()

    project = open_project(path)
    assert project.backup is not None
    assert project.backup.name.startswith("old.db.")
    assert project.backup.name.endswith(f".before-{HEAD}.bak")
    with project.read() as session:
        assert session.get(Setting, "gammel") is not None
    with project.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == HEAD
    project.close()
    with sqlite3.connect(project.backup) as backup:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert backup.execute("SELECT value FROM settings").fetchone() == ("ja",)
    assert open_project(path).backup is None  # up to date now: no second backup
