"""A survey export's columns to its case, closed items, multiple choices and open questions.

Decisions (the command's help and the README say them too):

- The case column is ``--case-column`` (or the mapping's ``case_column``), else the first column named kommune,
  kommunenavn, municipality or case, or asking which municipality ("Hvilken kommune ..."). Every row must name its
  case, and a case answers once: two rows of one municipality are an error naming both lines, since their answers
  would overwrite each other's attributes (remove the extra submission).
- Columns that identify a person (name, e-mail, phone, IP address) are dropped with a note, never stored; so are the
  tools' own meta columns (collector, status, answer time). The respondent is known by the tool's respondent id
  (else by the case), never by name.
- A closed item is typed from all its answers (:mod:`fokus.importers.survey.scales`); a multiple choice (SurveyMonkey's
  columns under one question; elsewhere consecutive columns ``<question> - <option>``, ``<question>: <option>`` or
  ``<id>_<option>`` holding the option, 1/0, x or ja/nei) becomes one boolean per option, false when not chosen;
  its "Other (please specify)" column is an item of its own. A SurveyMonkey matrix's rows are items of their own.
- A text column is open when SurveyMonkey calls it "Open-Ended Response", or when its answers read as free text: most
  differ from each other and they average at least 20 characters (or one has 100); otherwise it is a closed text item
  (a single choice). The mapping file overrides any of this.
- An item's id is the column's header when that is already an id in lower case (``dialog``, ``q3_1``), else a slug
  of the words that say something (``dialog_innbyggerne``, ``stilling``); ids that would repeat get ``_2``, ``_3``.
- A row's time is its submission time (``$created``, ``Innsendt``, ``End Date``, ...) in ``zone``; without such a
  column, ``date`` must be given (a time is part of every message).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers.limits import MAX_NAME_CHARS, check_length, check_text_length, shown_text
from fokus.importers.survey.mapping import ID, SurveyMapping
from fokus.importers.survey.scales import convert, is_no_answer, typed
from fokus.importers.survey.table import Column, RawTable, Tool, decode, read_table
from fokus.importers.times import in_range, parse_time, zone_named

CASE_NAMES = {"kommune", "kommunenavn", "kommunens navn", "municipality", "case", "kommune_navn"}
_ASKS_CASE = re.compile(r"^(hvilken|hvilke|kva|which|velg|choose|select)\b.*\b(kommune|municipality)", re.I)
ID_NAMES = (
    "$submission_id",
    "innsendings-id",
    "submission id",
    "submission_id",
    "respondent id",
    "respondentid",
    "respondent-id",
    "respondent_id",
    "respondent",
)
TIME_NAMES = (
    "$created",
    "innsendt",
    "submitted",
    "end date",
    "sluttdato",
    "fullført",
    "completed",
    "$created_at",
    "start date",
    "startdato",
    "dato",
    "date",
)
PERSONAL = {
    "navn",
    "name",
    "fornavn",
    "etternavn",
    "first name",
    "last name",
    "full name",
    "fullt navn",
    "e-post",
    "epost",
    "email",
    "e-mail",
    "email address",
    "e-postadresse",
    "telefon",
    "mobil",
    "phone",
    "ip address",
    "ip-adresse",
    "$ip",
    "ditt navn",
    "your name",
}
META = {
    "collector id",
    "custom data 1",
    "custom data",
    "status",
    "$answer_time_ms",
    "$language",
    "språk",
    "language",
    "$version",
    "distribusjonskanal",
    "channel",
}
_GROUP = re.compile(r"^(.+?)(?: - |: | / |_)([^_]+)\Z")
_CHOSEN = {"1", "x", "ja", "yes", "valgt", "checked", "selected", "true"}
_NOT_CHOSEN = {"0", "nei", "no", "ikke valgt", "not selected", "unchecked", "false"}
_US_TIMES = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
MAX_RESPONDENT_ID = 100  # with "survey:<item id>:" it stays within a message id (MAX_ID_CHARS)
_STOPWORDS = set(
    "hvor hvordan hva hvilke hvilken kva korleis godt bra har hatt kommunen kommunens dere du de deg dykk nadd malet"
    " maalet om med et en ei i pa for at av og er som til det den var vart blitt ble how well has have did does what"
    " which your you the a an bruker brukes vaert ha of to in on for and is was with municipality".split()
)
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


@dataclass(frozen=True, slots=True)
class Respondent:
    id: str
    case: str
    line: int
    submitted: datetime


@dataclass(slots=True)
class ClosedItem:
    """A case attribute: ``type`` is integer, float, boolean or text; ``values`` by case name."""

    id: str
    question: str
    type: str
    scale: str | None = None
    values: dict[str, str | int | float | bool | None] = field(default_factory=dict)


@dataclass(slots=True)
class OpenItem:
    """An open question: ``answers`` are (respondent, text) pairs, in the file's order."""

    id: str
    question: str
    answers: list[tuple[Respondent, str]] = field(default_factory=list)


@dataclass(slots=True)
class SurveyData:
    path: str
    sha256: str
    tool: Tool
    case_column: str
    respondents: list[Respondent]
    closed: list[ClosedItem]
    open: list[OpenItem]
    notes: list[str]


def parse_survey(
    data: bytes,
    path: str,
    *,
    tool: str = "auto",
    mapping: SurveyMapping | None = None,
    case_column: str | None = None,
    encoding: str = "utf-8",
    timezone: str = "Europe/Oslo",
    date: datetime | None = None,
) -> SurveyData:
    """Read one survey export (its bytes; ``path`` names it), or raise a FokusError naming the file and place."""
    text = decode(data, path, encoding)
    try:
        if date is not None:
            in_range(date, date.date().isoformat())
        table = read_table(text, tool)
        return _Reader(table, mapping or SurveyMapping(), case_column, zone_named(timezone), date).read(
            path, hashlib.sha256(data).hexdigest()
        )
    except FokusError as err:
        raise err.located(path=path) from None


def slug(text: str) -> str:
    """A short stable id for a question: its words that say something, lower case, ASCII, at most 40 characters
    ("Hvor godt har kommunen nådd målet om dialog med innbyggerne?" -> ``dialog_innbyggerne``)."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded)
    words = [w for w in words if w not in _STOPWORDS] or words
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > 40:
            break
        out = f"{out}_{word}" if out else word
    return out or "item"


class _Reader:
    def __init__(
        self, table: RawTable, mapping: SurveyMapping, case_column: str | None, zone: tzinfo, date: datetime | None
    ) -> None:
        self.table, self.mapping, self.zone, self.date = table, mapping, zone, date
        self.case_column = case_column or mapping.case_column
        self.notes: list[str] = []
        self.ids: set[str] = set()

    def read(self, path: str, sha256: str) -> SurveyData:
        columns = self.table.columns
        case = self._case_column()
        names = [c.question.casefold() for c in columns]
        id_col = next((names.index(n) for n in ID_NAMES if n in names), None)
        time_col = next((names.index(n) for n in TIME_NAMES if n in names), None)
        if id_col is not None and any("@" in row[id_col] or " " in row[id_col] for _line, row in self.table.rows):
            # an e-mail address or a name where an id belongs (a "Respondent" column): never the respondent's label
            self.notes.append(
                _("column {column!r} identifies a person: not stored").format(column=columns[id_col].question)
            )
            dropped, id_col = id_col, None
        else:
            dropped = None
        respondents = self._respondents(case, id_col, time_col)
        rest: list[Column] = []
        for column in columns:
            name = column.question.casefold()
            if column.index in (case, id_col, time_col, dropped):
                continue
            if name in PERSONAL or "e-post" in name or "email" in name or name in ID_NAMES:
                self.notes.append(_("column {column!r} identifies a person: not stored").format(column=column.question))
            elif name in META or name.startswith("$") or (name in TIME_NAMES and not column.option):
                continue
            else:
                rest.append(column)
        closed: list[ClosedItem] = []
        opened: list[OpenItem] = []
        for group in self._groups(rest):
            self._item(group, respondents, closed, opened)
        return SurveyData(
            path, sha256, self.table.tool, columns[case].question, respondents, closed, opened, self.notes
        )

    def _case_column(self) -> int:
        columns = self.table.columns
        if self.case_column:
            wanted = self.case_column.strip().casefold()
            for column in columns:
                if column.question.casefold() == wanted or slug(column.question) == wanted:
                    return column.index
            raise FokusError(
                _("no column {column!r}").format(column=self.case_column),
                where="line 1",
                hint=_("the header has: {found}").format(found=", ".join(shown_text(c.question, 30) for c in columns)),
            )
        for column in columns:
            name = column.question.strip().casefold().rstrip("?:")
            if name in CASE_NAMES or _ASKS_CASE.match(name):
                return column.index
        raise FokusError(
            _("no column names the case (kommune, municipality, case)"),
            where="line 1",
            hint=_("name it with --case-column"),
        )

    def _respondents(self, case: int, id_col: int | None, time_col: int | None) -> list[Respondent]:
        if time_col is None and self.date is None:
            raise FokusError(
                _("no column holds the submission time"), where="line 1", hint=_("give the survey's date with --date")
            )
        seen: dict[str, int] = {}
        out: list[Respondent] = []
        for line, row in self.table.rows:
            where = f"line {line}"
            name = check_length(" ".join(row[case].split()), MAX_NAME_CHARS, N_("case name"), where)
            if not name:
                raise FokusError(
                    _("no case in column {column!r}").format(column=self.table.columns[case].question), where=where
                )
            key = name.casefold()
            if key in seen:
                raise FokusError(
                    _("case {case!r} answered twice (first on line {line})").format(case=name, line=seen[key]),
                    where=where,
                    hint=_("keep one submission per case"),
                )
            seen[key] = line
            rid = check_length(row[id_col], MAX_RESPONDENT_ID, N_("respondent id"), where) if id_col is not None else ""
            when = self._time(row[time_col], where) if time_col is not None else self.date
            assert when is not None
            out.append(Respondent(rid or slug(name), name, line, when))
        if not out:
            raise FokusError(_("the file has a header but no answers"), where="line 2")
        return out

    def _time(self, value: str, where: str) -> datetime:
        if not value and self.date is not None:
            return self.date
        try:
            return parse_time(value, self.zone)
        except FokusError as err:
            for form in _US_TIMES:
                try:
                    local = datetime.strptime(value, form).replace(tzinfo=self.zone)
                except ValueError:
                    continue
                return in_range(local.astimezone(UTC), value)
            raise err.located(where=where) from None

    def _groups(self, columns: list[Column]) -> list[list[Column]]:
        """Columns to items: a multiple choice's columns together, every other column alone."""
        groups: list[list[Column]] = []
        for column in columns:
            last = groups[-1] if groups else None
            if last is not None and self._same_question(last[-1], column):
                last.append(column)
            else:
                groups.append([column])
        out: list[list[Column]] = []
        for whole in groups:
            other = [c for c in whole if _is_other(self._option(c))] if len(whole) > 1 else []
            group = [c for c in whole if c not in other]
            if len(group) > 1 and not self._is_choice(group):
                out.extend([c] for c in group)
            elif group:
                out.append(group)
            out.extend([c] for c in other)  # "Other (please specify)": its own item, open when written freely
        return out

    def _same_question(self, a: Column, b: Column) -> bool:
        if self.table.tool is Tool.SURVEYMONKEY:
            return a.question == b.question
        ma, mb = _GROUP.match(a.question), _GROUP.match(b.question)
        return bool(ma and mb and ma.group(1) == mb.group(1))

    def _is_choice(self, group: list[Column]) -> bool:
        rule = self.mapping.rule(group[0].question, self._stem(group[0]))
        if rule.kind in ("choice", "skip"):
            return True
        if rule.kind is not None:
            return False
        for column in group:
            option = self._option(column).casefold()
            values = {row[column.index].casefold() for _line, row in self.table.rows} - {""}
            if not values <= _CHOSEN | _NOT_CHOSEN | {option}:
                return False
        return True

    def _stem(self, column: Column) -> str:
        if self.table.tool is Tool.SURVEYMONKEY:
            return column.question
        match = _GROUP.match(column.question)
        return match.group(1) if match else column.question

    def _option(self, column: Column) -> str:
        if self.table.tool is Tool.SURVEYMONKEY:
            return column.option
        match = _GROUP.match(column.question)
        return match.group(2) if match else column.question

    def _item(
        self, group: list[Column], respondents: list[Respondent], closed: list[ClosedItem], opened: list[OpenItem]
    ) -> None:
        first = group[0]
        rows = [row for _line, row in self.table.rows]
        if len(group) > 1:
            stem = self._stem(first)
            rule = self.mapping.rule(stem, _id_of(stem))
            if rule.kind == "skip":
                return
            base = self._new_id(rule.id or _id_of(stem))
            for column in group:
                option = self._option(column)
                item = ClosedItem(self._new_id(f"{base}_{slug(option)}"), f"{stem}: {option}", "boolean")
                for respondent, row in zip(respondents, rows, strict=True):
                    value = row[column.index].casefold()
                    item.values[respondent.case] = value != "" and value not in _NOT_CHOSEN
                closed.append(item)
            return
        question = first.question
        if first.option and first.option.casefold() not in ("response", "open-ended response"):
            question = f"{question} ({first.option})"
        own_id = _id_of(question)
        if question != first.question:  # a matrix row, or "Other": the question's id and the row's
            own_id = f"{_id_of(first.question)}_{slug(first.option)}"
        rule = self.mapping.rule(question, first.question, own_id)
        if rule.kind == "skip":
            return
        values = [row[first.index] for row in rows]
        if not any(v and not is_no_answer(v) for v in values):  # its type is unknown: a later export would clash
            self.notes.append(_("item {item!r} has no answers (not imported)").format(item=question))
            return
        kind, scale = typed(values)
        is_open = rule.kind == "open" or (
            rule.kind is None
            and kind == "text"
            and (first.option.casefold() == "open-ended response" or _free_text(values))
        )
        item_id = self._new_id(rule.id or own_id)
        if is_open:
            open_item = OpenItem(item_id, question)
            for respondent, value, (line, _row) in zip(respondents, values, self.table.rows, strict=True):
                if value and not is_no_answer(value):
                    text = value.replace("\r\n", "\n").replace("\r", "\n")
                    check_text_length(text, None, f"line {line}")
                    open_item.answers.append((respondent, text))
            opened.append(open_item)
            return
        item = ClosedItem(item_id, question, kind, scale)
        for respondent, value in zip(respondents, values, strict=True):
            item.values[respondent.case] = convert(value, kind, scale)
        closed.append(item)

    def _new_id(self, wanted: str) -> str:
        chosen, n = wanted, 1
        while chosen in self.ids:
            n += 1
            chosen = f"{wanted}_{n}"
        self.ids.add(chosen)
        return chosen


def _id_of(header: str) -> str:
    return header if ID.match(header) and header == header.lower() else slug(header)


def _is_other(option: str) -> bool:
    label = option.casefold()
    return label.startswith(("other", "annet", "anna", "andre")) or "spesifiser" in label or "specify" in label


def _free_text(values: list[str]) -> bool:
    present = [v for v in values if v and not is_no_answer(v)]
    if not present:
        return False
    if max(len(v) for v in present) >= 100:
        return True
    return len(set(present)) > len(present) / 2 and sum(map(len, present)) / len(present) >= 20
