"""The analysis tabs read as a researcher reads: a disagreement is a passage and who coded what, a hypothesis shows
its statement, and frequencies split by case are a codes x cases table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from fokus.analysis.agreement import disagreements
from fokus.analysis.frequencies import frequencies
from fokus.i18n import use
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.passages import PassagesScreen
from fokus.tui.screens.report_table import column_label
from fokus.tui.screens.thread import ThreadScreen
from tests.tui.test_analysis import open_analysis


def headers(table: DataTable[object]) -> list[str]:
    return [str(column.label) for column in table.ordered_columns]


def plain(widget: Static) -> str:
    """The text a pane shows, on one line."""
    return " ".join(str(widget.render()).split())


def associations(path: Path, *hypotheses: tuple[str, str, str, str]) -> Path:
    """A hypotheses file of associations: (id, statement, the two codes, unit) each."""
    entries = "".join(
        f"  - id: {hid}\n    statement: {statement}\n    test: association\n    codes: [{codes}]\n"
        f"    unit: {unit}\n    direction: positive\n"
        for hid, statement, codes, unit in hypotheses
    )
    path.write_text(f"hypotheses:\n{entries}", encoding="utf-8")
    return path


def test_a_disagreement_shows_the_passage_and_who_coded_what(project: Project, drive: Callable[..., None]) -> None:
    with project.read() as session:
        listed = disagreements(session, unit="message")
    second = listed.items[1]

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("6")
        table = screen.query_one("#disagreements-table", DataTable)
        shown = headers(table)
        assert not {"message_id", "thread_id", "start", "end"} & set(shown)
        assert shown[:3] == ["code", "municipality", "participant"]
        assert set(listed.coders) <= set(shown)
        assert "passage" in shown
        await pilot.press("down")
        await pilot.pause()
        row = dict(zip(shown, map(str, table.get_row_at(1)), strict=True))
        assert row["code"] == second.code
        assert row["municipality"] == (second.case or "")
        assert row["participant"] == second.participant
        assert {coder: row[coder] for coder in listed.coders} == {
            coder: "yes" if coder in second.applied_by else "no" for coder in listed.coders
        }
        assert " ".join(second.text.split()).startswith(row["passage"].rstrip("…"))
        detail = plain(screen.query_one("#disagreements-detail", Static))
        assert " ".join(second.text.split()) in detail
        assert second.participant in detail
        assert second.code in detail
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        found = app.screen.current
        assert found is not None
        assert app.screen.views[found[1].message].external_id == second.message_external_id

    drive(steps)


def test_a_narrow_disagreement_table_keeps_the_passage(project: Project, drive: Callable[..., None]) -> None:
    with project.read() as session:
        first = disagreements(session, unit="message").items[0]

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("6")
        await pilot.pause()
        table = screen.query_one("#disagreements-table", DataTable)
        assert "passage" in headers(table)
        assert "code" in headers(table)
        assert sum(column.get_render_width(table) for column in table.ordered_columns) <= table.size.width
        assert " ".join(first.text.split()) in plain(screen.query_one("#disagreements-detail", Static))

    drive(steps, size=(80, 24))


def test_the_hypothesis_in_focus_shows_its_statement(
    project: Project, drive: Callable[..., None], tmp_path: Path
) -> None:
    statements = [
        "Kommuner som skriver om kriser, skriver også om ressursene de mangler til å håndtere dem.",
        "Unge innbyggere nevnes oftere i tråder der Facebook er plattformen det snakkes om.",
    ]
    own = associations(
        tmp_path / "mine.yaml",
        ("A", statements[0], "krise, ressurser", "message"),
        ("B", statements[1], "ungdom, plattform/facebook", "thread"),
    )

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        table = screen.query_one("#hypotheses-table", DataTable)
        detail = screen.query_one("#hypotheses-detail", Static)
        assert "statement" in headers(table)
        assert statements[0] in plain(detail)
        await pilot.press("down")
        await pilot.pause()
        assert statements[1] in plain(detail)
        assert statements[0] not in plain(detail)
        column = headers(table).index("statement")
        assert statements[1].startswith(str(table.get_cell_at(Coordinate(1, column))).rstrip("…"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)

    drive(steps, hypotheses=own, size=(80, 24))


@pytest.mark.parametrize(("lang", "word"), [("en", "municipality"), ("nb", "kommune")])
def test_a_hypothesis_per_case_names_its_unit_a_municipality(
    drive: Callable[..., None], tmp_path: Path, lang: str, word: str
) -> None:
    """The unit column and the pane word a case as the TUI's columns do, in the reader's language."""
    own = associations(tmp_path / "mine.yaml", ("A", "Kriser og ressurser.", "krise, ressurser", "case"))
    use(lang)

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        table = screen.query_one("#hypotheses-table", DataTable)
        column = headers(table).index(column_label("unit"))
        assert str(table.get_cell_at(Coordinate(0, column))) == word
        assert f" · {word} · " in plain(screen.query_one("#hypotheses-detail", Static))

    drive(steps, hypotheses=own)


def test_the_hypotheses_read_in_the_readers_language(drive: Callable[..., None]) -> None:
    """The shipped hypotheses have English statements beside the Norwegian: the English screen shows those."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        detail = plain(screen.query_one("#hypotheses-detail", Static))
        assert "Where the leadership owns the effort, resources are talked about too." in detail
        assert "ledelsen" not in detail

    drive(steps)


def test_frequencies_split_by_case_are_a_codes_by_cases_table(project: Project, drive: Callable[..., None]) -> None:
    with project.read() as session:
        report = frequencies(session, split="case")
    codes = list(dict.fromkeys(row["code"] for row in report.rows()))

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("s")  # split by case
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#freq-table", DataTable)
        assert headers(table) == ["code", *report.groups]
        assert table.row_count == len(codes)
        assert [str(table.get_cell_at(Coordinate(i, 0))) for i in range(len(codes))] == codes
        for measure in ("codings", "messages"):
            counts = {(row["code"], row["case"]): row[measure] for row in report.rows()}
            for i, code in enumerate(codes):
                for j, case in enumerate(report.groups, start=1):
                    assert str(table.get_cell_at(Coordinate(i, j))) == str(counts.get((code, case), 0))
            await pilot.press("m")  # the next measure
            await pilot.pause()
        # at 80 columns the table scrolls sideways and keeps the codes in view
        assert table.fixed_columns == 1
        assert table.has_focus  # the arrows move in the table
        await pilot.press(*["right"] * 12)
        await pilot.pause()
        # no column shows cut beside the codes: the first in view starts at their edge
        starts = [sum(c.get_render_width(table) for c in table.ordered_columns[:i]) for i in range(len(table.columns))]
        assert table.scroll_x > 0
        assert int(table.scroll_x) + starts[1] in starts
        await pilot.press(*["right"] * (len(report.groups) - 12))
        await pilot.pause()
        assert table.cursor_coordinate == Coordinate(0, len(report.groups))
        assert report.groups[-1] == "(ingen kommune)"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert [str(n.message) for n in app._notifications] == [
            "Cannot list the passages in (ingen kommune); enter on the code lists them all"
        ]
        await pilot.press("left", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert app.screen.where["case"] == report.groups[-2]
        assert app.screen.code == codes[0]

    drive(steps, size=(80, 24))


def test_the_last_split_chosen_is_the_one_shown(project: Project, drive: Callable[..., None]) -> None:
    with project.read() as session:
        by_month = frequencies(session, split="month")

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("s", "s")  # by case, then by month before the first is done
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.settings.split == "month"
        assert headers(screen.query_one("#freq-table", DataTable)) == ["code", *by_month.groups]
        assert "Codings per code and month (accepted codings; sub-codes rolled up)." in plain(
            screen.query_one("#freq-about", Static)
        )

    drive(steps)


def test_a_hypotheses_file_that_names_an_unknown_code_says_so(
    project: Project, drive: Callable[..., None], tmp_path: Path
) -> None:
    own = associations(tmp_path / "bad.yaml", ("A", "Noe om en kode som ikke finnes.", "finnes-ikke, krise", "message"))

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        assert plain(screen.query_one("#hypotheses-about", Static)) == (
            f"{own}:line 5: hypothesis A: code 'finnes-ikke' is not in the project's codebook"
            " (see `fokus codebook show`)"
        )
        assert screen.query_one("#hypotheses-table", DataTable).row_count == 0
        assert not screen.query_one("#hypotheses-detail", Static).display
        await pilot.press("enter")  # nothing behind an error
        await pilot.pause()
        assert app.screen is screen

    drive(steps, hypotheses=own)


def test_the_frequencies_line_says_what_is_counted_once(project: Project, drive: Callable[..., None]) -> None:
    """The report's title says which codings count and whether sub-codes are rolled up; the line adds only what
    the title leaves out (sub-codes counted separately) and the keys (plain() reads the pane on one line)."""
    seen: list[str] = []

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        about = screen.query_one("#freq-about", Static)
        seen.append(plain(about))
        await pilot.press("r", "i")
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen.append(plain(about))

    drive(steps)
    keys = "s: split · r: roll up · i: suggestions · enter: passages"
    assert seen == [
        f"Theme frequencies (accepted codings, sub-codes rolled up). {keys}",
        f"Theme frequencies (accepted and suggested codings). Sub-codes count separately. {keys}",
    ]
