"""Crash safety: `kill -9` in the middle of a command leaves a sound project with all or none of that command's work.

Each test runs the real CLI in a subprocess, waits until it is demonstrably inside its one transaction, kills it
with SIGKILL (no cleanup, no rollback, no atexit), and then judges the file with plain sqlite3, never with fokus:
``PRAGMA integrity_check`` is ok, ``PRAGMA foreign_key_check`` is empty, and the project holds either exactly what it
held before (none) or everything the command would have written (all). Running the command again completes it.

How "demonstrably inside" is shown, without sleeping on a guess:
- the write lock: a probe connection with no busy timeout fails ``BEGIN IMMEDIATE`` exactly while a writer holds
  it, i.e. between the command's BEGIN IMMEDIATE and the end of its COMMIT;
- progress: with ``TTY_COMPATIBLE=1`` the CLI draws its progress bar on stderr, and `import: writing` or
  `tag: tagging` appears only once rows have been written inside the transaction;
- the WAL itself: the codings import is killed while its COMMIT is writing pages to the WAL, and the frames are
  read back (with SQLite's own checksums) to know whether the commit frame made it, which decides all or none.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import IO

import pytest
from click.testing import CliRunner

from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.store import open_project
from tests.conftest import parsed, record

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and sqlite locks as on POSIX")

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 60.0  # seconds any wait may take before the test fails (the work itself takes one or two)


# --- helpers -------------------------------------------------------------------------------------------------


def _graphgen() -> ModuleType:
    """bench/graphgen.py, loaded by path (bench is not a package and should not go on sys.path)."""
    spec = importlib.util.spec_from_file_location("fokus_bench_graphgen", ROOT / "bench" / "graphgen.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fokus(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def _child(db: Path, *args: str) -> tuple[subprocess.Popen[bytes], _Stderr]:
    """The real CLI in its own process, drawing its progress bar on a stderr pipe that is read as it comes."""
    env = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "fokus", "--db", str(db), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stderr is not None
    return child, _Stderr(child.stderr)


class _Stderr:
    """A child's stderr as it arrives, so the test can wait for what the child prints mid-work."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.text = ""
        self._closed = False
        self._changed = threading.Condition()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[bytes]) -> None:
        while chunk := os.read(stream.fileno(), 65536):
            with self._changed:
                self.text += chunk.decode("utf-8", "replace")
                self._changed.notify_all()
        stream.close()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for(self, needle: str) -> bool:
        with self._changed:
            self._changed.wait_for(lambda: needle in self.text or self._closed, timeout=DEADLINE)
            return needle in self.text


def _write_locked(db: Path) -> bool:
    """Whether some connection holds the database's write lock right now (a probe that never waits)."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
            raise
        return True
    finally:
        probe.close()


def _poll(condition: Callable[[], bool], child: subprocess.Popen[bytes], *, interval: float = 0.0005) -> bool:
    """Check ``condition`` until it holds, the child ends or the deadline passes (a bounded loop on a condition)."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end and child.poll() is None:
        if condition():
            return True
        time.sleep(interval)
    return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _kill(child: subprocess.Popen[bytes]) -> int:
    os.kill(child.pid, signal.SIGKILL)
    return child.wait(timeout=DEADLINE)


def _sound(db: Path) -> None:
    """What SQLite itself says of the file after the crash (opening it replays or discards the WAL)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _tables(db: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows: equal digests mean the same content."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        found = {}
        for name in names:
            rows = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            found[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return found
    finally:
        conn.close()


def _counts(state: dict[str, tuple[int, str]]) -> dict[str, int]:
    return {name: count for name, (count, _) in state.items()}


def _all_or_none(killed: dict[str, tuple[int, str]], before: dict[str, tuple[int, str]], full: dict[str, int]) -> str:
    """'none' when the project is exactly as before, 'all' when it holds the complete result; anything else fails."""
    if killed == before:
        return "none"
    assert _counts(killed) == full, "the killed command left part of its work"
    return "all"


def _wal_frames(wal: Path) -> tuple[int, int]:
    """(frames up to the last commit, valid frames after it) in a WAL file, validated as SQLite's recovery does.

    A frame counts only if its salts match the header and the running checksum over header and frames holds; the
    commit frame is the one whose header gives the database size after the commit.
    """
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return 0, 0
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:32])
    if magic not in (0x377F0682, 0x377F0683):
        return 0, 0
    order = ">" if magic & 1 else "<"

    def checksum(chunk: bytes, s1: int, s2: int) -> tuple[int, int]:
        words = struct.unpack(f"{order}{len(chunk) // 4}I", chunk)
        for i in range(0, len(words), 2):
            s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
            s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
        return s1, s2

    s1, s2 = checksum(data[:24], 0, 0)
    if (s1, s2) != (c1, c2):
        return 0, 0
    frames = committed = 0
    offset = 32
    while offset + 24 + page_size <= len(data):
        _page, db_size, fs1, fs2, fc1, fc2 = struct.unpack(">6I", data[offset : offset + 24])
        if (fs1, fs2) != (salt1, salt2):
            break
        s1, s2 = checksum(data[offset : offset + 8], s1, s2)
        s1, s2 = checksum(data[offset + 24 : offset + 24 + page_size], s1, s2)
        if (s1, s2) != (fc1, fc2):
            break
        frames += 1
        if db_size:
            committed = frames
        offset += 24 + page_size
    return committed, frames - committed


# --- projects ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A new project with the bundled codebook (its rules are what `fokus tag` suggests from), and one that also
    holds 2,500 posts of one real sentence each (short, so tagging them takes a second); each test copies one."""
    folder = tmp_path_factory.mktemp("crash-base")
    empty, sentences = folder / "empty.db", folder / "sentences.db"
    _fokus("--db", str(empty), "init")
    sentences.write_bytes(empty.read_bytes())
    texts = _graphgen()._sentences()
    start = datetime(2013, 1, 14, 8, tzinfo=UTC)
    posts = [
        record(f"s{i}", f"Person {i % 50}", texts[i % len(texts)], when=start + timedelta(minutes=7 * i))
        for i in range(2500)
    ]
    project = open_project(sentences)
    with project.begin() as session:
        import_messages(session, [parsed(*posts)])
    project.close()
    for db in (empty, sentences):
        assert not Path(f"{db}-wal").exists()  # closed cleanly: the file alone is the project
    return {"empty": empty, "sentences": sentences}


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


# --- the tests ---------------------------------------------------------------------------------------------------


def test_kill_during_import_leaves_all_or_none_and_a_rerun_completes(base: dict[str, Path], tmp_path: Path) -> None:
    db = _copy(base["empty"], tmp_path / "p.db")
    archive = tmp_path / "graph"
    total = _graphgen().write_graph_archive(archive, 12_000, seed=3)
    # the oracle, read from the archive itself: every message, one thread per post, one participant per author
    posts, authors = 0, set()
    for page in archive.glob("*.json"):
        for post in json.loads(page.read_text(encoding="utf-8"))["data"]:
            posts += 1
            authors.add(post["from"]["id"])
            for comment in post["comments"]["data"]:
                authors.add(comment["from"]["id"])
                authors.update(r["from"]["id"] for r in comment.get("comments", {}).get("data", []))
    before = _tables(db)

    child, stderr = _child(db, "import", str(archive))
    # `import: writing` is drawn once the posts are written, in the transaction that goes on to their answers
    assert stderr.wait_for("import: writing"), stderr.text
    locked = _write_locked(db)
    assert _kill(child) == -signal.SIGKILL
    assert locked, "the import was not inside its transaction when killed"

    _sound(db)
    killed = _tables(db)
    assert killed == before, "a kill inside the transaction must leave nothing of the import"

    rerun = subprocess.run(
        [sys.executable, "-m", "fokus", "--db", str(db), "import", str(archive)], capture_output=True
    )
    assert rerun.returncode == 0, rerun.stderr
    _sound(db)
    after = _counts(_tables(db))
    assert after["messages"] == total
    assert after["threads"] == posts
    assert after["participants"] == len(authors)
    assert f"Added {total:,} messages" in rerun.stdout.decode()


def test_kill_during_tagging_leaves_all_or_none_and_a_rerun_completes(base: dict[str, Path], tmp_path: Path) -> None:
    db = _copy(base["sentences"], tmp_path / "p.db")
    control = _copy(base["sentences"], tmp_path / "control.db")
    before = _tables(db)
    # the oracle: the same command, never interrupted, on a copy (run meanwhile on the other core)
    uninterrupted, _ = _child(control, "tag")

    child, stderr = _child(db, "tag")
    # `tag: tagging` is drawn once the first chunk of 2,000 messages has its sentences and suggestions written
    assert stderr.wait_for("tag: tagging"), stderr.text
    locked = _write_locked(db)
    assert _kill(child) == -signal.SIGKILL
    assert locked, "tagging was not inside its transaction when killed"

    _sound(db)
    assert _tables(db) == before, "a kill inside the transaction must leave nothing of the tagging"

    rerun = subprocess.run([sys.executable, "-m", "fokus", "--db", str(db), "tag"], capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    assert uninterrupted.wait(timeout=DEADLINE) == 0
    _sound(db)
    after, clean = _tables(db), _tables(control)
    assert _counts(after) == _counts(clean)
    assert after["units"] == clean["units"]  # the very same sentences, lemmas and keys
    assert after["tag_state"][0] == before["messages"][0]
    assert after["codings"][0] > before["codings"][0]  # the bundled rules do suggest


def test_kill_during_a_codings_import_commit(base: dict[str, Path], tmp_path: Path) -> None:
    db = _copy(base["sentences"], tmp_path / "p.db")
    conn = sqlite3.connect(db)
    messages = [r[0] for r in conn.execute("SELECT external_id FROM messages ORDER BY id")]
    codes = [r[0] for r in conn.execute("SELECT path FROM codes WHERE codable ORDER BY position")][:8]
    conn.close()
    file = tmp_path / "codings.csv"
    with file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["message_id", "code", "coder"])
        writer.writerows([message, code, "ingrid"] for message in messages for code in codes)
    rows = len(messages) * len(codes)
    before = _tables(db)
    full = {
        **_counts(before),
        "codings": before["codings"][0] + rows,
        "events": before["events"][0] + rows,
        "coders": before["coders"][0] + 1,
    }
    wal = Path(f"{db}-wal")

    # first kill: inside the transaction, while it is still planning (the write lock is held, nothing committed)
    child, stderr = _child(db, "codings", "import", str(file))
    assert _poll(lambda: _write_locked(db), child), f"the import never took the write lock: {stderr.text}"
    assert _kill(child) == -signal.SIGKILL
    assert _wal_frames(wal)[0] == 0
    _sound(db)
    assert _all_or_none(_tables(db), before, full) == "none"

    # second kill: while COMMIT is writing the transaction's pages into the WAL (a megabyte in, several to go)
    child, stderr = _child(db, "codings", "import", str(file))
    assert _poll(lambda: _size(wal) > 1 << 20, child), f"the import never wrote its pages: {stderr.text}"
    code = _kill(child)
    committed, uncommitted = _wal_frames(wal)  # read before SQLite opens the file and recovers it
    _sound(db)
    state = _all_or_none(_tables(db), before, full)
    # SQLite keeps the transaction exactly when its commit frame reached the WAL (or the import ran to its end
    # before the signal arrived: then it also checkpointed and removed the WAL on its way out)
    assert state == ("all" if committed or code == 0 else "none"), (committed, uncommitted, code)
    if state == "none":
        assert uncommitted > 0  # pages of the transaction were on disk, and recovery ignored them

    rerun = subprocess.run(
        [sys.executable, "-m", "fokus", "--db", str(db), "codings", "import", str(file)], capture_output=True
    )
    assert rerun.returncode == 0, rerun.stderr
    _sound(db)
    assert _counts(_tables(db)) == full


def test_kill_during_a_backup_leaves_no_copy_and_the_next_backup_clears_it(
    base: dict[str, Path], tmp_path: Path
) -> None:
    db = _copy(base["empty"], tmp_path / "p.db")
    conn = sqlite3.connect(db)
    with conn:  # 64 MB of settings: a copy that takes long enough to be killed in the middle
        conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)",
            ((f"ballast{i}", os.urandom(1 << 19).hex()) for i in range(64)),
        )
    conn.close()
    size = db.stat().st_size

    def partial() -> list[Path]:
        return list(tmp_path.glob(".p.db.*.manual.bak.*.partial"))

    def copying() -> bool:  # pages of the copy are being written (under whatever name)
        return any(_size(p) > 0 for p in [*partial(), *tmp_path.glob("p.db.*.bak")])

    child, stderr = _child(db, "backup")
    assert _poll(copying, child), f"the backup never began writing its copy: {stderr.text}"
    assert _kill(child) == -signal.SIGKILL
    assert list(tmp_path.glob("p.db.*.bak")) == []  # no copy that looks whole, nor one cut short
    [left] = partial()
    assert 0 < _size(left) < size, "the backup was not killed in the middle of its copy"

    listed = _fokus("--db", str(db), "backup", "--list")
    assert listed.strip() == "No backups yet (fokus backup makes one)."
    made = _fokus("--db", str(db), "backup", "--keep", "1")
    assert made.startswith(f"Backed up {db} to ")
    assert partial() == []  # the dead writer's file is gone
    [copy] = tmp_path.glob("p.db.*.manual.bak")
    assert _size(copy) == size
    _sound(copy)
