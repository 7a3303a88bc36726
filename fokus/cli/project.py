"""`fokus init`, `fokus status` and `fokus demo`: making a project and seeing what it holds."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import db_of, default_coder, open_ctx, progress_bar
from fokus.cli.tagging import echo_tagging
from fokus.errors import FokusError
from fokus.i18n import _, ngettext
from fokus.i18n.formats import date, number


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
        raise click.UsageError(_("--empty and --codebook exclude each other"))
    spec = None if empty else read_codebook(codebook_path or default_codebook())
    # the schema and the codebook in one transaction: a failed init leaves no project (and no file) behind
    project, report = create_project(db_of(ctx), lambda session: load_codebook(session, spec) if spec else None)
    project.close()
    if spec and report:
        click.echo(
            ngettext(
                "Created the project {db} with the codebook {name!r} ({count} code).",
                "Created the project {db} with the codebook {name!r} ({count} codes).",
                len(report.added),
            ).format(db=db_of(ctx), name=spec.name, count=number(len(report.added)))
        )
    else:
        click.echo(_("Created the project {db} with no codebook.").format(db=db_of(ctx)))


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
    """The project's figures, one line each under a label; the labels padded to one width in any language."""
    codings_ = numbers["codings"]
    n = {key: number(value) for key, value in numbers.items() if isinstance(value, int)}
    lines: list[tuple[str, str]] = []
    if numbers["group"]:
        lines.append((_("group"), numbers["group"]))
    if numbers["sentences"]:
        counted = _("{messages} in {threads} threads, {sentences} sentences")
    else:
        counted = _("{messages} in {threads} threads")
    lines.append((_("messages"), counted.format(**n)))
    if numbers["first_message"]:
        first, last = (dt.date.fromisoformat(numbers[key][:10]) for key in ("first_message", "last_message"))
        lines.append((_("period"), _("{first} to {last}").format(first=date(first), last=date(last))))
    lines.append(
        (
            _("participants"),
            _("{participants} ({participants_with_case} linked to a case) from {cases} cases").format(**n),
        )
    )
    lines.append(
        (_("codebook"), _("{codebook} ({codes} codes)").format(codebook=numbers["codebook"] or "-", codes=n["codes"]))
    )
    lines.append(
        (
            _("codings"),
            _("{accepted} accepted, {suggested} suggested, {rejected} rejected; coders: {coders}").format(
                accepted=number(codings_["accepted"]),
                suggested=number(codings_["suggested"]),
                rejected=number(codings_["rejected"]),
                coders=", ".join(numbers["coders"]) or "-",
            ),
        )
    )
    if numbers.get("pages"):
        lines.append(
            (
                _("pages"),
                _("{pages} public pages, {page_posts} posts, {page_comments} comments (`fokus pages list`)").format(
                    **n
                ),
            )
        )
    if numbers.get("codings_to_review"):
        lines.append(
            (
                _("to review"),
                _("{count} codings after edits (`fokus codings flagged`)").format(count=n["codings_to_review"]),
            )
        )
    click.echo(_("Project {name}").format(name=display))
    width = max(13, *(len(label) for label, _value in lines))
    for label, value in lines:
        click.echo(f"  {label:<{width}} {value}")


@click.command("demo")
@click.option("--no-tui", is_flag=True, help="Build and summarise the demo project without opening the TUI.")
@click.option("--fresh", is_flag=True, help="Delete the demo project first and build it anew.")
@click.option(
    "--focus-group-only",
    is_flag=True,
    help="Only the focus group: leave out the pages of phase 1 and the survey of phase 2 (built in seconds).",
)
@click.pass_context
def demo_command(ctx: click.Context, no_tui: bool, fresh: bool, focus_group_only: bool) -> None:
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
    with progress_bar(_("demo")) as progress, project.begin() as session:
        report = build_demo(session, progress=progress, study=not focus_group_only)
    with project.read() as session:
        numbers = project_status(session)
    if created:
        summary = _(
            "Built the demo: {added} messages added ({existing} already there, merged from {files} export files),"
            " {codings} hand codings added."
        )
    else:
        summary = _(
            "Updated the demo: {added} messages added ({existing} already there, merged from {files} export files),"
            " {codings} hand codings added."
        )
    click.echo(
        summary.format(
            added=number(report.messages.messages_added),
            existing=number(report.messages.existing),
            files=number(len(report.messages.sources)),
            codings=number(report.codings.added),
        )
    )
    _echo_demo_pages(report.pages)
    _echo_demo_survey(report.survey)
    echo_tagging(report.tagging)
    _echo_status(db, numbers)
    _echo_demo_hypotheses(project)
    if no_tui:
        click.echo(
            "\n"
            + _("Next: {commands}").format(
                commands=f"fokus --db {db} tui | freq | cooc | hypotheses check FILE | practices | agreement"
            )
        )
        return
    from fokus.tui.app import FokusApp

    FokusApp(project, os.environ.get("FOKUS_CODER") or default_coder()).run()


def _echo_demo_survey(report: Any) -> None:
    """Phase 2 in one line: the survey's respondents, its items and its open answers."""
    if report is None:
        return
    click.echo(
        _(
            "Phase 2: the survey of the {respondents} best, {closed} closed items as case attributes and {answers}"
            " open answers to code."
        ).format(
            respondents=number(report.respondents),
            closed=number(report.closed),
            answers=number(report.answers),
        )
    )


def _echo_demo_pages(report: Any) -> None:
    """Phase 1 of the study in one line: the pages generated, imported and scored, and the ten best."""
    if report is None:
        return
    if report.scored is None or report.generated is None:
        click.echo(_("Phase 1: the municipalities' pages and their scores were already in the demo."))
        return
    best = sorted((row for row in report.scored.pages if row.get("topp10")), key=lambda row: row["rank"])
    click.echo(
        _(
            "Phase 1: {pages} municipalities' pages with {posts} posts and {comments} comments generated and"
            " imported, scored on kriterier.yaml; the ten best: {names}."
        ).format(
            pages=number(len(report.generated.files)),
            posts=number(report.generated.posts),
            comments=number(report.generated.comments),
            names=", ".join(row["case"] or row["name"] for row in best),
        )
    )


def _echo_demo_hypotheses(project: Any) -> None:
    """The study's hypotheses checked against the demo's coding, in one line each."""
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.analysis.report import cell
    from fokus.files.hypotheses import load_hypotheses
    from fokus.resources import default_hypotheses

    path = default_hypotheses()
    with project.read() as session:
        checked = check_hypotheses(session, load_hypotheses(path))
    click.echo("\n" + _("The study's hypotheses ({file}), on the researchers' coding:").format(file=path.name))
    rows = checked.brief().rows()
    verdicts = [cell(row["verdict"], "verdict") for row in rows]  # the key, as a person reads it
    width = max(15, *(len(verdict) for verdict in verdicts))
    for row, verdict in zip(rows, verdicts, strict=True):
        effect = cell(row["effect"], "effect") or "-"
        click.echo(f"  {row['id']:<4} {verdict:<{width}} {cell(row['test'], 'test')}, {effect}")


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
        raise FokusError(_("is not a demo project; --fresh deletes only demo projects"), path=db)
