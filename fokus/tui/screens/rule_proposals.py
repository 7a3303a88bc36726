"""Rule proposals for a code (``r`` on the codebook screen): trigger words its rules lack, learnt from the coding, as
`fokus rules suggest CODE` lists them.

The counting runs in a worker, so the screen never blocks. ``space`` marks a proposal; ``w`` asks for the YAML
codebook file and adds the marked proposals (all of them when none is marked) to it as one new rule, changing
nothing else in the file, then loads the edited codebook into the project: one step, which ``u`` takes back in the
project (the file keeps the rule). The machine only proposes: a researcher chooses what goes into the codebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from fokus.errors import FokusError
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.header import Header

KINDS = {"lemma": "lemma", "compound": "sammensatt", "phrase": "frase"}
COLUMNS = (
    ("", 1),
    ("Type", 10),
    ("Utløser", 16),
    ("Presis.", 7),
    ("Nye", 4),
    ("Treff", 5),
    ("Feil", 4),
    ("Tråder", 6),
)


class RuleProposalsScreen(FokusScreen):
    """One row per proposed trigger: its kind, words, precision, the accepted sentences it adds, its hits and
    misses on the decided sentences, and the compounds it was found in."""

    BINDINGS = [
        Binding("space", "mark", "Merk", id="rules.mark"),
        Binding("w", "write", "Legg til i kodeboka", id="rules.write"),
        Binding("escape", "back", "Tilbake", id="rules.back"),
    ]
    DEFAULT_CSS = """
    RuleProposalsScreen #rules-about { height: auto; padding: 0 1; }
    RuleProposalsScreen #rules-table { height: 1fr; }
    RuleProposalsScreen #rules-file { display: none; }
    """
    last_file = ""  # the codebook file given last, offered again

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.report: Any = None  # fokus.api.rule_proposals.RuleProposals, once counted
        self.nlp: Any = None
        self.marked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Teller forslag til regler for {self.code} …", id="rules-about")
        yield DataTable(id="rules-table", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="kodebokfila (.yaml) regelen skal inn i", id="rules-file")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rules")
    def compute(self) -> None:
        """Count the proposals in a read session of the worker's own and hand them to the screen."""
        from fokus.api.rule_proposals import propose_rules
        from fokus.domain.settings import MODEL_SETTING, get_setting
        from fokus.nlp import load_pipeline

        try:
            with self.fokus.project.read() as session:
                nlp = self.nlp or load_pipeline(get_setting(session, MODEL_SETTING))
                report = propose_rules(session, nlp, self.code)
        except FokusError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.nlp = nlp
        self.app.call_from_thread(self.show, report)

    def show_error(self, text: str) -> None:
        self.query_one("#rules-about", Static).update(Text(text, style="red"))

    @property
    def proposals(self) -> list[Any]:
        return list(self.report.codes[0].proposals) if self.report is not None and self.report.codes else []

    def show(self, report: Any) -> None:
        self.report = report
        self.marked &= {p.trigger for p in self.proposals}
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for heading, width in COLUMNS:
            table.add_column(heading, width=width, key=heading or "mark")
        table.add_column("Funnet i", key="found")
        for proposal in self.proposals:
            table.add_row(
                "✓" if proposal.trigger in self.marked else "",
                KINDS.get(proposal.kind, proposal.kind),
                proposal.trigger,
                Text(f"{proposal.precision:.2f}".replace(".", ","), justify="right"),
                Text(str(proposal.new), justify="right"),
                Text(str(proposal.positives), justify="right"),
                Text(str(proposal.negatives), justify="right"),
                Text(str(proposal.threads), justify="right"),
                ", ".join(proposal.examples),
                key=proposal.trigger,
            )
        if self.proposals:
            table.move_cursor(row=min(max(row, 0), len(self.proposals) - 1))
        self.query_one("#rules-about", Static).update(self.about())

    def about(self) -> str:
        entry = self.report.codes[0]
        line = f"{entry.code}: {entry.positives} godkjente setninger, reglene fanger {entry.caught}"
        if not entry.proposals:
            support, precision = entry.thresholds
            shown = f"{precision:g}".replace(".", ",")
            return f"{line}. Ingen utløser fanger {support} til eller flere med presisjon {shown} eller mer."
        positives, wrong, new = entry.together
        return (
            f"{line}; forslagene fanger {new} til (riktig i {positives} av {positives + wrong} avgjorte setninger)."
            " Maskinen foreslår, forskerne velger.  [dim]space: merk · w: legg til i kodeboka[/]"
        )

    def action_mark(self) -> None:
        proposals = self.proposals
        table = self.query_one(DataTable)
        if not proposals or not 0 <= table.cursor_row < len(proposals):
            return
        trigger = proposals[table.cursor_row].trigger
        self.marked ^= {trigger}
        table.update_cell(trigger, "mark", "✓" if trigger in self.marked else "")
        table.move_cursor(row=min(table.cursor_row + 1, len(proposals) - 1))

    def action_write(self) -> None:
        if not self.proposals:
            self.notify("Ingen forslag å legge til")
            return
        field = self.query_one("#rules-file", Input)
        field.value = field.value or RuleProposalsScreen.last_file
        field.display = True
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("Skriv inn kodebokfila", severity="warning")
            return
        RuleProposalsScreen.last_file = text
        event.input.display = False
        self.query_one(DataTable).focus()
        self.write_to(Path(text))

    def write_to(self, path: Path) -> None:
        """Add the marked proposals (or all) to the codebook file and load it, in one step of the app."""
        from fokus.api.rule_proposals import propose_rules, write_rules

        app, code, nlp = self.fokus, self.code, self.nlp
        picked = [p.trigger for p in self.proposals if p.trigger in self.marked] or [p.trigger for p in self.proposals]
        written: list[Any] = []

        def step(session: Any) -> Any:
            report = propose_rules(session, nlp, code, pick=picked)  # counted again, in the writing transaction
            done = write_rules(session, path, report, coder_id=app.coder_id)
            written.append(done)
            done.install()
            return done

        result = app.write(step)
        if result is None:
            if written:  # the transaction failed after the file was moved into place: put the old file back
                written[0].discard()
            return
        rule = result.rules[0]
        self.notify(f"La regelen {code}:{rule.spec['id']} til i {path} og lastet kodeboka (u angrer lastingen)")
        self.marked.clear()
        self.compute()

    def action_back(self) -> None:
        field = self.query_one("#rules-file", Input)
        if field.display:
            field.display = False
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()
