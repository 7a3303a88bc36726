"""`fokus backup`, `restore`, `undo` and `redo`: the commands that protect a researcher's work or take a step back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fokus.cli.common import CODER_OPTION, coder_id, db_of, open_ctx
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number

if TYPE_CHECKING:
    from fokus.api.coding_actions import StepReport
    from fokus.api.step_summary import StepSummary


def _sqlite_path(ctx: click.Context) -> Path:
    db = db_of(ctx)
    if "://" in db:
        raise click.UsageError(
            _(
                "restore writes a copy back into a SQLite file; for a project on a server, copy the backup into a new"
                " empty database: {command}"
            ).format(command="fokus copy BACKUP.bak postgresql+psycopg://user@host/newdb")
        )
    path = Path(db).expanduser()
    if not path.is_file():
        from fokus.errors import FokusError

        raise FokusError(_("no project here"), path=db, hint=_("create one with `fokus init`, or pass --db"))
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
            size = _("{size} MB").format(size=number(one.size / 1e6, 1))
            click.echo(f"{one.path.name}  {one.taken:%Y-%m-%d %H:%M:%S} UTC  {one.label}  {size}")
        if not found:
            click.echo(_("No backups yet (fokus backup makes one)."))
        for broken in incomplete(path):
            click.echo(
                f"{broken.path.name}  " + _("incomplete: shorter than its header says; not a usable copy, not counted")
            )
        return
    if keep < 1:
        raise click.BadParameter(_("keep at least 1"), param_hint="--keep")
    if project is not None:
        from fokus.store.copy import sqlite_snapshot

        path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(path)
        copy = backup_path(path, label)
        report = sqlite_snapshot(project, copy)
        shown = project.display
        detail = _("{rows} rows in {tables} tables, checked").format(
            rows=number(report.rows), tables=number(len(report.tables))
        )
    else:
        copy = backup_sqlite(path, label, keep=None)
        shown, detail = str(path), ""
    removed = prune(path, keep)
    if detail:
        line = _("Backed up {project} to {copy} ({detail})").format(project=shown, copy=copy, detail=detail)
    else:
        line = _("Backed up {project} to {copy}").format(project=shown, copy=copy)
    if removed:
        click.echo(_("{backed_up}; removed {count} older copies.").format(backed_up=line, count=number(len(removed))))
    else:
        click.echo(line + ".")


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
        click.confirm(
            _("Replace {project} with {backup}? (the current state is backed up first)").format(
                project=path, backup=backup.name
            ),
            abort=True,
        )
    before = restore_sqlite(path, backup)
    click.echo(
        _("Restored {project} from {backup}; the state it replaced is in {before}.").format(
            project=path, backup=backup.name, before=before.name
        )
    )
    project = open_ctx(ctx)  # migrates an older copy to the current schema (after its own backup)
    project.close()


def _step(ctx: click.Context, coder: str | None, redo: bool) -> None:
    from fokus.api import coding_actions
    from fokus.api.step_summary import reverted_step

    project = open_ctx(ctx)
    revert = coding_actions.redo if redo else coding_actions.undo

    def run(session: Any) -> tuple[StepReport, StepSummary | None] | None:
        step = revert(session, coder_id(session, coder))
        return None if step is None else (step, reverted_step(session, step.batch))

    done = project.step(run)  # a coder's step, as in the TUI
    if done is None:
        click.echo(_("Nothing to redo.") if redo else _("Nothing to undo."))
        return
    step, summary = done
    changes = ngettext("{count} change", "{count} changes", step.changed).format(count=number(step.changed))
    if summary is not None:
        names = {kind: _(name) for kind, name in STEP_NAMES.items()}
        changes = _("{changes} ({step})").format(changes=changes, step=summary.phrase(names, ", "))
    if redo:
        line = _("Redid one step: {changes}").format(changes=changes)
    else:
        line = _("Undid one step: {changes}").format(changes=changes)
    if step.conflicts:
        click.echo(
            _("{done}; {count} changed by others since, left as they are.").format(
                done=line, count=number(step.conflicts)
            )
        )
    else:
        click.echo(line + ".")


#: What a step was, as `fokus undo` names it: "Undid one step: 1 change (a coding, dialog: «...»)".
STEP_NAMES = {
    "coding": N_("a coding"),
    "uncoding": N_("a removed coding"),
    "recoding": N_("a changed coding"),
    "accept": N_("an accepted suggestion"),
    "reject": N_("a rejected suggestion"),
    "good_practice": N_("a good-practice mark"),
    "code": N_("a codebook change"),
    "memo": N_("a memo"),
    "step": N_("a step"),
}


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
