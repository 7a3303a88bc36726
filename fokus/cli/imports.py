"""`fokus import`: exports of the group and REFI-QDA projects into the project, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import open_ctx, progress_bar
from fokus.importers.formats import FORMATS, names

IMPORT_HELP = f"""Import exports of the group: files, folders or zips, in one transaction.

    Formats: {", ".join(fmt.label for fmt in FORMATS)}.
    Messages already in the project (same id, or same author, time and text) are not added again.

    \b
    Examples:
      fokus import corpus/graph corpus/dyi corpus/csv/april-mai.csv
      fokus import posts.csv --map text=Melding --map author=Navn
      fokus import crowdtangle.csv --map crowdtangle
    """


@click.command("import", help=IMPORT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *names()]),
    default="auto",
    show_default=True,
    help="The export format; auto detects it from the content.",
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, report, write nothing.")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="CSV columns for other headers (repeatable), a preset (crowdtangle), or a YAML/JSON mapping file.",
)
@click.option("--group", help="The Facebook group this project studies (data donations hold other groups too).")
@click.option("--timezone", default="Europe/Oslo", show_default=True, help="Zone of times written without one.")
@click.option(
    "--allow-external-sources",
    is_flag=True,
    help="Let a .qdpx read source texts from files outside it and its folder (absolute:// paths); they are listed.",
)
@click.pass_context
def import_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    dry_run: bool,
    mapping: tuple[str, ...],
    group: str | None,
    timezone: str,
    allow_external_sources: bool,
) -> None:
    """`fokus import` (its help is IMPORT_HELP, which names the formats from the registry)."""
    from fokus.api.messages import import_messages
    from fokus.importers import parse_mapping, read_paths

    csv_mapping = parse_mapping(mapping) if mapping else None
    projects = [p for p in paths if _is_qdpx(p)]
    exports = [p for p in paths if p not in projects]
    project = open_ctx(ctx)
    with progress_bar("import") as progress:
        parsed = read_paths(exports, fmt, csv_mapping=csv_mapping, timezone=timezone) if exports else []
        qdpx = _read_qdpx(projects, allow_external_sources)
        with project.begin(dry_run=dry_run) as session:
            qdpx_reports = _import_qdpx(session, qdpx)
            report = import_messages(session, parsed, group=group, progress=progress) if exports else None
    for path, qdpx_report in zip(projects, qdpx_reports, strict=True):
        _echo_qdpx(path, qdpx_report)
    if report is None:
        if dry_run:
            click.echo("Dry run: nothing was written.")
        return
    _echo_sources(report.sources)
    click.echo(
        f"Added {report.messages_added} messages in {report.threads_added} new threads,"
        f" {report.participants_added} new participants, {report.cases_added} new cases;"
        f" {report.existing} were already there."
    )
    if report.placed_by_author or report.unplaced:
        click.echo(
            f"DYI comments known from no other export: {report.placed_by_author} placed in the one thread their"
            f" title fits, {report.unplaced} in the thread of unplaced comments (their title fits several or none)."
        )
    if report.case_conflicts:
        click.echo(
            f"{report.case_conflicts} participants are named with another case than the one they have; kept theirs"
            " (see `fokus participants list`)."
        )
    if report.parent_missing:
        click.echo(f"{report.parent_missing} answers to messages not in the project were put under their post.")
    if report.messages_updated:
        moved = report.reanchored
        line = f"Took the edited text of {report.messages_updated} messages"
        total = moved.unchanged + moved.followed + moved.flagged
        if total:
            line += (
                f"; of their {total} codings, {moved.unchanged + moved.followed} still cover their text"
                f" ({moved.followed} at new offsets) and {moved.flagged} are flagged for review ({moved.moved} moved"
                f" to edited text, {moved.lost} whose text is gone; see `fokus codings flagged`)"
            )
        click.echo(line + ". Run `fokus tag` to split them into sentences again.")
    if report.reanchored.refused:
        click.echo(f"{len(report.reanchored.refused)} edited messages kept their text: their codings do not fit in it.")
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _echo_sources(sources: Sequence[Any], listed: int = 12) -> None:
    """One line per file; past a dozen files, one line per format (a harvest can be hundreds of pages)."""
    if len(sources) > listed:
        kinds: dict[str, list[Any]] = {}
        for source in sources:
            kinds.setdefault(source.kind, []).append(source)
        for kind, group in kinds.items():
            click.echo(
                f"{len(group)} {kind} files: {sum(s.messages for s in group)} messages,"
                f" {sum(s.added for s in group)} added, {sum(s.existing for s in group)} already there"
                + _extra(
                    sum(s.changed for s in group), sum(s.updated for s in group), sum(s.other_groups for s in group)
                )
            )
        notes = sum(len(s.skipped) for s in sources)
        if notes:
            click.echo(f"  {notes} notes on skipped content; import fewer files at once to see them")
        return
    for source in sources:
        line = f"{source.path} ({source.kind}): {source.messages} messages, {source.added} added,"
        line += f" {source.existing} already there" + _extra(source.changed, source.updated, source.other_groups)
        if source.imported_before:
            line += " [file imported before]"
        click.echo(line)
        for note in source.skipped:
            click.echo(f"  note: {note}")


def _extra(changed: int, updated: int, other_groups: int) -> str:
    text = ""
    if updated:
        text += f", {updated} with edited text (taken)"
    if changed > updated:
        text += f", {changed - updated} with other text kept as stored (not newer, empty, or in a file imported before)"
    if other_groups:
        text += f", {other_groups} from other groups left out"
    return text


def _is_qdpx(path: Path) -> bool:
    """A REFI-QDA project: by its name, or a zip with a project.qde inside (a renamed .qdpx)."""
    if path.suffix.lower() == ".qdpx":
        return True
    if not path.is_file() or path.suffix.lower() != ".zip":
        return False
    from fokus.importers.archive import holds_member  # checks the zip's directory before zipfile reads all of it

    return holds_member(path, "project.qde")


def _read_qdpx(paths: Sequence[Path], allow_external_sources: bool) -> list[Any]:
    if not paths:
        return []
    from fokus.exchange.qdpx_read import read_qdpx

    return [read_qdpx(path, allow_external_sources=allow_external_sources) for path in paths]


def _import_qdpx(session: Any, projects: Sequence[Any]) -> list[Any]:
    if not projects:
        return []
    from fokus.exchange.project_import import import_qdpx

    return [import_qdpx(session, project) for project in projects]


def _echo_qdpx(path: Path, report: Any, listed: int = 10) -> None:
    """The import's summary: what came in, and what did not (sources, codings), never silently."""
    from fokus.importers.limits import human_size

    messages, codings = report.messages, report.codings
    codes = report.codebook
    click.echo(
        f"{path} (REFI-QDA): {messages.messages_added} messages added ({messages.existing} already there),"
        f" {len(codes.added) if codes else 0} codes added, {codings.added} codings added"
        f" ({codings.unchanged} already there), {report.memos} memos,"
        f" {report.cases.added if report.cases else 0} cases added."
    )
    if report.not_modelled:
        left = ", ".join(f"{count} {what}" for what, count in sorted(report.not_modelled.items()))
        click.echo(f"  not imported (fokus does not model them): {left}")
    if report.clipped:
        click.echo(f"  {report.clipped} selections ran past the message they start in and were cut at its end")
    for item in report.external_files:
        click.echo(f"  read the source text from {item.path} ({human_size(item.size)}), outside the .qdpx", err=True)
    for name, message in report.merged_sources:
        click.echo(f"  the text source {name!r} has the author, time and text of {message!r}: imported as that message")
    reasons: dict[str, list[Any]] = {}
    for dropped in report.dropped:
        reasons.setdefault(dropped.reason, []).append(dropped)
    for reason, items in reasons.items():
        click.echo(f"  {len(items)} codings {reason}:")
        for item in items[:listed] if len(items) > listed + 2 else items:
            code = f", code {item.code}" if item.code else ""
            into = f", into coding {item.into}" if item.into else ""
            click.echo(f"    coding {item.coding} in {item.source!r}{code}{into}")
        if len(items) > listed + 2:
            click.echo(f"    and {len(items) - listed} more")
