"""The look of the main screens on the demo project, pinned as SVG snapshots (pytest-textual-snapshot).

Update them after a deliberate change of the look with `pytest tests/tui --snapshot-update`, and look at the diff.
"""

from __future__ import annotations

from typing import Any

import pytest

from fokus.store import Project
from fokus.tui.app import FokusApp

# the look of each screen, pinned on SQLite: its title names the project file (the Pilot tests cover PostgreSQL)
pytestmark = pytest.mark.parametrize("demo_file", ["sqlite"], indirect=True)


def test_thread_list(project: Project, snap_compare: Any) -> None:
    assert snap_compare(FokusApp(project, "ingrid"), terminal_size=(120, 40))


def test_a_thread(project: Project, snap_compare: Any) -> None:
    assert snap_compare(FokusApp(project, "ingrid"), press=["down", "enter", "j"], terminal_size=(120, 40))


def test_review_queue(project: Project, snap_compare: Any) -> None:
    assert snap_compare(FokusApp(project, "ingrid"), press=["v"], terminal_size=(120, 40))


def test_codebook_panel(project: Project, snap_compare: Any) -> None:
    assert snap_compare(FokusApp(project, "ingrid"), press=["b", "down", "down"], terminal_size=(120, 40))
