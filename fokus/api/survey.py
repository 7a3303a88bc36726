"""The survey in (phase 2 of the study): closed items as typed case attributes, open answers as codable messages.

One call does it all in the caller's transaction, so the command is all-or-nothing. Closed items go through the case
table's write path (:func:`fokus.api.cases.import_cases`: new attributes, values added, changed or cleared), open
answers through the messages' (:func:`fokus.api.messages.import_messages`: pseudonyms, threads, sentences for
tagging), so nothing about a survey's texts is special once they are in. A case the survey names that the project
does not hold yet is created, as a case table or a CSV of messages would create it, and the report lists it by name:
a misspelt municipality then shows at once, and the survey is not refused for a case the case table has not brought
yet. An item's full question is kept beside its short id in the setting ``survey.items`` (JSON: id -> question,
kind, type, scale), since an attribute has no description of its own. Importing the same file again changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from fokus.api.cases import CasesReport, import_cases
from fokus.api.messages import import_messages
from fokus.api.messages_state import ImportReport
from fokus.domain.participants import CaseRegistry
from fokus.domain.settings import get_setting, set_setting
from fokus.files.cases import AttributeSpec, CaseRow, CaseTable
from fokus.importers.survey.items import SurveyData
from fokus.importers.survey.messages import survey_source
from fokus.model import AttributeType

SURVEY_ITEMS_SETTING = "survey.items"


@dataclass
class SurveyReport:
    path: str
    tool: str
    case_column: str
    respondents: int
    closed: int
    open: int
    answers: int
    cases: CasesReport
    messages: ImportReport
    new_cases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.cases.added
            or self.cases.updated
            or self.cases.attributes_added
            or self.messages.messages_added
            or self.messages.messages_updated
        )


def import_survey(session: Session, survey: SurveyData) -> SurveyReport:
    """Write one parsed survey into the project; returns what changed."""
    known = CaseRegistry(session).ids
    new_cases = [r.case for r in survey.respondents if " ".join(r.case.split()).casefold() not in known]
    attributes = [AttributeSpec(item.id, AttributeType(item.type), i) for i, item in enumerate(survey.closed)]
    rows = [
        CaseRow(r.case, {item.id: item.values.get(r.case) for item in survey.closed}, r.line)
        for r in survey.respondents
    ]
    cases = import_cases(session, CaseTable(attributes, rows), survey.path)
    messages = import_messages(session, [survey_source(survey)])
    _describe(session, survey)
    return SurveyReport(
        survey.path,
        survey.tool.value,
        survey.case_column,
        len(survey.respondents),
        len(survey.closed),
        len(survey.open),
        sum(len(item.answers) for item in survey.open),
        cases,
        messages,
        new_cases,
        list(survey.notes),
    )


def survey_items(session: Session) -> dict[str, dict[str, str | None]]:
    """Every survey item the project holds: id -> question, kind (closed, open), type and scale."""
    stored = get_setting(session, SURVEY_ITEMS_SETTING)
    loaded = json.loads(stored) if stored else {}
    return loaded if isinstance(loaded, dict) else {}


def _describe(session: Session, survey: SurveyData) -> None:
    items = survey_items(session)
    for closed in survey.closed:
        items[closed.id] = {"question": closed.question, "kind": "closed", "type": closed.type, "scale": closed.scale}
    for opened in survey.open:
        items[opened.id] = {"question": opened.question, "kind": "open", "type": "text", "scale": None}
    value = json.dumps(items, ensure_ascii=False, sort_keys=True)
    if get_setting(session, SURVEY_ITEMS_SETTING) != value:
        set_setting(session, SURVEY_ITEMS_SETTING, value)
