"""The coded passages behind a figure: every number an analysis prints can be opened and read.

A frequency cell is a code (rolled up or not) in a group (a case, an attribute value, a month); a co-occurrence
cell is two codes in the same unit. :func:`passages` takes the same scope and the same coordinates and returns the
codings behind them, with their text, so a researcher can check what a count is made of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func

from fokus.analysis.frame import ACCEPTED, CodingFrame, Scope, load_frame, month_label, value_label
from fokus.analysis.report import Phrase
from fokus.analysis.units import unit_keys
from fokus.domain.chunks import chunks
from fokus.domain.local_time import iso_local
from fokus.domain.passages import coded_passages
from fokus.errors import FokusError
from fokus.i18n import N_, _, formats, ngettext
from fokus.model import Case, Code, Coder, Coding, Message, Participant, Thread
from fokus.privacy import Redactor

COLUMNS = [
    "coding_id",
    "message_id",
    "thread_id",
    "created_at",
    "participant",
    "case",
    "code",
    "coder",
    "status",
    "start",
    "end",
    "text",
]


# What narrows the passages, as the title says it (the English is what JSON's "title" keeps).
WHERE = {
    "case": N_("{before}, case {value}"),
    "attribute": N_("{before}, attribute {value}"),
    "value": N_("{before}, value {value}"),
    "month": N_("{before}, month {value}"),
    "with_code": N_("{before}, with code {value}"),
}


@dataclass
class PassageReport:
    label: Phrase  # the title: English in JSON, the reader's language where people read it
    total: int
    passages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.label.shown()

    def columns(self) -> list[str]:
        return COLUMNS

    def rows(self) -> list[dict[str, Any]]:
        return self.passages

    def as_json(self) -> Any:
        return {"title": str(self.label), "total": self.total, "passages": self.passages}

    def markdown(self) -> str:
        lines = [
            f"# {self.title}",
            "",
            (
                ngettext(
                    "{total} coded passage, the first {shown} shown.",
                    "{total} coded passages, the first {shown} shown.",
                    self.total,
                )
                if len(self.passages) < self.total
                else ngettext("{total} coded passage.", "{total} coded passages.", self.total)
            ).format(total=formats.number(self.total), shown=formats.number(len(self.passages))),
            "",
        ]
        for row in self.passages:
            who = ", ".join(x for x in (row["participant"], row["case"]) if x)
            lines.append(f"> {' '.join(row['text'].split())}")
            when = formats.date(date.fromisoformat(row["created_at"][:10])) if row["created_at"] else ""
            lines.append(
                "> — "
                + _("{who} ({date}; {code}, coded by {coder}; message {message})").format(
                    who=who, date=when, code=row["code"], coder=row["coder"], message=row["message_id"]
                )
            )
            lines.append("")
        return "\n".join(lines)


def select_rows(
    frame: CodingFrame,
    code: str,
    *,
    rollup: bool = True,
    case: str | None = None,
    attribute: str | None = None,
    value: str | None = None,
    month: str | None = None,
    with_code: str | None = None,
    level: str = "message",
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The frame rows behind one cell; see the module docstring."""
    tree = frame.tree
    target = tree.id_of(code)
    wanted = set(tree.descendants(target)) if rollup else {target}
    mask = np.isin(frame.code, np.array(sorted(wanted), dtype=np.int64))
    if case is not None:
        ids = [cid for cid, name in frame.cases.name.items() if name.casefold() == case.casefold()]
        if not ids:
            raise FokusError(_("no case {case!r} in the project").format(case=case), hint=_("see `fokus cases list`"))
        mask &= frame.case == ids[0]
    if attribute is not None:
        values = frame.cases.attribute(attribute)
        matching = [cid for cid, v in values.items() if value is None or value_label(v).casefold() == value.casefold()]
        mask &= np.isin(frame.case, np.array(matching, dtype=np.int64))
    if month is not None:
        labels = np.array([month_label(int(m)) for m in frame.month]) if len(frame) else np.array([], dtype=str)
        mask &= labels == month
    if with_code is not None:
        other = tree.id_of(with_code)
        others = set(tree.descendants(other)) if rollup else {other}
        rows, units = unit_keys(frame, level)
        with_other = np.unique(units[np.isin(frame.code[rows], np.array(sorted(others), dtype=np.int64))])
        in_unit = np.zeros(len(frame), dtype=bool)
        in_unit[rows[np.isin(units, with_other)]] = True
        mask &= in_unit
    return np.flatnonzero(mask)


def passages(
    session: Any,
    code: str,
    *,
    scope: Scope = ACCEPTED,
    limit: int | None = 200,
    **where: Any,
) -> PassageReport:
    """The codings behind a cell (``where``: rollup, case, attribute, value, month, with_code, level), oldest first."""
    frame = load_frame(session, scope)
    rows = select_rows(frame, code, **where)
    ids = frame.id[rows].tolist()
    title = Phrase(N_("Passages coded {code}"), code=code)
    for key, value in where.items():
        if value is not None and key in WHERE:
            title = Phrase(WHERE[key], before=title, value=value)
    report = PassageReport(title, len(ids))
    shown = coding_details(session, ids)
    # the coding id breaks ties (one span coded twice): the query's row order is the database's to choose
    shown.sort(key=lambda r: (r["created_at"] or "", r["message_id"], r["start"], r["coding_id"]))
    report.passages = shown[:limit] if limit is not None else shown
    return report


def coding_details(session: Any, coding_ids: list[int], *, redactor: Redactor | None = None) -> list[dict[str, Any]]:
    """Each coding with its message, thread, time (Norwegian), participant's pseudonym, case, code, coder and text.

    The text is the passage as exports show it: ``redactor`` (by default the project's redaction, see
    fokus.privacy) replaces the names in it, and ids that may name someone.
    """
    redactor = redactor or Redactor(session)
    found: list[dict[str, Any]] = []
    for chunk in chunks(coding_ids):
        query = coded_passages(
            Message.id,
            Thread.id,
            Coding.id,
            Message.external_id,
            Thread.external_id,
            Message.created_at,
            Participant.pseudonym,
            Case.name,
            Code.path,
            Coder.name,
            Coding.status,
            Coding.start,
            Coding.end,
            func.substr(Message.text, Coding.start + 1, Coding.end - Coding.start),
        )
        rows = session.execute(query.where(Coding.id.in_(chunk))).all()
        redactor.prepare(row[0] for row in rows)
        for message, thread, *row in rows:
            record = dict(zip(COLUMNS, row, strict=True))
            record["message_id"] = redactor.message_id(message, record["message_id"])
            record["thread_id"] = redactor.thread_id(thread, record["thread_id"])
            record["created_at"] = iso_local(record["created_at"])
            record["text"] = redactor.excerpt_of(message, record["start"], record["end"], record["text"])
            found.append(record)
    return found
