"""`fokus codebook`: loading, exporting and showing the codebook, and its surgery (rename, move, merge,
delete), each one step that `fokus undo` takes back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import CODER_OPTION, backup_before, coder_id, open_ctx, wrote
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.i18n.formats import number


@click.group("codebook")
def codebook_group() -> None:
    """The codebook: codes, definitions, notes and examples."""


@codebook_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the load would change; change nothing.")
@click.option("--yes", is_flag=True, help="Move existing codes without asking (a load that moves codes asks first).")
@click.option("--coder", envvar="FOKUS_CODER", help="Whose step it is, for undo (also FOKUS_CODER; default: you).")
@click.pass_context
def codebook_load(ctx: click.Context, file: Path, dry_run: bool, yes: bool, coder: str | None) -> None:
    """Load a YAML codebook or a REFI-QDA .qdc: add new codes, update changed ones, keep codes the file lacks.

    A code the file has under another parent is moved there with its codings and sub-codes; the plan is shown
    first, and a load that moves codes (a typo in a parent's id makes a new parent take over its children) asks
    for confirmation, or needs --yes when nobody is at the terminal. The load is one step: `fokus undo` takes it
    back. A .qdc holds no auto-coding rules, so loading one leaves the project's rules as they are.

    \b
    Examples:
      fokus codebook load codebooks/kommune-sosiale-medier.yaml --dry-run
      fokus codebook load codebooks/kommune-sosiale-medier.yaml
    """
    from fokus.api.codebook import load_codebook, plan_codebook

    spec, with_rules = _read_any_codebook(file)
    project = open_ctx(ctx)
    with project.read() as session:
        plan = plan_codebook(session, spec, with_rules=with_rules)
        shown = plan.lines()
    for line in shown:
        click.echo(line)
    if dry_run:
        click.echo(
            _("Dry run: nothing was changed.") if shown else _("Dry run: the project has this codebook already.")
        )
        return
    if plan.moves and not yes:
        if not sys.stdin.isatty():
            raise FokusError(
                _("loading {file} moves existing codes (see above); nothing was changed").format(file=file),
                hint=_("check the plan, then run again with --yes"),
            )
        click.confirm(_("Load the codebook?"), abort=True)
    with project.begin() as session:
        again = plan_codebook(session, spec, with_rules=with_rules)  # in the write transaction: what it does
        if again.lines() != shown:
            raise FokusError(
                _("the codebook changed since the plan was shown; nothing was changed"), hint=_("run it again")
            )
        report = load_codebook(session, spec, with_rules=with_rules, coder_id=coder_id(session, coder), plan=again)
    if report.batch:
        loaded = _(
            "Codebook {name!r}: {added} added, {updated} updated, {moved} moved, {unchanged} unchanged."
            " `fokus undo` takes it back."
        )
    else:
        loaded = _("Codebook {name!r}: {added} added, {updated} updated, {moved} moved, {unchanged} unchanged.")
    click.echo(
        loaded.format(
            name=spec.name,
            added=number(len(report.added)),
            updated=number(len(report.updated)),
            moved=number(len(report.moved)),
            unchanged=number(report.unchanged),
        )
    )
    if report.kept:
        click.echo(_("(fokus codebook merge/delete removes a code the file does not have, on purpose.)"))


def _read_any_codebook(file: Path) -> tuple[Any, bool]:
    """A YAML codebook, or a REFI-QDA .qdc (which holds no rules); and whether it speaks for the rules."""
    if file.suffix.lower() in (".qdc", ".xml"):
        from fokus.exchange.qdc import read_qdc

        return read_qdc(file).spec, False
    from fokus.files.codebook import load_codebook as read_codebook

    return read_codebook(file), True


@codebook_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["qdc"]), default="qdc", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The file.")
@click.pass_context
def codebook_export(ctx: click.Context, fmt: str, output: Path) -> None:
    """Export the codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder and qc.

    \b
    Example:
      fokus codebook export --format qdc -o kodebok.qdc
    """
    from fokus.exchange.codebook_export import export_codebook

    project = open_ctx(ctx)
    with project.begin() as session:
        written = export_codebook(session, output)
    click.echo(wrote("codes", written, str(output)))


@codebook_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of codes (id, name, parent, description, color...).")
@click.pass_context
def codebook_show(ctx: click.Context, as_json: bool) -> None:
    """Show the codebook as a tree with usage counts, or as JSON.

    \b
    Example:
      fokus codebook show --json
    """
    from fokus.api.codebook import codebook_rows

    project = open_ctx(ctx)
    with project.read() as session:
        rows = codebook_rows(session)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.tree import Tree

    from fokus.domain.codes import shown_name

    tree = Tree(_("Codebook"))
    nodes: dict[str, Tree] = {}
    for row in rows:
        parent = nodes.get(row["parent"], tree) if row["parent"] else tree
        style = row["color"] or "default"
        used = _("{count} codings").format(count=number(row["codings"]))
        label = f"[{style}]■[/] [bold]{row['id']}[/] {shown_name(row)}  [dim]{used}[/]"
        nodes[row["id"]] = parent.add(label)
    Console().print(tree)


def _echo_surgery(what: str, report: Any) -> None:
    """ "Renamed: krise/for; 12 codings, 2 memos. `fokus undo` takes it back." (`what` in the reader's language)."""
    counts = [_("{count} codings").format(count=number(report.codings))]
    if report.duplicates:
        counts.append(_("{count} already on the target (removed, not doubled)").format(count=number(report.duplicates)))
    if report.memos:
        counts.append(_("{count} memos").format(count=number(report.memos)))
    click.echo(
        _("{what}: {codes}; {counts}. `fokus undo` takes it back.").format(
            what=what, codes=", ".join(report.codes), counts=", ".join(counts)
        )
    )


@codebook_group.command("rename")
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
        raise click.UsageError(_("rename keeps a code's parent; use `fokus codebook move` to move it"))
    project = open_ctx(ctx)
    with project.begin() as session:
        report = rename_code(session, code, leaf, name=name, coder_id=coder_id(session, coder))
    _echo_surgery(_("Renamed"), report)


@codebook_group.command("move")
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
        raise click.UsageError(_("give --to PARENT or --top"))
    project = open_ctx(ctx)
    with project.begin() as session:
        report = move_code(session, code, parent, coder_id=coder_id(session, coder))
    _echo_surgery(_("Moved"), report)


@codebook_group.command("merge")
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
        click.confirm(
            _("Merge {source} ({codings} codings, {memos} memos) into {target}?").format(
                source=source, codings=number(codings), memos=number(memos), target=target
            ),
            abort=True,
        )
    backup_before(project, "before-merge")
    with project.begin() as session:
        report = merge_codes(session, source, target, coder_id=coder_id(session, coder))
    _echo_surgery(_("Merged {source} into").format(source=source), report)


@codebook_group.command("delete")
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
    if memos:
        click.echo(
            _("Deleting {code} removes {codings} codings and detaches {memos} memos.").format(
                code=code, codings=number(codings), memos=number(memos)
            )
        )
    else:
        click.echo(_("Deleting {code} removes {codings} codings.").format(code=code, codings=number(codings)))
    if not yes:
        click.confirm(_("Delete it?"), abort=True)
    backup_before(project, "before-delete")
    with project.begin() as session:
        report = delete_code(session, code, coder_id=coder_id(session, coder))
    _echo_surgery(_("Deleted"), report)
