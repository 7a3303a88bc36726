"""Backups and codebook surgery: the commands that protect a researcher's work, or change it on purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from fokus.cli.common import db_of, open_ctx


def backup_before(project: Any, label: str) -> Path | None:
    """A backup copy before a command that removes or rewrites work (SQLite projects; a server has its own)."""
    from fokus.store.backup import backup_sqlite
    from fokus.store.failures import read_only

    if project.read_only is not None:  # the command would be refused: say why before anything else
        raise read_only(project.display, project.read_only)
    if project.sqlite_path is None:
        return None
    path = backup_sqlite(project.sqlite_path, label)
    click.echo(f"Backed up the project first: {path.name}", err=True)
    return path


def _sqlite_path(ctx: click.Context) -> Path:
    db = db_of(ctx)
    if "://" in db:
        raise click.UsageError(
            "restore writes a copy back into a SQLite file; for a project on a server, copy the backup into a new"
            " empty database: fokus copy BACKUP.bak postgresql+psycopg://user@host/newdb"
        )
    path = Path(db).expanduser()
    if not path.is_file():
        from fokus.errors import FokusError

        raise FokusError("no project here", path=db, hint="create one with `fokus init`, or pass --db")
    return path


@click.command("backup")
@click.option("--label", default="manual", show_default=True, help="A word for the copy's name.")
@click.option(
    "--keep",
    default=10,
    show_default=True,
    help="Keep this many copies; older ones are deleted (never those taken before a restore).",
)
@click.option("--list", "listing", is_flag=True, help="List the copies instead of making one.")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="For a project on a server: the folder for its copies (default: the current folder).",
)
@click.pass_context
def backup_command(ctx: click.Context, label: str, keep: int, listing: bool, folder: Path | None) -> None:
    """Copy the project beside itself with SQLite's online backup API (safe while the TUI or others work); a
    project on a server is written into a SQLite file (a checked `fokus copy`), in --to or the current folder.

    fokus also makes a copy of a SQLite project before every migration and before every command that removes or
    rewrites work.

    \b
    Examples:
      fokus backup
      fokus backup --label before-recoding --keep 20
      fokus backup --list
      fokus --db postgresql+psycopg://ingrid@db.example.org/kommuner backup --to ~/kopier
    """
    from fokus.store.backup import backup_path, backup_sqlite, backups, incomplete, prune, remove_leftovers

    server = "://" in db_of(ctx)
    project = open_ctx(ctx) if server else None
    if project is not None:
        path = (folder or Path.cwd()).expanduser() / (project.url.database or "fokus")
    else:
        path = _sqlite_path(ctx)
    if listing:
        found = backups(path)
        for one in found:
            click.echo(f"{one.path.name}  {one.taken:%Y-%m-%d %H:%M:%S} UTC  {one.label}  {one.size / 1e6:.1f} MB")
        if not found:
            click.echo("No backups yet (fokus backup makes one).")
        for broken in incomplete(path):
            click.echo(f"{broken.path.name}  incomplete: shorter than its header says; not a usable copy, not counted")
        return
    if keep < 1:
        raise click.BadParameter("keep at least 1", param_hint="--keep")
    if project is not None:
        from fokus.store.copy import sqlite_snapshot

        path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(path)
        copy = backup_path(path, label)
        report = sqlite_snapshot(project, copy)
        shown = project.display
        detail = f" ({report.rows:,} rows in {len(report.tables)} tables, checked)"
    else:
        copy = backup_sqlite(path, label, keep=None)
        shown, detail = str(path), ""
    removed = prune(path, keep)
    click.echo(f"Backed up {shown} to {copy}{detail}" + (f"; removed {len(removed)} older copies." if removed else "."))


@click.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_command(ctx: click.Context, backup: Path, yes: bool) -> None:
    """Write a backup copy back into the project (the current state is backed up first, so this can be undone).

    \b
    Example:
      fokus restore fokus.db.20261201T101500000000Z.manual.bak
    """
    from fokus.store.backup import check_backup, restore_sqlite

    path = _sqlite_path(ctx)
    if not backup.is_absolute() and not backup.exists():
        backup = path.parent / backup
    check_backup(backup)
    if not yes:
        click.confirm(f"Replace {path} with {backup.name}? (the current state is backed up first)", abort=True)
    before = restore_sqlite(path, backup)
    click.echo(f"Restored {path} from {backup.name}; the state it replaced is in {before.name}.")
    project = open_ctx(ctx)  # migrates an older copy to the current schema (after its own backup)
    project.close()


CODER_OPTION = click.option(
    "--coder", envvar="FOKUS_CODER", help="Who does it, for the event log and undo (also FOKUS_CODER; default: you)."
)


def _coder_id(session: Any, coder: str | None) -> int:
    import getpass

    from fokus.api.codings import CoderRegistry
    from fokus.model import CoderKind

    if not coder:
        try:
            coder = getpass.getuser()
        except Exception:  # no user name in this environment
            coder = "koder"
    return CoderRegistry(session).get_or_create(coder, CoderKind.HUMAN)


def _echo_surgery(what: str, report: Any) -> None:
    line = f"{what}: {', '.join(report.codes)}; {report.codings} codings"
    if report.duplicates:
        line += f", {report.duplicates} already on the target (removed, not doubled)"
    if report.memos:
        line += f", {report.memos} memos"
    click.echo(line + ". `fokus undo` takes it back.")


@click.command("rename")
@click.argument("code")
@click.argument("new_id", required=False)
@click.option("--name", help="A new name too (or only).")
@CODER_OPTION
@click.pass_context
def rename_command(ctx: click.Context, code: str, new_id: str | None, name: str | None, coder: str | None) -> None:
    """Give a code a new id (and/or name); its codings and sub-codes follow.

    \b
    Examples:
      fokus codebook rename krise/for krise/beredskap
      fokus codebook rename krise/for --name "Før krisen inntreffer"
    """
    from fokus.api.codebook_edit import rename_code

    leaf = new_id.rsplit("/", 1)[-1] if new_id else None
    if new_id and "/" in new_id and new_id.rsplit("/", 1)[0] != code.rsplit("/", 1)[0]:
        raise click.UsageError("rename keeps a code's parent; use `fokus codebook move` to move it")
    project = open_ctx(ctx)
    with project.begin() as session:
        report = rename_code(session, code, leaf, name=name, coder_id=_coder_id(session, coder))
    _echo_surgery("Renamed", report)


@click.command("move")
@click.argument("code")
@click.option("--to", "parent", help="The new parent code.")
@click.option("--top", is_flag=True, help="Make it a top-level code.")
@CODER_OPTION
@click.pass_context
def move_command(ctx: click.Context, code: str, parent: str | None, top: bool, coder: str | None) -> None:
    """Move a code (with its sub-codes and codings) under another parent, or to the top.

    \b
    Example:
      fokus codebook move dialog/tone --to omdomme
    """
    from fokus.api.codebook_edit import move_code

    if bool(parent) == top:
        raise click.UsageError("give --to PARENT or --top")
    project = open_ctx(ctx)
    with project.begin() as session:
        report = move_code(session, code, parent, coder_id=_coder_id(session, coder))
    _echo_surgery("Moved", report)


@click.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@CODER_OPTION
@click.pass_context
def merge_command(ctx: click.Context, source: str, target: str, yes: bool, coder: str | None) -> None:
    """Merge SOURCE into TARGET: its codings and memos move to TARGET, then SOURCE is removed.

    \b
    Example:
      fokus codebook merge ressurser/tid ressurser --yes
    """
    from fokus.api.codebook_edit import affected, merge_codes

    project = open_ctx(ctx)
    with project.read() as session:
        codings, _below, memos = affected(session, source)
    if not yes:
        click.confirm(f"Merge {source} ({codings} codings, {memos} memos) into {target}?", abort=True)
    backup_before(project, "before-merge")
    with project.begin() as session:
        report = merge_codes(session, source, target, coder_id=_coder_id(session, coder))
    _echo_surgery(f"Merged {source} into", report)


@click.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@CODER_OPTION
@click.pass_context
def delete_command(ctx: click.Context, code: str, yes: bool, coder: str | None) -> None:
    """Delete a code and its codings; everything stays recoverable with `fokus undo` (and in the backup made first).

    \b
    Example:
      fokus codebook delete plattform/twitter --yes
    """
    from fokus.api.codebook_edit import affected, delete_code

    project = open_ctx(ctx)
    with project.read() as session:
        codings, _below, memos = affected(session, code)
    click.echo(f"Deleting {code} removes {codings} codings" + (f" and detaches {memos} memos." if memos else "."))
    if not yes:
        click.confirm("Delete it?", abort=True)
    backup_before(project, "before-delete")
    with project.begin() as session:
        report = delete_code(session, code, coder_id=_coder_id(session, coder))
    _echo_surgery("Deleted", report)


def _step(ctx: click.Context, coder: str | None, redo: bool) -> None:
    from fokus.api import coding_actions

    project = open_ctx(ctx)
    revert = coding_actions.redo if redo else coding_actions.undo
    step = project.step(lambda session: revert(session, _coder_id(session, coder)))  # a coder's step, as in the TUI
    if step is None:
        click.echo("Nothing to redo." if redo else "Nothing to undo.")
        return
    line = f"{'Redid' if redo else 'Undid'} one step: {step.changed} changes"
    click.echo(line + (f"; {step.conflicts} changed by others since, left as they are." if step.conflicts else "."))


@click.command("undo")
@CODER_OPTION
@click.pass_context
def undo_command(ctx: click.Context, coder: str | None) -> None:
    """Undo your latest step (a coding, a decision, a codebook change), from the event log; the TUI's u.

    \b
    Example:
      fokus undo --coder ingrid
    """
    _step(ctx, coder, redo=False)


@click.command("redo")
@CODER_OPTION
@click.pass_context
def redo_command(ctx: click.Context, coder: str | None) -> None:
    """Redo the step you undid last (unless you have done something new since).

    \b
    Example:
      fokus redo --coder ingrid
    """
    _step(ctx, coder, redo=True)


COMMANDS = [backup_command, restore_command, undo_command, redo_command]
CODEBOOK_COMMANDS = [rename_command, move_command, merge_command, delete_command]
