"""`fokus export`: project data, pseudonymised."""

from __future__ import annotations

import click

from fokus.cli.common import RAW_CSV_OPTION, export_rows


@click.group("export")
def export_group() -> None:
    """Export project data (pseudonymised)."""


@export_group.command("messages")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write to a file instead of stdout.")
@RAW_CSV_OPTION
@click.option("--real-names", is_flag=True, help="Leave names in the texts and add real names (prints a warning).")
@click.pass_context
def export_messages(ctx: click.Context, fmt: str, output: str | None, real_names: bool) -> None:
    """Export messages with ids, thread, parent, participant pseudonym, case, time and text.

    \b
    Example:
      fokus export messages --format json -o messages.json
    """
    from fokus.api.exports import MESSAGE_COLUMNS, message_rows

    export_rows(ctx, message_rows, MESSAGE_COLUMNS, fmt, output, real_names, "messages")
