"""What every command module shares: opening the project, writing output, showing a report in a format."""

from __future__ import annotations

from typing import Any

import click

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "md"]),
    default="table",
    show_default=True,
    help="table for the terminal, csv (tidy: one observation per row), json, or md (a report that reads on its own).",
)
OUTPUT_OPTION = click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file, not stdout.")


def db_of(ctx: click.Context) -> str:
    return str(ctx.find_root().obj["db"])


def open_ctx(ctx: click.Context) -> Any:
    """Open (and if needed migrate) the project named by --db; closed when the command ends."""
    from fokus.store import open_project

    project = open_project(db_of(ctx))
    if project.backup is not None:
        click.echo(f"Migrated the project to the current schema; the old one is saved as {project.backup}", err=True)
    ctx.call_on_close(project.close)
    return project


def output(path: str | None) -> Any:
    """stdout, or a file written atomically (a failed export leaves no half-written file)."""
    target = path or "-"
    return click.open_file(target, "w", encoding="utf-8", atomic=target != "-")


def emit(report: Any, fmt: str, path: str | None = None) -> None:
    """Show an analysis report (fokus.analysis.report.Report) as a rich table, CSV, JSON or Markdown."""
    from fokus.analysis.report import cell, write_report

    if fmt != "table":
        with output(path) as out:
            write_report(report, fmt, out)
        if path:
            click.echo(f"Wrote {path}.", err=True)
        return
    from rich.console import Console
    from rich.table import Table

    columns = getattr(report, "terminal_columns", report.columns)()  # a narrower choice for the terminal, if any
    rows = report.rows()
    table = Table(title=report.title)
    for column in columns:
        values = [row.get(column) for row in rows if row.get(column) is not None]
        numeric = bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in columns))
    if path is None:
        Console().print(table)
        return
    with output(path) as out:
        Console(file=out, width=200).print(table)
