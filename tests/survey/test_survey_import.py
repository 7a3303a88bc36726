"""`fokus survey import` on both backends: attributes typed, answers codable, names never stored, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from fokus.api.cases import case_rows
from fokus.api.survey import survey_items
from fokus.cli import main
from fokus.model import Attribute, Case, Message, Participant, ParticipantIdentity, Setting, Thread
from fokus.store import Project

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).parents[2] / "corpus"
CODEBOOK = """\
codes:
  - id: krise
    name: Krise
    rules:
      - id: beredskap
        any: [flom, beredskap, storm]
        weight: 0.8
  - id: dialog
    name: Dialog
"""
runner = CliRunner()


def fokus(db: str, *args: str, ok: bool = True) -> Any:
    result = runner.invoke(main, ["--db", db, *args])
    assert (result.exit_code == 0) is ok, result.output
    return result


def counts(project: Project) -> tuple[int, ...]:
    with project.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Case, Attribute, Participant, Thread, Message, Setting)
        )


def test_closed_items_become_typed_attributes_and_open_answers_messages(project: Project, db: str) -> None:
    out = fokus(db, "survey", "import", str(DATA / "nettskjema_ids.csv")).output
    assert "respondents: 3; the case in column 'kommune'." in out
    assert "note: column 'epost' identifies a person: not stored" in out
    assert "Closed items: 7; new attributes: 7; cases added: 3, updated: 0, unchanged: 0." in out
    assert "Open questions (a thread each): 1; answers: 2; messages added: 3, already there: 0." in out
    with project.read() as session:
        attributes, rows = case_rows(session)
        types = {a.name: a.type for a in attributes}
        by_case = {row["case"]: row for row in rows}
        items = survey_items(session)
        thread = session.scalars(select(Thread)).one()
        answers = session.execute(
            select(Message.kind, Message.text, Participant.pseudonym, Case.name)
            .join(Participant, Message.participant_id == Participant.id)
            .outerjoin(Case, Participant.case_id == Case.id)
            .order_by(Message.id)
        ).all()
    assert types == {
        "dialog": "integer",
        "omdomme": "integer",
        "beredskap": "integer",
        "plattform_facebook": "boolean",
        "plattform_instagram": "boolean",
        "plattform_linkedin": "boolean",
        "aarsverk": "float",
    }
    assert (by_case["Bodø"]["dialog"], by_case["Voss"]["beredskap"], by_case["Førde"]["aarsverk"]) == (4, None, 0.5)
    assert (by_case["Voss"]["plattform_linkedin"], by_case["Førde"]["plattform_instagram"]) == (True, False)
    assert items["plattform_facebook"] == {
        "question": "plattform: facebook",
        "kind": "closed",
        "type": "boolean",
        "scale": None,
    }
    assert items["avgjorende"]["kind"] == "open"
    assert thread.title == "avgjorende"
    assert [(kind, case) for kind, _text, _who, case in answers] == [
        ("post", None),
        ("comment", "Bodø"),
        ("comment", "Voss"),
    ]
    assert all(who.startswith("Deltaker ") for _kind, _text, who, _case in answers)


def test_names_and_e_mails_are_never_stored(project: Project, db: str) -> None:
    fokus(db, "survey", "import", str(DATA / "nettskjema_ids.csv"))
    fokus(db, "survey", "import", str(DATA / "surveymonkey.csv"))
    with project.read() as session:
        names = set(session.scalars(select(ParticipantIdentity.name)))
        stored = " ".join(
            [*names, *session.scalars(select(Message.text)), *session.scalars(select(Setting.value))]
            + [str(row) for row in case_rows(session)[1]]
        )
    assert names == {
        "survey questionnaire",
        "survey respondent 1001",
        "survey respondent 1002",
        "survey respondent 11223344551",
        "survey respondent 11223344552",
    }
    for personal in ("Holmen", "Nordmann", "Mathisen", "@", "10.0.0.1"):
        assert personal not in stored


def test_importing_again_changes_nothing(project: Project, db: str) -> None:
    fokus(db, "survey", "import", str(DATA / "questback_cp1252.csv"), "--encoding", "cp1252")
    before = counts(project)
    out = fokus(db, "survey", "import", str(DATA / "questback_cp1252.csv"), "--encoding", "cp1252").output
    assert "Closed items: 3; new attributes: 0; cases added: 0, updated: 0, unchanged: 3." in out
    assert "messages added: 0, already there: 3." in out
    assert "Nothing changed: the project already held all of it." in out
    assert counts(project) == before


def test_open_answers_are_tagged_and_counted_with_the_focus_group(db: str, tmp_path: Path) -> None:
    (tmp_path / "kodebok.yaml").write_text(CODEBOOK, encoding="utf-8")
    fokus(db, "init", "--codebook", str(tmp_path / "kodebok.yaml"))
    fokus(db, "survey", "import", str(DATA / "nettskjema_ids.csv"))
    # Bodø's answer: "... beredskapsplanen er kjent." and "Flommen lærte oss mye.", one suggestion each
    assert "Suggestions: 2 new" in fokus(db, "tag").output
    freq = json.loads(fokus(db, "freq", "--include-suggested", "--format", "json").output)
    krise = next(row for row in freq["rows"] if row["code"] == "krise")
    assert (krise["messages"], krise["cases"]) == (1, 1)


def test_the_demo_survey_answers_for_thirty_municipalities_of_the_case_table(project: Project, db: str) -> None:
    fokus(db, "cases", "import", str(CORPUS / "cases.csv"))
    out = fokus(db, "survey", "import", str(CORPUS / "survey" / "svar.csv")).output
    assert "respondents: 30;" in out
    assert "cases added: 0, updated: 30, unchanged: 0." in out
    assert "New cases" not in out
    assert "Open questions (a thread each): 3;" in out
    with project.read() as session:
        rows = {row["case"]: row for row in case_rows(session)[1]}
    assert rows["Bodø"]["dialog_innbyggerne"] in range(1, 6)
    assert rows["Voss"]["stilling"] in {
        "Kommunikasjonssjef",
        "Kommunikasjonsrådgiver",
        "Webredaktør",
        "Informasjonsrådgiver",
    }
    assert {rows[case]["plattformer_facebook"] for case in ("Bodø", "Voss", "Steinkjer")} == {True}
    assert rows["Molde"]["beredskap_krisekommunikasjon"] is None  # "Vet ikke"
    assert rows["Trondheim"].get("dialog_innbyggerne") is None  # not among the 30


def test_a_bad_file_writes_nothing(project: Project, db: str, tmp_path: Path) -> None:
    bad = tmp_path / "svar.csv"
    bad.write_text(
        "$submission_id,$created,kommune,dialog,hva\n"
        "1,2013-04-08 10:00,Bodø,4,Et langt svar om beredskap og flom i kommunen.\n"
        "2,2013-04-08 11:00,Bodø,5,Et annet langt svar om dialog med innbyggerne.\n",
        encoding="utf-8",
    )
    before = counts(project)
    result = fokus(db, "survey", "import", str(bad), ok=False)
    assert result.output.strip().splitlines() == [
        f"fokus: error: {bad}:line 3: case 'Bodø' answered twice (first on line 2) (keep one submission per case)"
    ]
    assert counts(project) == before


def test_bodo_kommune_is_the_case_bodo_and_the_questionnaire_says_what_it_is(
    project: Project, db: str, tmp_path: Path
) -> None:
    (tmp_path / "cases.csv").write_text("kommune,fylke\nBodø,Nordland\nVoss,Vestland\n", encoding="utf-8")
    fokus(db, "cases", "import", str(tmp_path / "cases.csv"))
    out = fokus(db, "survey", "import", str(DATA / "surveymonkey_matrix.csv")).output
    assert "note: 'Bodø kommune' read as the case 'Bodø'" in out
    assert "note: 'Voss herad' read as the case 'Voss'" in out
    assert "cases added: 0, updated: 2, unchanged: 0." in out
    with project.read() as session:
        assert sorted(session.scalars(select(Case.name))) == ["Bodø", "Voss"]
        roles = dict(session.execute(select(Participant.pseudonym, Participant.role)).all())
        linked = session.execute(
            select(Case.name).join(Participant, Participant.case_id == Case.id).where(Participant.role.is_(None))
        ).all()
    assert sorted(roles.values(), key=str) == [None, "questionnaire"]  # Voss wrote no "other" platform
    assert linked == [("Bodø",)]


def test_an_item_named_like_an_attribute_from_elsewhere_is_refused(project: Project, db: str, tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("kommune,dialog\nBodø,høy\n", encoding="utf-8")
    fokus(db, "cases", "import", str(tmp_path / "cases.csv"))
    before = counts(project)
    result = fokus(db, "survey", "import", str(DATA / "nettskjema_ids.csv"), ok=False)
    assert result.output.strip() == (
        f"fokus: error: {DATA / 'nettskjema_ids.csv'}:line 1: item 'dialog' has the name of a case attribute the"
        " project already holds (give the item another id in a --map file)"
    )
    assert counts(project) == before


def test_a_dry_run_reports_and_writes_nothing(project: Project, db: str) -> None:
    before = counts(project)
    out = fokus(db, "survey", "import", "--dry-run", str(DATA / "nettskjema_ids.csv")).output
    assert "cases added: 3," in out
    assert "Dry run: nothing was written." in out
    assert counts(project) == before


def test_an_item_whose_answers_change_type_is_refused_in_the_survey_s_words(
    project: Project, db: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "mars.csv", tmp_path / "april.csv"
    first.write_text("$submission_id,$created,kommune,dialog\n1,2013-03-08 10:00,Bodø,Svært godt\n", encoding="utf-8")
    second.write_text("$submission_id,$created,kommune,dialog\n1,2013-04-08 10:00,Bodø,Fantastisk\n", encoding="utf-8")
    fokus(db, "survey", "import", str(first))
    before = counts(project)
    result = fokus(db, "survey", "import", str(second), ok=False)
    assert result.output.strip() == (
        f"fokus: error: {second}:line 1: item 'dialog' reads as text, but an earlier import made it integer"
        " (an answer outside the item's scale makes it text; correct it, or give the item another id)"
    )
    assert counts(project) == before


def test_the_items_are_listed_with_their_full_questions(project: Project, db: str) -> None:
    fokus(db, "survey", "import", str(DATA / "questback_cp1252.csv"), "--encoding", "cp1252")
    listed = fokus(db, "survey", "items", "--format", "csv").output.splitlines()
    assert listed == [
        "id,kind,type,scale,question",
        "grad_sosiale_medier_styrket_omdommet,closed,integer,grad,I hvilken grad har sosiale medier styrket omdømmet?",
        "lykkes_dialog_innbyggerne,closed,integer,godt,Hvor godt har kommunen lykkes med dialog med innbyggerne?",
        "mange_innlegg_uka,closed,integer,,Hvor mange innlegg i uka?",
        "viktigst,open,text,,Hva har vært viktigst?",
    ]


def test_a_later_export_adds_the_new_respondent_and_takes_a_changed_answer(
    project: Project, db: str, tmp_path: Path
) -> None:
    head = "$submission_id,$created,kommune,dialog,hva\n"
    bodo = "1,2013-04-08 10:00,Bodø,4,Vi svarer raskt på spørsmål fra innbyggerne.\n"
    first, later = tmp_path / "uke1.csv", tmp_path / "uke2.csv"
    first.write_text(head + bodo, encoding="utf-8")
    later.write_text(
        head
        + bodo.replace(",4,", ",5,").replace("raskt", "svært raskt")
        + '2,2013-04-15 09:00,Voss,3,"Vi svarar på alt, også kritikk."\n',
        encoding="utf-8",
    )
    fokus(db, "survey", "import", str(first))
    out = fokus(db, "survey", "import", str(later)).output
    assert "cases added: 1, updated: 1, unchanged: 0." in out
    assert "messages added: 1, already there: 1." in out  # the question; Bodø's answer changed
    assert "Answers changed since an earlier import: 1 (their codings follow the new text)." in out
    with project.read() as session:
        texts = list(session.scalars(select(Message.text).where(Message.kind == "comment").order_by(Message.id)))
        dialog = {row["case"]: row["dialog"] for row in case_rows(session)[1]}
    assert texts == ["Vi svarer svært raskt på spørsmål fra innbyggerne.", "Vi svarar på alt, også kritikk."]
    assert dialog == {"Bodø": 5, "Voss": 3}
