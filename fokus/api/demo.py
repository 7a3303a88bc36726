"""The demo project: the bundled focus-group corpus, imported the way a research team would import it; with
``pages``, phase 1 of the study too (the municipalities' pages generated, imported and scored: :mod:`.demo_pages`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from fokus.api.cases import CasesReport, LinkReport, import_cases, link_participants
from fokus.api.codebook import CodebookReport, load_codebook
from fokus.api.codings import CodingsReport, import_codings
from fokus.api.messages import import_messages
from fokus.api.messages_state import ImportReport
from fokus.api.tagging import TagReport, tag_messages
from fokus.domain.settings import DEMO_SETTING, MODEL_SETTING, get_setting, set_setting
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import read_codings
from fokus.nlp import load_pipeline
from fokus.resources import bundled, default_codebook

if TYPE_CHECKING:
    from fokus.api.demo_pages import DemoPagesReport
    from fokus.api.survey import SurveyReport

DEMO_GROUP = "Kommunene i sosiale medier"
EXPORT_FOLDERS = ("graph", "dyi", "csv", "transcripts")


@dataclass
class DemoReport:
    codebook: CodebookReport
    messages: ImportReport
    cases: CasesReport
    links: LinkReport
    codings: CodingsReport
    tagging: TagReport
    pages: DemoPagesReport | None = None
    survey: SurveyReport | None = None


def build_demo(
    session: Session, progress: Callable[[str, int, int], Any] | None = None, *, study: bool = False
) -> DemoReport:
    """Load the codebook, every export of the corpus, the cases, the participants' cases and the hand coding,
    then tag, so the demo opens with suggestions to review. With ``study`` (the whole study, as ``fokus demo``
    asks; tests that need only the focus group leave it out: it adds 330,000 posts and comments), also phase 1,
    the 275 municipalities' pages generated, imported and scored, so the cases' ``score``, ``rank``, ``topp10`` and
    ``topp30`` come from them, and phase 2, the survey of the thirty best (corpus/survey), whose open answers are
    tagged with the focus group.

    Safe to run again on the same project: each step adds only what is missing.
    """
    from fokus.importers import read_paths

    corpus = bundled("corpus")
    set_setting(session, DEMO_SETTING, "1")
    codebook = load_codebook(session, read_codebook(default_codebook()))
    paths: list[Path] = []
    for folder in EXPORT_FOLDERS:
        base = corpus / folder
        if base.is_dir():
            paths.extend(sorted(p for p in base.iterdir() if not p.name.startswith(".")))
    parsed = read_paths(paths)
    messages = import_messages(session, parsed, group=DEMO_GROUP, progress=progress)
    table = read_case_table(corpus / "cases.csv")
    if study:  # the pages' scoring writes score, rank and the top N; the table's hand-set ones are left out
        from fokus.api.demo_pages import without_scores

        table = without_scores(table)
    cases = import_cases(session, table, str(corpus / "cases.csv"))
    links = link_participants(session, corpus / "participants.csv")
    codings_file = corpus / "codings.csv"
    codings = import_codings(session, read_codings(codings_file), display=str(codings_file))
    phase1 = survey = None
    if study:
        from fokus.api.demo_pages import build_demo_pages
        from fokus.api.survey import import_survey
        from fokus.importers.survey.items import parse_survey

        phase1 = build_demo_pages(session)
        answers = corpus / "survey" / "svar.csv"
        survey = import_survey(session, parse_survey(answers.read_bytes(), str(answers)))
    tagging = tag_messages(session, load_pipeline(get_setting(session, MODEL_SETTING)), progress=progress)
    return DemoReport(codebook, messages, cases, links, codings, tagging, phase1, survey)
