"""The survey in (phase 2 of the study): closed items as typed case attributes, open answers as codable messages.

One call does it all in the caller's transaction, so the command is all-or-nothing. Closed items go through the case
table's write path (:func:`fokus.api.cases.import_cases`: new attributes, values added, changed or cleared), open
answers through the messages' (:func:`fokus.api.messages.import_messages`: pseudonyms, threads, sentences for
tagging), so nothing about a survey's texts is special once they are in. A case the survey names that the project
does not hold yet is created, as a case table or a CSV of messages would create it, and the report lists it by name:
a misspelt municipality then shows at once, and the survey is not refused for a case the case table has not brought
yet; "Bodø kommune" is read as the case "Bodø" when the project holds that one. An item whose id is a case
attribute that no survey made (``score``, ``fylke``) is refused, lest its answers replace those values. The
questions' author is a participant with the role ``questionnaire``. An item's full question is kept beside its
short id in the setting ``survey.items`` (JSON: id -> question, kind, type, scale), since an attribute has no
description of its own. Importing the same file again changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.cases import CasesReport, import_cases
from fokus.api.messages import import_messages
from fokus.api.messages_state import ImportReport
from fokus.domain.participants import CaseRegistry, ParticipantRegistry
from fokus.domain.settings import SURVEY_ITEMS_SETTING, get_setting, set_setting
from fokus.errors import FokusError
from fokus.files.cases import AttributeSpec, CaseRow, CaseTable
from fokus.i18n import _
from fokus.importers.survey.items import SurveyData
from fokus.importers.survey.messages import QUESTIONNAIRE, survey_source
from fokus.model import Attribute, AttributeType, Case, Participant

#: The role of the participant who asks the questions (the questionnaire), as a moderator's role says who they are.
QUESTIONNAIRE_ROLE = "questionnaire"
#: What respondents write after their municipality's name, and case tables leave out.
SUFFIXES = (" kommune", " herad", " municipality", " kommune (norway)")


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
    stored = {_key(name): name for name in session.scalars(select(Case.name))}
    survey, renamed = _as_known_cases(survey, stored)
    _check_attribute_names(session, survey)
    new_cases = [r.case for r in survey.respondents if _key(r.case) not in known]
    attributes = [AttributeSpec(item.id, AttributeType(item.type), i) for i, item in enumerate(survey.closed)]
    rows = [
        CaseRow(r.case, {item.id: item.values.get(r.case) for item in survey.closed}, r.line)
        for r in survey.respondents
    ]
    cases = import_cases(session, CaseTable(attributes, rows), survey.path)
    messages = import_messages(session, [survey_source(survey)])
    questionnaire = ParticipantRegistry(session).find(QUESTIONNAIRE)
    if questionnaire is not None:  # the questions' author: say what it is where participants are listed
        participant = session.get(Participant, questionnaire)
        if participant is not None and participant.role is None:
            participant.role = QUESTIONNAIRE_ROLE
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
        [*survey.notes, *renamed],
    )


def survey_items(session: Session) -> dict[str, dict[str, str | None]]:
    """Every survey item the project holds: id -> question, kind (closed, open), type and scale."""
    stored = get_setting(session, SURVEY_ITEMS_SETTING)
    try:
        loaded = json.loads(stored) if stored else {}
    except ValueError:  # a setting edited by hand: the next import writes it anew
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()  # as CaseRegistry finds a case


def _as_known_cases(survey: SurveyData, known: dict[str, str]) -> tuple[SurveyData, list[str]]:
    """The survey with "Bodø kommune" read as the case "Bodø" when the project holds that case and not the other:
    respondents write their municipality's full name, case tables the short one."""
    names: dict[str, str] = {}
    for respondent in survey.respondents:
        key = _key(respondent.case)
        if key in known:
            continue
        for suffix in SUFFIXES:
            short = key.removesuffix(suffix).strip()
            if short != key and short in known:
                names[respondent.case] = known[short]
                break
    if not names:
        return survey, []
    notes = [_("{name!r} read as the case {case!r}").format(name=name, case=short) for name, short in names.items()]
    respondents = {r.case: dataclasses.replace(r, case=names.get(r.case, r.case)) for r in survey.respondents}
    closed = [
        dataclasses.replace(item, values={names.get(case, case): v for case, v in item.values.items()})
        for item in survey.closed
    ]
    opened = [
        dataclasses.replace(item, answers=[(respondents[r.case], text) for r, text in item.answers])
        for item in survey.open
    ]
    changed = dataclasses.replace(survey, respondents=list(respondents.values()), closed=closed, open=opened)
    return changed, notes


def _check_attribute_names(session: Session, survey: SurveyData) -> None:
    """Refuse an item whose id is a case attribute that did not come from a survey (``score``, ``fylke``): its
    values would silently replace the case table's or the page scores'; and an item whose answers now read as
    another type than an earlier import of the survey gave it (said here in the survey's words)."""
    from_surveys = survey_items(session)
    existing: dict[str, str] = dict(session.execute(select(Attribute.name, Attribute.type)).all())
    for item in survey.closed:
        if item.id in existing and item.id not in from_surveys:
            raise FokusError(
                _("item {item!r} has the name of a case attribute the project already holds").format(item=item.id),
                path=survey.path,
                where="line 1",
                hint=_("give the item another id in a --map file"),
            )
        if item.id in existing and existing[item.id] != item.type:
            raise FokusError(
                _("item {item!r} reads as {type}, but an earlier import made it {stored}").format(
                    item=item.id, type=item.type, stored=existing[item.id]
                ),
                path=survey.path,
                where="line 1",
                hint=_("an answer outside the item's scale makes it text; correct it, or give the item another id"),
            )


def _describe(session: Session, survey: SurveyData) -> None:
    items = survey_items(session)
    for closed in survey.closed:
        items[closed.id] = {"question": closed.question, "kind": "closed", "type": closed.type, "scale": closed.scale}
    for opened in survey.open:
        items[opened.id] = {"question": opened.question, "kind": "open", "type": "text", "scale": None}
    value = json.dumps(items, ensure_ascii=False, sort_keys=True)
    if get_setting(session, SURVEY_ITEMS_SETTING) != value:
        set_setting(session, SURVEY_ITEMS_SETTING, value)
