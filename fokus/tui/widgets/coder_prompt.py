"""Ask a new user, once, for the name to code under."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from fokus.i18n import _


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
            yield Label(_("Who is coding in {project}?").format(project=escape(self.project)))
            yield Label(
                _(
                    "[dim]The name goes on every coding, decision and memo, and agreement between coders is"
                    " computed from it. fokus remembers it for this project (or use --coder / FOKUS_CODER).[/]"
                )
            )
            yield Input(value=self.login, placeholder=_("your name or initials"), id="coder-name")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or self.login)
