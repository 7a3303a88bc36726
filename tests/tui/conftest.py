"""What the TUI tests share: the demo project (built once per backend), a fresh copy of it for each test, and
``drive``, which runs a test's steps in the real app through Textual's Pilot."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from fokus.store import Project, open_project
from fokus.tui.app import FokusApp
from tests.conftest import BACKENDS, pgserver
from tests.test_cli import fokus

#: A test's steps: awaited with the Pilot and the app, once the first screen has settled.
Steps = Callable[[Pilot[None], FokusApp], Awaitable[None]]


@pytest.fixture(scope="package", params=BACKENDS)
def demo_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo project, built once per backend for all the TUI tests: a SQLite file, or a PostgreSQL database used
    as a template. Tests never change it: each works on its own copy (``project``)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("tui") / "demo.db"
        fokus("--db", str(path), "demo", "--no-tui", "--focus-group-only")  # the focus group: what the screens show
        yield str(path)
        return
    admin = request.getfixturevalue("pg_admin")
    url = pgserver.create_database(admin, "tui_demo")
    fokus("--db", url, "demo", "--no-tui", "--focus-group-only")
    yield url
    pgserver.drop_database(admin, url)


@pytest.fixture
def project(demo_file: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Project]:
    """A copy of the demo for one test."""
    if "://" not in demo_file:
        copy = tmp_path / "demo.db"
        shutil.copy(demo_file, copy)
        project = open_project(copy)
        yield project
        project.close()
        return
    admin = request.getfixturevalue("pg_admin")
    url = pgserver.create_database(admin, template=demo_file)
    project = open_project(url)
    yield project
    project.close()
    pgserver.drop_database(admin, url)


@pytest.fixture
def drive(project: Project) -> Callable[..., None]:
    """``drive(steps, **options)``: run the app on the test's copy of the demo as coder ``tester``, at 120x40 (or
    ``size=(columns, rows)``), and await ``steps(pilot, app)``; other ``options`` go to `FokusApp`
    (``hypotheses=...``)."""

    def run(steps: Steps, *, size: tuple[int, int] = (120, 40), **options: Any) -> None:
        async def go() -> None:
            app = FokusApp(project, "tester", **options)
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                await steps(pilot, app)

        asyncio.run(go())

    return run


def screen_lines(app: FokusApp) -> list[str]:
    """The terminal's lines as a person sees them now (Textual's compositor renders the screen; no styles)."""
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]
