"""Projects the analysis and learning tests build once, on each backend, and compare across backends.

Building a study (tagging, planted codings) is most of these tests' cost, so a module builds its project once per
backend and its tests read it: ``backend`` is module-scoped under tests/analysis and tests/learn (their conftest.py),
so a module's tests run first on SQLite, then on PostgreSQL, each backend's project built once. :class:`Builds`
keeps each backend's project, built on first use, so a test can also take both and check that an analysis says
exactly the same on SQLite and PostgreSQL. A test that changes a project works on its own copy
(:meth:`Builds.copy`): the SQLite file copied, or a PostgreSQL database made with the built one as its template. The
demo is built once per backend for the whole session (``demo_sqlite``, ``demo_postgresql``) and only read.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from fokus.store import Project, open_project
from tests import pgserver
from tests.conftest import BACKENDS

#: Builds a project at a --db target (a SQLite path not yet made, or an empty PostgreSQL database), given a folder
#: of its own for the files it reads (a codebook, a case table); returns it open.
Build = Callable[[str, Path], Project]


def _connect(admin: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(pgserver.libpq(admin), autocommit=True)


def clone_database(admin: str, source: str) -> str:
    """A new PostgreSQL database made from ``source`` as its template (no one may be connected to it)."""
    name = f"fokus_{uuid.uuid4().hex[:12]}"
    with _connect(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.rsplit("/", 1)[1]}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def norwegian_database(admin: str) -> str:
    """A new, empty PostgreSQL database that sorts text as Norwegian does (ICU nb-NO), as a Norwegian team's server
    may well be set up: "Magnus" after "ingrid", and æ, ø, å in that order after z. SQLite compares code points."""
    name = f"fokus_nb_{uuid.uuid4().hex[:12]}"
    with _connect(admin) as conn:
        conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'"
            " LOCALE_PROVIDER icu ICU_LOCALE 'nb-NO'"
        )
    return admin.rsplit("/", 1)[0] + "/" + name


def admin_of(backend: str, request: pytest.FixtureRequest) -> str | None:
    """The PostgreSQL server's admin URL for ``backend`` (starting it, or skipping, as ``pg_admin`` does)."""
    return str(request.getfixturevalue("pg_admin")) if backend == "postgresql" else None


class Builds:
    """One project per backend, built on first use with ``build``, closed (and its database dropped) at the end."""

    def __init__(self, name: str, build: Build) -> None:
        self.name = name
        self.build = build
        self.projects: dict[str, Project] = {}
        self.folders: dict[str, Path] = {}  # each backend's folder, holding the files its build read
        self.databases: list[tuple[str, str]] = []  # (admin URL, database URL) to drop

    def get(self, backend: str, request: pytest.FixtureRequest) -> Project:
        if backend not in self.projects:
            folder = request.getfixturevalue("tmp_path_factory").mktemp(f"{self.name}-{backend}")
            admin = admin_of(backend, request)
            if admin is None:
                target = str(folder / f"{self.name}.db")
            else:
                target = pgserver.create_database(admin)
                self.databases.append((admin, target))
            self.folders[backend] = folder
            self.projects[backend] = self.build(target, folder)
        return self.projects[backend]

    @contextmanager
    def copy(self, backend: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
        """A copy of ``backend``'s project for one test to change, as a --db target; dropped afterwards."""
        built = self.get(backend, request)
        built.engine.dispose()  # no connection open: PostgreSQL copies no database someone is connected to
        admin = admin_of(backend, request)
        if admin is None:
            path = folder / f"{self.name}-copy.db"
            assert built.sqlite_path is not None
            with closing(sqlite3.connect(built.sqlite_path)) as source, closing(sqlite3.connect(path)) as copy:
                source.backup(copy)  # SQLite's own backup API: a consistent copy, whatever is in the WAL
            yield str(path)
            return
        target = clone_database(admin, built.display)
        try:
            yield target
        finally:
            pgserver.drop_database(admin, target)

    def close(self, backend: str | None = None) -> None:
        """Close ``backend``'s project (every one by default) and drop its database."""
        for name in [backend] if backend else list(self.projects):
            project = self.projects.pop(name, None)
            if project is not None:
                project.close()
        for admin, url in list(self.databases):
            if backend in (None, "postgresql"):
                pgserver.drop_database(admin, url)
                self.databases.remove((admin, url))


# --- the fixtures the two conftest.py files share -------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Module-scoped here (the root conftest's is per test): a module's projects are built once per backend."""
    return str(request.param)


def _build_demo(target: str, _folder: Path) -> Project:
    from fokus.api.demo import build_demo

    project = open_project(target, create=True)
    with project.begin() as session:
        build_demo(session)  # what `fokus demo` builds (the command then only reports on it)
    return project


# the same demo for tests/analysis and tests/learn: each conftest.py holds its own fixture, both take it from here
_DEMOS = Builds("demo", _build_demo)


@pytest.fixture(scope="session")
def demo_sqlite(request: pytest.FixtureRequest) -> Iterator[Project]:
    yield _DEMOS.get("sqlite", request)
    _DEMOS.close("sqlite")


@pytest.fixture(scope="session")
def demo_postgresql(pg_admin: str, request: pytest.FixtureRequest) -> Iterator[Project]:
    """Takes ``pg_admin`` itself, so the demo's database is dropped before the server stops."""
    yield _DEMOS.get("postgresql", request)
    _DEMOS.close("postgresql")


@pytest.fixture
def collated_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A --db target whose text order is not SQLite's: on PostgreSQL a new Norwegian-collated database (see
    :func:`norwegian_database`); on SQLite a new file, to compare with."""
    if backend == "sqlite":
        yield str(tmp_path / "collated.db")
        return
    import psycopg

    admin = str(request.getfixturevalue("pg_admin"))
    try:
        url = norwegian_database(admin)
    except psycopg.Error as exc:  # a server built without ICU
        pytest.skip(f"the server has no ICU collation nb-NO: {exc}")
    try:
        yield url
    finally:
        pgserver.drop_database(admin, url)


@pytest.fixture(scope="module")
def demo(backend: str, request: pytest.FixtureRequest) -> Project:
    """The demo project on the module's backend, built once a session; the tests only read it."""
    project: Project = request.getfixturevalue(f"demo_{backend}")
    return project
