"""Alembic migrations run from code, so a researcher never types an alembic command.

An older project is brought up to date when it is opened, after a backup copy is written beside it. On SQLite,
foreign keys are off while migrating (batch migrations copy tables) and checked before they are turned back on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DatabaseError

from fokus.errors import FokusError
from fokus.i18n import _, ngettext
from fokus.store.backup import backup_sqlite
from fokus.store.engine import READ_ONLY, lock_project

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest revision; a test checks it against the scripts. Opening an up-to-date project compares against it
#: without importing Alembic, which keeps every command's start-up short.
HEAD = "0009"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def run_migrations(connection: Connection, config: Config | None = None) -> None:
    """Bring the schema on ``connection`` to head, inside its transaction when one is open (Alembic leaves a
    transaction it did not begin to its owner, so a copy commits its schema with its rows or not at all)."""
    from alembic import command

    config = config or alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def current_revision(connection: Connection) -> str | None:
    """The project's schema revision, read directly (None for a database without one)."""
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError:
        connection.rollback()
        return None


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, *, db_path: Path | None, display: str) -> Path | None:
    """Bring the schema to head; returns the backup written first, if any.

    ``db_path`` is the SQLite file (None on other backends, whose owners have their own backups).
    """
    with engine.connect() as connection:
        probe = connection.execution_options(**{READ_ONLY: True})  # reading the revision takes no write lock
        current = current_revision(probe)
        probe.rollback()
    if current == HEAD:
        return None
    from alembic.script import ScriptDirectory

    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    if current is not None and not _known(scripts, current):
        raise FokusError(
            _("the project is at schema revision {revision}, which this version of fokus does not know").format(
                revision=current
            ),
            path=display,
            hint=_("it was made by a newer fokus; upgrade fokus"),
        )
    backup = None
    if current is not None and db_path is not None:
        backup = backup_sqlite(db_path, f"before-{head}")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if not sqlite:
            # two programs opening an old project at once: the second waits, then finds the schema current
            lock_project(connection)
            if current_revision(connection) == HEAD:
                connection.rollback()
                return backup
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            run_migrations(connection, config)
            if not sqlite:
                connection.commit()  # the migrations ran inside the transaction that holds the project lock
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if problems:
                    raise FokusError(
                        ngettext(
                            "migration left {count} broken reference",
                            "migration left {count} broken references",
                            len(problems),
                        ).format(count=len(problems)),
                        path=display,
                        hint=_("the backup {backup} is untouched").format(backup=backup) if backup else None,
                    )
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    return backup
