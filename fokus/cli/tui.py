"""`fokus tui`: the project in the terminal UI (Textual is imported only when it opens)."""

from __future__ import annotations

from pathlib import Path

import click

from fokus.cli.common import default_coder, open_ctx


@click.command("tui")
@click.option(
    "--coder",
    envvar="FOKUS_CODER",
    help="Who codes (also FOKUS_CODER); by default the name you gave on your first run in this project, asked once.",
)
@click.option(
    "--hypotheses",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The hypothesis file the analysis screen checks (default: the study's codebooks/hypoteser.yaml).",
)
@click.pass_context
def tui_command(ctx: click.Context, coder: str | None, hypotheses: Path | None) -> None:
    """Open the project in the terminal UI: read threads, code, review suggestions, analyse, undo.

    \b
    Example:
      fokus --db studie.db tui --coder ingrid --hypotheses mine.yaml
    """
    from fokus.tui.app import FokusApp

    project = open_ctx(ctx)
    FokusApp(project, coder, login=default_coder(), hypotheses=hypotheses).run()
