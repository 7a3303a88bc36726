"""Alembic migrations run from code, so a researcher never types an alembic command.

An older project is brought up to date when it is opened, after a backup copy is written beside it. On SQLite,
foreign keys are off while migrating (batch migrations copy tables) and checked before they are turned back on.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect

from fokus.errors import FokusError
from fokus.store.backup import backup_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, *, db_path: Path | None, display: str) -> Path | None:
    """Bring the schema to head; returns the backup written first, if any.

    ``db_path`` is the SQLite file (None on other backends, whose owners have their own backups).
    """
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    with engine.connect() as probe:
        current = current_revision(probe)
        probe.rollback()
    if current == head:
        return None
    if current is not None and not _known(scripts, current):
        raise FokusError(
            f"the project is at schema revision {current}, which this version of fokus does not know",
            path=display,
            hint="it was made by a newer fokus; upgrade fokus",
        )
    backup = None
    if current is not None and db_path is not None:
        backup = backup_sqlite(db_path, f"before-{head}")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if problems:
                    raise FokusError(
                        f"migration left {len(problems)} broken references",
                        path=display,
                        hint=f"the backup {backup} is untouched" if backup else None,
                    )
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    return backup
