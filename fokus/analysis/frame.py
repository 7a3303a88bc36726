"""The codings an analysis counts, loaded once as columns (NumPy arrays) with everything they belong to.

Every analysis asks the same questions of the same rows: which code, which message, thread, participant and case
(municipality), which month, which coder. Loading the codings once as parallel integer columns, with small lookup
tables for messages, participants, cases and the code tree, lets frequencies, co-occurrence, hypotheses and matrices
be array operations (``np.unique``, ``np.bincount``, sparse products) instead of one query per figure, and keeps the
SQL to a few plain, portable SELECTs.

Which codings count is a :class:`Scope`: accepted codings by default (what the researchers decided), suggestions
too when asked, and optionally only some coders. Codes roll up to their parents (a coding of ``krise/for`` counts
for ``krise`` too) when an analysis asks for themes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from fokus.analysis.report import Name
from fokus.domain.chunks import chunks
from fokus.domain.local_time import DISPLAY_ZONE, local_time
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import Attribute, Case, CaseValue, Code, Coder, Coding, CodingStatus, Message, Participant

NONE = -1  # "no case" (a participant linked to none), in integer columns
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class Scope:
    """Which codings an analysis counts.

    ``statuses``: accepted only by default; ``include_suggested`` adds what the machine proposes. ``coders``: names,
    all coders when empty. ``codes``: paths; a code includes its sub-codes; every code when empty.
    """

    statuses: tuple[str, ...] = (CodingStatus.ACCEPTED.value,)
    coders: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, include_suggested: bool = False, coders: Sequence[str] = (), codes: Sequence[str] = ()) -> Scope:
        statuses = (CodingStatus.ACCEPTED.value,) + ((CodingStatus.SUGGESTED.value,) if include_suggested else ())
        return cls(statuses, tuple(coders), tuple(codes))


ACCEPTED = Scope()  # the default: what the researchers decided


@dataclass
class CodeTree:
    """The codebook as a tree: paths, names, parents, codebook order, and each code's ancestors."""

    path: dict[int, str]
    name: dict[int, str]
    parent: dict[int, int | None]
    order: list[int]  # depth first, by position: the order people read the codebook in

    @classmethod
    def load(cls, session: Session) -> CodeTree:
        rows = session.execute(select(Code.id, Code.path, Code.name, Code.parent_id, Code.position)).all()
        translations = {
            cid: {lang: texts["name"] for lang, texts in (given or {}).items() if texts.get("name")}
            for cid, given in session.execute(select(Code.id, Code.translations).where(Code.translations.is_not(None)))
        }
        children: dict[int | None, list[tuple[int, str, int]]] = {}
        for cid, path, _name, parent, position in rows:
            children.setdefault(parent, []).append((position, path, cid))
        order: list[int] = []

        def walk(parent: int | None) -> None:
            for _position, _path, cid in sorted(children.get(parent, [])):
                order.append(cid)
                walk(cid)

        walk(None)
        return cls(
            path={cid: path for cid, path, *_ in rows},
            # the stored name (CSV, JSON) that shows in the reader's language where the codebook gives one
            name={cid: Name(name, translations.get(cid)) for cid, _path, name, *_ in rows},
            parent={cid: parent for cid, _p, _n, parent, _pos in rows},
            order=order,
        )

    def ancestors(self, code_id: int) -> list[int]:
        """The code itself, then its parent, up to the top-level theme."""
        found = [code_id]
        parent = self.parent.get(code_id)
        while parent is not None and parent not in found:  # a cycle cannot be stored, but never loop on one
            found.append(parent)
            parent = self.parent.get(parent)
        return found

    def descendants(self, code_id: int) -> list[int]:
        return [cid for cid in self.order if code_id in self.ancestors(cid)]

    def id_of(self, path: str, *, where: str | None = None, display: str | None = None) -> int:
        for cid, known in self.path.items():
            if known == path:
                return cid
        raise FokusError(
            _("code {code!r} is not in the codebook").format(code=path),
            path=display,
            where=where,
            hint=_("see `fokus codebook show`"),
        )

    def theme(self, code_id: int) -> int:
        return self.ancestors(code_id)[-1]


@dataclass
class CaseTable:
    """Cases by id with their attribute values (typed as stored), for splitting by case or attribute."""

    name: dict[int, str]
    attributes: dict[str, str]  # name -> type
    values: dict[str, dict[int, Any]]  # attribute -> case id -> value

    @classmethod
    def load(cls, session: Session) -> CaseTable:
        names = dict(session.execute(select(Case.id, Case.name)).all())
        attributes = dict(session.execute(select(Attribute.name, Attribute.type).order_by(Attribute.position)).all())
        values: dict[str, dict[int, Any]] = {name: {} for name in attributes}
        query = select(
            Attribute.name,
            CaseValue.case_id,
            CaseValue.value_text,
            CaseValue.value_int,
            CaseValue.value_float,
            CaseValue.value_bool,
            CaseValue.value_date,
        ).join(Attribute, CaseValue.attribute_id == Attribute.id)
        for attribute, case_id, *typed in session.execute(query):
            values[attribute][case_id] = next((v for v in typed if v is not None), None)
        return cls(names, attributes, values)

    def attribute(self, name: str) -> dict[int, Any]:
        if name not in self.attributes:
            known = ", ".join(self.attributes) or _("none yet")
            raise FokusError(
                _("no case attribute {name!r}").format(name=name),
                hint=_("the project's attributes: {known} (`fokus cases import`)").format(known=known),
            )
        return self.values[name]


def value_label(value: Any) -> str:
    """An attribute value as people read it (booleans in Norwegian, as the case tables write them)."""
    if value is None:
        return "(ingen verdi)"
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def flat_ints(result: Iterator[Any], width: int) -> IntArray:
    """Rows of ``width`` integers as one (n, width) array, without a Python tuple per row kept alive."""
    flat = np.fromiter(chain.from_iterable(result), dtype=np.int64)
    return flat.reshape(-1, width)


@dataclass
class CodingFrame:
    """The codings in a scope, one row each, as parallel columns; see the module docstring.

    ``thread``, ``participant`` and ``case`` are looked up from the message; ``case`` is ``NONE`` for a
    participant linked to no case.
    """

    scope: Scope
    id: IntArray
    code: IntArray
    message: IntArray
    coder: IntArray
    start: IntArray
    end: IntArray
    status: IntArray  # index into STATUSES
    tree: CodeTree
    cases: CaseTable
    coders: dict[int, str]
    _message_thread: IntArray = field(repr=False)
    _message_participant: IntArray = field(repr=False)
    _participant_case: IntArray = field(repr=False)
    _session: Session = field(repr=False)

    STATUSES = (CodingStatus.ACCEPTED.value, CodingStatus.SUGGESTED.value, CodingStatus.REJECTED.value)

    def __len__(self) -> int:
        return len(self.id)

    @property
    def message_count(self) -> int:
        """How many messages the project has (not only coded ones)."""
        return int((self._message_thread != NONE).sum())

    @property
    def thread(self) -> IntArray:
        return self._message_thread[self.message]

    @property
    def participant(self) -> IntArray:
        return self._message_participant[self.message]

    @property
    def case(self) -> IntArray:
        return self._participant_case[self.participant]

    @cached_property
    def month(self) -> IntArray:
        """Each coding's month (of its message, in Norwegian time) as ``year * 12 + month - 1``."""
        ids = np.unique(self.message)
        if not len(ids):
            return np.zeros(0, dtype=np.int64)
        when: dict[int, datetime] = {}
        for chunk in chunks(ids.tolist()):
            query = select(Message.id, Message.created_at).where(Message.id.in_(chunk))
            when.update(self._session.execute(query).all())
        months = np.zeros(len(self._message_thread), dtype=np.int64)
        for mid, created in when.items():
            months[mid] = month_of(created)
        return months[self.message]

    def rollup(self, enabled: bool = True) -> tuple[IntArray, IntArray]:
        """(row index, code) pairs: each coding under its own code, and with ``enabled`` under every ancestor too."""
        rows = np.arange(len(self), dtype=np.int64)
        if not enabled or not len(self):
            return rows, self.code
        chains = {cid: self.tree.ancestors(cid) for cid in np.unique(self.code).tolist()}
        depth = max(len(c) for c in chains.values())
        out_rows, out_codes = [rows], [self.code]
        for level in range(1, depth):
            lookup = np.full(max(chains) + 1, NONE, dtype=np.int64)
            for cid, chain_ in chains.items():
                if len(chain_) > level:
                    lookup[cid] = chain_[level]
            up = lookup[self.code]
            keep = up != NONE
            out_rows.append(rows[keep])
            out_codes.append(up[keep])
        return np.concatenate(out_rows), np.concatenate(out_codes)

    def subset(self, mask: np.ndarray[Any, np.dtype[np.bool_]]) -> CodingFrame:
        """The same frame with only the rows in ``mask``."""
        return CodingFrame(
            self.scope,
            self.id[mask],
            self.code[mask],
            self.message[mask],
            self.coder[mask],
            self.start[mask],
            self.end[mask],
            self.status[mask],
            self.tree,
            self.cases,
            self.coders,
            self._message_thread,
            self._message_participant,
            self._participant_case,
            self._session,
        )

    @property
    def session(self) -> Session:
        return self._session


def _lookup(pairs: IntArray, size: int, fill: int = NONE) -> IntArray:
    """A dense array indexed by id: ``pairs`` of (id, value); ids not given get ``fill``."""
    table = np.full(size, fill, dtype=np.int64)
    if len(pairs):
        table[pairs[:, 0]] = pairs[:, 1]
    return table


def load_frame(session: Session, scope: Scope = ACCEPTED) -> CodingFrame:
    """Load the codings in ``scope``; raises FokusError for a coder or code the project does not have."""
    tree = CodeTree.load(session)
    coders = dict(session.execute(select(Coder.id, Coder.name)).all())
    status_index = case(
        *((Coding.status == status, index) for index, status in enumerate(CodingFrame.STATUSES)), else_=NONE
    )
    query: Select[Any] = select(
        Coding.id, Coding.code_id, Coding.message_id, Coding.coder_id, Coding.start, Coding.end, status_index
    ).where(Coding.status.in_(list(scope.statuses)))
    if scope.coders:
        by_name = {name: cid for cid, name in coders.items()}
        unknown = [name for name in scope.coders if name not in by_name]
        if unknown:
            raise FokusError(
                _("no coder {coder!r} in the project").format(coder=unknown[0]),
                hint=_("the coders: {coders}").format(coders=", ".join(sorted(by_name)) or _("none")),
            )
        query = query.where(Coding.coder_id.in_([by_name[name] for name in scope.coders]))
    if scope.codes:
        wanted = sorted({d for path in scope.codes for d in tree.descendants(tree.id_of(path))})
        query = query.where(Coding.code_id.in_(wanted))
    # Core rows through the session's connection: the ORM's per-row work is not needed for plain integers
    connection = session.connection()
    table = flat_ints(connection.execute(query.order_by(Coding.id).execution_options(yield_per=20_000)), 7)
    messages = flat_ints(connection.execute(select(Message.id, Message.thread_id, Message.participant_id)), 3)
    participants = flat_ints(
        connection.execute(select(Participant.id, Participant.case_id).where(Participant.case_id.is_not(None))), 2
    )
    message_size = int(messages[:, 0].max()) + 1 if len(messages) else 1
    max_participant = session.scalar(select(Participant.id).order_by(Participant.id.desc()).limit(1)) or 0
    return CodingFrame(
        scope,
        table[:, 0],
        table[:, 1],
        table[:, 2],
        table[:, 3],
        table[:, 4],
        table[:, 5],
        table[:, 6],
        tree,
        CaseTable.load(session),
        coders,
        _lookup(messages[:, [0, 1]], message_size),
        _lookup(messages[:, [0, 2]], message_size),
        _lookup(participants, max_participant + 1),
        session,
    )


def month_of(when: datetime) -> int:
    """A time's month in Norway, as ``year * 12 + month - 1`` (sortable, and one integer)."""
    local = local_time(when)  # a month of UTC where Norway's is beyond year 9999
    return local.year * 12 + local.month - 1


def month_label(month: int) -> str:
    """``year * 12 + month - 1`` as ``2013-03``."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_range(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


def utc_bounds(month: int) -> tuple[datetime, datetime]:
    """The first and last instant of a Norwegian month, in UTC (for selecting its messages)."""
    year, index = divmod(month, 12)
    start = datetime(year, index + 1, 1, tzinfo=DISPLAY_ZONE)
    year2, index2 = divmod(month + 1, 12)
    end = datetime(year2, index2 + 1, 1, tzinfo=DISPLAY_ZONE)
    return start.astimezone(UTC), end.astimezone(UTC)
