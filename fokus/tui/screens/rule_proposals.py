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
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.header import Header

#: A proposal's kind (the API's key) as the table names it; translated where shown.
KINDS = {"lemma": N_("lemma"), "compound": N_("compound"), "phrase": N_("phrase")}
#: The table's columns before "found in": key, heading (translated where shown; "" for the mark), least width.
COLUMNS = (
    ("mark", "", 1),
    ("kind", N_("Type"), 10),
    ("trigger", N_("Trigger"), 16),
    ("precision", N_("Prec."), 7),
    ("new", N_("New"), 4),
    ("positives", N_("Hits"), 5),
    ("negatives", N_("Wrong"), 4),
    ("threads", N_("Threads"), 6),
)


class RuleProposalsScreen(FokusScreen):
    """One row per proposed trigger: its kind, words, precision, the accepted sentences it adds, its hits and
    misses on the decided sentences, and the compounds it was found in."""

    BINDINGS = [
        Binding("space", "mark", N_("Mark"), id="rules.mark"),
        Binding("w", "write", N_("Add to codebook"), id="rules.write"),
        Binding("escape", "back", N_("Back"), id="rules.back"),
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
        yield Static(_("Counting rule proposals for {code} …").format(code=self.code), id="rules-about")
        yield DataTable(id="rules-table", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder=_("the codebook file (.yaml) to add the rule to"), id="rules-file")

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
        for key, heading, width in COLUMNS:
            shown = _(heading) if heading else ""
            table.add_column(shown, width=max(width, len(shown)), key=key)  # the heading whole, in any language
        table.add_column(_("Found in"), key="found")
        for proposal in self.proposals:
            table.add_row(
                "✓" if proposal.trigger in self.marked else "",
                _(KINDS[proposal.kind]) if proposal.kind in KINDS else proposal.kind,
                proposal.trigger,
                Text(number(proposal.precision, 2), justify="right"),
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
        counts = {"code": entry.code, "accepted": number(entry.positives), "caught": number(entry.caught)}
        if not entry.proposals:
            support, precision = entry.thresholds
            return ngettext(
                "{code}: {accepted} accepted sentence, the rules catch {caught}. No trigger catches at least"
                " {support} more with precision {precision} or higher.",
                "{code}: {accepted} accepted sentences, the rules catch {caught}. No trigger catches at least"
                " {support} more with precision {precision} or higher.",
                entry.positives,
            ).format(support=number(support), precision=number(precision), **counts)
        positives, wrong, new = entry.together
        return ngettext(
            "{code}: {accepted} accepted sentence, the rules catch {caught}; the proposals catch {new} more (right"
            " in {right} of {decided} decided sentences). The machine proposes, the researchers choose.  [dim]space:"
            " mark · w: add to codebook[/]",
            "{code}: {accepted} accepted sentences, the rules catch {caught}; the proposals catch {new} more (right"
            " in {right} of {decided} decided sentences). The machine proposes, the researchers choose.  [dim]space:"
            " mark · w: add to codebook[/]",
            entry.positives,
        ).format(new=number(new), right=number(positives), decided=number(positives + wrong), **counts)

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
            self.notify(_("No proposals to add"))
            return
        field = self.query_one("#rules-file", Input)
        field.value = field.value or RuleProposalsScreen.last_file
        field.display = True
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify(_("Enter the codebook file"), severity="warning")
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
        self.notify(
            _("Added rule {rule} to {path} and loaded the codebook (u undoes the loading)").format(
                rule=f"{code}:{rule.spec['id']}", path=path
            )
        )
        self.marked.clear()
        self.compute()

    def action_back(self) -> None:
        field = self.query_one("#rules-file", Input)
        if field.display:
            field.display = False
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()
