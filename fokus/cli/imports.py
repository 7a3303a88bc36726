"""`fokus import`: exports of the group and REFI-QDA projects into the project, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from fokus.cli.common import open_ctx, progress_bar
from fokus.i18n import _
from fokus.i18n.formats import number
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
    with progress_bar(_("import")) as progress:
        parsed = read_paths(exports, fmt, csv_mapping=csv_mapping, timezone=timezone) if exports else []
        qdpx = _read_qdpx(projects, allow_external_sources)
        with project.begin(dry_run=dry_run) as session:
            qdpx_reports = _import_qdpx(session, qdpx)
            report = import_messages(session, parsed, group=group, progress=progress) if exports else None
    for path, qdpx_report in zip(projects, qdpx_reports, strict=True):
        _echo_qdpx(path, qdpx_report)
    if report is None:
        if dry_run:
            click.echo(_("Dry run: nothing was written."))
        return
    _echo_sources(report.sources)
    _echo_added(report)
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


def _echo_added(report: Any) -> None:
    """What the import added, and what it did with what it found changed."""
    click.echo(
        _(
            "Added {messages} messages in {threads} new threads, {participants} new participants, {cases} new cases;"
            " {existing} were already there."
        ).format(
            messages=number(report.messages_added),
            threads=number(report.threads_added),
            participants=number(report.participants_added),
            cases=number(report.cases_added),
            existing=number(report.existing),
        )
    )
    if report.placed_by_author or report.unplaced:
        click.echo(
            _(
                "DYI comments known from no other export: {placed} placed in the one thread their title fits,"
                " {unplaced} in the thread of unplaced comments (their title fits several or none)."
            ).format(placed=number(report.placed_by_author), unplaced=number(report.unplaced))
        )
    if report.case_conflicts:
        click.echo(
            _(
                "{count} participants are named with another case than the one they have; kept theirs"
                " (see `fokus participants list`)."
            ).format(count=number(report.case_conflicts))
        )
    if report.parent_missing:
        click.echo(
            _("{count} answers to messages not in the project were put under their post.").format(
                count=number(report.parent_missing)
            )
        )
    if report.messages_updated:
        moved = report.reanchored
        total = moved.unchanged + moved.followed + moved.flagged
        if total:
            line = _(
                "Took the edited text of {messages} messages; of their {total} codings, {kept} still cover their"
                " text ({followed} at new offsets) and {flagged} are flagged for review ({moved} moved to edited"
                " text, {lost} whose text is gone; see `fokus codings flagged`)."
                " Run `fokus tag` to split them into sentences again."
            )
        else:
            line = _("Took the edited text of {messages} messages. Run `fokus tag` to split them into sentences again.")
        click.echo(
            line.format(
                messages=number(report.messages_updated),
                total=number(total),
                kept=number(moved.unchanged + moved.followed),
                followed=number(moved.followed),
                flagged=number(moved.flagged),
                moved=number(moved.moved),
                lost=number(moved.lost),
            )
        )
    if report.reanchored.refused:
        click.echo(
            _("{count} edited messages kept their text: their codings do not fit in it.").format(
                count=number(len(report.reanchored.refused))
            )
        )


def _echo_sources(sources: Sequence[Any], listed: int = 12) -> None:
    """One line per file; past a dozen files, one line per format (a harvest can be hundreds of pages)."""
    if len(sources) > listed:
        kinds: dict[str, list[Any]] = {}
        for source in sources:
            kinds.setdefault(source.kind, []).append(source)
        for kind, group in kinds.items():
            head = _("{files} {kind} files: {messages} messages").format(
                files=number(len(group)), kind=kind, messages=number(sum(s.messages for s in group))
            )
            counts = _counts(
                sum(s.added for s in group),
                sum(s.existing for s in group),
                sum(s.changed for s in group),
                sum(s.updated for s in group),
                sum(s.other_groups for s in group),
            )
            click.echo(", ".join([head, *counts]))
        notes = sum(len(s.skipped) for s in sources)
        if notes:
            click.echo(
                "  "
                + _("{count} notes on skipped content; import fewer files at once to see them").format(
                    count=number(notes)
                )
            )
        return
    for source in sources:
        head = _("{path} ({kind}): {messages} messages").format(
            path=source.path, kind=source.kind, messages=number(source.messages)
        )
        line = ", ".join(
            [head, *_counts(source.added, source.existing, source.changed, source.updated, source.other_groups)]
        )
        if source.imported_before:
            line += " " + _("[file imported before]")
        click.echo(line)
        for note in source.skipped:
            click.echo("  " + _("note: {note}").format(note=note))


def _counts(added: int, existing: int, changed: int, updated: int, other_groups: int) -> list[str]:
    """A file's counts, each one item of a list (so each is a whole phrase in any language)."""
    items = [
        _("{count} added").format(count=number(added)),
        _("{count} already there").format(count=number(existing)),
    ]
    if updated:
        items.append(_("{count} with edited text (taken)").format(count=number(updated)))
    if changed > updated:
        items.append(
            _("{count} with other text kept as stored (not newer, empty, or in a file imported before)").format(
                count=number(changed - updated)
            )
        )
    if other_groups:
        items.append(_("{count} from other groups left out").format(count=number(other_groups)))
    return items


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
        _(
            "{path} (REFI-QDA): {messages} messages added ({existing} already there), {codes} codes added,"
            " {codings} codings added ({unchanged} already there), {memos} memos, {cases} cases added."
        ).format(
            path=path,
            messages=number(messages.messages_added),
            existing=number(messages.existing),
            codes=number(len(codes.added) if codes else 0),
            codings=number(codings.added),
            unchanged=number(codings.unchanged),
            memos=number(report.memos),
            cases=number(report.cases.added if report.cases else 0),
        )
    )
    if report.not_modelled:
        left = ", ".join(f"{number(count)} {what}" for what, count in sorted(report.not_modelled.items()))
        click.echo("  " + _("not imported (fokus does not model them): {things}").format(things=left))
    if report.clipped:
        click.echo(
            "  "
            + _("{count} selections ran past the message they start in and were cut at its end").format(
                count=number(report.clipped)
            )
        )
    for item in report.external_files:
        click.echo(
            "  "
            + _("read the source text from {path} ({size}), outside the .qdpx").format(
                path=item.path, size=human_size(item.size)
            ),
            err=True,
        )
    for name, message in report.merged_sources:
        click.echo(
            "  "
            + _(
                "the text source {name!r} has the author, time and text of {message!r}: imported as that message"
            ).format(name=name, message=message)
        )
    reasons: dict[str, list[Any]] = {}
    for dropped in report.dropped:
        reasons.setdefault(dropped.reason, []).append(dropped)
    for reason, items in reasons.items():
        click.echo("  " + _("{count} codings {reason}:").format(count=number(len(items)), reason=reason))
        for item in items[:listed] if len(items) > listed + 2 else items:
            if item.code and item.into:
                line = _("coding {coding} in {source!r}, code {code}, into coding {into}")
            elif item.code:
                line = _("coding {coding} in {source!r}, code {code}")
            elif item.into:
                line = _("coding {coding} in {source!r}, into coding {into}")
            else:
                line = _("coding {coding} in {source!r}")
            click.echo("    " + line.format(coding=item.coding, source=item.source, code=item.code, into=item.into))
        if len(items) > listed + 2:
            click.echo("    " + _("and {count} more").format(count=number(len(items) - listed)))
