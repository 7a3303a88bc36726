"""`fokus pages import` and `fokus pages list`: page data and the pages file in, and the pages listed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fokus.cli.common import RAW_CSV_OPTION, open_ctx, print_rows
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import date, number
from fokus.importers.pages.detect import names

if TYPE_CHECKING:
    from fokus.api.pages import Counts, FeedSummary

LIST_COLUMNS = (
    ("page", N_("page")),
    ("name", N_("name")),
    ("case", N_("case")),
    ("followers_start", N_("followers at start")),
    ("followers_end", N_("followers at end")),
    ("population", N_("population")),
    ("posts", N_("posts")),
    ("comments", N_("comments")),
    ("first_post", N_("first post")),
    ("last_post", N_("last post")),
)
TABLE_OMITS = ("page", "followers_start")


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--pages",
    "pages_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The pages file (CSV): municipality, page id or address, name, followers at start and end, population.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *names()]),
    default="auto",
    show_default=True,
    help="The page-data format; auto tells it from each file's content.",
)
@click.option("--timezone", default="Europe/Oslo", show_default=True, help="Zone of times written without one.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, report, write nothing.")
@click.pass_context
def pages_import(
    ctx: click.Context, paths: tuple[Path, ...], pages_file: Path | None, fmt: str, timezone: str, dry_run: bool
) -> None:
    """Import public page feeds (files or folders) and the pages file, in one transaction.

    Posts and comments are matched by id: importing a file again changes nothing, and a newer export of a page
    updates its counts and adds its new posts. Commenters are kept as a keyed hash, never by name.

    \b
    Examples:
      fokus pages import --pages pages.csv feeds/
      fokus pages import --format graph-feed bergen-2013.json
    """
    from fokus.api.pages import import_page_data
    from fokus.importers.pages.detect import read_feeds
    from fokus.importers.pages.listing import read_listing

    if not paths and pages_file is None:
        raise click.UsageError(_("name page-data files or folders, or a pages file with --pages"))
    feeds = read_feeds(paths, fmt, timezone) if paths else []
    listings = read_listing(pages_file) if pages_file is not None else []
    project = open_ctx(ctx)
    with project.begin(dry_run=dry_run) as session:
        report = import_page_data(session, feeds, listings)
    _echo_files(report.feeds)
    for label, counts in (
        (_("Pages"), report.pages),
        (_("Posts"), report.posts),
        (_("Comments"), report.comments),
    ):
        if paths:
            click.echo(_counts(label, counts))
    if pages_file is not None:
        click.echo(_counts(_("Pages file {path}").format(path=pages_file), report.listed))
        if report.cases_added:
            click.echo(
                ngettext("{count} new case.", "{count} new cases.", report.cases_added).format(
                    count=number(report.cases_added)
                )
            )
    if report.parents_missing:
        click.echo(
            _("{count} answers to comments not in the project were put under their post.").format(
                count=number(report.parents_missing)
            )
        )
    if not report.changed:
        click.echo(_("Nothing changed: the project already held all of it."))
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


def _echo_files(feeds: Sequence[FeedSummary], listed: int = 12) -> None:
    """One line per file, with its notes; past a dozen files, one line per format (a harvest is a file per page)."""
    if len(feeds) <= listed:
        for feed in feeds:
            line = _("{path} ({format}): {posts} posts, {comments} comments").format(
                path=feed.path, format=feed.format, posts=number(feed.posts), comments=number(feed.comments)
            )
            click.echo(line + (" " + _("[file imported before]") if feed.imported_before else ""))
            for note in feed.skipped:
                click.echo("  " + _("note: {note}").format(note=note))
        return
    formats: dict[str, list[FeedSummary]] = {}
    for feed in feeds:
        formats.setdefault(feed.format, []).append(feed)
    for name, group in formats.items():
        click.echo(
            _("{files} {format} files: {posts} posts, {comments} comments, {before} imported before").format(
                files=number(len(group)),
                format=name,
                posts=number(sum(f.posts for f in group)),
                comments=number(sum(f.comments for f in group)),
                before=number(sum(f.imported_before for f in group)),
            )
        )
    notes = sum(len(f.skipped) for f in feeds)
    if notes:
        click.echo(
            "  "
            + _("{count} notes on skipped content; import fewer files at once to see them").format(count=number(notes))
        )


def _counts(label: str, counts: Counts) -> str:
    return _("{label}: {added} added, {updated} updated, {unchanged} unchanged.").format(
        label=label,
        added=number(counts.added),
        updated=number(counts.updated),
        unchanged=number(counts.unchanged),
    )


@click.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def pages_list(ctx: click.Context, fmt: str) -> None:
    """List the pages with their case, followers, population, posts, comments and first and last post.

    \b
    Example:
      fokus pages list --format csv > pages.csv
    """
    from fokus.api.pages import page_rows
    from fokus.domain.local_time import local_time

    project = open_ctx(ctx)
    with project.read() as session:
        pages = page_rows(session)
    rows = []
    for page in pages:
        row = {key: getattr(page, key) for key, _label in LIST_COLUMNS}
        for key in ("first_post", "last_post"):
            when = row[key]
            if when is not None:
                row[key] = date(local_time(when).date()) if fmt == "table" else when.isoformat()
        if fmt == "table":
            for key in ("followers_start", "followers_end", "population", "posts", "comments"):
                row[key] = None if row[key] is None else number(row[key])
        rows.append(row)
    # the terminal's table leaves out the page's id and its followers at the start (CSV and JSON keep them): ten
    # columns do not fit in 80 characters
    shown = [(key, label) for key, label in LIST_COLUMNS if fmt != "table" or key not in TABLE_OMITS]
    print_rows(
        rows, [key for key, _label in shown], fmt, title=_("Pages"), headings=[_(label) for _key, label in shown]
    )
