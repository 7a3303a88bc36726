"""Learning from the researchers: train a model on their decisions (`fokus learn`), let it suggest (`fokus suggest`).

Each training run is a new version of the project's model: the file (an .npz archive of arrays and JSON, see
:mod:`fokus.learn.storage`) is written to the project's models folder (``<project>.models/`` beside a SQLite file)
or, for a project on a database server, whose team shares no folder, into the database itself
(``learned_models.data``); its sha256 and cross-validated figures go into ``learned_models``, and every coding it
learnt from into ``model_examples``, so one can always say which decisions a suggestion came from. A model is data,
never code: loading one runs nothing it holds, whoever wrote it, and a file whose digest differs from the recorded
one, a path that leaves the models folder and anything not in that format (the pickles older versions saved among
them) are refused.

Suggestions are codings with status ``suggested`` by the machine coder, origin ``model:<version>`` and the
calibrated probability as confidence, on sentence units whose probability reaches the code's threshold. They never
touch a decision: a sentence whose code a researcher accepted or rejected (any coder) gets no suggestion of it.
Where the rules suggest the same code on the same sentence, the two share one suggestion (see
:mod:`fokus.domain.origins`). A newer model replaces the older one's part; what it no longer supports is withdrawn.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import CODING_FIELDS, log_events, new_batch, snapshot
from fokus.domain.origins import split_origin, with_model, without_model
from fokus.errors import FokusError
from fokus.learn.examples import Examples
from fokus.learn.model import MIN_EXAMPLES, TARGET_PRECISION, TrainedModel, train
from fokus.model import (
    Code,
    CoderKind,
    Coding,
    CodingStatus,
    LearnedModel,
    ModelExample,
    Unit,
    table_of,
    utcnow,
)
from fokus.store.bulk import insert_new_ids, insert_rows

if TYPE_CHECKING:
    from spacy.language import Language

Progress = Callable[[str, int, int], None]
#: what one suggestion should say: the model's probability (None: no say), the confidence shown, the combiner's part
Wanted = dict[tuple[int, int, int, int], tuple[float | None, float, dict[str, Any] | None]]
CHUNK = 20_000  # sentences scored at a time
#: whether the rules' labels on undecided sentences train the model too (fokus.learn.weak): on the demo's coding,
#: cross-validated by thread, they raise the model's own theme F1 from 0.40 to 0.47 but lower the combined one from
#: 0.713 to 0.711 (the model then repeats the rules), so they are asked for (`fokus learn --weak`), not the default
WEAKLY = False


@dataclass
class LearnReport:
    version: int
    path: Path
    sentences: int
    positives: int
    negatives: int
    model: TrainedModel

    @property
    def title(self) -> str:
        return (
            f"Model {self.version}: {self.sentences} decided sentences, cross-validated per code"
            f" (target precision {self.model.target_precision:g})"
        )

    def columns(self) -> list[str]:
        return ["code", "examples", "positives", "precision", "recall", "f1", "threshold", "note"]

    def rows(self) -> list[dict[str, Any]]:
        return [score.row() for score in self.model.scores]

    def as_json(self) -> Any:
        return {
            "version": self.version,
            "file": str(self.path),
            "sentences": self.sentences,
            "positive_codings": self.positives,
            "negative_codings": self.negatives,
            "target_precision": self.model.target_precision,
            "micro_f1": self.model.micro_f1(),
            "codes": self.rows(),
        }

    def markdown(self) -> str:
        from fokus.analysis.report import markdown_table

        skipped = [s.code for s in self.model.scores if s.threshold is None]
        return "\n".join(
            [
                f"# {self.title}",
                "",
                f"Trained on {self.positives} accepted codings and {self.negatives} rejected suggestions;"
                f" saved as {self.path.name}. Micro F1 over the suggested codes: {self.model.micro_f1() or 0:.3f}.",
                f"Not suggested ({len(skipped)}): {', '.join(skipped) or 'none'}.",
                "",
                markdown_table(self.rows(), self.columns()),
            ]
        )


def models_folder(project_path: Path | None, override: Path | None = None) -> Path | None:
    """Where a project's model files live: given, or ``<project>.models`` beside a SQLite file; None for a project
    on a database server, whose models are kept in the database (every coder of the team can load them)."""
    if override is not None:
        return override
    if project_path is None:
        return None
    return project_path.with_name(project_path.name + ".models")


@dataclass
class Trained:
    """A model trained in a read session, not yet saved: training takes a while, and holds no write lock."""

    examples: Examples
    model: TrainedModel
    min_examples: int


def train_model(
    session: Session,
    *,
    target_precision: float = TARGET_PRECISION,
    min_examples: int = MIN_EXAMPLES,
    folds: int | None = None,
    n_jobs: int = 1,
    nlp: Language | None = None,
    weakly: bool = WEAKLY,
) -> Trained:
    """Train on every decision so far (see fokus.learn), then the combiner of the model, the rules and the thread
    (:mod:`fokus.api.combining`; the rules run with ``nlp``, by default the project's pipeline); raises FokusError
    when nothing can be learnt yet."""
    from fokus.api.combining import fit_combiner, undecided_rule_hits, weak_supervision
    from fokus.api.evidence import around, fresh_rule_evidence
    from fokus.domain.settings import MODEL_SETTING, get_setting
    from fokus.learn.examples import training_examples
    from fokus.nlp import load_pipeline

    if not 0 < target_precision <= 1:
        raise FokusError(f"target precision {target_precision} is not between 0 and 1")
    examples = training_examples(session)
    if not len(examples):
        raise FokusError("nothing to learn from: no sentence is coded yet", hint="code some sentences, run `fokus tag`")
    if nlp is None:
        nlp = load_pipeline(get_setting(session, MODEL_SETTING))
    sentences = around(session, examples.unit_ids.tolist())
    decided = sentences.take(np.searchsorted(sentences.ids, examples.unit_ids))
    rules = fresh_rule_evidence(session, nlp, decided, examples.codes)
    hits = undecided_rule_hits(session, examples.codes, examples.unit_ids) if weakly else None
    weak = weak_supervision(examples, rules[0] > 0, hits) if hits is not None else None
    model = train(
        examples,
        target_precision=target_precision,
        min_examples=min_examples,
        folds=folds,
        n_jobs=n_jobs,
        weak=weak,
    )
    if not model.codes:
        raise FokusError(f"no code has {min_examples} coded sentences yet", hint="code more, or lower --min-examples")
    model.combiner, _oof = fit_combiner(examples, model, sentences, rules)
    return Trained(examples, model, min_examples)


def save_model(session: Session, folder: Path | None, trained: Trained) -> LearnReport:
    """Write the model as the next version and record what trained it (in the caller's writing transaction);
    with no ``folder`` the model's bytes go into the database."""
    from fokus.learn.storage import SUFFIX, to_bytes

    model, examples = trained.model, trained.examples
    version = (session.scalar(select(func.max(LearnedModel.version))) or 0) + 1
    name = f"model-{version:03d}{SUFFIX}"
    data = to_bytes(model)
    path = Path(name)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)  # a crash leaves no half-written model under the real name
    row = LearnedModel(
        version=version,
        path=name,
        data=data if folder is None else None,
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=utcnow(),
        sentences=len(examples),
        target_precision=model.target_precision,
        report={
            "codes": [score.row() for score in model.scores],
            "micro_f1": model.micro_f1(),
            "folds": model.folds,
            "min_examples": trained.min_examples,
        },
    )
    session.add(row)
    session.flush()
    examples_rows = [{"model_id": row.id, "coding_id": cid, "label": "positive"} for cid in examples.positive_codings]
    examples_rows += [{"model_id": row.id, "coding_id": cid, "label": "negative"} for cid in examples.negative_codings]
    insert_rows(session.connection(), table_of(ModelExample), examples_rows)
    return LearnReport(
        version, path, len(examples), len(examples.positive_codings), len(examples.negative_codings), model
    )


def load_model(session: Session, folder: Path | None, version: int | None = None) -> tuple[int, TrainedModel]:
    """The newest model (or ``version``), read as data after checking its file (or its bytes in the database) is
    the one that was recorded; see the module for what is refused."""
    from fokus.learn.storage import UnreadableModel, from_bytes

    query = select(LearnedModel).order_by(LearnedModel.version.desc())
    if version is not None:
        query = query.where(LearnedModel.version == version)
    row = session.scalars(query.limit(1)).first()
    if row is None:
        raise FokusError(
            "the project has no model" + (f" version {version}" if version is not None else ""),
            hint="train one with `fokus learn`",
        )
    again = "run `fokus learn` again"
    if row.path.endswith(".joblib"):  # its pickle was dropped when the project was migrated (0007)
        raise FokusError(
            f"model {row.version} was saved by an older fokus as a pickle, which fokus no longer loads", hint=again
        )
    if _leaves_folder(row.path):
        raise FokusError(
            f"model {row.version}'s recorded path {row.path!r} is absolute or leaves the models folder",
            hint="fokus reads models only inside it; " + again,
        )
    data, label, place = row.data, f"model {row.version} in the database", None
    if data is None:
        if folder is None:
            raise FokusError(
                f"model {row.version} was saved as a file beside the project, and this project has no folder",
                hint="pass --models DIR (the folder holding it), or run `fokus learn` again",
            )
        path = folder / row.path
        if not path.is_file():
            raise FokusError(f"model {row.version}'s file is missing", path=str(path), hint=again)
        data, label, place = path.read_bytes(), f"model {row.version}'s file", str(path)
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise FokusError(
            f"{label} is not the one fokus wrote (its digest differs)",
            path=place,
            hint="fokus loads no model it did not write; " + again,
        )
    try:
        return row.version, from_bytes(data)
    except UnreadableModel as exc:
        raise FokusError(f"{label} is not a fokus model: {exc}", path=place, hint=again) from None


def _leaves_folder(path: str) -> bool:
    """Whether a recorded model path is absolute or climbs out of the models folder (read as POSIX and as Windows
    paths, so neither ``/`` nor ``\\`` nor a drive gets past)."""
    windows = PureWindowsPath(path)
    return PurePosixPath(path).is_absolute() or bool(windows.anchor) or ".." in windows.parts


@dataclass
class SuggestReport:
    version: int
    sentences: int = 0
    suggested: int = 0  # new suggestions
    merged: int = 0  # a rule's suggestion the model now supports too
    updated: int = 0  # the model's part changed (a new version, another probability)
    withdrawn: int = 0  # the model no longer supports it
    kept_decided: int = 0
    codes: list[str] = field(default_factory=list)
    cancelled: bool = False


def suggest(
    session: Session,
    version: int,
    model: TrainedModel,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SuggestReport:
    """Score every sentence and bring the model's suggestions up to date; see the module docstring."""
    report = SuggestReport(version)
    code_ids = dict(session.execute(select(Code.path, Code.id)).all())
    if model.combiner is not None:
        from fokus.api.combining import combined_wanted

        combined, report.codes, report.sentences = combined_wanted(session, version, model, code_ids)
        if cancelled and cancelled():
            report.cancelled = True
            return report
        _reconcile(session, version, combined, report)
        return report
    usable = [j for j, code in enumerate(model.codes) if not np.isnan(model.thresholds[j]) and code in code_ids]
    report.codes = [model.codes[j] for j in usable]
    units = session.execute(select(Unit.id, Unit.message_id, Unit.start, Unit.end, Unit.lemmas).order_by(Unit.id)).all()
    report.sentences = len(units)
    wanted: Wanted = {}
    columns = np.array(usable, dtype=np.int64)
    thresholds = model.thresholds[columns] if usable else np.zeros(0)
    for start in range(0, len(units), CHUNK):
        if cancelled and cancelled():
            report.cancelled = True
            return report
        chunk = units[start : start + CHUNK]
        if usable:
            probabilities = model.probabilities([u[4] for u in chunk])[:, columns]
            rows, cols = np.nonzero(probabilities >= thresholds)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                _uid, mid, s, e, _lemmas = chunk[r]
                probability = float(probabilities[r, c])
                wanted[(mid, code_ids[model.codes[usable[c]]], s, e)] = (probability, probability, None)
        if progress:
            progress("suggesting", min(start + CHUNK, len(units)), len(units))
    _reconcile(session, version, wanted, report)
    return report


def combine_with_model(session: Session, folder: Path | None) -> SuggestReport | None:
    """After tagging: the newest model's combiner ranks what the rules now suggest and adds its own, as `fokus suggest`
    would (None when the project has no model with a combiner, or it cannot be read: the rules' suggestions stand)."""
    if session.scalar(select(func.count()).select_from(LearnedModel)) == 0:
        return None
    try:
        version, model = load_model(session, folder)
    except FokusError:
        return None
    return suggest(session, version, model) if model.combiner is not None else None


def _reconcile(session: Session, version: int, wanted: Wanted, report: SuggestReport) -> None:
    """Bring the machine's open suggestions in line with ``wanted``: new ones, the model's part and the shown
    confidence updated, and the model's part withdrawn where it is no longer wanted (a rule's part is the rules')."""
    coder_id = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
    messages = sorted({key[0] for key in wanted})
    decided: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for chunk in chunks(messages):
        decisions = select(Coding.message_id, Coding.code_id, Coding.start, Coding.end).where(
            Coding.message_id.in_(chunk), Coding.status != CodingStatus.SUGGESTED.value
        )
        for mid, cid, s, e in session.execute(decisions):
            decided[(mid, cid)].append((s, e))
    # the machine's open suggestions: where the model's part goes, or has to go away
    existing: dict[tuple[int, int, int, int], tuple[int, str]] = {}
    query = select(Coding.id, Coding.message_id, Coding.code_id, Coding.start, Coding.end, Coding.origin).where(
        Coding.coder_id == coder_id, Coding.status == CodingStatus.SUGGESTED.value
    )
    for cid, mid, code, s, e, origin in session.execute(query):
        existing[(mid, code, s, e)] = (cid, origin)
    batch = new_batch()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changes: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    withdrawn: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    to_load = {}
    for key, (probability, shown, combined) in wanted.items():
        mid, code, s, e = key
        if any(ds < e and s < de for ds, de in decided.get((mid, code), ())):
            report.kept_decided += 1
            continue
        found = existing.get(key)
        if found is None:
            if probability is None:
                continue  # nothing of the model's to suggest on its own
            origin, confidence, details = _state(("", None, None), version, probability, shown, combined)
            rows.append(
                {
                    "message_id": mid,
                    "code_id": code,
                    "coder_id": coder_id,
                    "start": s,
                    "end": e,
                    "status": CodingStatus.SUGGESTED.value,
                    "origin": origin,
                    "confidence": confidence,
                    "details": details,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            report.suggested += 1
        else:
            to_load[found[0]] = (probability, shown, combined)
    stale = [cid for key, (cid, origin) in existing.items() if key not in wanted and split_origin(origin)[1]]
    # read and written as rows, not ORM objects: the first suggest after a new model changes every suggestion's
    # confidence (70,000 on bench/learn.py), which the ORM's unit of work took 17 s to write
    session.flush()
    table = table_of(Coding)
    columns = [table.c.id, *(table.c[name] for name in CODING_FIELDS)]
    updates: list[dict[str, Any]] = []
    gone: list[int] = []
    for ids in chunks([*to_load, *stale]):
        for row in session.execute(select(*columns).where(table.c.id.in_(ids))):
            cid, before = row[0], dict(zip(CODING_FIELDS, row[1:], strict=True))
            current = (before["origin"], before["confidence"], before["details"])
            if cid in to_load:
                probability, shown, combined = to_load[cid]
                merged = split_origin(current[0])[1] is None and probability is not None
                state = _state(current, version, probability, shown, combined)
                if current == state:
                    continue
                report.merged += merged
                report.updated += not merged
            else:
                report.withdrawn += 1
                remaining = without_model(current[0], current[2])
                if remaining is None:
                    withdrawn.append((cid, before, None))
                    gone.append(cid)
                    continue
                state = remaining
            after = {**before, "origin": state[0], "confidence": state[1], "details": state[2]}
            changes.append((cid, before, after))
            updates.append({"b_id": cid, "b_origin": state[0], "b_confidence": state[1], "b_details": state[2]})
    if updates:
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                origin=bindparam("b_origin"),
                confidence=bindparam("b_confidence"),
                details=bindparam("b_details"),
                updated_at=now,
            )
        )
        session.connection().execute(statement, updates)
    for ids in chunks(gone):
        session.connection().execute(delete(table).where(table.c.id.in_(ids)))
    session.expire_all()  # ORM objects loaded earlier in this transaction (by tagging) see the new rows
    if rows:
        ids = insert_new_ids(session.connection(), table_of(Coding), rows)
        log_events(
            session, batch, "coding.suggest", ((i, None, snapshot(r)) for i, r in zip(ids, rows, strict=True)), coder_id
        )
    if changes:
        log_events(session, batch, "coding.change", changes, coder_id)
    if withdrawn:
        log_events(session, batch, "coding.withdraw", withdrawn, coder_id)


def _state(
    current: tuple[str, float | None, dict[str, Any] | None],
    version: int,
    probability: float | None,
    shown: float,
    combined: dict[str, Any] | None,
) -> tuple[str, float | None, dict[str, Any] | None]:
    """A suggestion's origin, confidence and details with the model's part (when it has a say) and the combiner's."""
    origin, confidence, details = current
    if probability is not None:
        origin, confidence, details = with_model(origin, confidence, details, version, probability)
    if combined is None:
        return origin, confidence, details
    return origin, round(shown, 4), {**(details or {}), "combined": combined}


def learning_curve(
    session: Session, *, steps: int = 6, target_precision: float = TARGET_PRECISION, seed: int = 0
) -> list[dict[str, Any]]:
    """F1 against the number of coded sentences trained on: cross-validated, every code's decisions pooled (a code
    the model cannot suggest yet counts as missed), and among the codes it suggests.

    Each point trains on a random share of the decided sentences (the same shuffle throughout, so each point's
    sentences include the previous ones'), from a tenth of them to all.
    """
    from fokus.learn.examples import training_examples

    examples = training_examples(session)
    order = np.random.default_rng(seed).permutation(len(examples))
    points = []
    for share in np.linspace(0.1, 1.0, steps):
        size = max(round(float(share) * len(examples)), 1)
        model = train(examples.subset(np.sort(order[:size])), target_precision=target_precision, seed=seed)
        suggested = [s for s in model.scores if s.threshold is not None]
        every, among = model.micro_f1(every_code=True), model.micro_f1()
        points.append(
            {
                "sentences": size,
                "f1": None if every is None else round(every, 3),
                "f1_suggested_codes": None if among is None else round(among, 3),
                "codes_suggested": len(suggested),
                "codes_learnt": len(model.codes),
            }
        )
    return points
