"""Learning from the researchers: train a model on their decisions (`fokus learn`), let it suggest (`fokus suggest`).

Each training run is a new version of the project's model: the file (an .npz archive of arrays and JSON, see
:mod:`fokus.learn.storage`) is written to the project's models folder (``<project>.models/`` beside a SQLite file)
or, for a project on a database server, whose team shares no folder, into the database itself
(``learned_models.data``); its sha256 and cross-validated figures go into ``learned_models``, and every coding it
learnt from into ``model_examples``, so one can always say which decisions a suggestion came from. A model is data,
never code: loading one runs nothing it holds, whoever wrote it, and a file whose digest differs from the recorded
one, a path that leaves the models folder and anything not in that format (the pickles older versions saved among
them) are refused.

Suggesting, that is writing what a model suggests as codings of the machine coder, is :mod:`fokus.api.suggesting`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.api.suggesting import SuggestReport, suggest
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.learn.examples import Examples
from fokus.learn.model import MIN_EXAMPLES, NOTES, TARGET_PRECISION, TrainedModel, train
from fokus.model import LearnedModel, ModelExample, table_of, utcnow
from fokus.store.bulk import insert_rows

if TYPE_CHECKING:
    from spacy.language import Language

#: whether the rules' labels on undecided sentences train the model too (fokus.learn.weak): on the demo's coding,
#: cross-validated by thread, they raise the model's own theme F1 from 0.40 to 0.47 but lower the combined one from
#: 0.713 to 0.711 (the model then repeats the rules), so they are asked for (`fokus learn --weak`), not the default
WEAKLY = False


#: The learn report's columns as people read them (CSV and JSON keep the keys).
HEADINGS = {
    "examples": N_("examples"),
    "positives": N_("positives"),
    "precision": N_("precision"),
    "recall": N_("recall"),
    "f1": N_("f1"),
    "threshold": N_("threshold"),
    "note": N_("note"),
}


def note_phrase(note: str | None) -> Any:
    """A code's stored English note (why it is not suggested) as a Phrase, shown in the reader's language; a note
    fokus no longer writes stays as it is."""
    from fokus.analysis.report import Figure, Phrase

    def figure(value: str) -> Any:  # the English digits in CSV, the reader's in tables and Markdown
        if value.isdigit():
            return Figure(int(value), "int")
        return Figure(float(value), "g") if re.fullmatch(r"\d+\.\d+", value) else value

    if note is None:
        return None
    for message in NOTES:
        pattern = re.escape(message).replace(r"\{", "{").replace(r"\}", "}")
        found = re.fullmatch(re.sub(r"\{(\w+)\}", r"(?P<\1>.+?)", pattern), note)
        if found:
            return Phrase(message, **{key: figure(value) for key, value in found.groupdict().items()})
    return note


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
        from fokus.analysis.report import decimal

        return _(
            "Model {version}: {sentences} decided sentences, cross-validated per code (target precision {target})"
        ).format(
            version=self.version,
            sentences=number(self.sentences),
            target=decimal(f"{self.model.target_precision:g}"),
        )

    def heading(self, column: str) -> str:
        from fokus.analysis.report import heading

        return _(HEADINGS[column]) if column in HEADINGS else heading(column)

    def columns(self) -> list[str]:
        return ["code", "examples", "positives", "precision", "recall", "f1", "threshold", "note"]

    def rows(self) -> list[dict[str, Any]]:
        return [{**row, "note": note_phrase(row["note"])} for row in (s.row() for s in self.model.scores)]

    def as_json(self) -> Any:
        return {
            "version": self.version,
            "file": str(self.path),
            "sentences": self.sentences,
            "positive_codings": self.positives,
            "negative_codings": self.negatives,
            "target_precision": self.model.target_precision,
            "micro_f1": self.model.micro_f1(),
            "codes": [score.row() for score in self.model.scores],
        }

    def markdown(self) -> str:
        from fokus.analysis.report import markdown_table

        skipped = [s.code for s in self.model.scores if s.threshold is None]
        values = {
            "accepted": number(self.positives),
            "rejected": number(self.negatives),
            "name": self.path.name,
            "f1": number(self.model.micro_f1() or 0, 3),
            "count": number(len(skipped)),
            "codes": ", ".join(skipped),
        }
        trained = _(
            "Trained on {accepted} accepted codings and {rejected} rejected suggestions; saved as {name}."
            " Micro F1 over the suggested codes: {f1}."
        )
        left_out = _("Not suggested ({count}): {codes}.") if skipped else _("Not suggested (0): none.")
        # the headings in the reader's language, as the terminal table shows them
        rows = [{self.heading(key): value for key, value in row.items()} for row in self.rows()]
        return "\n".join(
            [
                f"# {self.title}",
                "",
                trained.format(**values),
                left_out.format(**values),
                "",
                markdown_table(rows, [self.heading(c) for c in self.columns()]),
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
        raise FokusError(_("target precision {value} is not between 0 and 1").format(value=target_precision))
    examples = training_examples(session)
    if not len(examples):
        raise FokusError(
            _("nothing to learn from: no sentence is coded yet"), hint=_("code some sentences, run `fokus tag`")
        )
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
        raise FokusError(
            _("no code has {count} coded sentences yet").format(count=min_examples),
            hint=_("code more, or lower --min-examples"),
        )
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
            _("the project has no model version {version}").format(version=version)
            if version is not None
            else _("the project has no model"),
            hint=_("train one with `fokus learn`"),
        )
    again = _("run `fokus learn` again")
    if row.path.endswith(".joblib"):  # its pickle was dropped when the project was migrated (0007)
        raise FokusError(
            _("model {version} was saved by an older fokus as a pickle, which fokus no longer loads").format(
                version=row.version
            ),
            hint=again,
        )
    if _leaves_folder(row.path):
        raise FokusError(
            _("model {version}'s recorded path {path!r} is absolute or leaves the models folder").format(
                version=row.version, path=row.path
            ),
            hint=_("fokus reads models only inside it; run `fokus learn` again"),
        )
    data, in_file, place = row.data, False, None
    if data is None:
        if folder is None:
            raise FokusError(
                _("model {version} was saved as a file beside the project, and this project has no folder").format(
                    version=row.version
                ),
                hint=_("pass --models DIR (the folder holding it), or run `fokus learn` again"),
            )
        path = folder / row.path
        if not path.is_file():
            raise FokusError(
                _("model {version}'s file is missing").format(version=row.version), path=str(path), hint=again
            )
        data, in_file, place = path.read_bytes(), True, str(path)
    if hashlib.sha256(data).hexdigest() != row.sha256:
        if in_file:
            reason = _("model {version}'s file is not the one fokus wrote (its digest differs)")
        else:
            reason = _("model {version} in the database is not the one fokus wrote (its digest differs)")
        raise FokusError(
            reason.format(version=row.version),
            path=place,
            hint=_("fokus loads no model it did not write; run `fokus learn` again"),
        )
    try:
        return row.version, from_bytes(data)
    except UnreadableModel as exc:
        if in_file:
            reason = _("model {version}'s file is not a fokus model: {reason}")
        else:
            reason = _("model {version} in the database is not a fokus model: {reason}")
        raise FokusError(reason.format(version=row.version, reason=exc), path=place, hint=again) from None


def _leaves_folder(path: str) -> bool:
    """Whether a recorded model path is absolute or climbs out of the models folder (read as POSIX and as Windows
    paths, so neither ``/`` nor ``\\`` nor a drive gets past)."""
    windows = PureWindowsPath(path)
    return PurePosixPath(path).is_absolute() or bool(windows.anchor) or ".." in windows.parts


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
