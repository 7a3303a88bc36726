"""An import keeps the garbage collector out of its way (fokus.allocation) and leaves it as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.importers import read_paths


def test_read_paths_leaves_the_collector_as_it_was_after_a_refused_file(tmp_path: Path) -> None:
    gc.unfreeze()  # what a TUI test run earlier in this process froze: fokus.allocation lets every frozen object go
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text('[{"id": "1", "message": "Hei", "created_time": "2013-02-19T09:15:00+0000"}]', encoding="utf-8")
    bad.write_text('[{"id": "1", "message": "Hei", "created_time": "19/02/2013"}]', encoding="utf-8")
    assert [m.text for source in read_paths([good]) for m in source.messages] == ["Hei"]
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before
    with pytest.raises(FokusError) as caught:
        read_paths([good, bad])
    assert caught.value.where == "$[0].created_time"
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before
