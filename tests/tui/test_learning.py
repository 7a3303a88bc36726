"""Retraining from the TUI: a worker trains on the demo's decisions, saves a version and suggests (on SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from textual.pilot import Pilot

from fokus.api.learning import load_model
from fokus.api.review import review_queue
from fokus.model import Coding, LearnedModel
from fokus.store import Project
from fokus.tui.app import FokusApp


def test_learning_in_the_background_saves_a_model_and_its_suggestions(
    project: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("L")
        await app.workers.wait_for_complete()
        await pilot.pause()

    drive(steps)
    with project.read() as session:
        assert session.scalar(select(func.count()).select_from(LearnedModel)) == 1
        model_suggestions = session.scalar(
            select(func.count())
            .select_from(Coding)
            .where(Coding.status == "suggested", Coding.origin.contains("model:1"))
        )
        assert model_suggestions
        # the review queue can put the model's least certain suggestions first (active learning)
        queue = review_queue(session, order="uncertain", limit=5000)
    assert any("model:1" in item.origin for item in queue)
    distances = [abs(item.confidence - 0.5) for item in queue if item.confidence is not None]
    assert distances == sorted(distances)
    if project.sqlite_path is not None:  # beside the file; on a server, in the database, loadable by every coder
        assert (project.sqlite_path.with_name(project.sqlite_path.name + ".models") / "model-001.npz").is_file()
    else:
        with project.read() as session:
            assert load_model(session, None)[0] == 1
