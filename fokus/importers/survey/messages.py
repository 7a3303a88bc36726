"""Open answers as messages, so the focus group's import path stores them (pseudonyms, sentences, tagging, coding).

Each open question is a thread whose post is the question itself, written by the questionnaire, as a moderator's
question opens a thread in the focus group; each non-empty answer is a comment on it by its respondent, linked to
the respondent's case. Ids are stable (``survey:<item>`` and ``survey:<item>:<respondent>``), so importing the file
again finds every message already there. Authors are labels, never names: ``survey respondent <id>`` (the tool's
respondent id, else the case's slug) and ``survey questionnaire``; the import pseudonymises them like any author.
The question's time is the first submission's, an answer's its respondent's.
"""

from __future__ import annotations

from fokus.i18n import N_
from fokus.importers.limits import MAX_ID_CHARS, check_length
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.importers.survey.items import SurveyData

QUESTIONNAIRE = "survey questionnaire"


def respondent_author(respondent_id: str) -> str:
    return f"survey respondent {respondent_id}"


def survey_source(survey: SurveyData) -> ParsedSource:
    """The open answers of ``survey`` as one source of messages (the file is a CSV of its kind)."""
    messages: list[MessageRecord] = []
    first = min((r.submitted for r in survey.respondents), default=None)
    for item in survey.open:
        if not item.answers or first is None:
            continue
        thread = check_length(f"survey:{item.id}", MAX_ID_CHARS, N_("id"), "line 1")
        messages.append(
            MessageRecord(
                thread,
                thread,
                None,
                MessageKind.POST,
                QUESTIONNAIRE,
                first,
                item.question,
                "line 1",
                title=item.question,
            )
        )
        for respondent, text in item.answers:
            messages.append(
                MessageRecord(
                    f"{thread}:{respondent.id}",
                    thread,
                    thread,
                    MessageKind.COMMENT,
                    respondent_author(respondent.id),
                    respondent.submitted,
                    text,
                    f"line {respondent.line}",
                    case=respondent.case,
                )
            )
    return ParsedSource(survey.path, SourceKind.CSV, survey.sha256, messages, list(survey.notes))
