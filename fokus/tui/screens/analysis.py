"""The analysis screen (``a``): the same reports as `fokus freq`, `cooc`, `hypotheses check`, `practices` and
`agreement`, one tab each, computed in a worker so the screen never blocks; ``enter`` on a row opens the passages
behind it, and a passage opens its thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from fokus.analysis.frame import Scope
from fokus.analysis.report import cell
from fokus.errors import FokusError
from fokus.tui.screens.base import FokusScreen
from fokus.tui.screens.passages import PassagesScreen, Quote, open_thread_at

LEVELS = ("message", "sentence", "thread", "case")


@dataclass
class Settings:
    rollup: bool = True
    suggested: bool = False
    split: str | None = None
    level: str = "message"
    hypotheses: Path | None = None  # the hypothesis file; None: the study's bundled one

    @property
    def scope(self) -> Scope:
        return Scope.of(include_suggested=self.suggested)


# The tabs' parts, tab by tab: what each computes (its runner), what ``enter`` on a row opens (its opener) and the
# line above its table (its about; by default the report's title).
def _about(report: Any, s: Settings) -> str:
    return f"{report.title}.  [dim]enter: utdragene bak[/]"


def _counted(s: Settings) -> str:
    return "godkjente og foreslåtte" if s.suggested else "godkjente"


def _freq(session: Session, s: Settings) -> Any:
    from fokus.analysis.frequencies import frequencies

    return frequencies(session, scope=s.scope, rollup=s.rollup, split=s.split)


def _open_freq(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    split = screen.settings.split
    where: dict[str, Any] = {"rollup": screen.settings.rollup}
    if split == "case":
        where["case"] = row["case"]
    elif split == "month":
        where["month"] = row["month"]
    elif split:
        where.update(attribute=split, value=row[split])
    screen.app.push_screen(PassagesScreen(row["code"], screen.settings.scope, where))


def _about_freq(report: Any, s: Settings) -> str:
    by = f", delt etter {s.split}" if s.split else ""
    return (
        f"{report.title}. Teller {_counted(s)} kodinger{by}; underkoder {'rulles opp' if s.rollup else 'for seg'}."
        "  [dim]s: del opp · r: rull opp · i: forslag · enter: utdragene[/]"
    )


def _cooc(session: Session, s: Settings) -> Any:
    from fokus.analysis.cooccurrence import cooccurrence

    return cooccurrence(session, scope=s.scope, level=s.level, rollup=not s.rollup)


def _open_cooc(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    where = {"rollup": not screen.settings.rollup, "with_code": row["code_b"], "level": screen.settings.level}
    screen.app.push_screen(PassagesScreen(row["code_a"], screen.settings.scope, where))


def _about_cooc(report: Any, s: Settings) -> str:
    return f"{report.title}; {_counted(s)} kodinger.  [dim]l: enhet · r: rull opp · i: forslag · enter: utdragene[/]"


def _hypotheses(session: Session, s: Settings) -> Any:
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.files.hypotheses import load_hypotheses
    from fokus.resources import default_hypotheses

    return check_hypotheses(session, load_hypotheses(s.hypotheses or default_hypotheses()), scope=s.scope).brief()


def _open_hypothesis(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    brief = screen.reports["hypotheses"]
    result = next(r for r in brief.full.results if r.hypothesis.id == row["id"])
    quotes = [Quote.from_row(p, code=", ".join(p["codes"])) for p in result.evidence]
    title = f"{result.hypothesis.id} ({result.verdict}): {result.evidence_total} utdrag, {result.evidence_what}"
    screen.app.push_screen(PassagesScreen(quotes=(title, quotes)))


def _practices(session: Session, s: Settings) -> Any:
    from fokus.analysis.practices import find_practices

    return find_practices(session, scope=s.scope, include_unshared=True)


def _open_practice(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    report = screen.reports["practices"]
    practice = report.listed[screen.query_one("#practices-table", DataTable).cursor_row]
    quotes = [Quote.of(p, code=", ".join(p.themes), coder=", ".join(p.coders)) for p in practice.passages]
    screen.app.push_screen(PassagesScreen(quotes=(f"Praksis {practice.number}: {practice.title}", quotes)))


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


def _open_disagreement(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    open_thread_at(screen, row["message_id"], row["start"])


@dataclass(frozen=True)
class Tab:
    """One analysis tab: everything the screen needs to show it. Adding a tab is adding one of these to ``TABS``."""

    id: str  # the widgets' ids (``#{id}-table``, ``#{id}-about``) and the key ``reports`` keeps it under
    title: str  # the tab's label, and the description of its number key
    runner: Callable[[Session, Settings], Any]  # computes the report (in a worker, in its own read session)
    opener: Callable[[AnalysisScreen, dict[str, Any]], None]  # ``enter`` on a row: what lies behind it
    about: Callable[[Any, Settings], str] = _about  # the line above the table: what is counted, which keys change it


#: The tabs in order; their number keys are 1, 2, ...
TABS = (
    Tab("freq", "Frekvenser", _freq, _open_freq, _about_freq),
    Tab("cooc", "Samforekomst", _cooc, _open_cooc, _about_cooc),
    Tab("hypotheses", "Hypoteser", _hypotheses, _open_hypothesis),
    Tab("practices", "God praksis", _practices, _open_practice),
    Tab("agreement", "Enighet", _agreement, _open_agreement),
    Tab("disagreements", "Uenighet", _disagreements, _open_disagreement),
)
TAB = {tab.id: tab for tab in TABS}


class AnalysisScreen(FokusScreen):
    """One tab per analysis; the line above each table says what is counted and which keys change it."""

    BINDINGS = [
        Binding("escape", "back", "Tilbake", id="analysis.back"),
        Binding("enter", "open", "Utdragene bak", id="analysis.open"),
        Binding("r", "rollup", "Rull opp underkoder", id="analysis.rollup"),
        Binding("s", "split", "Del opp etter", id="analysis.split"),
        Binding("l", "level", "Enhet", id="analysis.level"),
        Binding("i", "suggested", "Ta med forslag", id="analysis.suggested"),
        *(
            Binding(str(n), f"tab('{tab.id}')", tab.title, id=f"analysis.tab{n}", show=False)
            for n, tab in enumerate(TABS, start=1)
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.settings = Settings()
        self.reports: dict[str, Any] = {}
        self.splits: list[str | None] = [None, "case", "month"]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="analysis-tabs"):
            for tab in TABS:
                with TabPane(tab.title, id=f"tab-{tab.id}"):
                    yield Static("Regner …", id=f"{tab.id}-about", classes="analysis-about")
                    yield DataTable(id=f"{tab.id}-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.settings.hypotheses = self.fokus.hypotheses
        with self.fokus.reading() as session:
            from fokus.analysis.frame import CaseTable

            self.splits += list(CaseTable.load(session).attributes)
        self.refresh_all()

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def refresh_all(self) -> None:
        for tab in TABS:
            self.compute(tab.id, self.settings)

    @work(thread=True, exit_on_error=False, group="analysis")
    def compute(self, kind: str, settings: Settings) -> None:
        """Run one analysis in its own read session and hand the report to the screen."""
        try:
            with self.fokus.project.read() as session:
                report = TAB[kind].runner(session, settings)
        except FokusError as exc:
            self.app.call_from_thread(self.show_error, kind, str(exc))
            return
        self.app.call_from_thread(self.show, kind, report)

    def show_error(self, kind: str, text: str) -> None:
        self.query_one(f"#{kind}-about", Static).update(f"[red]{text}[/]")
        self.query_one(f"#{kind}-table", DataTable).clear(columns=True)

    def show(self, kind: str, report: Any) -> None:
        self.reports[kind] = report
        table = self.query_one(f"#{kind}-table", DataTable)
        table.clear(columns=True)
        columns = list(getattr(report, "terminal_columns", report.columns)())
        table.add_columns(*columns)
        for index, row in enumerate(report.rows()):
            table.add_row(*(cell(row.get(c))[:80] for c in columns), key=str(index))
        self.query_one(f"#{kind}-about", Static).update(TAB[kind].about(report, self.settings))

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

    def action_level(self) -> None:
        self.settings.level = LEVELS[(LEVELS.index(self.settings.level) + 1) % len(LEVELS)]
        self.compute("cooc", self.settings)
        if self.settings.level in ("message", "sentence"):
            self.compute("agreement", self.settings)
            self.compute("disagreements", self.settings)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        kind = self.active
        report = self.reports.get(kind)
        table = self.query_one(f"#{kind}-table", DataTable)
        if report is None or not report.rows():
            return
        row = report.rows()[table.cursor_row]
        TAB[kind].opener(self, row)

    def action_back(self) -> None:
        self.app.pop_screen()
