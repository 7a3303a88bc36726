"""`fokus export`: project data, pseudonymised."""

from __future__ import annotations

import click

from fokus.cli.common import RAW_CSV_OPTION, open_ctx, open_output, raw_csv


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
    from fokus.files.codings import write_rows

    project = open_ctx(ctx)
    if real_names:
        from fokus.cli.privacy import warn_real_names

        warn_real_names()
    columns = (*MESSAGE_COLUMNS, "real_name") if real_names else MESSAGE_COLUMNS
    with project.read() as session, open_output(output) as out:
        count = write_rows(message_rows(session, real_names=real_names), columns, fmt, out, raw_csv=raw_csv())
    if output:
        click.echo(f"Wrote {count} messages to {output}.", err=True)
