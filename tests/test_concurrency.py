"""Several processes on one project at once, on SQLite and on PostgreSQL: the TUI's steps, `fokus codings add`, a
reader, a long import, coders deciding the same suggestions and undoing their own steps.

The promise (fokus.store.engine, fokus.store.project, fokus.store.retry, fokus.api.coding_actions): no change is
lost, no decision overwrites another, and nobody sees "database is locked". Writers queue for the write lock up
front and wait for each other (on PostgreSQL coders' steps share it and lock the rows they change); readers work on
their own snapshot and wait for nobody; opening a project only reads. The processes here are real
(multiprocessing with the spawn start method, and subprocesses of the real CLI), started together on a barrier so
that they really overlap, and every coding is counted afterwards, together with its events in the event log.
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from fokus.api.browse import conversation, thread_count, thread_page
from fokus.api.messages import import_messages
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.model import Coder, CoderKind, Coding, Event, Message
from fokus.store import Project, open_project
from fokus.store import engine as engine_module
from fokus.store import retry as retry_module
from fokus.store.retry import ProjectBusy, is_busy, retry_busy
from tests.conftest import at, parsed, pgserver, postgresql_only, record

SPAWN = multiprocessing.get_context("spawn")
DEADLINE = 120.0  # seconds a process may take before the test fails (the work itself takes a few)
STEPS = 200  # codings the TUI's way adds
CLI_STEPS = 100  # codings `fokus codings add` adds (each command opens the project anew: about 35 ms a call)
MESSAGES = 40
TEXT = "Flommen kom i natt, og kommunen svarte raskt på Facebook. Takk for god informasjon til alle!"


# --- the processes (module level, so that spawn can start them) ---------------------------------------------------


def _span(step: int) -> tuple[int, int, int]:
    """The step's coding: (message index, start, end), different for every step of one coder."""
    return step % MESSAGES, step // MESSAGES, step // MESSAGES + 10


def tui_coder(db: str, coder: str, steps: int, barrier: Any, results: Any) -> None:
    """Code the way the TUI does: every step its own writing transaction (FokusApp.write)."""
    from fokus.api.coding_actions import add_coding

    try:
        project = open_project(db)
        with project.begin() as session:
            coder_id = CoderRegistry(session).get_or_create(coder, CoderKind.HUMAN)
        with project.read() as session:
            messages = list(session.scalars(select(Message.id).order_by(Message.id)))
        barrier.wait(timeout=DEADLINE)
        began = time.monotonic()
        for step in range(steps):
            index, start, end = _span(step)
            with project.begin(concurrent=True) as session:  # as FokusApp.write does
                add_coding(session, messages[index], "krise/flom", start, end, coder_id)
        results.put((coder, "ok", began, time.monotonic()))
        project.close()
    except BaseException as exc:  # reported, so the test shows what went wrong in the child
        results.put((coder, "error", repr(exc), 0.0))


def cli_coder(db: str, coder: str, steps: int, barrier: Any, results: Any) -> None:
    """Code with `fokus codings add`, one command after the other as fast as they go (a script's loop)."""
    from fokus.cli import main

    try:
        runner = CliRunner()
        project = open_project(db)
        with project.read() as session:
            messages = list(session.scalars(select(Message.external_id).order_by(Message.id)))
        project.close()
        barrier.wait(timeout=DEADLINE)
        began = time.monotonic()
        for step in range(steps):
            index, start, end = _span(step)
            args = ["--db", db, "codings", "add", messages[index], "dialog", "--span", f"{start}:{end}"]
            result = runner.invoke(main, [*args, "--coder", coder])
            if result.exit_code != 0 or "1 added" not in result.output:
                raise AssertionError(f"step {step}: exit {result.exit_code}: {result.output} {result.stderr}")
        results.put((coder, "ok", began, time.monotonic()))
    except BaseException as exc:
        results.put((coder, "error", repr(exc), 0.0))


def reader(db: str, barrier: Any, stop: Any, results: Any) -> None:
    """List threads and read conversations the way the TUI's screens do, until told to stop."""
    try:
        project = open_project(db)
        barrier.wait(timeout=DEADLINE)
        reads: list[float] = []
        while not stop.is_set():
            with project.read() as session:
                seen = session.scalar(select(func.count()).select_from(Coding))
                page = thread_page(session, limit=50)
                assert thread_count(session) == len(page)
                for row in page[:3]:
                    conversation(session, row.thread_id)
                # one snapshot: what other processes commit meanwhile is not seen inside this session
                assert session.scalar(select(func.count()).select_from(Coding)) == seen
            reads.append(time.monotonic())
        results.put(("reader", "ok", reads, 0.0))
        project.close()
    except BaseException as exc:
        results.put(("reader", "error", repr(exc), 0.0))


def waiting_coder(db: str, coder: str, steps: int, opened: Any, go: Any, results: Any) -> None:
    """Open the project while another process holds the write lock, then code as soon as told to."""
    from fokus.api.coding_actions import add_coding

    try:
        project = open_project(db)  # must not wait for the writer: opening only reads
        with project.read() as session:
            messages = list(session.scalars(select(Message.id).order_by(Message.id)))
        opened.set()
        go.wait(timeout=DEADLINE)
        ids = []
        for step in range(steps):
            index, start, end = _span(step)
            with project.begin() as session:  # the first one waits until the import has committed
                coder_id = CoderRegistry(session).get_or_create(coder, CoderKind.HUMAN)
                ids.append(add_coding(session, messages[index], "krise", start, end, coder_id).coding_id)
        results.put((coder, "ok", ids, 0.0))
        project.close()
    except BaseException as exc:
        results.put((coder, "error", repr(exc), 0.0))


# --- helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture
def shared(project: Project) -> str:
    """The small project with messages long enough for every step's span, as ``--db`` names it; closed, so only
    the workers hold it."""
    with project.begin() as session:
        records = [
            record(f"m{i}", f"Person {i % 7}", f"{TEXT} ({i})", when=at(1 + i % 20, 8 + i % 9)) for i in range(MESSAGES)
        ]
        import_messages(session, [parsed(*records)])
    project.close()
    return project.display


class Holder:
    """Another program holding the project's write lock in an open transaction, as a long import does: SQLite's
    ``BEGIN IMMEDIATE``, or on PostgreSQL the project's advisory lock (fokus.store.engine.lock_project)."""

    def __init__(self, db: str) -> None:
        self.sqlite = "://" not in db
        if self.sqlite:
            self.conn: Any = sqlite3.connect(db, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            self.conn = psycopg.connect(pgserver.libpq(db))
            self.conn.execute(f"SELECT pg_advisory_xact_lock({engine_module.PROJECT_LOCK_KEY})")

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def release(self) -> None:
        if self.sqlite:
            self.conn.execute("ROLLBACK")
        else:
            self.conn.rollback()
        self.conn.close()


def _collect(results: Any, expected: int) -> dict[str, tuple[str, Any, Any]]:
    found = {}
    for _ in range(expected):
        name, status, detail, extra = results.get(timeout=DEADLINE)
        found[name] = (status, detail, extra)
    errors = {name: detail for name, (status, detail, _) in found.items() if status != "ok"}
    assert not errors, errors
    return found


def _join(processes: list[Any]) -> None:
    for process in processes:
        process.join(timeout=DEADLINE)
        assert process.exitcode == 0, (process.name, process.exitcode)


def _write_locked(db: str) -> bool:
    """Whether another program holds the project's write lock now (asked without waiting for it)."""
    if "://" in db:
        import psycopg

        with psycopg.connect(pgserver.libpq(db), autocommit=True) as probe:
            held = probe.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock'"
                " AND objid = %s AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                (engine_module.PROJECT_LOCK_KEY & 0xFFFFFFFF,),
            ).fetchone()
            return bool(held and held[0])
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _codings_of(db: str, coder: str) -> list[int]:
    project = open_project(db)
    with project.read() as session:
        found = list(session.scalars(select(Coding.id).join(Coder).where(Coder.name == coder).order_by(Coding.id)))
    project.close()
    return found


def _events_per_coding(db: str) -> dict[int, int]:
    project = open_project(db)
    with project.read() as session:
        rows = session.execute(
            select(Event.coding_id, func.count()).where(Event.action == "coding.add").group_by(Event.coding_id)
        ).all()
    project.close()
    return {coding: count for coding, count in rows if coding is not None}


# --- processes coding at the same time -------------------------------------------------------------------------


def test_two_coders_and_a_reader_at_once_lose_nothing(shared: str) -> None:
    db = shared
    results = SPAWN.Queue()
    barrier = SPAWN.Barrier(3)
    stop = SPAWN.Event()
    writers = [
        SPAWN.Process(target=tui_coder, args=(db, "ingrid", STEPS, barrier, results), name="tui"),
        SPAWN.Process(target=cli_coder, args=(db, "magnus", CLI_STEPS, barrier, results), name="cli"),
    ]
    reading = SPAWN.Process(target=reader, args=(db, barrier, stop, results), name="reader")
    for process in [*writers, reading]:
        process.start()
    done = _collect(results, 2)
    stop.set()
    done.update(_collect(results, 1))
    _join([*writers, reading])

    # they really overlapped: each writer began before the other finished, and the reader read meanwhile
    (_, began_a, ended_a), (_, began_b, ended_b) = done["ingrid"], done["magnus"]
    assert max(began_a, began_b) < min(ended_a, ended_b)
    reads = done["reader"][1]
    assert any(max(began_a, began_b) <= t <= min(ended_a, ended_b) for t in reads)

    ingrid, magnus = _codings_of(shared, "ingrid"), _codings_of(shared, "magnus")
    assert len(ingrid) == STEPS
    assert len(magnus) == CLI_STEPS
    events = _events_per_coding(shared)
    assert set(events) == set(ingrid) | set(magnus)  # one event per coding, and none for anything else
    assert set(events.values()) == {1}


def test_a_coder_waits_for_a_long_import_and_both_complete(shared: str, tmp_path: Path) -> None:
    db = shared
    project = open_project(shared)
    with project.read() as session:
        messages = list(session.scalars(select(Message.external_id).order_by(Message.id)))
    project.close()
    # a big codings file: every message, 40 spans each with three codes, for another coder
    file = tmp_path / "big.csv"
    lines = ["message_id,code,start,end,coder"]
    codes = ("krise/flom", "dialog", "gruppe/barn")
    lines += [f"{m},{c},{s},{s + 5},import" for m in messages for s in range(40) for c in codes]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = len(lines) - 1

    results = SPAWN.Queue()
    opened, go = SPAWN.Event(), SPAWN.Event()
    coder = SPAWN.Process(target=waiting_coder, args=(db, "ingrid", 30, opened, go, results), name="coder")
    coder.start()
    assert opened.wait(timeout=DEADLINE)  # the coder is ready before the import begins

    importing = subprocess.Popen(
        [sys.executable, "-m", "fokus", "--db", db, "codings", "import", str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    end = time.monotonic() + DEADLINE
    while not _write_locked(shared):  # a bounded wait on a condition: the import is inside its transaction
        assert importing.poll() is None, "the import ended before it was seen holding the write lock"
        assert time.monotonic() < end, "the import never took the write lock"
    go.set()
    # and a `fokus codings add` from another terminal, started while the import holds the lock
    adding = subprocess.run(
        [sys.executable, "-m", "fokus", "--db", db, "codings", "add", messages[0], "krise/flom", "--coder", "magnus"],
        capture_output=True,
        timeout=DEADLINE,
    )
    out, err = importing.communicate(timeout=DEADLINE)
    done = _collect(results, 1)
    _join([coder])

    assert importing.returncode == 0, err
    assert f"Codings: {rows:,} added" in out.decode()
    assert adding.returncode == 0, adding.stderr
    assert b"locked" not in adding.stderr + err
    imported, coded = _codings_of(shared, "import"), _codings_of(shared, "ingrid")
    assert len(imported) == rows
    assert coded == done["ingrid"][1]
    assert len(coded) == 30
    assert min(coded) > max(imported)  # the coder's first step waited for the import's commit, then went on
    assert len(_codings_of(shared, "magnus")) == 1
    events = _events_per_coding(shared)
    assert set(events) == set(imported) | set(coded) | set(_codings_of(shared, "magnus"))
    assert set(events.values()) == {1}


# --- the lock, waited for and given up on -----------------------------------------------------------------------


def test_opening_and_reading_never_wait_for_a_writer(shared: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # a busy timeout of 1 ms: anything that waited for the lock here would fail at once
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 1)
    holder = Holder(shared)
    holder.execute("UPDATE messages SET text = text || '!' WHERE id = 1")  # written, not committed
    try:
        project = open_project(shared)
        with project.read() as session:
            assert thread_count(session) == len(thread_page(session)) > 0
            assert not str(session.scalar(select(Message.text).where(Message.id == 1))).endswith("!")
        with pytest.raises(ProjectBusy, match="busy"), project.begin():
            pytest.fail("a writing block must not start without the lock")
        with pytest.raises(ProjectBusy, match="busy"), project.begin(concurrent=True):
            pytest.fail("nor a coder's step (it shares the lock with other coders, never with a bulk command)")
        project.close()
    finally:
        holder.release()


def test_a_writer_outwaits_a_lock_held_past_the_busy_timeout(
    shared: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 20)
    monkeypatch.setattr(retry_module, "ATTEMPTS", 100)  # however slowly this thread gets to release the lock
    project = open_project(shared)
    holder = Holder(shared)
    retried = threading.Event()

    class Signal(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            retried.set()

    caplog.set_level(logging.INFO, logger="fokus.store.retry")
    handler = Signal(level=logging.INFO)
    logger = logging.getLogger("fokus.store.retry")
    logger.addHandler(handler)
    outcome: list[object] = []

    def write() -> None:
        try:
            with project.begin() as session:
                session.execute(text("INSERT INTO settings (key, value) VALUES ('probe', '\"1\"')"))
            outcome.append("ok")
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=write)
    worker.start()
    try:
        assert retried.wait(timeout=DEADLINE)  # the first attempt ran out of busy timeout and is being retried
    finally:
        holder.release()
        logger.removeHandler(handler)
    worker.join(timeout=DEADLINE)
    assert outcome == ["ok"]
    with project.read() as session:
        assert session.execute(text("SELECT value FROM settings WHERE key = 'probe'")).scalar() is not None
    project.close()


def test_a_read_session_cannot_write(shared: str) -> None:
    project = open_project(shared)
    with project.read() as session, pytest.raises(DBAPIError, match=r"read-?only"):
        session.execute(text("UPDATE messages SET text = 'x'"))
    with project.begin() as session:  # the same pooled connection writes again once it is a writer's
        session.execute(text("UPDATE messages SET reactions = 1 WHERE id = 1"))
    with project.read() as session:
        assert session.scalar(select(Message.reactions).where(Message.id == 1)) == 1
    project.close()


# --- the retry itself -------------------------------------------------------------------------------------------


def _busy() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def test_retry_waits_with_growing_jittered_delays_then_succeeds() -> None:
    slept: list[float] = []
    failures = iter([_busy(), _busy(), _busy()])

    def start() -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return "locked in"

    assert retry_busy(start, attempts=5, first_delay=0.1, max_delay=0.3, sleep=slept.append) == "locked in"
    assert len(slept) == 3
    for wait, base in zip(slept, [0.1, 0.2, 0.3], strict=True):
        assert base <= wait <= base * 1.5


def test_retry_gives_up_after_its_attempts_or_deadline_and_never_retries_other_errors() -> None:
    calls: list[int] = []

    def always_busy() -> None:
        calls.append(1)
        raise _busy()

    with pytest.raises(OperationalError) as raised:
        retry_busy(always_busy, attempts=3, sleep=lambda _: None)
    assert is_busy(raised.value)
    assert len(calls) == 3

    calls.clear()
    clock = iter([0.0, 5.0, 11.0]).__next__  # the second failure comes after the deadline of 10 s
    with pytest.raises(OperationalError):
        retry_busy(always_busy, attempts=9, deadline=10.0, sleep=lambda _: None, clock=clock)
    assert len(calls) == 2

    calls.clear()

    def broken() -> None:
        calls.append(1)
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: nothing"))

    with pytest.raises(OperationalError):
        retry_busy(broken, sleep=lambda _: None)
    assert len(calls) == 1
    assert not is_busy(FokusError("database is locked"))


# --- coders deciding the same suggestions, and undoing their own steps, at the same time ----------------------

SUGGESTIONS = 60


def decider(db: str, coder: str, accept: bool, ids: list[int], barrier: Any, results: Any) -> None:
    """Decide every suggestion in ``ids`` the way the review screen does, one step each; count the conflicts."""
    from fokus.api.coding_actions import Conflict, decide

    try:
        project = open_project(db)
        with project.begin(concurrent=True) as session:
            coder_id = CoderRegistry(session).get_or_create(coder, CoderKind.HUMAN)
        barrier.wait(timeout=DEADLINE)
        won, lost = [], []
        for coding_id in ids:
            try:
                with project.begin(concurrent=True) as session:
                    decide(session, coding_id, accept, coder_id)
                won.append(coding_id)
            except Conflict:
                lost.append(coding_id)
        results.put((coder, "ok", won, lost))
        project.close()
    except BaseException as exc:
        results.put((coder, "error", repr(exc), 0.0))


def step_then_undo(db: str, coder: str, steps: int, barrier: Any, results: Any) -> None:
    """Code ``steps`` spans, then undo every step again, each its own concurrent step."""
    from fokus.api.coding_actions import add_coding, undo

    try:
        project = open_project(db)
        with project.begin(concurrent=True) as session:
            coder_id = CoderRegistry(session).get_or_create(coder, CoderKind.HUMAN)
        with project.read() as session:
            messages = list(session.scalars(select(Message.id).order_by(Message.id)))
        barrier.wait(timeout=DEADLINE)
        for step in range(steps):
            index, start, end = _span(step)
            with project.begin(concurrent=True) as session:
                add_coding(session, messages[index], "dialog", start, end, coder_id)
        conflicts = undone = 0
        for _ in range(steps):
            with project.begin(concurrent=True) as session:
                report = undo(session, coder_id)
            assert report is not None
            undone += report.changed
            conflicts += report.conflicts
        with project.begin(concurrent=True) as session:
            assert undo(session, coder_id) is None  # nothing of this coder's left to undo
        results.put((coder, "ok", undone, conflicts))
        project.close()
    except BaseException as exc:
        results.put((coder, "error", repr(exc), 0.0))


@pytest.fixture
def suggested(shared: str) -> tuple[str, list[int]]:
    """``SUGGESTIONS`` rule suggestions on the shared project; returns the project and their ids."""
    from fokus.domain.coders import MACHINE_CODER
    from fokus.model import Code, CodingStatus, utcnow

    project = open_project(shared)
    with project.begin() as session:
        machine = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
        code_id = session.scalar(select(Code.id).where(Code.path == "krise/flom"))
        messages = list(session.scalars(select(Message.id).order_by(Message.id)))
        rows = []
        for i in range(SUGGESTIONS):
            index, start, end = _span(i)
            now = utcnow()
            coding = Coding(
                message_id=messages[index], code_id=code_id, coder_id=machine, start=start, end=end,
                status=CodingStatus.SUGGESTED.value, origin="rule:test", created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(coding)
            rows.append(coding)
        session.flush()
        ids = [coding.id for coding in rows]
    project.close()
    return shared, ids


def test_two_coders_deciding_the_same_suggestions_never_overwrite_each_other(suggested: tuple[str, list[int]]) -> None:
    db, ids = suggested
    results = SPAWN.Queue()
    barrier = SPAWN.Barrier(2)
    deciders = [
        SPAWN.Process(target=decider, args=(db, "ingrid", True, ids, barrier, results), name="accepts"),
        SPAWN.Process(target=decider, args=(db, "magnus", False, ids, barrier, results), name="rejects"),
    ]
    for process in deciders:
        process.start()
    done = _collect(results, 2)
    _join(deciders)

    (_, accepted, lost_a), (_, rejected, lost_r) = done["ingrid"], done["magnus"]
    # every suggestion was decided exactly once: by one coder, the other told so (a Conflict), never both
    assert sorted(accepted + rejected) == sorted(ids)
    assert sorted(lost_a) == sorted(rejected)
    assert sorted(lost_r) == sorted(accepted)
    project = open_project(db)
    with project.read() as session:
        status = dict(session.execute(select(Coding.id, Coding.status).where(Coding.id.in_(ids))).all())
        decisions = session.execute(
            select(Event.coding_id, func.count()).where(Event.coding_id.in_(ids)).group_by(Event.coding_id)
        ).all()
    project.close()
    assert {status[i] for i in accepted} <= {"accepted"}
    assert {status[i] for i in rejected} <= {"rejected"}
    assert dict(decisions) == dict.fromkeys(ids, 1)  # one decision logged per suggestion: none overwritten


def test_coders_undo_their_own_steps_at_the_same_time(shared: str) -> None:
    steps = 40
    results = SPAWN.Queue()
    barrier = SPAWN.Barrier(2)
    coders = [
        SPAWN.Process(target=step_then_undo, args=(shared, name, steps, barrier, results), name=name)
        for name in ("ingrid", "magnus")
    ]
    for process in coders:
        process.start()
    done = _collect(results, 2)
    _join(coders)
    # each undid exactly their own steps: all of them, none of the other's, with no conflict
    assert done["ingrid"][1:] == (steps, 0)
    assert done["magnus"][1:] == (steps, 0)
    assert _codings_of(shared, "ingrid") == []
    assert _codings_of(shared, "magnus") == []


@postgresql_only  # SQLite has one writer at a time: no row locks, no deadlock
def test_a_step_the_server_rolls_back_to_break_a_deadlock_runs_again(suggested: tuple[str, list[int]]) -> None:
    """Two coders' steps lock the same two codings in opposite orders: PostgreSQL breaks the deadlock by rolling
    one back, and Project.step runs that one again, so both steps land."""
    db, ids = suggested
    first, second = ids[0], ids[1]
    project = open_project(db)
    both_hold_one = threading.Barrier(2, timeout=DEADLINE)
    runs: dict[str, int] = {"a": 0, "b": 0}
    outcome: dict[str, object] = {}

    def step(name: str, order: tuple[int, int]) -> None:
        def work(session: Any) -> None:
            runs[name] += 1
            session.get(Coding, order[0], with_for_update=True)
            if runs[name] == 1:
                both_hold_one.wait()  # each holds its first row: the second lock closes the circle
            coding = session.get(Coding, order[1], with_for_update=True)
            coding.confidence = 0.5 if name == "a" else 0.25

        try:
            project.step(work)
            outcome[name] = "ok"
        except BaseException as exc:
            outcome[name] = exc

    threads = [
        threading.Thread(target=step, args=("a", (first, second))),
        threading.Thread(target=step, args=("b", (second, first))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE)
    assert outcome == {"a": "ok", "b": "ok"}
    assert sorted(runs.values()) == [1, 2]  # one of them was rolled back once and ran again
    with project.read() as session:
        assert session.get(Coding, second).confidence in (0.5, 0.25)
        assert session.get(Coding, first).confidence in (0.5, 0.25)
    project.close()
