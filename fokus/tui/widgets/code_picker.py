"""Pick a code by typing part of its id or name; recent codes come first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from fokus.i18n import N_, _


def fuzzy(query: str, text: str) -> bool:
    """Every character of the query appears in order in the text ("krfl" finds "krise/flom")."""
    position = 0
    text = text.lower()
    for char in query.lower():
        position = text.find(char, position) + 1
        if position == 0:
            return False
    return True


def closeness(query: str, path: str, name: str) -> int:
    """How well a code answers what was typed, best first: the code itself, a code the query starts (its path, a
    level of it, or its name), then anything it matches letter by letter ("kri" puts krise before dialog/kritikk)."""
    query = query.lower()
    if not query:
        return 0
    if query in (path.lower(), name.lower()):
        return 0
    if path.lower().startswith(query):
        return 1
    if any(level.startswith(query) for level in path.lower().split("/")) or name.lower().startswith(query):
        return 2
    return 3


class CodePicker(ModalScreen[str | None]):
    """Returns the chosen code's id (path), or None when dismissed."""

    BINDINGS = [Binding("escape", "dismiss_picker", N_("Cancel"), id="picker.cancel")]
    DEFAULT_CSS = """
    CodePicker { align: center middle; }
    CodePicker > Vertical { width: 70; height: 24; border: round $accent; background: $surface; padding: 0 1; }
    CodePicker OptionList { height: 1fr; }
    """

    def __init__(self, codes: list[tuple[str, str]], recent: list[str], title: str | None = None) -> None:
        """``codes``: (path, name) of the codable codes, the name in the reader's language
        (``fokus.api.codebook.codable_codes``); ``title``: what the picker asks (already translated), "Code" if
        None."""
        super().__init__()
        self.codes = codes  # (path, name), codable ones
        self.recent = recent
        self.title_text = title if title is not None else _("Code")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Input(placeholder=_("type to search (id or name)"), id="picker-query")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        order = {path: i for i, path in enumerate(self.recent)}
        matches = [(p, n) for p, n in self.codes if fuzzy(query, p) or fuzzy(query, n)]
        matches.sort(key=lambda c: (closeness(query, *c), order.get(c[0], len(order)), c[0]))
        options.add_options([Option(f"{path}  [dim]{name}[/]", id=path) for path, name in matches])
        if matches:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
