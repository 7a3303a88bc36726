"""The codebook panel (``b``): the code tree with accepted and suggested counts, the definition of the code in
focus, a filter, and ``enter`` to list the threads where the code is used."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Static, Tree
from textual.widgets.tree import TreeNode

from fokus.api.codebook import code_status_counts, codebook_rows
from fokus.tui.screens.base import FokusScreen


class CodebookScreen(FokusScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filtrer", key_display="/", id="codebook.filter"),
        Binding("m", "memo", "Memo om koden", id="codebook.memo"),
        Binding("escape", "back", "Tilbake", id="codebook.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filtrer koder", id="codebook-filter")
        with Horizontal():
            yield Tree("Kodebok", id="codebook-tree")
            yield Static(id="codebook-definition")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        self.rows = self._rows()
        self.fill("")
        self.query_one(Tree).focus()

    def _rows(self) -> list[dict[str, Any]]:
        with self.fokus.reading() as session:
            rows = codebook_rows(session)
            counts = code_status_counts(session)
        for row in rows:
            row["accepted"] = counts.get((row["id"], "accepted"), 0)
            row["suggested"] = counts.get((row["id"], "suggested"), 0)
        return rows

    def fill(self, query: str) -> None:
        tree = self.query_one(Tree)
        tree.clear()
        tree.root.expand()
        nodes: dict[str, TreeNode[dict[str, Any]]] = {}
        wanted = {r["id"] for r in self.rows if query.lower() in (r["id"] + " " + r["name"]).lower()}
        # keep the parents of what matches, so the tree still reads as a tree
        for row in self.rows:
            if any(w == row["id"] or w.startswith(row["id"] + "/") for w in wanted):
                parent = nodes.get(row["parent"], tree.root) if row["parent"] else tree.root
                label = f"[{row['color'] or 'white'}]■[/] {row['id']}  {row['accepted']} / {row['suggested']}"
                node = parent.add(label, data=row, expand=True)
                nodes[row["id"]] = node

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[dict[str, Any]]) -> None:
        row = event.node.data
        if not row:
            return
        parts = [f"[b]{row['name']}[/b]  ({row['id']})", "", row["description"] or ""]
        if row["include"]:
            parts += ["", f"[b]Inkluder:[/b] {row['include']}"]
        if row["exclude"]:
            parts += ["", f"[b]Ekskluder:[/b] {row['exclude']}"]
        for example in row["examples"]:
            parts.append(f"  «{example}»")
        parts += ["", f"{row['accepted']} godtatte kodinger, {row['suggested']} åpne forslag"]
        self.query_one("#codebook-definition", Static).update("\n".join(parts))

    def on_tree_node_selected(self, event: Tree.NodeSelected[dict[str, Any]]) -> None:
        row = event.node.data
        if not row:
            return
        from fokus.api.browse import ThreadFilter
        from fokus.tui.screens.threads import ThreadsScreen

        self.app.push_screen(ThreadsScreen(ThreadFilter(code=row["id"])))

    def action_filter(self) -> None:
        field = self.query_one(Input)
        field.display = True
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.query_one(Tree).focus()

    def action_memo(self) -> None:
        from fokus.api.memos import memo_on_code
        from fokus.tui.widgets.memo import MemoEditor

        node = self.query_one(Tree).cursor_node
        row = node.data if node is not None else None
        if not row:
            return
        app = self.fokus
        path = row["id"]

        def saved(text: str | None) -> None:
            if text and app.write(lambda s: memo_on_code(s, path, text, coder_id=app.coder_id)):
                self.notify("Memo lagret")

        self.app.push_screen(MemoEditor(f"Memo om koden {row['id']}"), saved)

    def action_back(self) -> None:
        self.app.pop_screen()
