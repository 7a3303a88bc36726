"""`fokus copy`: a whole project into a new database, between SQLite and PostgreSQL, checked table by table."""

from __future__ import annotations

import click

from fokus.cli.common import progress_bar
from fokus.i18n import _
from fokus.i18n.formats import number


@click.command("copy")
@click.argument("source")
@click.argument("target")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary, not a line per table.")
def copy_command(source: str, target: str, quiet: bool) -> None:
    """Copy the project SOURCE into a new database TARGET, between SQLite and PostgreSQL either way (or alike).

    SOURCE and TARGET are what --db takes: a SQLite file or a SQLAlchemy URL. TARGET must be new: a file that does
    not exist yet, or an empty PostgreSQL database. fokus makes its schema with its own migrations and copies every
    table with its ids, in one transaction, from one snapshot of SOURCE (others may keep working on it). Before
    committing, each table is counted and checksummed on both sides; on any difference or error nothing is left
    behind. A line per table shows its rows and checksum.

    The copy is the project itself, not an export: participants' real names are copied as they are (nothing is
    pseudonymised or redacted), so keep TARGET as safe as SOURCE. (A new file gets the source file's permissions,
    or, copied from a server, is readable by you alone.)

    \b
    Examples:
      fokus copy studie.db postgresql+psycopg://ingrid@db.uio.no/studie
      fokus copy postgresql+psycopg://ingrid@db.uio.no/studie studie-kopi.db
    """
    from fokus.store.copy import copy_project, open_source
    from fokus.store.copy_target import check_target

    check_target(target)  # before the source is opened (and, if it is older, migrated)
    project = open_source(source)
    try:
        if project.backup is not None:
            click.echo(
                _("Migrated {project} to the current schema; the old one is saved as {path}").format(
                    project=project.display, path=project.backup
                ),
                err=True,
            )
        with progress_bar(_("copy")) as progress:
            report = copy_project(project, target, progress=progress)
    finally:
        project.close()
    if not quiet:
        width = max(len(table.name) for table in report.tables)
        for table in report.tables:
            rows = _("{rows} rows").format(rows=f"{number(table.rows):>9}")
            click.echo(f"{table.name:<{width}}  {rows}  sha256 {table.checksum[:16]}  " + _("ok"))
    click.echo(
        _(
            "Copied {rows} rows in {tables} tables from {source} to {target} in {seconds} s (schema {revision});"
            " every table's count and checksum match."
        ).format(
            rows=number(report.rows),
            tables=number(len(report.tables)),
            source=report.source,
            target=report.target,
            seconds=number(report.seconds, 1),
            revision=report.revision,
        )
    )
