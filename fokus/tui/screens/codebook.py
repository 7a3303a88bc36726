"""The codebook screen (``b``): the code tree, each code's id and name beside its accepted codings and open
suggestions, and everything the codebook says about the code in focus (definition, inclusion, exclusion, examples,
memos). From a code, ``enter`` lists the threads where it is used, ``k`` its coded passages; ``e`` edits its name and
definition (one undoable step: ``u`` takes it back, ``ctrl+r`` does it again); ``m`` writes a memo about it; ``r``
proposes trigger words for its rules, learnt from the coding (:mod:`fokus.tui.screens.rule_proposals`).

The detail pane stands beside the tree when the screen has room for both, below it otherwise (80 columns).

Names, definitions and notes are shown in the reader's language when the codebook gives them in it
(fokus.domain.codes.shown_text); the editor changes the codebook's own texts (fokus.api.codebook_edit.edit_code), so
the pane of a code shown in a translation also shows those, and says that ``e`` edits them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from fokus.api.codebook import code_memo_counts, code_status_counts, codebook_rows
from fokus.domain.codes import shown_text
from fokus.i18n import N_, _, ngettext
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.header import Header

GUIDE = 4  # the Tree's indent per level
ICON = 2  # the Tree's "▼ " before a code with sub-codes
NAME_WIDTH = 44  # longer names are cut in the tree (with "…"); the detail pane shows them whole
COUNTS = (N_("Acc."), 6), (N_("Sugg."), 7)  # accepted codings, open suggestions: headings translated where shown
#: The texts the code editor changes (fokus.api.codebook_edit.edit_code: the stored ones, in the codebook's language)
EDITED = ("name", "description")
DETAIL_WIDTH = 44  # the narrowest detail pane worth putting beside the tree


class CodeTree(Tree[dict[str, Any]]):
    """The codebook's tree; ``enter`` opens the threads of the code under the cursor (named in the footer)."""

    BINDINGS = [Binding("enter", "select_cursor", N_("Threads"), id="codebook.threads")]


@dataclass(frozen=True)
class Columns:
    """Where the tree's columns start: the code's id (after the guides), its name, its counts."""

    name: int
    name_width: int

    @property
    def width(self) -> int:
        return self.name + self.name_width + sum(width for _title, width in COUNTS)

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Columns:
        parents = {row["parent"] for row in rows}
        ids = [_start(row, row["id"] in parents) + 2 + cell_len(_leaf(row)) for row in rows]
        names = [cell_len(row["name"]) for row in rows]
        return cls(max(ids, default=4) + 2, min(max(names, default=4), NAME_WIDTH) + 2)

    def header(self) -> Text:
        text = Text(_("Code").ljust(self.name) + _("Name").ljust(self.name_width), style="bold")
        for title, width in COUNTS:
            text.append(_(title).rjust(width), style="bold")
        return text

    def label(self, row: dict[str, Any], has_children: bool) -> Text:
        """``■ id   name   accepted  suggested``, padded so the names and the counts line up at every depth."""
        start = _start(row, has_children)
        pad = " " * (start - _indent(row, has_children))
        name = row["name"] if cell_len(row["name"]) <= NAME_WIDTH else row["name"][: NAME_WIDTH - 1] + "…"
        text = Text.assemble(pad, ("■", _style(row["color"])), f" {_leaf(row)}")
        text.append(" " * max(2, self.name - start - 2 - cell_len(_leaf(row))))
        text.append(name.ljust(self.name_width - cell_len(name) + len(name)), style="" if row["codable"] else "italic")
        for key, (_title, width) in zip(("accepted", "suggested"), COUNTS, strict=True):
            text.append(str(row[key]).rjust(width), style="dim" if not row[key] else "")
        return text


def _leaf(row: dict[str, Any]) -> str:
    return str(row["id"]).rsplit("/", 1)[-1]


def _indent(row: dict[str, Any], has_children: bool) -> int:
    """Where the Tree starts a code's label: its guides, then the expand icon of a code with sub-codes."""
    return GUIDE * str(row["id"]).count("/") + (ICON if has_children else 0)


def _start(row: dict[str, Any], has_children: bool) -> int:
    """Where a code's square stands: after its guides and icon; a top-level code without sub-codes is moved in to
    line up with its peers that have the icon."""
    if row["parent"] is None and not has_children:
        return ICON
    return _indent(row, has_children)


def _style(color: str | None) -> Style:
    try:
        return Style.parse(color or "white")
    except Exception:  # a colour rich does not know: the square stays plain
        return Style()


class CodebookScreen(FokusScreen):
    BINDINGS = [
        Binding("k", "passages", N_("Passages"), id="codebook.passages"),
        Binding("e", "edit", N_("Edit"), id="codebook.edit"),
        Binding("m", "memo", N_("Memo on code"), id="codebook.memo"),
        Binding("r", "rule_proposals", N_("Propose rules"), id="codebook.rules"),
        Binding("slash", "filter", N_("Filter"), key_display="/", id="codebook.filter"),
        Binding("escape", "back", N_("Back"), id="codebook.back"),
    ]
    DEFAULT_CSS = """
    CodebookScreen #codebook-body { layout: vertical; height: 1fr; }
    CodebookScreen.-wide #codebook-body { layout: horizontal; }
    CodebookScreen #codebook-left { width: 100%; height: 1fr; }
    CodebookScreen #codebook-columns { height: 1; width: 100%; color: $text-muted; }
    CodebookScreen #codebook-tree { height: 1fr; width: 100%; }
    CodebookScreen #codebook-detail { height: 45%; min-height: 7; border-top: solid $primary; padding: 0 1; }
    CodebookScreen.-wide #codebook-left { height: 100%; }
    CodebookScreen.-wide #codebook-detail {
        height: 100%; width: 1fr; border-top: none; border-left: solid $primary;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.columns = Columns(4, 6)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=_("filter codes (id or name)"), id="codebook-filter")
        with Container(id="codebook-body"):
            with Vertical(id="codebook-left"):
                yield Static(id="codebook-columns")
                yield CodeTree(_("Codebook"), id="codebook-tree")
            with VerticalScroll(id="codebook-detail"):
                yield Static(id="codebook-definition")

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        tree = self.query_one(CodeTree)
        tree.show_root = False
        tree.auto_expand = False  # enter opens the threads; space folds a code
        tree.focus()

    def on_screen_resume(self) -> None:
        self.reload()  # the first time, and after coding elsewhere: the counts move

    def on_codings_changed(self, _event: CodingsChanged) -> None:
        self.reload()  # an undo or a redo, perhaps of an edit here

    def on_resize(self, _event: events.Resize) -> None:
        self.lay_out()

    def reload(self) -> None:
        with self.fokus.reading() as session:
            rows = codebook_rows(session)
            counts = code_status_counts(session)
            memos = code_memo_counts(session)
        for row in rows:
            # shown in the reader's language when the codebook has it; the editor changes the stored texts
            row["stored"] = {key: row[key] for key in EDITED}
            row.update({key: shown_text(row, key) for key in ("name", "description", "include", "exclude")})
            row["accepted"] = counts.get((row["id"], "accepted"), 0)
            row["suggested"] = counts.get((row["id"], "suggested"), 0)
            row["memos"] = memos.get(row["id"], 0)
        self.rows = rows
        self.columns = Columns.of(rows)
        self.query_one("#codebook-columns", Static).update(self.columns.header())
        self.fill(self.query_one(Input).value, keep=self.current())
        self.lay_out()

    def lay_out(self) -> None:
        """The tree as wide as its columns and the details beside it, if both fit; else the details below."""
        need = self.columns.width + 2  # the tree's scrollbar
        wide = self.size.width >= need + DETAIL_WIDTH
        self.set_class(wide, "-wide")
        self.query_one("#codebook-left").styles.width = need if wide else "100%"

    def current(self) -> str | None:
        node = self.query_one(CodeTree).cursor_node
        return node.data["id"] if node is not None and node.data else None

    def fill(self, query: str, keep: str | None = None) -> None:
        """The codes whose id or name holds ``query``, with their parents, so the tree still reads as a tree; the
        cursor on ``keep`` if it is shown, else on the first code."""
        tree = self.query_one(CodeTree)
        tree.clear()
        wanted = {
            r["id"] for r in self.rows if query.lower() in " ".join((r["id"], r["name"], r["stored"]["name"])).lower()
        }
        shown = [r for r in self.rows if any(w == r["id"] or w.startswith(r["id"] + "/") for w in wanted)]
        parents = {row["parent"] for row in shown}
        nodes: dict[str, TreeNode[dict[str, Any]]] = {}
        for row in shown:
            parent = nodes.get(row["parent"], tree.root) if row["parent"] else tree.root
            label = self.columns.label(row, row["id"] in parents)
            nodes[row["id"]] = parent.add(label, data=row, expand=True, allow_expand=row["id"] in parents)
        target = nodes.get(keep or "") or next(iter(nodes.values()), None)
        if target is not None:
            tree.last_line  # noqa: B018  # lays out the tree's lines now, so the cursor can go to the node at once
            tree.move_cursor(target)
            self.show(target.data)
        else:
            self.show(None)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[dict[str, Any]]) -> None:
        self.show(event.node.data)

    def show(self, row: dict[str, Any] | None) -> None:
        """Everything the codebook says about one code, in the detail pane."""
        pane = self.query_one("#codebook-definition", Static)
        if not row:
            pane.update(Text(_("No code matches the filter."), style="dim"))
            return
        text = Text.assemble((row["name"], "bold"), "  ", (row["id"], "dim"))
        if not row["codable"]:
            text.append("\n" + _("(parent code: not coded directly)"), style="italic")
        text.append("\n\n")
        text.append(row["description"] or _("No definition yet (e edits)."), style="" if row["description"] else "dim")
        for title, note in ((_("Include:"), row["include"]), (_("Exclude:"), row["exclude"])):
            if note:
                text.append("\n\n")
                text.append(f"{title} ", style="bold")
                text.append(note)
        if row["examples"]:
            text.append("\n\n" + _("Examples:"), style="bold")
            for example in row["examples"]:
                text.append(f"\n  «{example}»")
        counts = ngettext(
            "Accepted codings: {accepted}, open suggestions: {suggested}, memos: {memos}",
            "Accepted codings: {accepted}, open suggestions: {suggested}, memos: {memos}",
            row["memos"],
        ).format(accepted=row["accepted"], suggested=row["suggested"], memos=row["memos"])
        text.append(f"\n\n{counts}", style="italic")
        stored = row["stored"]
        if any(stored[key] != row[key] for key in EDITED):  # shown in a translation: say what e edits
            text.append("\n\n" + _("In the codebook's own language (e edits this):"), style="dim")
            text.append(f"\n{stored['name']}", style="dim bold")
            if stored["description"]:
                text.append(f"\n{stored['description']}", style="dim")
        pane.update(text)
        self.query_one("#codebook-detail", VerticalScroll).scroll_home(animate=False)

    def on_tree_node_selected(self, event: Tree.NodeSelected[dict[str, Any]]) -> None:
        row = event.node.data
        if not row:
            return
        from fokus.api.browse import ThreadFilter
        from fokus.tui.screens.threads import ThreadsScreen

        self.app.push_screen(ThreadsScreen(ThreadFilter(code=row["id"])))

    def action_passages(self) -> None:
        from fokus.tui.screens.passages import PassagesScreen

        path = self.current()
        if path is not None:
            self.app.push_screen(PassagesScreen(code=path))

    def action_edit(self) -> None:
        from fokus.api.codebook_edit import edit_code
        from fokus.tui.widgets.code_editor import CodeEditor, CodeText

        node = self.query_one(CodeTree).cursor_node
        row = node.data if node is not None else None
        if not row:
            return
        path, before = row["id"], CodeText(row["stored"]["name"], row["stored"]["description"] or "")
        app = self.fokus

        def saved(text: CodeText | None) -> None:
            if text is None:
                return
            if text == before:
                self.notify(_("No change"))
                return
            report = app.write(
                lambda s: edit_code(s, path, name=text.name, description=text.description, coder_id=app.coder_id)
            )
            if report is not None:
                self.notify(_("Code {code} changed (u undoes)").format(code=path))
                self.reload()

        self.app.push_screen(CodeEditor(path, before), saved)

    def action_rule_proposals(self) -> None:
        from fokus.tui.screens.rule_proposals import RuleProposalsScreen

        path = self.current()
        if path is not None:
            self.app.push_screen(RuleProposalsScreen(path))

    def action_filter(self) -> None:
        field = self.query_one(Input)
        field.display = True
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value, keep=self.current())

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.query_one(CodeTree).focus()

    def action_memo(self) -> None:
        """A memo on the code in focus: the one you wrote opens to edit, else a new one."""
        from fokus.api.memos import coder_memo, memo_on_code
        from fokus.tui.widgets.memo import write_memo

        path = self.current()
        if path is None:
            return
        app = self.fokus
        with app.reading() as session:
            own = coder_memo(session, app.coder_id, code=path)
        write_memo(
            self,
            app,
            _("Memo on code {code}").format(code=path),
            own,
            lambda s, text: memo_on_code(s, path, text, coder_id=app.coder_id),
            then=self.reload,
        )

    def action_back(self) -> None:
        field = self.query_one(Input)
        if field.has_focus or field.value:  # escape leaves the filter first, then the screen
            field.value = ""
            field.display = False
            self.fill("", keep=self.current())
            self.query_one(CodeTree).focus()
            return
        self.app.pop_screen()
