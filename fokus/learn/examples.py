"""What a model learns from: the sentences the researchers decided on, with what they decided.

A training example is a sentence unit (stored by ``fokus tag``) that a researcher coded, or on which a suggestion was
rejected. For each code an example is

- *positive* when a human coder's accepted coding of the code belongs to the sentence (the sentence rule of
  :mod:`fokus.analysis.units`; an accepted suggestion is a human coding, since accepting makes it the researcher's);
- *negative* when a researcher coded the sentence with other codes only (they read it and chose those), or rejected
  a suggestion of this code there;
- *unknown* otherwise: a sentence whose only decision is the rejection of another code says nothing about this one,
  and a sentence nobody coded is no evidence at all.

Codes are learnt as applied (no roll-up): a model suggests the specific code a researcher would choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.analysis.frame import IntArray, Scope, flat_ints, load_frame
from fokus.analysis.units import unit_keys
from fokus.domain.chunks import chunks
from fokus.model import Code, Coder, CoderKind, CodingStatus, Unit

POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1


@dataclass
class Examples:
    """The training sentences and, per code, their labels (POSITIVE, NEGATIVE or UNKNOWN)."""

    unit_ids: IntArray
    texts: list[str]  # the sentences' lemmas, which the features are made from
    codes: list[str]  # the label columns, in codebook order
    labels: np.ndarray[Any, np.dtype[np.int8]]  # (sentences, codes)
    positive_codings: list[int]
    negative_codings: list[int]

    def __len__(self) -> int:
        return len(self.unit_ids)

    def subset(self, rows: IntArray) -> Examples:
        return Examples(
            self.unit_ids[rows],
            [self.texts[i] for i in rows.tolist()],
            self.codes,
            self.labels[rows],
            self.positive_codings,
            self.negative_codings,
        )


def training_examples(session: Session) -> Examples:
    """Every sentence the researchers decided on, labelled per codable code; see the module docstring."""
    humans = [name for (name,) in session.execute(select(Coder.name).where(Coder.kind == CoderKind.HUMAN.value))]
    # by path in code point order, in Python: a PostgreSQL collation sorts "krise_tiltak" before "krise/flom"
    codable = session.execute(select(Code.id, Code.path).where(Code.codable.is_(True)))
    codes = sorted(((cid, path) for cid, path in codable), key=lambda code: code[1])
    accepted = load_frame(session, Scope(coders=tuple(humans))) if humans else None
    rejected = load_frame(session, Scope(statuses=(CodingStatus.REJECTED.value,)))
    pairs: list[tuple[IntArray, IntArray, IntArray, int]] = []  # (unit, code, coding id, label)
    coded_units = np.zeros(0, dtype=np.int64)
    positive_ids: list[int] = []
    if accepted is not None and len(accepted):
        rows, units = unit_keys(accepted, "sentence")
        pairs.append((units, accepted.code[rows], accepted.id[rows], POSITIVE))
        coded_units = np.unique(units)
        positive_ids = np.unique(accepted.id[rows]).tolist()
    negative_ids: list[int] = []
    if len(rejected):
        rows, units = unit_keys(rejected, "sentence")
        pairs.append((units, rejected.code[rows], rejected.id[rows], NEGATIVE))
        negative_ids = np.unique(rejected.id[rows]).tolist()
    all_units = np.unique(np.concatenate([coded_units, *(p[0] for p in pairs)])) if pairs else coded_units
    column = {cid: j for j, (cid, _path) in enumerate(codes)}
    labels = np.full((len(all_units), len(codes)), UNKNOWN, dtype=np.int8)
    labels[np.searchsorted(all_units, coded_units)] = NEGATIVE  # coded sentences: every code not chosen is a no
    for label in (NEGATIVE, POSITIVE):  # positives last: an accepted coding outweighs a rejected suggestion
        for units, code_ids, _ids, kind in pairs:
            if kind != label:
                continue
            keep = np.array([cid in column for cid in code_ids.tolist()], dtype=bool)
            cols = np.array([column[cid] for cid in code_ids[keep].tolist()], dtype=np.int64)
            labels[np.searchsorted(all_units, units[keep]), cols] = label
    texts = _lemmas(session, all_units)
    return Examples(all_units, texts, [path for _cid, path in codes], labels, positive_ids, negative_ids)


def _lemmas(session: Session, unit_ids: IntArray) -> list[str]:
    found: dict[int, str] = {}
    ids = unit_ids.tolist()
    for chunk in chunks(ids):
        found.update(session.execute(select(Unit.id, Unit.lemmas).where(Unit.id.in_(chunk))).all())
    return [found[uid] for uid in ids]


def all_sentences(session: Session) -> tuple[IntArray, list[str]]:
    """Every sentence unit's id and lemmas, in id order (what a model suggests codes for)."""
    ids = flat_ints(session.connection().execute(select(Unit.id).order_by(Unit.id)), 1)[:, 0]
    texts = list(session.scalars(select(Unit.lemmas).order_by(Unit.id)))
    return ids, texts
