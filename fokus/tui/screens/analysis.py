"""The analysis screen (``a``): the same reports as `fokus freq`, `cooc`, `hypotheses check`, `practices` and
`agreement`, one tab each, computed in a worker so the screen never blocks; ``enter`` on a row opens the passages
behind it, and a passage opens its thread.

Each tab shapes its report for a person reading it at the terminal's width (its ``shape``): frequencies split by case
are a codes x cases table, a disagreement is its passage and each coder's yes or no, a hypothesis shows its
statement; the pane under a table gives the row in focus in full."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from rich.markup import escape
from sqlalchemy.orm import Session
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from fokus.analysis.frame import Scope, value_label
from fokus.analysis.report import cell
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.tui.screens.analysis_hypotheses import hypotheses_report, open_hypothesis, shape_hypotheses
from fokus.tui.screens.base import FokusScreen
from fokus.tui.screens.passages import PassagesScreen, Quote, open_thread_at
from fokus.tui.screens.report_table import (
    Column,
    Shown,
    align_columns,
    clip,
    column_label,
    fit,
    give_way,
    plain,
    room,
)
from fokus.tui.widgets.header import Header

LEVELS = ("message", "sentence", "thread", "case")
#: What a cell of the frequencies split by case counts (``m`` goes to the next); the report's names.
MEASURES = ("codings", "messages", "threads", "participants", "cases", "share_of_messages")


@dataclass
class Settings:
    rollup: bool = True
    suggested: bool = False
    split: str | None = None
    level: str = "message"
    measure: str = "codings"  # what the cells of a split frequency table count
    hypotheses: Path | None = None  # the hypothesis file; None: the study's bundled one

    @property
    def scope(self) -> Scope:
        return Scope.of(include_suggested=self.suggested)


# The tabs' parts, tab by tab: what each computes (its runner), what ``enter`` on a row opens (its opener) and the
# line above its table (its about; by default the report's title).
def _about(report: Any, s: Settings) -> str:
    return f"{report.title}.  " + _("[dim]enter: the passages behind[/]")


def _shape_cooc(report: Any, s: Settings, width: int) -> Shown:
    return replace(plain(report, s, width), fixed=2)  # the pair of codes


def _counted(s: Settings) -> str:
    """What the frequencies count, as a clause: which codings, and whether sub-codes count for their parents."""
    if s.suggested:
        return (
            _("accepted and suggested codings; sub-codes rolled up")
            if s.rollup
            else _("accepted and suggested codings; sub-codes separate")
        )
    return _("accepted codings; sub-codes rolled up") if s.rollup else _("accepted codings; sub-codes separate")


def _freq(session: Session, s: Settings) -> Any:
    from fokus.analysis.frequencies import frequencies

    return frequencies(session, scope=s.scope, rollup=s.rollup, split=s.split)


def _shape_freq(report: Any, s: Settings, width: int) -> Shown:
    """Without a split, the report's rows; split, a table of codes (rows) by groups (columns), each cell counting
    ``s.measure`` (a code absent from a group counts 0)."""
    if not report.split:
        return plain(report, s, width)
    counts: dict[str, dict[str, Any]] = {}
    for row in report.rows():
        counts.setdefault(row["code"], {})[row[report.split]] = row[s.measure]
    cells = [[code, *(cell(found.get(group, 0)) for group in report.groups)] for code, found in counts.items()]
    columns = [fit(label, cells, i) for i, label in enumerate([column_label("code"), *report.groups])]
    rows = [{"code": code, "groups": report.groups} for code in counts]
    return Shown(columns, cells, rows, fixed=1, cursor="cell", start_column=1)


def _open_freq(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    """The passages of a code (in the group of the cell in focus, when the table is split)."""
    split = screen.reports["freq"].split
    where: dict[str, Any] = {"rollup": screen.settings.rollup}
    column = row.get("column", 0)
    if split and column > 0:
        from fokus.analysis.frequencies import NO_CASE

        group = row["groups"][column - 1]
        if group in (NO_CASE, value_label(None)):
            # the passages' filters name a case or a value; "none" is not one of them yet
            screen.notify(
                _("Cannot list the passages in {group}; enter on the code lists them all").format(group=group),
                severity="warning",
            )
            return
        if split in ("case", "month"):
            where[split] = group
        else:
            where.update(attribute=split, value=group)
    screen.app.push_screen(PassagesScreen(row["code"], screen.settings.scope, where))


def _about_freq(report: Any, s: Settings) -> str:
    if not report.split:
        # the title says what is counted, and whether sub-codes are rolled up; not that they are left apart
        apart = "" if s.rollup else " " + _("Sub-codes count separately.")
        return f"{report.title}.{apart}  " + _("[dim]s: split · r: roll up · i: suggestions · enter: passages[/]")
    per = _("{measure} per code and {split} ({counted}).").format(
        measure=column_label(s.measure).capitalize(), split=column_label(report.split), counted=_counted(s)
    )
    return f"{per}  " + _("[dim]m: other measure · s: split · ←→: scroll · enter: passages in the cell[/]")


def _cooc(session: Session, s: Settings) -> Any:
    from fokus.analysis.cooccurrence import cooccurrence

    return cooccurrence(session, scope=s.scope, level=s.level, rollup=not s.rollup)


def _open_cooc(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    where = {"rollup": not screen.settings.rollup, "with_code": row["code_b"], "level": screen.settings.level}
    screen.app.push_screen(PassagesScreen(row["code_a"], screen.settings.scope, where))


def _about_cooc(report: Any, s: Settings) -> str:
    counted = (
        _("{title}; accepted and suggested codings.") if s.suggested else _("{title}; accepted codings.")
    ).format(title=report.title)
    return f"{counted}  " + _("[dim]l: unit · r: roll up · i: suggestions · enter: passages[/]")


def _practices(session: Session, s: Settings) -> Any:
    from fokus.analysis.practices import find_practices

    return find_practices(session, scope=s.scope, include_unshared=True)


def _open_practice(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    report = screen.reports["practices"]
    practice = report.listed[screen.query_one("#practices-table", DataTable).cursor_row]
    quotes = [Quote.of(p, code=", ".join(p.themes), coder=", ".join(p.coders)) for p in practice.passages]
    title = _("Practice {number}: {title}").format(number=practice.number, title=practice.title)
    screen.app.push_screen(PassagesScreen(quotes=(title, quotes)))


def _agreement(session: Session, s: Settings) -> Any:
    from fokus.analysis.agreement import agreement

    return agreement(session, unit="sentence" if s.level == "sentence" else "message")


def _open_agreement(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    if row["code"] != "overall":
        screen.action_tab("disagreements")
        report = screen.reports.get("disagreements")
        table = screen.query_one("#disagreements-table", DataTable)
        for index, item in enumerate(report.rows() if report else []):
            if item["code"] == row["code"]:
                table.move_cursor(row=index)
                break


def _disagreements(session: Session, s: Settings) -> Any:
    from fokus.analysis.agreement import disagreements

    return disagreements(session, unit="sentence" if s.level == "sentence" else "message")


def _shape_disagreements(report: Any, s: Settings, width: int) -> Shown:
    """Each disagreement as a researcher reads it: the code, where (municipality, participant), each coder's yes
    or no (a dash: not in the thread) and the passage, clipped to the width; the pane shows the passage whole. A
    narrow table gives up the municipality first (the pane still names it)."""
    items = report.items
    yes, no = cell(True), cell(False)
    said = [
        [yes if c in item.applied_by else no if c in item.not_applied_by else "–" for c in report.coders]
        for item in items
    ]
    heads = [column_label("code"), column_label("case"), column_label("participant"), *report.coders]
    cells = [[item.code, item.case or "", item.participant, *yes] for item, yes in zip(items, said, strict=True)]
    columns = [fit(label, cells, i) for i, label in enumerate(heads)]
    give_way(width, columns, cells, (heads[1], heads[2]))  # the pane names both
    excerpt = Column(_("passage"), max(room(width, columns), 10))
    for row, item in zip(cells, items, strict=True):
        row.append(clip(item.text, excerpt.width))
    details = [
        f"[b]{escape(item.code)}[/]  "
        + " · ".join(f"{escape(c)}: {yes}" for c, yes in zip(report.coders, said_by, strict=True))
        + f"  [dim]{escape(item.participant)}{escape(', ' + item.case) if item.case else ''}[/]"
        + f"\n{escape(' '.join(item.text.split()))}"
        for item, said_by in zip(items, said, strict=True)
    ]
    return Shown([*columns, excerpt], cells, report.rows(), details)


def _about_disagreements(report: Any, s: Settings) -> str:
    return f"{report.title}.  " + _("[dim]l: sentence or message · enter: the thread, at the passage[/]")


def _open_disagreement(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    open_thread_at(screen, row["message_id"], row["start"])


@dataclass(frozen=True)
class Tab:
    """One analysis tab: everything the screen needs to show it. Adding a tab is adding one of these to ``TABS``."""

    id: str  # the widgets' ids (``#{id}-table``, ``#{id}-about``) and the key ``reports`` keeps it under
    title: str  # the tab's label, and the description of its number key (marked with N_, translated where shown)
    runner: Callable[[Session, Settings], Any]  # computes the report (in a worker, in its own read session)
    opener: Callable[[AnalysisScreen, dict[str, Any]], None]  # ``enter`` on a row: what lies behind it
    about: Callable[[Any, Settings], str] = _about  # the line above the table: what is counted, which keys change it
    shape: Callable[[Any, Settings, int], Shown] = plain  # the report as the table shows it at a width


#: The tabs in order; their number keys are 1, 2, ...
TABS = (
    Tab("freq", N_("Frequencies"), _freq, _open_freq, _about_freq, _shape_freq),
    Tab("cooc", N_("Co-occurrence"), _cooc, _open_cooc, _about_cooc, _shape_cooc),
    Tab("hypotheses", N_("Hypotheses"), hypotheses_report, open_hypothesis, shape=shape_hypotheses),
    Tab("practices", N_("Good practice"), _practices, _open_practice),
    Tab("agreement", N_("Agreement"), _agreement, _open_agreement),
    Tab(
        "disagreements",
        N_("Disagreements"),
        _disagreements,
        _open_disagreement,
        _about_disagreements,
        _shape_disagreements,
    ),
)
TAB = {tab.id: tab for tab in TABS}


class AnalysisScreen(FokusScreen):
    """One tab per analysis; the line above each table says what is counted and which keys change it."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="analysis.back"),
        Binding("enter", "open", N_("Show passages"), id="analysis.open"),
        Binding("r", "rollup", N_("Roll up sub-codes"), id="analysis.rollup"),
        Binding("s", "split", N_("Split by"), id="analysis.split"),
        Binding("l", "level", N_("Unit"), id="analysis.level"),
        Binding("i", "suggested", N_("Include suggestions"), id="analysis.suggested"),
        Binding("m", "measure", N_("Other measure"), id="analysis.measure"),
        *(
            Binding(str(n), f"tab('{tab.id}')", tab.title, id=f"analysis.tab{n}", show=False)
            for n, tab in enumerate(TABS, start=1)
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.settings = Settings()
        self.reports: dict[str, Any] = {}
        self.shown: dict[str, Shown] = {}
        self.splits: list[str | None] = [None, "case", "month"]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="analysis-tabs"):
            for tab in TABS:
                with TabPane(_(tab.title), id=f"tab-{tab.id}"):
                    yield Static(_("Computing …"), id=f"{tab.id}-about", classes="analysis-about")
                    yield DataTable(id=f"{tab.id}-table", cursor_type="row", zebra_stripes=True)
                    yield Static(id=f"{tab.id}-detail", classes="analysis-detail")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.styles.height = "1fr"
        for detail in self.query(".analysis-detail").results(Static):
            # the row in focus in full: a few lines under the table, above a rule
            detail.styles.height = "auto"
            detail.styles.max_height = 6
            detail.styles.padding = (0, 1)
            detail.styles.border_top = ("solid", "gray")
            detail.display = False
        self.settings.hypotheses = self.fokus.hypotheses
        with self.fokus.reading() as session:
            from fokus.analysis.frame import CaseTable

            self.splits += list(CaseTable.load(session).attributes)
        self.refresh_all()
        self.query_one("#freq-table", DataTable).focus()  # the arrows move in the table, not along the tabs

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.query_one(f"#{self.active}-table", DataTable).focus()

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def refresh_all(self) -> None:
        for tab in TABS:
            self.compute(tab.id, self.settings)

    def compute(self, kind: str, settings: Settings) -> None:
        """Run one analysis in a worker with the settings as they are now; a newer run of the same tab (``s``
        pressed twice) replaces an older one, whose report is then never shown."""
        run = partial(self._compute, kind, replace(settings))
        self.run_worker(run, thread=True, group=f"analysis-{kind}", exclusive=True, exit_on_error=False)

    def _compute(self, kind: str, settings: Settings) -> None:
        """Compute one report in its own read session and hand it to the screen (in a worker)."""
        worker = get_current_worker()
        try:
            with self.fokus.project.read() as session:
                report = TAB[kind].runner(session, settings)
        except FokusError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_error, kind, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, kind, report)

    def show_error(self, kind: str, text: str) -> None:
        self.query_one(f"#{kind}-about", Static).update(f"[red]{text}[/]")
        self.query_one(f"#{kind}-table", DataTable).clear(columns=True)
        self.reports.pop(kind, None)
        self.shown.pop(kind, None)
        self.query_one(f"#{kind}-detail", Static).display = False

    def show(self, kind: str, report: Any) -> None:
        """Fill a tab with its report, shaped for the screen's width; the same report again (a new width, another
        measure) keeps the cursor where it was."""
        again = self.reports.get(kind) is report
        self.reports[kind] = report
        shown = self.shown[kind] = TAB[kind].shape(report, self.settings, self.size.width)
        table = self.query_one(f"#{kind}-table", DataTable)
        place = table.cursor_coordinate if again else Coordinate(0, shown.start_column)
        table.clear(columns=True)
        table.cursor_type = shown.cursor
        table.fixed_columns = shown.fixed
        for column in shown.columns:
            table.add_column(column.label, width=column.width)
        for index, cells in enumerate(shown.cells):
            table.add_row(*cells, key=str(index))
        if shown.cells:
            table.cursor_coordinate = place
        self.query_one(f"#{kind}-about", Static).update(TAB[kind].about(report, self.settings))
        self.describe(kind, table.cursor_row)

    def describe(self, kind: str, row: int) -> None:
        """Show the row in focus in full in the pane under the table (if the tab has one)."""
        details = self.shown[kind].details if kind in self.shown else []
        detail = self.query_one(f"#{kind}-detail", Static)
        detail.display = bool(details)
        if details:
            detail.update(details[min(row, len(details) - 1)])

    def on_resize(self, event: events.Resize) -> None:
        for kind, report in self.reports.items():
            self.show(kind, report)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.data_table.call_after_refresh(align_columns, event.data_table)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id:
            self.describe(event.data_table.id.removesuffix("-table"), event.cursor_row)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"
        self.query_one(f"#{tab}-table", DataTable).focus()

    def action_rollup(self) -> None:
        self.settings.rollup = not self.settings.rollup
        self.compute("freq", self.settings)
        self.compute("cooc", self.settings)

    def action_suggested(self) -> None:
        self.settings.suggested = not self.settings.suggested
        self.refresh_all()

    def action_split(self) -> None:
        position = self.splits.index(self.settings.split)
        self.settings.split = self.splits[(position + 1) % len(self.splits)]
        self.compute("freq", self.settings)

    def action_measure(self) -> None:
        self.settings.measure = MEASURES[(MEASURES.index(self.settings.measure) + 1) % len(MEASURES)]
        if "freq" in self.reports:
            self.show("freq", self.reports["freq"])

    def action_level(self) -> None:
        self.settings.level = LEVELS[(LEVELS.index(self.settings.level) + 1) % len(LEVELS)]
        self.compute("cooc", self.settings)
        if self.settings.level in ("message", "sentence"):
            self.compute("agreement", self.settings)
            self.compute("disagreements", self.settings)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        kind = self.active
        shown = self.shown.get(kind)
        table = self.query_one(f"#{kind}-table", DataTable)
        if shown is None or not shown.rows:
            return
        TAB[kind].opener(self, {**shown.rows[table.cursor_row], "column": table.cursor_column})

    def action_back(self) -> None:
        self.app.pop_screen()
