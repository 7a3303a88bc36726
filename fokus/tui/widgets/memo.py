"""Write a memo (or a good-practice summary), or edit one: the editor opens with the memo's text, and ``escape``
asks before it throws typed text away."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, TextArea

from fokus.api.memos import edit_memo
from fokus.i18n import N_, _

if TYPE_CHECKING:
    from fokus.tui.workbench import Workbench


class DiscardMemo(ModalScreen[bool]):
    """Asked when ``escape`` would throw away typed text: True to discard it, False (the default) to keep editing."""

    BINDINGS = [
        Binding("escape", "keep", N_("Keep writing"), id="discard.keep"),
        Binding("f", "discard", N_("Discard"), id="discard.discard"),
    ]
    DEFAULT_CSS = """
    DiscardMemo { align: center middle; }
    DiscardMemo > Vertical {
        width: 52; max-width: 100%; height: auto; border: round $warning; background: $surface; padding: 0 1;
    }
    DiscardMemo Horizontal { height: auto; margin-top: 1; }
    DiscardMemo Button { margin-right: 2; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Discard the text you have written?"))
            with Horizontal():
                yield Button(_("Keep writing (esc)"), id="discard-keep", variant="primary")
                yield Button(_("Discard (f)"), id="discard-discard", variant="error")

    def on_mount(self) -> None:
        self.query_one("#discard-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "discard-discard")

    def action_keep(self) -> None:
        self.dismiss(False)

    def action_discard(self) -> None:
        self.dismiss(True)


class MemoEditor(ModalScreen[str | None]):
    """Returns the text (ctrl+s), or None when dismissed (escape; asked first if text was typed or changed)."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="memo.save"),
        Binding("escape", "cancel", N_("Cancel"), id="memo.cancel"),
    ]
    DEFAULT_CSS = """
    MemoEditor { align: center middle; }
    MemoEditor > Vertical {
        width: 80; max-width: 100%; height: 20; max-height: 100%; border: round $accent; background: $surface;
        padding: 0 1;
    }
    MemoEditor Label { width: 100%; }
    MemoEditor TextArea { height: 1fr; }
    """

    def __init__(self, title: str, text: str = "") -> None:
        """``text``: the memo being edited (empty for a new one)."""
        super().__init__()
        self.title_text = title
        self.initial = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{self.title_text}[/b]")
            if self.initial:
                yield Label(_("[dim]Editing the memo · ctrl+s saves · esc cancels[/]"))
            else:
                yield Label(_("[dim]New memo · ctrl+s saves · esc cancels[/]"))
            yield TextArea(self.initial, id="memo-text")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def typed(self) -> bool:
        """Whether the text differs from what the editor opened with."""
        return self.query_one(TextArea).text.strip() != self.initial.strip()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        if not self.typed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)
            else:
                self.query_one(TextArea).focus()

        self.app.push_screen(DiscardMemo(), answered)


def write_memo(
    screen: Screen[Any],
    fokus: Workbench,
    title: str,
    own: tuple[int, str] | None,
    add: Callable[[Session, str], object],
    *,
    then: Callable[[], None] | None = None,
) -> None:
    """Open the editor on the researcher's own memo (``own``: its id and text) to edit it, or empty to write a new
    one with ``add(session, text)``; save as one step that undo takes back, say so, and call ``then``."""

    def saved(text: str | None) -> None:
        if not text:
            return
        if own is None:
            if fokus.write(lambda s: add(s, text)) is not None:
                screen.notify(_("Memo saved"))
        else:
            step = fokus.write(lambda s: edit_memo(s, own[0], text, fokus.coder_id))
            if step is not None:
                screen.notify(_("Memo changed") if step.changed else _("The memo is unchanged"))
        if then is not None:
            then()

    screen.app.push_screen(MemoEditor(title, own[1] if own else ""), saved)
