"""Ask a new user, once, for the name to code under."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class CoderPrompt(ModalScreen[str]):
    """Returns the name typed (the login name when left empty). Every coding, decision and memo carries it, and
    agreement between coders is computed by it, so it is asked for rather than taken from the login."""

    DEFAULT_CSS = """
    CoderPrompt { align: center middle; }
    CoderPrompt Label { width: 100%; }
    CoderPrompt > Vertical {
        width: 64; max-width: 100%; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, login: str, project: str) -> None:
        super().__init__()
        self.login = login
        self.project = project

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Hvem koder i {self.project}?")
            yield Label(
                "[dim]Navnet står på alle kodinger, beslutninger og memoer, og enighet mellom kodere regnes ut fra "
                "det. fokus husker det for dette prosjektet (eller bruk --coder / FOKUS_CODER).[/]"
            )
            yield Input(value=self.login, placeholder="ditt navn eller dine initialer", id="coder-name")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or self.login)
