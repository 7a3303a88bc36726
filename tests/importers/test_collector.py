"""The garbage collector is held off while an import reads and writes, and is on again after, whatever happened."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.importers import read_paths
from fokus.importers.collector import collector_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_in_the_block_and_on_after(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off(collector_on: None) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_read_paths_turns_the_collector_on_again_after_a_refused_file(tmp_path: Path, collector_on: None) -> None:
    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text('[{"id": "1", "message": "Hei", "created_time": "2013-02-19T09:15:00+0000"}]', encoding="utf-8")
    bad.write_text('[{"id": "1", "message": "Hei", "created_time": "19/02/2013"}]', encoding="utf-8")
    assert [m.text for source in read_paths([good]) for m in source.messages] == ["Hei"]
    assert gc.isenabled()
    with pytest.raises(FokusError) as caught:
        read_paths([good, bad])
    assert caught.value.where == "$[0].created_time"
    assert gc.isenabled()
