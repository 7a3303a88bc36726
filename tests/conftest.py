"""Shared fixtures: every test runs in its own folder with no project settings leaking in from the developer."""

from __future__ import annotations

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


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FOKUS_DB", raising=False)
    monkeypatch.delenv("FOKUS_CODER", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "kodebok.yaml"
    path.write_text(SMALL_CODEBOOK, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, codebook_file: Path) -> Iterator[Project]:
    from fokus.api.codebook import load_codebook
    from fokus.files.codebook import load_codebook as read_codebook

    project = open_project(tmp_path / "p.db", create=True)
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
