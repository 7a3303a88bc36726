"""Shared fixtures: every test runs in its own folder with no project settings leaking in from the developer."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.store import Project, open_project

SMALL_CODEBOOK = """\
codebook: Liten kodebok
version: "1"
codes:
  - id: krise
    name: Krise og beredskap
    color: "#D62728"
    description: Kriser og beredskap.
    children:
      - id: flom
        name: Flom
  - id: dialog
    name: Innbyggerdialog
  - id: gruppe
    name: Bare en gruppe
    codable: false
    children:
      - id: barn
        name: Barn
"""


sys.path.insert(0, str(Path(__file__).parent))
import pgserver  # noqa: E402  (tests/pgserver.py: a throwaway PostgreSQL server)

#: The backends every storage, import, coding, analysis and concurrency test runs on.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


#: For a test of something only SQLite has (its file, its pragmas, its backup API): the ``project`` and ``db``
#: fixtures then give only the SQLite one.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])
#: For a test of something only a server has (row locks, deadlocks, advisory locks).
postgresql_only = pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    """The admin URL of a PostgreSQL server for this test session.

    ``FOKUS_TEST_POSTGRESQL`` names one (``.ci/run`` starts it); otherwise a private server is started from the
    installed PostgreSQL binaries and stopped at the end. Without either the PostgreSQL tests are skipped, unless
    ``FOKUS_TEST_REQUIRE_POSTGRESQL`` is set (as in CI), where a missing server is an error.
    """
    given = os.environ.get("FOKUS_TEST_POSTGRESQL")
    if given:
        yield given
        return
    if pgserver.binaries() is None:
        if os.environ.get("FOKUS_TEST_REQUIRE_POSTGRESQL"):
            pytest.fail("FOKUS_TEST_REQUIRE_POSTGRESQL is set but PostgreSQL is not installed")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql), nor FOKUS_TEST_POSTGRESQL set")
    # not under pytest's own temporary folder: as root the server runs as postgres, who cannot enter that one
    folder = Path(tempfile.mkdtemp(prefix="fokus-test-pg-"))
    url = pgserver.start(folder)
    try:
        yield url
    finally:
        pgserver.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_db(pg_admin: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped after the test."""
    url = pgserver.create_database(pg_admin)
    try:
        yield url
    finally:
        pgserver.drop_database(pg_admin, url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a test's project lives, as ``--db`` takes it: a SQLite file (not yet made) or an empty PostgreSQL
    database, once for each backend."""
    if backend == "sqlite":
        return str(tmp_path / "p.db")
    return str(request.getfixturevalue("pg_db"))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    from fokus.i18n import use

    monkeypatch.delenv("FOKUS_DB", raising=False)
    monkeypatch.delenv("FOKUS_CODER", raising=False)
    # English, whatever the developer's locale or own `fokus config lang`; tests of other languages ask for them
    monkeypatch.setenv("FOKUS_LANG", "en")
    monkeypatch.setenv("FOKUS_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.chdir(tmp_path)
    yield
    use("en")


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "kodebok.yaml"
    path.write_text(SMALL_CODEBOOK, encoding="utf-8")
    return path


@pytest.fixture
def project(db: str, codebook_file: Path) -> Iterator[Project]:
    from fokus.api.codebook import load_codebook
    from fokus.files.codebook import load_codebook as read_codebook

    project = open_project(db, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(codebook_file))
    yield project
    project.close()


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2013, 3, day, hour, minute, second, tzinfo=UTC)


def record(
    source_id: str,
    author: str,
    text: str,
    *,
    when: datetime,
    thread: str | None = None,
    parent: str | None = None,
    kind: MessageKind | None = None,
    **extra: object,
) -> MessageRecord:
    if kind is None:
        kind = MessageKind.POST if thread is None or thread == source_id else MessageKind.COMMENT
        if parent and parent != thread:
            kind = MessageKind.REPLY
    return MessageRecord(
        source_id=source_id,
        thread_id=source_id if kind is MessageKind.POST else thread,
        parent_id=parent,
        kind=kind,
        author=author,
        created_at=when,
        text=text,
        location=f"test:{source_id}",
        **extra,  # type: ignore[arg-type]
    )


def parsed(*records: MessageRecord, kind: SourceKind = SourceKind.CSV, sha: str = "a" * 64) -> ParsedSource:
    return ParsedSource(path=f"test.{kind.value}", kind=kind, sha256=sha, messages=list(records))
