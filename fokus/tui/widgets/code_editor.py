"""Edit what a code says: its name and its definition."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea

from fokus.i18n import N_, _

UNSAVED = N_("Not saved: esc again discards the changes, ctrl+s saves")


@dataclass(frozen=True)
class CodeText:
    """A code's name and definition, as the editor returns them (stripped; an empty definition is "")."""

    name: str
    description: str


class CodeEditor(ModalScreen[CodeText | None]):
    """Returns the edited name and definition (ctrl+s), or None when dismissed (escape; twice if something was
    changed, so a slip of the finger does not throw the text away)."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="code_editor.save"),
        Binding("escape", "cancel", N_("Cancel"), id="code_editor.cancel"),
    ]
    DEFAULT_CSS = """
    CodeEditor { align: center middle; }
    CodeEditor > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    CodeEditor Label { width: 100%; }
    CodeEditor .code-editor-field { margin-top: 1; text-style: bold; }
    CodeEditor TextArea { height: 10; }
    """

    def __init__(self, path: str, text: CodeText) -> None:
        super().__init__()
        self.path = path
        self.initial = text
        self.warned = False

    def compose(self) -> ComposeResult:
        with Vertical():
            heading = _("Edit the code [b]{code}[/b][dim]  ctrl+s saves, esc cancels[/dim]")
            yield Label(Text.from_markup(heading.format(code=escape(self.path))))
            yield Label(_("Name"), classes="code-editor-field")
            yield Input(self.initial.name, id="code-name", max_length=200)
            yield Label(_("Definition"), classes="code-editor-field")
            yield TextArea(self.initial.description, id="code-description", soft_wrap=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def edited(self) -> CodeText:
        return CodeText(self.query_one(Input).value.strip(), self.query_one(TextArea).text.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.edited()
        if not text.name:
            self.notify(_("The code needs a name"), severity="error")
            self.query_one(Input).focus()
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.edited() != self.initial and not self.warned:
            self.warned = True
            self.notify(_(UNSAVED), severity="warning")
            return
        self.dismiss(None)
