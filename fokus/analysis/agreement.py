"""Inter-coder agreement: how far the researchers' coding agrees, per code and overall, and where it does not.

Agreement is between people's decisions, so only *accepted* codings count, by every human coder with accepted
codings unless coders are named (a named machine coder counts with its accepted codings).

What is compared, at the ``sentence`` (default) or ``message`` unit:

- Each code is a yes/no variable per unit: a coder's value is 1 when they applied the code there (a coding belongs to
  the units :func:`fokus.analysis.units.unit_keys` gives it: a sentence it covers at least half of, etc.), else 0.
- A coder's value is *missing* for every unit of a thread in which that coder applied no code at all: they did not
  work there, and their silence is not a "no".
- The units that count are those in which at least one of the coders applied some code (any code, whatever
  ``codes`` selects): a sentence nobody coded is not evidence either way. Of these, only *pairable* units (values
  from at least two coders) enter the figures; ``units`` reports how many.
- Codes are taken as applied, without roll-up: a coding of ``krise/for`` is a 1 for ``krise/for`` and says nothing
  for ``krise`` (coding the parent where the other coded a sub-code is a disagreement on both). Without ``codes``,
  every code any of the coders applied is reported. A code listed in ``codes`` is reported alone and includes its
  sub-codes: ``codes=["krise"]`` asks whether the coders agree that a sentence is about crises, at any depth.
- Per code: Krippendorff's alpha (nominal, any number of coders, missing values allowed), Cohen's kappa (exactly two
  coders, else None) and percent agreement (pairs of values in a unit that agree); see
  :mod:`fokus.analysis.reliability`. Alpha and kappa are None where they are undefined: a code nobody applied in the
  pairable units (or everyone applied everywhere) has no variation, and alpha is 0/0 there.
- Overall: the same measures with every (unit, code) decision of the reported codes pooled as one binary variable.

:func:`disagreements` lists each (unit, code) where the coders present differ, for review.

Long because: both reports say in words, in the reader's language, what their figures rest on, and that prose
belongs beside the decisions it describes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from fokus.analysis.frame import CodingFrame, IntArray, Scope, load_frame
from fokus.analysis.reliability import BinaryTallies, tally_binary
from fokus.analysis.report import markdown_table
from fokus.analysis.units import UNIT_NAMES, UNIT_PLURALS, check_level, unit_keys
from fokus.domain.chunks import chunks
from fokus.domain.passages import spoken_messages
from fokus.errors import FokusError
from fokus.i18n import _, formats, ngettext
from fokus.model import Case, Coder, CoderKind, Coding, CodingStatus, Message, Participant, Thread, Unit
from fokus.privacy import Redactor

UNITS = ("sentence", "message")
MEASURES = ("alpha", "kappa", "percent_agreement", "units")


@dataclass(frozen=True)
class Measures:
    """The three coefficients for one code (or overall) and how many pairable units they rest on."""

    alpha: float | None
    kappa: float | None
    percent_agreement: float | None
    units: int

    def as_json(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "kappa": self.kappa,
            "percent_agreement": self.percent_agreement,
            "units": self.units,
        }


@dataclass
class AgreementReport:
    """Agreement per code (by path, codebook order) and overall; see the module docstring for what counts."""

    coders: list[str]
    unit: str
    codes: dict[str, Measures]
    overall: Measures
    decisions: int  # (unit, code) decisions pooled in the overall figure
    listed: bool = False  # codes were chosen: each includes its sub-codes
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = _("Agreement between {coders}, by {unit}").format(
            coders=formats.listing(self.coders), unit=_(UNIT_NAMES[self.unit])
        )

    def columns(self) -> list[str]:
        return ["code", *MEASURES]

    def rows(self) -> list[dict[str, Any]]:
        rows = [{"code": path, **measures.as_json()} for path, measures in self.codes.items()]
        return [*rows, {"code": "overall", **self.overall.as_json()}]

    def as_json(self) -> dict[str, Any]:
        return {
            "codes": {path: measures.as_json() for path, measures in self.codes.items()},
            "overall": self.overall.as_json(),
        }

    def markdown(self) -> str:
        scope = (
            _("Each code listed includes its sub-codes.")
            if self.listed
            else _("Codes are taken as applied (a sub-code does not count for its parent).")
        )
        lines = [
            _("# Inter-coder agreement: {coders}").format(coders=formats.listing(self.coders)),
            "",
            _(
                "Accepted codings by {coders}, compared by {unit}. Each code is a yes/no decision per {unit}. The"
                " {units} that count are those in which at least one of the coders applied a code; a coder who coded"
                " nothing in a thread is missing there, not a no. {pairable} {units} have values from at least two"
                " coders (pairable) and make up every figure. {scope} Overall pools all {decisions} ({unit}, code)"
                " decisions. Percent agreement counts agreeing no's too, so it is high for any rare code; alpha and"
                " kappa correct for that."
            ).format(
                coders=formats.listing(self.coders),
                unit=_(UNIT_NAMES[self.unit]),
                units=_(UNIT_PLURALS[self.unit]),
                pairable=formats.number(self.overall.units),
                scope=scope,
                decisions=formats.number(self.decisions),
            ),
            "",
            markdown_table(self.rows(), self.columns()),
        ]
        notes = []
        undefined = [path for path, m in self.codes.items() if m.alpha is None]
        if undefined:
            notes.append(
                _(
                    "Alpha is undefined (blank) for {codes}: every pairable value is the same (nobody applied the"
                    " code, or everyone did everywhere), so the expected disagreement is 0 and alpha is 0/0."
                ).format(codes=_listing(undefined))
            )
        if len(self.coders) != 2:
            notes.append(_("Cohen's kappa is for two coders; with more, read Krippendorff's alpha."))
        if self.overall.units == 0:
            notes.append(_("The coders share no thread: there is nothing to compare."))
        if notes:
            lines += ["", *notes]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Disagreement:
    """One unit and code where the coders differ; ids are internal (for the TUI), external ids for people."""

    message_id: int
    thread_id: int
    unit_id: int  # the sentence's id, or the message's at message level
    start: int
    end: int
    message_external_id: str
    thread_external_id: str
    participant: str  # pseudonym
    case: str | None
    text: str
    code: str
    applied_by: tuple[str, ...]
    not_applied_by: tuple[str, ...]
    absent: tuple[str, ...]  # coders who did not work in the thread

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_id": self.message_external_id,
            "thread_id": self.thread_external_id,
            "participant": self.participant,
            "case": self.case,
            "start": self.start,
            "end": self.end,
            "applied_by": ", ".join(self.applied_by),
            "not_applied_by": ", ".join(self.not_applied_by),
            "absent": ", ".join(self.absent),
            "text": self.text,
        }


@dataclass
class DisagreementReport:
    """Every (unit, code) where the coders present differ, in reading order."""

    coders: list[str]
    unit: str
    items: list[Disagreement]
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = _("Disagreements between {coders}, by {unit} ({n})").format(
            coders=formats.listing(self.coders), unit=_(UNIT_NAMES[self.unit]), n=formats.number(len(self.items))
        )

    def columns(self) -> list[str]:
        columns = ["code", "message_id", "thread_id", "participant", "case", "start", "end"]
        columns += ["applied_by", "not_applied_by"]
        if len(self.coders) > 2:
            columns.append("absent")
        return [*columns, "text"]

    def rows(self) -> list[dict[str, Any]]:
        return [item.row() for item in self.items]

    def as_json(self) -> dict[str, Any]:
        return {
            "coders": self.coders,
            "unit": self.unit,
            "disagreements": [
                {
                    **item.row(),
                    "applied_by": list(item.applied_by),
                    "not_applied_by": list(item.not_applied_by),
                    "absent": list(item.absent),
                }
                for item in self.items
            ],
        }

    def markdown(self) -> str:
        lines = [_("# Disagreements: {coders}").format(coders=formats.listing(self.coders)), ""]
        unit = _(UNIT_NAMES[self.unit])
        if not self.items:
            return "\n".join([*lines, _("The coders agree on every {unit} they share.").format(unit=unit)]) + "\n"
        lines.append(
            ngettext(
                "{n} ({unit}, code) decision where the coders differ.",
                "{n} ({unit}, code) decisions where the coders differ.",
                len(self.items),
            ).format(n=formats.number(len(self.items)), unit=unit)
        )
        for item in self.items:
            case = f", {item.case}" if item.case else ""
            lines += [
                "",
                f"## {item.code}: {item.message_external_id} {item.start}:{item.end}",
                "",
                _("{participant}, thread {thread}. Applied by {applied}; not by {not_applied}.").format(
                    participant=f"{item.participant}{case}",
                    thread=item.thread_external_id,
                    applied=_listing(item.applied_by),
                    not_applied=_listing(item.not_applied_by),
                ),
                "",
                "> " + " ".join(item.text.split()),
            ]
        return "\n".join(lines) + "\n"


def _listing(names: Sequence[str]) -> str:
    return ", ".join(names) or _("nobody")


@dataclass
class _Decisions:
    """The binary data behind both reports: who gave a value to which unit, and the 1s."""

    frame: CodingFrame
    coders: list[str]
    unit: str
    variables: list[tuple[str, int]]  # (code path, code id) per variable
    unit_ids: IntArray  # sorted ids of the units that count
    unit_thread: IntArray
    present: np.ndarray[Any, np.dtype[np.bool_]]  # units x coders
    one_variable: IntArray
    one_unit: IntArray
    one_coder: IntArray

    def tallies(self) -> BinaryTallies:
        return tally_binary(self.present, self.one_variable, self.one_unit, self.one_coder, len(self.variables))


def human_coders(session: Session) -> list[str]:
    """The human coders with at least one accepted coding, by name (code point order, as SQLite sorts: a
    PostgreSQL server's collation, Norwegian say, would put "Magnus" after "ingrid" and change the report)."""
    accepted = exists().where(Coding.coder_id == Coder.id, Coding.status == CodingStatus.ACCEPTED.value)
    query = select(Coder.name).where(Coder.kind == CoderKind.HUMAN.value, accepted)
    return sorted(session.scalars(query))


def _choose_coders(session: Session, coders: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(coders)) or human_coders(session)
    if len(chosen) < 2:
        named = ", ".join(chosen) or _("none")
        raise FokusError(
            _("agreement needs at least two coders (found {coders})").format(coders=named),
            hint=_("name them with --coders a,b; both must have accepted codings in the same threads"),
        )
    return chosen


def _decisions(session: Session, coders: Sequence[str], unit: str, codes: Sequence[str]) -> _Decisions:
    check_level(unit, allowed=UNITS)
    chosen = _choose_coders(session, coders)
    frame = load_frame(session, Scope.of(coders=chosen))  # every code: missingness and the units need them all
    by_name = {name: cid for cid, name in frame.coders.items()}
    column = np.full(max(frame.coders, default=0) + 1, -1, dtype=np.int64)
    for index, name in enumerate(chosen):
        column[by_name[name]] = index
    coder_column = column[frame.coder]
    idle = [name for index, name in enumerate(chosen) if not (coder_column == index).any()]
    if idle:
        raise FokusError(
            _("coder {coder!r} has no accepted codings").format(coder=idle[0]),
            hint=_("agreement compares accepted codings; accept or import theirs first"),
        )
    wanted = [(path, frame.tree.id_of(path)) for path in dict.fromkeys(codes)]

    rows, units = unit_keys(frame, unit)
    unit_ids, unit_index = np.unique(units, return_inverse=True)
    unit_index = unit_index.reshape(-1)
    unit_thread = np.zeros(len(unit_ids), dtype=np.int64)
    unit_thread[unit_index] = frame.thread[rows]
    # a coder is present in every unit of a thread they applied any code in
    threads = frame.thread
    worked = np.zeros((int(threads.max()) + 1, len(chosen)), dtype=bool)
    worked[threads, coder_column] = True
    present = worked[unit_thread]

    code_of_row = frame.code[rows]
    if wanted:
        variables = wanted
        parts = []
        for index, (_path, code_id) in enumerate(wanted):
            hit = np.isin(code_of_row, frame.tree.descendants(code_id))
            parts.append((np.full(int(hit.sum()), index, dtype=np.int64), np.nonzero(hit)[0]))
        one_variable = np.concatenate([p[0] for p in parts])
        picked = np.concatenate([p[1] for p in parts])
    else:
        applied = set(np.unique(code_of_row).tolist())
        ordered = [cid for cid in frame.tree.order if cid in applied]
        variables = [(frame.tree.path[cid], cid) for cid in ordered]
        lookup = np.full(max(applied, default=0) + 1, -1, dtype=np.int64)
        lookup[ordered] = np.arange(len(ordered), dtype=np.int64)
        one_variable = lookup[code_of_row]
        picked = np.arange(len(rows), dtype=np.int64)
    return _Decisions(
        frame,
        chosen,
        unit,
        variables,
        unit_ids,
        unit_thread,
        present,
        one_variable,
        unit_index[picked],
        coder_column[rows[picked]],
    )


def _measure(tallies: BinaryTallies) -> Iterator[Measures]:
    def defined(value: float) -> float | None:
        return None if np.isnan(value) else float(value)

    for alpha, kappa, agreement, units in zip(
        tallies.alpha(), tallies.kappa(), tallies.percent_agreement(), tallies.units.tolist(), strict=True
    ):
        yield Measures(defined(alpha), defined(kappa), defined(agreement), int(units))


def agreement(
    session: Session, *, coders: Sequence[str] = (), unit: str = "sentence", codes: Sequence[str] = ()
) -> AgreementReport:
    """Agreement per code and overall between ``coders`` (default: every human coder); see the module docstring."""
    decisions = _decisions(session, coders, unit, codes)
    tallies = decisions.tallies()
    per_code = dict(zip((path for path, _ in decisions.variables), _measure(tallies), strict=True))
    pooled = next(_measure(tallies.pooled()))
    pairable = int((decisions.present.sum(axis=1) >= 2).sum())
    overall = Measures(pooled.alpha, pooled.kappa, pooled.percent_agreement, pairable)
    return AgreementReport(
        decisions.coders, unit, per_code, overall, pairable * len(decisions.variables), listed=bool(codes)
    )


def disagreements(
    session: Session, *, coders: Sequence[str] = (), unit: str = "sentence", codes: Sequence[str] = ()
) -> DisagreementReport:
    """Each (unit, code) where the coders present differ, with where it is and who applied the code."""
    d = _decisions(session, coders, unit, codes)
    n_units, n_coders = d.present.shape
    m = d.present.sum(axis=1)
    key = np.unique((d.one_variable * n_units + d.one_unit) * n_coders + d.one_coder)
    cell_key, coder = np.divmod(key, n_coders)
    cells, cell_of = np.unique(cell_key, return_inverse=True)
    applied = np.zeros((len(cells), n_coders), dtype=bool)
    applied[cell_of.reshape(-1), coder] = True
    variable, unit_index = np.divmod(cells, n_units)
    ones = applied.sum(axis=1)
    differ = (m[unit_index] >= 2) & (ones < m[unit_index])
    variable, unit_index, applied = variable[differ], unit_index[differ], applied[differ]

    unit_of = d.unit_ids[unit_index].tolist()
    places = _places(session, unit, unit_of)
    at = [places[uid] for uid in unit_of]
    order_of_code = {cid: rank for rank, cid in enumerate(d.frame.tree.order)}
    code_rank = np.array([order_of_code.get(cid, len(order_of_code)) for _path, cid in d.variables], dtype=np.int64)
    reading = np.array([p.rank for p in at], dtype=np.int64)
    starts = np.array([p.start for p in at], dtype=np.int64)
    order = np.lexsort((variable, code_rank[variable] if len(variable) else variable, starts, reading)).tolist()
    # who applied, who did not, who was absent: one of few patterns, named once each
    patterns, pattern_of = np.unique(np.hstack([applied, d.present[unit_index]]), axis=0, return_inverse=True)
    named = [
        (
            tuple(c for c, yes in zip(d.coders, row[:n_coders], strict=True) if yes),
            tuple(c for c, yes, p in zip(d.coders, row[:n_coders], row[n_coders:], strict=True) if p and not yes),
            tuple(c for c, p in zip(d.coders, row[n_coders:], strict=True) if not p),
        )
        for row in patterns.tolist()
    ]
    paths = [path for path, _cid in d.variables]
    variables, pattern_index = variable.tolist(), pattern_of.reshape(-1).tolist()
    items = []
    for i in order:
        place = at[i]
        applied_by, not_applied_by, absent = named[pattern_index[i]]
        items.append(
            Disagreement(
                message_id=place.message_id,
                thread_id=place.thread_id,
                unit_id=unit_of[i],
                start=place.start,
                end=place.end,
                message_external_id=place.message_external_id,
                thread_external_id=place.thread_external_id,
                participant=place.participant,
                case=place.case,
                text=place.text,
                code=paths[variables[i]],
                applied_by=applied_by,
                not_applied_by=not_applied_by,
                absent=absent,
            )
        )
    return DisagreementReport(d.coders, unit, items)


@dataclass(frozen=True)
class _Place:
    message_id: int
    thread_id: int
    start: int
    end: int
    message_external_id: str
    thread_external_id: str
    participant: str
    case: str | None
    text: str
    rank: int  # the message's place in reading order: by thread, then time


def _places(session: Session, unit: str, unit_ids: list[int]) -> dict[int, _Place]:
    """Where each unit is: its message, thread, participant, case, span and text (as exports show it, names
    redacted: see fokus.privacy), in a few chunked queries."""
    redactor = Redactor(session)
    wanted = sorted(set(unit_ids))
    spans: dict[int, tuple[int, int | None, int | None]] = {}  # unit -> (message, start, end)
    if unit == "sentence":
        for chunk in chunks(wanted):
            found = select(Unit.id, Unit.message_id, Unit.start, Unit.end).where(Unit.id.in_(chunk))
            for uid, mid, start, end in session.execute(found):
                spans[uid] = (mid, start, end)
    else:
        spans = {uid: (uid, None, None) for uid in wanted}
    messages: dict[int, Any] = {}
    for chunk in chunks(sorted({mid for mid, _start, _end in spans.values()})):
        query = spoken_messages(
            Message.id,
            Message.thread_id,
            Message.external_id,
            Thread.external_id,
            Participant.pseudonym,
            Case.name,
            Message.text,
            Thread.created_at,
            Message.created_at,
        ).where(Message.id.in_(chunk))
        messages.update((row[0], row) for row in session.execute(query))
    redactor.prepare_texts((mid, row[6]) for mid, row in messages.items())
    reading = sorted(messages.values(), key=lambda row: (row[7], row[1], row[8], row[0]))
    rank = {row[0]: index for index, row in enumerate(reading)}
    places = {}
    for uid, (mid, first, last) in spans.items():
        _, thread_id, external, thread_external, pseudonym, case, text, _thread_at, _message_at = messages[mid]
        begin, finish = (first, last) if first is not None and last is not None else (0, len(text))
        places[uid] = _Place(
            mid,
            thread_id,
            begin,
            finish,
            redactor.message_id(mid, external),
            redactor.thread_id(thread_id, thread_external),
            pseudonym,
            case,
            redactor.excerpt(mid, text, begin, finish),
            rank[mid],
        )
    return places


__all__ = [
    "AgreementReport",
    "Disagreement",
    "DisagreementReport",
    "Measures",
    "agreement",
    "disagreements",
    "human_coders",
]
