"""`fokus init`, `fokus status` and `fokus demo`: making a project and seeing what it holds."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import db_of, default_coder, open_ctx, progress_bar
from fokus.cli.tagging import echo_tagging
from fokus.errors import FokusError


@click.command("init")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), help="A YAML codebook.")
@click.option("--empty", is_flag=True, help="Start without a codebook (to import one, or a REFI-QDA project).")
@click.pass_context
def init_command(ctx: click.Context, codebook_path: Path | None, empty: bool) -> None:
    """Create a new project, with the default codebook unless told otherwise.

    \b
    Example:
      fokus --db studie.db init --codebook codebooks/kommune-sosiale-medier.yaml
    """
    from fokus.api.codebook import load_codebook
    from fokus.files.codebook import load_codebook as read_codebook
    from fokus.resources import default_codebook
    from fokus.store.project import create_project

    if empty and codebook_path:
        raise click.UsageError("--empty and --codebook exclude each other")
    spec = None if empty else read_codebook(codebook_path or default_codebook())
    # the schema and the codebook in one transaction: a failed init leaves no project (and no file) behind
    project, report = create_project(db_of(ctx), lambda session: load_codebook(session, spec) if spec else None)
    project.close()
    what = f"with the codebook {spec.name!r} ({len(report.added)} codes)" if spec and report else "with no codebook"
    click.echo(f"Created the project {db_of(ctx)} {what}.")


def _remove_new_sqlite(db: str) -> None:
    if "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable.")
@click.pass_context
def status_command(ctx: click.Context, as_json: bool) -> None:
    """Show what the project holds: messages, threads, participants, cases, codes and codings.

    \b
    Example:
      fokus status --json
    """
    from fokus.api.status import project_status

    project = open_ctx(ctx)
    with project.read() as session:
        numbers = project_status(session)
    if as_json:
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    _echo_status(project.display, numbers)


def _echo_status(display: str, numbers: dict[str, Any]) -> None:
    codings_ = numbers["codings"]
    click.echo(f"Project {display}")
    if numbers["group"]:
        click.echo(f"  group         {numbers['group']}")
    click.echo(
        f"  messages      {numbers['messages']} in {numbers['threads']} threads"
        + (f", {numbers['sentences']} sentences" if numbers["sentences"] else "")
    )
    if numbers["first_message"]:
        click.echo(f"  period        {numbers['first_message'][:10]} to {numbers['last_message'][:10]}")
    click.echo(
        f"  participants  {numbers['participants']} ({numbers['participants_with_case']} linked to a case)"
        f" from {numbers['cases']} cases"
    )
    click.echo(f"  codebook      {numbers['codebook'] or '-'} ({numbers['codes']} codes)")
    click.echo(
        f"  codings       {codings_['accepted']} accepted, {codings_['suggested']} suggested,"
        f" {codings_['rejected']} rejected; coders: {', '.join(numbers['coders']) or '-'}"
    )
    if numbers.get("codings_to_review"):
        click.echo(f"  to review     {numbers['codings_to_review']} codings after edits (`fokus codings flagged`)")


@click.command("demo")
@click.option("--no-tui", is_flag=True, help="Build and summarise the demo project without opening the TUI.")
@click.option("--fresh", is_flag=True, help="Delete the demo project first and build it anew.")
@click.pass_context
def demo_command(ctx: click.Context, no_tui: bool, fresh: bool) -> None:
    """Build the demo project from the bundled focus-group corpus and summarise it.

    Uses ./fokus-demo.db unless --db is given. Running it again adds nothing twice and keeps your own coding.

    \b
    Example:
      fokus demo --no-tui
    """
    from fokus.api.demo import build_demo
    from fokus.api.status import project_status
    from fokus.store import open_project

    root = ctx.find_root()
    explicit = root.get_parameter_source("db") not in (click.core.ParameterSource.DEFAULT, None)
    db = db_of(ctx) if explicit else "fokus-demo.db"
    path = None if "://" in db else Path(db)
    if fresh and path is not None and path.exists():
        _refuse_unless_demo(db)
        _remove_new_sqlite(db)
    created = path is None or not path.exists()
    project = open_project(db, create=created)
    ctx.call_on_close(project.close)
    with progress_bar("demo") as progress, project.begin() as session:
        report = build_demo(session, progress=progress)
    with project.read() as session:
        numbers = project_status(session)
    click.echo(
        f"{'Built' if created else 'Updated'} the demo: {report.messages.messages_added} messages added"
        f" ({report.messages.existing} already there, merged from {len(report.messages.sources)} export files),"
        f" {report.codings.added} hand codings added."
    )
    echo_tagging(report.tagging)
    _echo_status(db, numbers)
    _echo_demo_hypotheses(project)
    if no_tui:
        click.echo(f"\nNext: fokus --db {db} tui | freq | cooc | hypotheses check FILE | practices | agreement")
        return
    from fokus.tui.app import FokusApp

    FokusApp(project, os.environ.get("FOKUS_CODER") or default_coder()).run()


def _echo_demo_hypotheses(project: Any) -> None:
    """The study's hypotheses checked against the demo's coding, in one line each."""
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.files.hypotheses import load_hypotheses
    from fokus.resources import default_hypotheses

    path = default_hypotheses()
    with project.read() as session:
        checked = check_hypotheses(session, load_hypotheses(path))
    click.echo(f"\nThe study's hypotheses ({path.name}), on the researchers' coding:")
    for row in checked.brief().rows():
        click.echo(f"  {row['id']:<4} {row['verdict']:<15} {row['test']}, {row['effect'] or '-'}")


def _refuse_unless_demo(db: str) -> None:
    from fokus.domain.settings import is_demo
    from fokus.store import open_project

    project = open_project(db)
    try:
        with project.read() as session:
            demo = is_demo(session)
    finally:
        project.close()
    if not demo:
        raise FokusError("is not a demo project; --fresh deletes only demo projects", path=db)
