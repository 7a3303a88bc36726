"""A learned model is data, never code: saved as arrays and JSON (an .npz archive), read back with the same
probabilities, and anything else in its place (a planted pickle with a correct digest, an old pickled model, a path
out of the models folder) is refused with one line, without ever being unpickled. And a killed `fokus learn` leaves
no worker behind."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from fokus.api.learning import load_model, save_model, train_model
from fokus.cli import main
from fokus.errors import FokusError
from fokus.learn.storage import UnreadableModel, from_bytes, to_bytes
from fokus.model import LearnedModel, Unit
from fokus.store import Project, open_project
from tests.learn.test_learning import builds, nlp, project
from tests.test_cli_import import _zip as archive

__all__ = ["builds", "nlp", "project"]

NEW_TEXTS = ["flom stenge vei", "svare innbygger spørsmål", "kaffe god", "", "beredskapsplan ukjent ord elv elv elv"]


class Planted:
    """Unpickling this creates the file ``marker``: the code a hostile model would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def planted(marker: Path) -> bytes:
    return pickle.dumps(Planted(marker))


def saved_model(project: Project, folder: Path | None) -> None:
    with project.read() as session:
        trained = train_model(session)
    with project.begin() as session:
        save_model(session, folder, trained)


def plant(project: Project, folder: Path | None, data: bytes, **row: object) -> None:
    """Put ``data`` where model 1 is kept (its file, or its row's bytes), with its correct digest."""
    with project.begin() as session:
        model = session.scalars(select(LearnedModel).where(LearnedModel.version == 1)).one()
        for name, value in row.items():
            setattr(model, name, value)
        model.sha256 = hashlib.sha256(data).hexdigest()
        if folder is None:
            model.data = data
        else:
            (folder / model.path).write_bytes(data)


def suggest_args(project: Project, folder: Path | None) -> list[str]:
    return ["--db", project.display, "suggest", *(["--models", str(folder)] if folder is not None else [])]


def test_a_saved_model_gives_the_same_probabilities(project: Project, tmp_path: Path) -> None:
    """Saved and read back (a file on SQLite, the database's bytes on a server), every sentence of the project and
    new ones get the probabilities the trained model gave them."""
    folder = None if project.sqlite_path is None else tmp_path / "models"
    with project.read() as session:
        made = train_model(session)
        texts = [*session.scalars(select(Unit.lemmas)), *NEW_TEXTS]
    with project.begin() as session:
        save_model(session, folder, made)
    trained = made.model
    with project.read() as session:
        version, loaded = load_model(session, folder)
    assert version == 1
    assert (folder is None) == (project.sqlite_path is None)
    before, after = trained.probabilities(texts), loaded.probabilities(texts)
    assert before.shape == after.shape == (len(texts), len(trained.codes))
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-9)
    assert loaded.codes == trained.codes
    assert loaded.scores == trained.scores
    np.testing.assert_array_equal(loaded.thresholds, trained.thresholds)
    assert (loaded.micro_f1(), loaded.folds, loaded.sentences) == (trained.micro_f1(), trained.folds, trained.sentences)
    assert to_bytes(loaded) == to_bytes(trained)


@pytest.mark.parametrize("where", ["folder", "database"])
def test_a_planted_pickle_with_a_correct_digest_never_runs(project: Project, tmp_path: Path, where: str) -> None:
    folder = tmp_path / "models" if where == "folder" else None
    marker = tmp_path / "ran"
    saved_model(project, folder)
    plant(project, folder, planted(marker))
    result = CliRunner().invoke(main, suggest_args(project, folder))
    assert not marker.exists()
    assert result.exit_code == 1, result.output
    place = f"{folder / 'model-001.npz'}: model 1's file" if folder else "model 1 in the database"
    assert result.stderr == (
        f"fokus: error: {place} is not a fokus model: a pickle, which fokus never loads (older versions of fokus"
        " saved models so) (run `fokus learn` again)\n"
    )


def test_an_old_pickled_model_is_dropped_by_the_migration(project: Project, tmp_path: Path) -> None:
    """A project from before 0007 whose model row holds a pickle: the migration drops its bytes, `fokus suggest`
    asks for `fokus learn`, and the next model is version 2."""
    marker = tmp_path / "ran"
    saved_model(project, None)
    plant(project, None, planted(marker), path="model-001.joblib")
    with project.begin() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0006'"))
        session.execute(text("ALTER TABLE codes DROP COLUMN translations"))  # 0008 adds it: the schema of 0006
        for table in ("score_runs", "page_comments", "page_posts", "pages"):  # and 0009 these
            session.execute(text(f"DROP TABLE {table}"))
    project.close()
    again = open_project(project.display)
    try:
        with again.read() as session:
            assert session.scalar(select(LearnedModel.data)) is None
        runner = CliRunner()
        refused = runner.invoke(main, ["--db", project.display, "suggest"])
        assert refused.exit_code == 1
        assert refused.stderr == (
            "fokus: error: model 1 was saved by an older fokus as a pickle, which fokus no longer loads"
            " (run `fokus learn` again)\n"
        )
        assert not marker.exists()
        learnt = runner.invoke(main, ["--db", project.display, "learn"])
        assert learnt.exit_code == 0, learnt.output
        assert "Model 2 saved" in learnt.output
        assert runner.invoke(main, ["--db", project.display, "suggest"]).exit_code == 0
    finally:
        again.close()


@pytest.mark.parametrize("path", ["/etc/passwd", "../../x.npz", "models/../../x.npz", "..\\x.npz", "C:\\x.npz"])
def test_a_model_path_out_of_the_models_folder_is_refused(project: Project, tmp_path: Path, path: str) -> None:
    folder = tmp_path / "models"
    saved_model(project, folder)
    with project.begin() as session:
        session.execute(update(LearnedModel).values(path=path))
    result = CliRunner().invoke(main, suggest_args(project, folder))
    assert result.exit_code == 1
    assert result.stderr == (
        f"fokus: error: model 1's recorded path {path!r} is absolute or leaves the models folder (fokus reads models"
        " only inside it; run `fokus learn` again)\n"
    )
    with project.read() as session, pytest.raises(FokusError, match="leaves the models folder"):
        load_model(session, None)


# --- what the format refuses, without a project -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def good(builds: object, request: pytest.FixtureRequest) -> bytes:
    project = builds.get("sqlite", request)  # type: ignore[attr-defined]
    with project.read() as session:
        return to_bytes(train_model(session).model)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def meta_with(data: bytes, old: bytes, new: bytes) -> bytes:
    inside = members(data)
    meta = np.load(io.BytesIO(inside["meta.npy"])).tobytes()
    assert old in meta
    inside["meta.npy"] = npy(np.frombuffer(meta.replace(old, new, 1), dtype=np.uint8))
    return archive(inside)


def test_anything_but_the_format_is_refused_without_unpickling(good: bytes, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    assert from_bytes(good).codes
    inside = members(good)
    hostile = {
        "a pickle": planted(marker),
        "a pickle in the archive": archive({**inside, "platt.npy": npy(np.array([Planted(marker)], dtype=object))}),
        "another member": archive({**inside, "extra.npy": npy(np.zeros(1))}),
        "a member missing": archive({k: v for k, v in inside.items() if k != "platt.npy"}),
        "truncated": good[: len(good) // 2],
        "another format": meta_with(good, b'"format": "fokus-model"', b'"format": "other-model"'),
        "other features": meta_with(good, b'"min_df": 2', b'"min_df": 3'),
        "a bad figure": meta_with(good, b'"positives": ', b'"positives": -'),
        "text": b"not a model",
    }
    reasons = {}
    for name, data in hostile.items():
        with pytest.raises(UnreadableModel) as refused:
            from_bytes(data)
        reasons[name] = str(refused.value)
    assert not marker.exists()
    assert reasons["a pickle"] == "a pickle, which fokus never loads (older versions of fokus saved models so)"
    assert reasons["a pickle in the archive"].startswith("unreadable (ValueError: Object arrays cannot be loaded")
    assert (
        reasons["another member"] == reasons["a member missing"] == "its archive does not hold a fokus model's arrays"
    )
    assert reasons["truncated"].startswith("unreadable (BadZipFile")
    assert reasons["another format"] == "it is not a fokus model"
    assert reasons["other features"] == "it was made with other feature settings"
    assert reasons["a bad figure"].startswith("its figure positives (-")
    assert reasons["a bad figure"].endswith("out of range")
    assert reasons["text"] == "not an .npz archive"


# --- a killed `fokus learn` leaves no worker behind ---------------------------------------------------------------

DEADLINE = 60.0


def marked(mark: str) -> set[int]:
    """Every process whose environment carries ``mark`` (a child inherits it, even once its parent is gone)."""
    found = set()
    needle = mark.encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:  # gone meanwhile, or not ours
                continue
    return found


def fitting(mark: str) -> bool:
    """Whether the command has begun fitting: liblinear is loaded in it, or in a worker process it started."""
    for pid in marked(mark):
        try:
            if "_liblinear" in Path(f"/proc/{pid}/maps").read_text():
                return True
        except OSError:
            continue
    return False


def until(condition: object, deadline: float = DEADLINE) -> bool:
    """Check ``condition`` until it holds or the deadline passes (a bounded loop on a condition)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def demo_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    demo: Project = request.getfixturevalue("demo_sqlite")
    assert demo.sqlite_path is not None
    demo.engine.dispose()
    copy = tmp_path / "demo.db"
    with closing(sqlite3.connect(demo.sqlite_path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return copy


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["term", "int", "kill"])
def test_a_killed_learn_leaves_no_worker_running(demo_copy: Path, how: signal.Signals) -> None:
    mark = f"FOKUS_TEST_LEARN={uuid.uuid4().hex}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    child = subprocess.Popen(
        [sys.executable, "-m", "fokus", "--db", str(demo_copy), "learn", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert until(lambda: fitting(mark) or child.poll() is not None)
        assert child.poll() is None, "learn ended before it could be killed"
        child.send_signal(how)
        child.wait(timeout=DEADLINE)
        assert until(lambda: not marked(mark), deadline=10.0), f"still running: {sorted(marked(mark))}"
    finally:
        child.kill()
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)
    assert child.returncode == (130 if how == signal.SIGINT else -how)
    with sqlite3.connect(demo_copy) as db:
        assert db.execute("SELECT count(*) FROM learned_models").fetchone() == (0,)


# --- the same decisions, the same model ---------------------------------------------------------------------------

DISTINCT = """
import json
import numpy as np
from scipy import sparse
from fokus.learn.model import _distinct
rng = np.random.default_rng(0)
x = sparse.csr_matrix(rng.integers(0, 2, size=(300, 6)).astype(np.float32))
y = rng.integers(0, 2, size=300)
first, inverse, counts = _distinct(x, y)
print(json.dumps([first.tolist(), inverse.tolist(), counts.tolist()]))
"""


def test_training_sees_its_sentences_in_the_same_order_whatever_the_hash_seed() -> None:
    """Python salts its hash of bytes per process: the distinct sentences (and so the folds, the figures and the
    thresholds) must not follow that salt, or two runs of `fokus learn` on the same decisions disagree."""
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", DISTINCT],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    first, inverse, counts = runs[0]
    assert first == sorted(first)
    assert sum(counts) == len(inverse) == 300
