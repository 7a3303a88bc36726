"""The survey exports read into typed items (fokus.importers.survey), without a database."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fokus.errors import FokusError
from fokus.importers.survey.items import SurveyData, parse_survey, slug
from fokus.importers.survey.scales import convert, typed
from fokus.importers.survey.table import Tool

DATA = Path(__file__).parent / "data"


def read(name: str, **options: object) -> SurveyData:
    return parse_survey((DATA / name).read_bytes(), name, **options)  # type: ignore[arg-type]


def closed(survey: SurveyData) -> dict[str, tuple[str, dict[str, object]]]:
    return {item.id: (item.type, item.values) for item in survey.closed}


def refused(data: str | bytes, **options: object) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(FokusError) as caught:
        parse_survey(raw, "svar.csv", **options)  # type: ignore[arg-type]
    return str(caught.value)


def test_nettskjema_with_item_ids_numbers_choices_and_an_open_question() -> None:
    survey = read("nettskjema_ids.csv")
    assert survey.tool is Tool.NETTSKJEMA
    assert survey.case_column == "kommune"
    first = survey.respondents[0]
    assert (first.id, first.case, first.submitted) == (
        "1001",
        "Bodø",
        datetime(2013, 4, 8, 8, 15, tzinfo=UTC),  # 10:15 in Oslo, summer time
    )
    assert closed(survey) == {
        "dialog": ("integer", {"Bodø": 4, "Voss": 5, "Førde": 3}),
        "omdomme": ("integer", {"Bodø": 5, "Voss": 4, "Førde": 3}),
        "beredskap": ("integer", {"Bodø": 5, "Voss": None, "Førde": 2}),
        "plattform_facebook": ("boolean", {"Bodø": True, "Voss": True, "Førde": True}),
        "plattform_instagram": ("boolean", {"Bodø": True, "Voss": False, "Førde": False}),
        "plattform_linkedin": ("boolean", {"Bodø": False, "Voss": True, "Førde": False}),
        "aarsverk": ("float", {"Bodø": 1.5, "Voss": 1.0, "Førde": 0.5}),
    }
    [question] = survey.open
    assert (question.id, question.question) == ("avgjorende", "avgjorende")
    assert [(r.case, text[:20]) for r, text in question.answers] == [
        ("Bodø", "Vi svarer raskt, og "),
        ("Voss", "Vi svarar på alt, og"),
    ]
    assert survey.notes == [
        "column 'navn' identifies a person: not stored",
        "column 'epost' identifies a person: not stored",
    ]


def test_questback_in_windows_1252_with_coded_labels_and_dont_know() -> None:
    survey = read("questback_cp1252.csv", encoding="cp1252")
    assert survey.tool is Tool.QUESTBACK
    assert [r.id for r in survey.respondents] == ["501", "502", "503"]
    assert closed(survey) == {
        "lykkes_dialog_innbyggerne": ("integer", {"Sandnes": 5, "Ålesund": 4, "Førde": 3}),
        "grad_sosiale_medier_styrket_omdommet": ("integer", {"Sandnes": 4, "Ålesund": None, "Førde": 5}),
        "mange_innlegg_uka": ("integer", {"Sandnes": 12, "Ålesund": 7, "Førde": 3}),
    }
    assert [item.question for item in survey.open] == ["Hva har vært viktigst?"]
    assert survey.respondents[1].submitted == datetime(2013, 4, 8, 8, 20, tzinfo=UTC)  # Sluttdato, not Startdato


def test_surveymonkey_two_header_rows_options_as_columns_and_us_times() -> None:
    survey = read("surveymonkey.csv")
    assert survey.tool is Tool.SURVEYMONKEY
    assert survey.case_column == "Hvilken kommune jobber du i?"
    assert closed(survey) == {
        "beredskap": ("integer", {"Bodø": 5, "Tromsø": 4}),
        "plattformer_facebook": ("boolean", {"Bodø": True, "Tromsø": True}),
        "plattformer_instagram": ("boolean", {"Bodø": True, "Tromsø": False}),
        "plattformer_twitter": ("boolean", {"Bodø": False, "Tromsø": True}),
    }
    assert [item.question for item in survey.closed[1:]] == [
        "Hvilke plattformer bruker dere?: Facebook",
        "Hvilke plattformer bruker dere?: Instagram",
        "Hvilke plattformer bruker dere?: Twitter",
    ]
    assert [text for _r, text in survey.open[0].answers] == ["Vi svarer raskt, også om kvelden.", "Gode bilder."]
    assert survey.respondents[1].submitted == datetime(2013, 4, 8, 11, 20, tzinfo=UTC)  # 01:20:00 PM in Oslo
    assert len(survey.notes) == 4  # IP address, e-mail, first and last name


@pytest.mark.parametrize(
    ("values", "kind", "converted"),
    [
        (["Svært godt", "ganske godt", "Middels", "Ganske dårlig", "Svært dårlig"], "integer", [5, 4, 3, 2, 1]),
        (["I svært lita grad", "I nokon grad", "Vet ikke", ""], "integer", [1, 3, None, None]),
        (["Helt enig", "4 - Delvis enig", "Helt uenig (1)"], "integer", [5, 4, 1]),
        (["Strongly agree", "Neither agree nor disagree"], "integer", [5, 3]),
        (["2,5", "3"], "float", [2.5, 3.0]),
        (["Facebook", "Instagram"], "text", ["Facebook", "Instagram"]),
        (["Svært godt", "Fantastisk"], "text", ["Svært godt", "Fantastisk"]),  # not all of one scale
    ],
)
def test_scales_and_numbers_are_typed(values: list[str], kind: str, converted: list[object]) -> None:
    found, scale = typed(values)
    assert found == kind
    assert [convert(v, found, scale) for v in values] == converted


def test_slugs_keep_the_words_that_say_something() -> None:
    assert slug("Hvor godt har kommunen nådd målet om dialog med innbyggerne?") == "dialog_innbyggerne"
    assert slug("Hvor godt?") == "hvor_godt"


def test_a_mapping_names_the_case_column_and_renames_and_skips_items(tmp_path: Path) -> None:
    from fokus.importers.survey.mapping import read_mapping

    (tmp_path / "map.yaml").write_text(
        "case_column: kommune\nitems:\n  dialog: {id: maal_dialog}\n  avgjorende: {kind: skip}\n"
        "  plattform: {id: kanal}\n",
        encoding="utf-8",
    )
    survey = read("nettskjema_ids.csv", mapping=read_mapping(tmp_path / "map.yaml"))
    assert [item.id for item in survey.closed][:4] == ["maal_dialog", "omdomme", "beredskap", "kanal_facebook"]
    assert survey.open == []


BAD = [
    (
        "$submission_id,$created,kommune,dialog\n1,2013-04-08 10:00,Bodø,4\n2,2013-04-08 11:00,bodø,5\n",
        {},
        "svar.csv:line 3: case 'bodø' answered twice (first on line 2) (keep one submission per case)",
    ),
    (
        "$submission_id,$created,dialog\n1,2013-04-08 10:00,4\n",
        {},
        "svar.csv:line 1: no column names the case (kommune, municipality, case) (name it with --case-column)",
    ),
    (
        "$submission_id,$created,kommune,dialog\n1,2013-04-08 10:00,Bodø\n",
        {},
        "svar.csv:line 2: 3 fields, but the header has 4"
        " (a wrong delimiter or an unclosed quote on this or the line before)",
    ),
    (
        "$submission_id,$created,kommune,dialog\n1,2013-04-08 10:00,,4\n",
        {},
        "svar.csv:line 2: no case in column 'kommune'",
    ),
    (
        "$submission_id,kommune,dialog\n1,Bodø,4\n",
        {},
        "svar.csv:line 1: no column holds the submission time (give the survey's date with --date)",
    ),
    (
        "$submission_id,$created,kommune,dialog\n1,i går,Bodø,4\n",
        {},
        "svar.csv:line 2: not a date and time: 'i går' (write e.g. 2013-02-19 10:15 or 2013-02-19T10:15:00Z)",
    ),
    (
        "Respondent ID,Kommune\n",
        {"tool": "surveymonkey"},
        "svar.csv:line 2: a SurveyMonkey export has two header rows; this file has one",
    ),
    (
        "kommune,dialog\nBodø,4\n",
        {"case_column": "Kommunenavn"},
        "svar.csv:line 1: no column 'Kommunenavn' (the header has: 'kommune', 'dialog')",
    ),
    (
        "$submission_id,$created,kommune,dialog\n",
        {},
        "svar.csv:line 2: the file has a header but no answers",
    ),
    (
        "kommune,dialog\nBodø,4\n",
        {"date": datetime(2150, 1, 1, 12, tzinfo=UTC)},
        "svar.csv: date and time out of range: '2150-01-01' (fokus reads times from 1970 through 2099)",
    ),
    (
        "kommune,dialog\n\0Bodø,4\n",
        {},
        "svar.csv:line 2: NUL byte: this is not a text CSV file",
    ),
    (
        "kommune;dialog\r\nFørde;4\r\n".encode("cp1252"),
        {},
        "svar.csv:line 2 (byte 17): not UTF-8 text (byte 0xf8 cannot start or continue a character)"
        " (save it as CSV UTF-8, or give --encoding cp1252 if Excel saved it as Windows-1252)",
    ),
]


@pytest.mark.parametrize(("data", "options", "message"), BAD)
def test_bad_files_are_refused_with_one_line(data: str | bytes, options: dict[str, object], message: str) -> None:
    assert refused(data, **options) == message


def test_surveymonkey_matrix_rows_are_items_and_other_is_its_own_open_item() -> None:
    survey = read("surveymonkey_matrix.csv")
    assert closed(survey) == {
        "enig_pastandene_vi_svarer_raskt": ("integer", {"Bodø kommune": 5, "Voss herad": 3}),
        "enig_pastandene_ledelsen_stotter_arbeidet": ("integer", {"Bodø kommune": 4, "Voss herad": 5}),
        "plattformer_facebook": ("boolean", {"Bodø kommune": True, "Voss herad": True}),
        "plattformer_instagram": ("boolean", {"Bodø kommune": False, "Voss herad": True}),
    }
    [other] = survey.open
    assert (other.id, other.question) == (
        "plattformer_other_please_specify",
        "Hvilke plattformer bruker dere? (Other (please specify))",
    )
    assert [text for _r, text in other.answers] == ["Flickr for turistbilder"]


def test_a_workbook_is_refused_with_the_way_out() -> None:
    assert refused(b"PK\x03\x04" + b"\0" * 30) == (
        "svar.csv:byte 0: an Excel workbook or another zip file, not CSV (save the sheet as CSV UTF-8 and import that)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- kommune\n", "map.yaml: a mapping file is a YAML mapping with case_column and items"),
        ("case: kommune\n", "map.yaml:line 1: unknown key 'case' (the keys are case_column and items)"),
        (
            "items:\n  dialog: {id: 2dialog}\n",
            "map.yaml:line 2: not an id: '2dialog' (letters, digits, _ . -, starting with a letter, at most 60)",
        ),
        ("items:\n  dialog: {kind: likert}\n", "map.yaml:line 2: unknown kind 'likert' (closed, choice, open, skip)"),
        ("items:\n  dialog: {name: x}\n", "map.yaml:line 2: an item takes id and kind"),
    ],
)
def test_a_bad_mapping_file_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    from fokus.importers.survey.mapping import read_mapping

    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FokusError) as caught:
        read_mapping(tmp_path / "map.yaml")
    assert str(caught.value) == message.replace("map.yaml", str(tmp_path / "map.yaml"))


def test_an_item_nobody_answered_is_left_out_with_a_note() -> None:
    survey = parse_survey(
        "kommune,dialog,hva\nBodø,4,\nVoss,,Vet ikke\n".encode(), "svar.csv", date=datetime(2013, 4, 8, tzinfo=UTC)
    )
    assert [item.id for item in survey.closed + survey.open] == ["dialog"]  # [] would type it text for good
    assert survey.notes == ["item 'hva' has no answers (not imported)"]


def test_too_many_rows_or_columns_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from fokus.importers import limits

    monkeypatch.setattr(limits, "MAX_CASES", 2)
    rows = "kommune,dialog\nBodø,4\nVoss,5\nFørde,3\n"
    assert refused(rows, date=datetime(2013, 4, 8, tzinfo=UTC)) == (
        "svar.csv:line 4: more than 2 rows in one file (split the file)"
    )
    monkeypatch.setattr(limits, "MAX_ATTRIBUTES", 3)
    assert refused("kommune,a,b,c\n") == "svar.csv:line 1: more than 3 columns in one file (split the file)"


def test_a_case_name_longer_than_the_database_holds_is_refused() -> None:
    assert refused(f"kommune,dialog\n{'B' * 101},4\n", date=datetime(2013, 4, 8, tzinfo=UTC)) == (
        f"svar.csv:line 2: case name too long: 101 characters (at most 100): {'B' * 40!r}..."
    )


CELLS = [
    "kommune",
    "Bodø",
    "Svært godt",
    "1",
    "0",
    "",
    "x",
    "$created",
    "2013-04-08 10:00",
    "a b",
    '"',
    "\n",
    ";",
    "Respondent ID",
    "Response",
    "Open-Ended Response",
    "Other (please specify)",
    "q_1",
    "q_2",
    "E-post",
    "Vet ikke",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(CELLS), max_size=5),
        max_size=5,
    )
)
def test_any_table_is_read_or_refused_never_a_crash(cells: list[list[str]]) -> None:
    text = "\n".join(",".join(row) for row in cells)
    with contextlib.suppress(FokusError):
        parse_survey(text.encode(), "svar.csv", date=datetime(2013, 4, 8, tzinfo=UTC))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_are_read_or_refused_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(FokusError):
        parse_survey(data, "svar.csv", encoding="cp1252")
    with contextlib.suppress(FokusError):
        parse_survey(data, "svar.csv")


def test_a_respondent_column_holding_e_mail_addresses_is_never_the_respondent_s_label() -> None:
    survey = parse_survey(
        "Respondent;Kommune;Sluttdato;Hva er viktigst?\n"
        "kari.holmen@bodo.kommune.no;Bodø;08.04.2013 09:30;Raske svar og gode rutiner for videresending.\n".encode(),
        "svar.csv",
    )
    assert [r.id for r in survey.respondents] == ["bodo"]  # the case's slug
    assert survey.notes == ["column 'Respondent' identifies a person: not stored"]
    assert "kari" not in repr(survey)
