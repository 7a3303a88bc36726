"""Files the user names (-o, --plot, qdpx export, codebook export): whole or not at all, never a device replaced.

A regular file (or a new path) is written to a temporary file and renamed over it; a device, a pipe or /dev/fd/N is
written straight into; a symbolic link stays a link and its file is replaced; new files get 0666 less the umask, old
ones keep their mode; a folder is refused; a table and its plot are both written or neither.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.errors import FokusError
from fokus.files.output import Outputs, open_binary, open_text
from fokus.store import Project
from tests.conftest import at, parsed, record, sqlite_only

HEADER = "message_id,thread_id,parent_id,kind"


@pytest.fixture
def filled(project: Project) -> Project:
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("m1", "Kari Holmen", "Vi hadde flom i mars.", when=at(1), case="Bodø"),
                    record("m2", "Geir Mathisen", "Enig", when=at(1, 11), thread="m1", parent="m1"),
                )
            ],
        )
    return project


def fokus(project: Project, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, ["--db", project.display, *args])
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    else:
        assert result.exit_code == 1, result.output + result.stderr
    return result.output + result.stderr


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def umask() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


class Drain:
    """The reading end of a named pipe, drained by a thread; a writer of our own keeps it open until ``close``, so
    the reader waits for fokus however late it opens the pipe, and never blocks forever if fokus never does."""

    def __init__(self, fifo: Path) -> None:
        self.reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.writer = os.open(fifo, os.O_WRONLY)
        os.set_blocking(self.reader, True)
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._read)
        self.thread.start()

    def _read(self) -> None:
        while chunk := os.read(self.reader, 65536):
            self.chunks.append(chunk)

    def close(self) -> bytes:
        os.close(self.writer)
        self.thread.join()
        os.close(self.reader)
        return b"".join(self.chunks)


def test_a_named_pipe_is_written_into_and_stays_a_pipe(filled: Project, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    drain = Drain(fifo)
    try:
        fokus(filled, "export", "messages", "-o", str(fifo))
    finally:
        data = drain.close()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert data.decode().startswith(HEADER)
    assert files_in(tmp_path).count("pipe") == 1
    assert not [name for name in files_in(tmp_path) if name.startswith(".pipe")]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node and writing /dev/null as root need root")
def test_a_device_stays_a_device_and_a_link_to_one_stays_a_link(filled: Project, tmp_path: Path) -> None:
    # a copy of /dev/null first, so that a regression replaces the copy rather than the machine's own
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("no right to make device nodes here")
    link = tmp_path / "to-null"
    link.symlink_to(node)
    for target in (node, link):
        fokus(filled, "export", "messages", "-o", str(target))
        assert stat.S_ISCHR(os.stat(node).st_mode)
    assert link.is_symlink()
    assert not [name for name in files_in(tmp_path) if name.endswith(".tmp")]
    fokus(filled, "export", "messages", "-o", "/dev/null")
    fokus(filled, "codings", "export", "-o", "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_link_stays_a_link_and_the_file_behind_it_is_replaced(filled: Project, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    links = {
        "messages.csv": ["export", "messages", "-o"],
        "freq.svg": ["freq", "--plot"],
        "studie.qdpx": ["qdpx", "export"],
    }
    for name, command in links.items():
        real = tmp_path / "real" / name
        real.write_text("old\n")
        real.chmod(0o640)
        link = tmp_path / name
        link.symlink_to(Path("real") / name)
        fokus(filled, *command, name)
        assert link.is_symlink(), name
        assert real.read_bytes()[:4] != b"old\n", name
        assert stat.S_IMODE(real.stat().st_mode) == 0o640, name
    assert (tmp_path / "real" / "messages.csv").read_text().startswith(HEADER)


def test_a_descriptor_path_writes_into_the_descriptor(filled: Project, tmp_path: Path) -> None:
    """-o /dev/fd/1 (as /dev/stdout) writes where the shell pointed stdout: appended here, not replacing the file."""
    log = tmp_path / "log.txt"
    log.write_text("before\n")
    with log.open("a") as stdout:
        subprocess.run(
            [sys.executable, "-m", "fokus", "--db", filled.display, "export", "messages", "-o", "/dev/fd/1"],
            stdout=stdout,
            check=True,
        )
    text = log.read_text()
    assert text.startswith("before\n" + HEADER)


def test_a_reader_that_goes_away_from_dev_stdout_ends_quietly(filled: Project) -> None:
    """`fokus export messages -o /dev/stdout | head`: as without -o, a reader that went away is no error."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before fokus writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "fokus", "--db", filled.display, "export", "messages", "-o", "/dev/stdout"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, "")


def test_new_files_get_the_umask_permissions_and_old_ones_keep_theirs(
    filled: Project, tmp_path: Path, umask: int
) -> None:
    fokus(filled, "qdpx", "export", "studie.qdpx")
    fokus(filled, "codebook", "export", "-o", "kodebok.qdc")
    fokus(filled, "export", "messages", "-o", "messages.csv")
    fokus(filled, "freq", "--format", "csv", "-o", "freq.csv", "--plot", "freq.png")
    for name in ("studie.qdpx", "kodebok.qdc", "messages.csv", "freq.csv", "freq.png"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name
    for name in ("studie.qdpx", "kodebok.qdc", "messages.csv"):
        (tmp_path / name).chmod(0o604)
    fokus(filled, "qdpx", "export", "studie.qdpx")
    fokus(filled, "codebook", "export", "-o", "kodebok.qdc")
    fokus(filled, "export", "messages", "-o", "messages.csv")
    for name in ("studie.qdpx", "kodebok.qdc", "messages.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o604, name


def test_a_plot_in_new_folders_is_written_with_its_table(filled: Project, tmp_path: Path) -> None:
    out = fokus(filled, "freq", "--format", "csv", "-o", "tables/freq.csv", "--plot", "figs/2013/freq.png")
    assert "Drew figs/2013/freq.png." in out
    assert (tmp_path / "tables/freq.csv").read_text().startswith("code,")
    assert (tmp_path / "figs/2013/freq.png").read_bytes().startswith(b"\x89PNG")
    fokus(filled, "cooc", "--format", "json", "-o", "cooc.json", "--plot", "figs/cooc.svg")
    assert b"<svg" in (tmp_path / "figs/cooc.svg").read_bytes()


def test_a_plot_that_cannot_be_written_leaves_the_table_as_it_was(filled: Project, tmp_path: Path) -> None:
    (tmp_path / "freq.csv").write_text("old\n")
    (tmp_path / "blocker").write_text("a file, not a folder\n")
    out = fokus(filled, "freq", "--format", "csv", "-o", "freq.csv", "--plot", "blocker/freq.png", ok=False)
    assert "blocker/freq.png: cannot write: Not a directory" in out
    assert (tmp_path / "freq.csv").read_text() == "old\n"
    out = fokus(filled, "freq", "--format", "csv", "-o", "new.csv", "--plot", "blocker/freq.png", ok=False)
    assert not (tmp_path / "new.csv").exists()
    assert not [name for name in files_in(tmp_path) if name.endswith(".tmp")]


def test_a_folder_is_refused_with_one_line(filled: Project, tmp_path: Path) -> None:
    (tmp_path / "figur.png").mkdir()
    out = fokus(filled, "freq", "--format", "csv", "-o", "freq.csv", "--plot", "figur.png", ok=False)
    assert "figur.png: is a folder, not a file (name a file in it)" in out
    assert not (tmp_path / "freq.csv").exists()
    (tmp_path / "studie.qdpx").mkdir()
    out = fokus(filled, "qdpx", "export", "studie.qdpx", ok=False)
    assert "studie.qdpx: is a folder, not a file (name a file in it)" in out
    with pytest.raises(FokusError, match="is a folder, not a file"), open_text(tmp_path):
        pass


def test_a_full_disk_is_a_one_line_error(filled: Project, tmp_path: Path) -> None:
    # as root, a copy of /dev/full, so that a regression replaces the copy rather than the machine's own
    full = Path("/dev/full")
    if os.geteuid() == 0:
        full = tmp_path / "full"
        try:
            os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except PermissionError:
            pytest.skip("no right to make device nodes here")
    elif not full.exists():
        pytest.skip("no /dev/full")
    out = fokus(filled, "export", "messages", "-o", str(full), ok=False)
    assert f"{full}: cannot write: No space left on device" in out
    assert stat.S_ISCHR(os.stat(full).st_mode)


def fail_midway(path: Path, *, binary: bool = False) -> None:
    if binary:
        with open_binary(path) as stream:
            stream.write(b"\x89PNG")
            raise RuntimeError("the draw failed")
    with open_text(path) as out:
        out.write("half of the new")
        raise RuntimeError("the export failed midway")


@sqlite_only
def test_the_project_itself_is_never_written_over(filled: Project, tmp_path: Path) -> None:
    before = (tmp_path / "p.db").read_bytes()[:16]
    out = fokus(filled, "export", "messages", "-o", "p.db", ok=False)
    assert "p.db: is the project itself; nothing was written (name another file)" in out
    (tmp_path / "link.db").symlink_to("p.db")
    out = fokus(filled, "qdpx", "export", "link.db", ok=False)
    assert "link.db: is the project itself" in out
    assert (tmp_path / "p.db").read_bytes()[:16] == before == b"SQLite format 3\x00"
    assert "messages" in fokus(filled, "status")
    out = fokus(filled, "freq", "--format", "csv", "-o", "same.png", "--plot", "same.png", ok=False)
    assert "same.png: is named twice; nothing was written (name two files)" in out
    assert not (tmp_path / "same.png").exists()


def test_a_failed_write_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "codings.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError, match="midway"):
        fail_midway(target)
    assert target.read_text() == "old\n"
    assert files_in(tmp_path) == ["codings.csv"]
    with pytest.raises(RuntimeError, match="draw"):
        fail_midway(tmp_path / "new" / "deeper" / "x.png", binary=True)
    assert files_in(tmp_path) == ["codings.csv"]  # the folders made for it are gone again


def write_two(folder: Path, *, fail: bool) -> None:
    with Outputs() as outputs:
        outputs.text(folder / "a.csv").write("a\n")
        outputs.binary(folder / "b.png").write(b"b")
        assert all(name.endswith(".tmp") for name in files_in(folder))
        if fail:
            raise RuntimeError("the second one failed")


def test_files_written_together_appear_together(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="second"):
        write_two(tmp_path, fail=True)
    assert files_in(tmp_path) == []
    write_two(tmp_path, fail=False)
    assert files_in(tmp_path) == ["a.csv", "b.png"]
    assert (tmp_path / "a.csv").read_text() == "a\n"


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write any file")
    target = tmp_path / "kept.csv"
    target.write_text("old\n")
    target.chmod(0o444)
    with pytest.raises(FokusError, match="cannot write: Permission denied"), open_text(target):
        pass
    assert target.read_text() == "old\n"
