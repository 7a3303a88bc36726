"""`fokus codings flagged`: the codings to review after a newer export edited their message's text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, open_ctx

COLUMNS = ["coding_id", "message_id", "code", "coder", "status", "state", "old_text", "start", "end", "text"]
TERMINAL = ["coding_id", "message_id", "code", "coder", "state", "old_text", "text"]


@dataclass
class FlaggedReport:
    """The flagged codings as an analysis-style report, so every --format works."""

    items: list[dict[str, Any]]
    title: str = "Codings to review after an edit"

    def columns(self) -> list[str]:
        return [*COLUMNS, "ratio", "at"]

    def terminal_columns(self) -> list[str]:
        return TERMINAL

    def rows(self) -> list[dict[str, Any]]:
        return self.items

    def as_json(self) -> Any:
        return {"title": self.title, "codings": self.items}

    def markdown(self) -> str:
        from fokus.analysis.report import markdown_table

        if not self.items:
            return f"# {self.title}\n\nNone: every coding covers the text it was given.\n"
        return f"# {self.title}\n\n{markdown_table(self.items, COLUMNS)}\n"


@click.command("flagged")
@click.option(
    "--reviewed",
    "reviewed",
    multiple=True,
    type=int,
    metavar="CODING_ID",
    help="Mark a coding as reviewed: its flag is removed (repeatable; logged, so undo knows).",
)
@click.option("--coder", envvar="FOKUS_CODER", help="Who reviewed (with --reviewed; also FOKUS_CODER).")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def flagged_command(
    ctx: click.Context, reviewed: tuple[int, ...], coder: str | None, fmt: str, output: str | None
) -> None:
    """List the codings a newer export moved to edited text (moved) or could not place (lost).

    Each row shows the message, code and coder, the text the coding covered before the edit (old_text) and the
    text it covers now; a coding whose span runs past its message's text is listed as outside. Fix the span in the
    TUI or with `fokus codings add`, then mark the coding reviewed.

    \b
    Examples:
      fokus codings flagged
      fokus codings flagged --reviewed 1812 --reviewed 1813 --coder ingrid
    """
    from fokus.api.reanchor import clear_flags, flagged_codings

    project = open_ctx(ctx)
    if reviewed:
        if not coder:
            raise click.UsageError("say who reviewed: --coder NAME (or FOKUS_CODER)")
        from fokus.api.codings import CoderRegistry
        from fokus.api.events import new_batch
        from fokus.model import CoderKind

        with project.begin() as session:
            coder_id = CoderRegistry(session).get_or_create(coder, CoderKind.HUMAN)
            cleared = clear_flags(session, reviewed, batch=new_batch(), coder_id=coder_id)
        click.echo(f"Marked {cleared} of {len(set(reviewed))} codings reviewed.", err=True)
        return
    with project.read() as session:
        items = flagged_codings(session)
    emit(FlaggedReport(items), fmt, output)
