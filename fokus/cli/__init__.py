"""The `fokus` command: each command opens the project, makes one call into the library, and prints the result.

Problems a user can fix arrive as FokusError and are printed as one line on stderr with a non-zero exit; `--debug`
shows the traceback instead. Heavy libraries (spaCy, scikit-learn, Textual) are imported inside the commands that
need them, so `fokus --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from fokus import __version__
from fokus.cli.common import RAW_CSV_OPTION, db_of, open_ctx, output, raw_csv
from fokus.errors import FokusError

EXIT_USER_ERROR = 1
EXIT_BUG = 3


class FokusGroup(click.Group):
    """Turns FokusError into one line and a non-zero exit, everywhere below it."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FokusError as exc:
            if _debug(ctx):
                raise
            click.echo(f"fokus: error: {exc}", err=True)
            ctx.exit(EXIT_USER_ERROR)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader went away (`fokus codings export | head`): not an error, and nothing more to say
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("fokus: interrupted; nothing of this command was written", err=True)
            ctx.exit(130)
        except Exception as exc:
            if _debug(ctx):
                raise
            failure = _storage_failure(ctx, exc)
            if failure is not None:  # a full disk, a damaged file, read-only storage: the machine's, not a bug
                click.echo(f"fokus: error: {failure}", err=True)
                ctx.exit(EXIT_USER_ERROR)
            click.echo(
                f"fokus: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
                " (a bug in fokus; nothing of this command was written; rerun with --debug for the traceback)",
                err=True,
            )
            ctx.exit(EXIT_BUG)


def _storage_failure(ctx: click.Context, exc: Exception) -> FokusError | None:
    """The last resort for a storage failure that no layer below turned into a FokusError: the file it names,
    else the project."""
    from fokus.store.failures import storage_failure

    where = getattr(exc, "filename", None) if isinstance(exc, OSError) else None
    root = ctx.find_root()
    return storage_failure(exc, str(where or (root.obj or {}).get("db", "fokus.db")))


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.obj and root.obj.get("debug"))


@click.group(cls=FokusGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    default="fokus.db",
    envvar="FOKUS_DB",
    show_default=True,
    help="The project: a SQLite file, or a SQLAlchemy URL. Also FOKUS_DB.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(__version__, prog_name="fokus")
@click.pass_context
def main(ctx: click.Context, db: str, debug: bool) -> None:
    """fokus: code and analyse focus groups held in closed Facebook groups.

    \b
    Start with the demo:   fokus demo
    Or a project of yours: fokus init && fokus import export.zip
    """
    ctx.obj = {"db": db, "debug": debug}


_db = db_of
_open = open_ctx


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _stage, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{label}: {stage}", total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


_output = output


# --- init -------------------------------------------------------------------------------------------------------


@main.command()
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), help="A YAML codebook.")
@click.option("--empty", is_flag=True, help="Start without a codebook (to import one, or a REFI-QDA project).")
@click.pass_context
def init(ctx: click.Context, codebook_path: Path | None, empty: bool) -> None:
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
    project, report = create_project(_db(ctx), lambda session: load_codebook(session, spec) if spec else None)
    project.close()
    what = f"with the codebook {spec.name!r} ({len(report.added)} codes)" if spec and report else "with no codebook"
    click.echo(f"Created the project {_db(ctx)} {what}.")


def _remove_new_sqlite(db: str) -> None:
    if "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)


# --- import -----------------------------------------------------------------------------------------------------


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "graph-json", "dyi", "csv", "transcript"]),
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
def import_(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    dry_run: bool,
    mapping: tuple[str, ...],
    group: str | None,
    timezone: str,
    allow_external_sources: bool,
) -> None:
    """Import exports of the group: files, folders or zips, in one transaction.

    Formats: Graph API JSON, Facebook "Download your information" (zip or folder), CSV, typed transcripts.
    Messages already in the project (same id, or same author, time and text) are not added again.

    \b
    Examples:
      fokus import corpus/graph corpus/dyi corpus/csv/april-mai.csv
      fokus import posts.csv --map text=Melding --map author=Navn
      fokus import crowdtangle.csv --map crowdtangle
    """
    from fokus.api.messages import import_messages
    from fokus.importers import parse_mapping, read_paths

    csv_mapping = parse_mapping(mapping) if mapping else None
    projects = [p for p in paths if _is_qdpx(p)]
    exports = [p for p in paths if p not in projects]
    project = _open(ctx)
    with _progress("import") as progress:
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


# --- cases and participants -------------------------------------------------------------------------------------


@main.group()
def cases() -> None:
    """Cases (municipalities) and their typed attributes."""


@cases.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def cases_import(ctx: click.Context, file: Path) -> None:
    """Add or update cases from a CSV: one row per case, one column per attribute.

    The first column (or one named kommune/case/name) names the case; types are inferred (integer, float, boolean
    ja/nei, date, text) or forced in the header, as in `innbyggertall:integer`.

    \b
    Example:
      fokus cases import corpus/cases.csv
    """
    from fokus.api.cases import import_cases
    from fokus.files.cases import read_case_table

    table = read_case_table(file)
    project = _open(ctx)
    with project.begin() as session:
        report = import_cases(session, table, str(file))
    types = ", ".join(f"{a.name} ({a.type.value})" for a in table.attributes)
    click.echo(f"Cases: {report.added} added, {report.updated} updated, {report.unchanged} unchanged.")
    click.echo(f"Attributes: {types}")


@cases.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def cases_list(ctx: click.Context, fmt: str) -> None:
    """List the cases with their attributes and how many participants and messages each has.

    \b
    Example:
      fokus cases list --format csv > cases.csv
    """
    from fokus.api.cases import case_rows

    project = _open(ctx)
    with project.read() as session:
        attributes, rows = case_rows(session)
    columns = ["case", *(a.name for a in attributes), "participants", "messages"]
    _print_rows(rows, columns, fmt, title="Cases")


@main.group()
def participants() -> None:
    """Participants: pseudonyms, and which case each speaks for."""


@participants.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def participants_list(ctx: click.Context, fmt: str) -> None:
    """List participants by pseudonym, with case, role and message count (never real names).

    \b
    Example:
      fokus participants list
    """
    from fokus.api.listing import participant_rows

    project = _open(ctx)
    with project.read() as session:
        rows = participant_rows(session)
    _print_rows(rows, ["participant", "case", "role", "messages", "first", "last"], fmt, title="Participants")


@participants.command("link")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def participants_link(ctx: click.Context, file: Path) -> None:
    """Link participants to cases from a CSV with a name column (navn/name/author) and a case column (kommune/case).

    \b
    Example:
      fokus participants link corpus/participants.csv
    """
    from fokus.api.cases import link_participants

    project = _open(ctx)
    with project.begin() as session:
        report = link_participants(session, file)
    click.echo(
        f"Participants: {report.linked} linked, {report.changed} changed, {report.unchanged} unchanged;"
        f" {report.cases_added} new cases."
    )
    if report.not_in_project:
        click.echo(f"{len(report.not_in_project)} names in the file have not spoken in the project (not created).")


# --- codebook ---------------------------------------------------------------------------------------------------


@main.group()
def codebook() -> None:
    """The codebook: codes, definitions, notes and examples."""


@codebook.command("load")
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
    from fokus.cli.safety import _coder_id

    spec, with_rules = _read_any_codebook(file)
    project = _open(ctx)
    with project.read() as session:
        plan = plan_codebook(session, spec, with_rules=with_rules)
        shown = plan.lines()
    for line in shown:
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing was changed." if shown else "Dry run: the project has this codebook already.")
        return
    if plan.moves and not yes:
        if not sys.stdin.isatty():
            raise FokusError(
                f"loading {file} moves existing codes (see above); nothing was changed",
                hint="check the plan, then run again with --yes",
            )
        click.confirm("Load the codebook?", abort=True)
    with project.begin() as session:
        again = plan_codebook(session, spec, with_rules=with_rules)  # in the write transaction: what it does
        if again.lines() != shown:
            raise FokusError("the codebook changed since the plan was shown; nothing was changed", hint="run it again")
        report = load_codebook(session, spec, with_rules=with_rules, coder_id=_coder_id(session, coder), plan=again)
    click.echo(
        f"Codebook {spec.name!r}: {len(report.added)} added, {len(report.updated)} updated,"
        f" {len(report.moved)} moved, {report.unchanged} unchanged."
        + (" `fokus undo` takes it back." if report.batch else "")
    )
    if report.kept:
        click.echo("(fokus codebook merge/delete removes a code the file does not have, on purpose.)")


def _read_any_codebook(file: Path) -> tuple[Any, bool]:
    """A YAML codebook, or a REFI-QDA .qdc (which holds no rules); and whether it speaks for the rules."""
    if file.suffix.lower() in (".qdc", ".xml"):
        from fokus.exchange.qdc import read_qdc

        return read_qdc(file).spec, False
    from fokus.files.codebook import load_codebook as read_codebook

    return read_codebook(file), True


@codebook.command("export")
@click.option("--format", "fmt", type=click.Choice(["qdc"]), default="qdc", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The file.")
@click.pass_context
def codebook_export(ctx: click.Context, fmt: str, output: Path) -> None:
    """Export the codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder and qc.

    \b
    Example:
      fokus codebook export --format qdc -o kodebok.qdc
    """
    from fokus.api.codebook import codebook_rows
    from fokus.exchange.guids import Guids
    from fokus.exchange.qdc import write_qdc
    from fokus.model import Code

    project = _open(ctx)
    with project.begin() as session:
        guids = Guids(session)
        ids = {code.path: code.id for code in session.query(Code)}
        rows = codebook_rows(session)
        write_qdc(rows, output, guid_of=lambda path: guids.get("code", ids[path]))
        guids.save()
    click.echo(f"Wrote {len(rows)} codes to {output}.")


@codebook.command("show")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of codes (id, name, parent, description, color...).")
@click.pass_context
def codebook_show(ctx: click.Context, as_json: bool) -> None:
    """Show the codebook as a tree with usage counts, or as JSON.

    \b
    Example:
      fokus codebook show --json
    """
    from fokus.api.codebook import codebook_rows

    project = _open(ctx)
    with project.read() as session:
        rows = codebook_rows(session)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.tree import Tree

    tree = Tree("Codebook")
    nodes: dict[str, Tree] = {}
    for row in rows:
        parent = nodes.get(row["parent"], tree) if row["parent"] else tree
        style = row["color"] or "default"
        label = f"[{style}]■[/] [bold]{row['id']}[/] {row['name']}  [dim]{row['codings']} codings[/]"
        nodes[row["id"]] = parent.add(label)
    Console().print(tree)


# --- codings ----------------------------------------------------------------------------------------------------


@main.group()
def codings() -> None:
    """Codings: export, import and scripted coding."""


@codings.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["accepted", "suggested", "rejected"]),
    help="Only these statuses (repeatable); all by default.",
)
@click.option("-o", "--output", type=click.Path(), help="Write to a file instead of stdout.")
@RAW_CSV_OPTION
@click.option("--real-names", is_flag=True, help="Leave names in the texts and add real names (prints a warning).")
@click.pass_context
def codings_export(
    ctx: click.Context, fmt: str, statuses: tuple[str, ...], output: str | None, real_names: bool
) -> None:
    """Export codings, one row per coding, with the coded text and participants' pseudonyms.

    \b
    Example:
      fokus codings export --status accepted -o codings.csv
    """
    from fokus.api.codings import coding_rows
    from fokus.files.codings import COLUMNS, write_rows

    project = _open(ctx)
    if real_names:
        from fokus.cli.privacy import warn_real_names

        warn_real_names()
    columns = (*COLUMNS, "real_name") if real_names else COLUMNS
    with project.read() as session, _output(output) as out:
        count = write_rows(coding_rows(session, statuses, real_names=real_names), columns, fmt, out, raw_csv=raw_csv())
    if output:
        click.echo(f"Wrote {count} codings to {output}.", err=True)


@codings.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--coder", help="The coder for rows that name none.")
@click.option("--replace", is_flag=True, help="Where a coding exists with another status, take the file's.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.pass_context
def codings_import(ctx: click.Context, file: Path, coder: str | None, replace: bool, dry_run: bool) -> None:
    """Import codings from CSV or JSON (the export's columns; start/end optional = the whole message).

    \b
    Example:
      fokus codings import corpus/codings.csv
    """
    from fokus.api.codings import import_codings
    from fokus.files.codings import read_codings

    rows = read_codings(file)
    project = _open(ctx)
    if replace and not dry_run:
        from fokus.cli.safety import backup_before

        backup_before(project, "before-replace")
    with project.begin(dry_run=dry_run) as session:
        report = import_codings(session, rows, display=str(file), coder=coder, replace=replace)
    _echo_codings(report)
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _echo_codings(report: Any) -> None:
    line = f"Codings: {report.added} added, {report.unchanged} already there"
    if report.replaced:
        line += f", {report.replaced} replaced"
    if report.conflicts:
        line += f", {report.conflicts} differ from the project and were left as they are (--replace takes the file's)"
    if report.duplicates_in_file:
        line += f", {report.duplicates_in_file} repeated rows ignored"
    click.echo(line + ".")
    if report.coders_added:
        click.echo(f"New coders: {', '.join(report.coders_added)}")


@codings.command("add")
@click.argument("message_id")
@click.argument("code")
@click.option("--span", metavar="A:B", help="Code-point offsets into the message; the whole message if left out.")
@click.option("--coder", required=True, envvar="FOKUS_CODER", help="Who codes (also FOKUS_CODER).")
@click.pass_context
def codings_add(ctx: click.Context, message_id: str, code: str, span: str | None, coder: str) -> None:
    """Code a message, or a span of it, by hand or from a script.

    \b
    Example:
      fokus codings add 348822158517432_1001 krise/under --span 0:42 --coder ingrid
    """
    from fokus.api.codings import import_codings
    from fokus.files.codings import CodingRow
    from fokus.model import CodingStatus

    start = end = None
    if span:
        try:
            start_text, end_text = span.split(":")
            start, end = int(start_text), int(end_text)
        except ValueError:
            raise click.BadParameter("write the span as START:END, e.g. 0:42", param_hint="--span") from None
    row = CodingRow(message_id, code, start, end, None, CodingStatus.ACCEPTED, "human", None, coder, None, "--span")
    project = _open(ctx)
    with project.begin() as session:
        report = import_codings(session, [row], display="fokus codings add")
    _echo_codings(report)


# --- the TUI -----------------------------------------------------------------------------------------------------


def _default_coder() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "koder"


@main.command()
@click.option("--coder", envvar="FOKUS_CODER", help="Who codes (also FOKUS_CODER); your user name by default.")
@click.option(
    "--hypotheses",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The hypothesis file the analysis screen checks (default: the study's codebooks/hypoteser.yaml).",
)
@click.pass_context
def tui(ctx: click.Context, coder: str | None, hypotheses: Path | None) -> None:
    """Open the project in the terminal UI: read threads, code, review suggestions, analyse, undo.

    \b
    Example:
      fokus --db studie.db tui --coder ingrid --hypotheses mine.yaml
    """
    from fokus.tui.app import FokusApp

    project = _open(ctx)
    FokusApp(project, coder or _default_coder(), hypotheses=hypotheses).run()


# --- REFI-QDA -------------------------------------------------------------------------------------------------------


@main.group()
def qdpx() -> None:
    """REFI-QDA projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder and qc; import them with `fokus import`."""


@qdpx.command("export")
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--include-suggestions", is_flag=True, help="Also export the machine's open suggestions.")
@click.option("--real-names", is_flag=True, help="Leave the names people wrote in the texts (prints a warning).")
@click.pass_context
def qdpx_export(ctx: click.Context, output: Path, include_suggestions: bool, real_names: bool) -> None:
    """Export the project as a REFI-QDA project: threads as text sources, codes, codings, coders, memos, cases.

    Participants appear by pseudonym only, and names in texts are redacted (`fokus redact`) unless --real-names.
    The file validates against the REFI-QDA 1.0 schema.

    \b
    Example:
      fokus qdpx export studie.qdpx
    """
    from fokus.exchange.project_export import export_qdpx

    project = _open(ctx)
    if real_names:
        from fokus.cli.privacy import warn_real_names

        warn_real_names()
    name = Path(project.display).stem if project.sqlite_path else "fokus"
    with project.begin() as session:
        report = export_qdpx(session, output, include_suggestions=include_suggestions, name=name, real_names=real_names)
    click.echo(
        f"Wrote {output}: {report.sources} sources, {report.codes} codes, {report.codings} codings,"
        f" {report.memos} memos, {report.cases} cases."
    )
    if report.left_out_suggestions:
        click.echo(f"Left out {report.left_out_suggestions} open suggestions (--include-suggestions takes them).")


# --- tagging -----------------------------------------------------------------------------------------------------


@main.command()
@click.option(
    "--model",
    help="A spaCy package or pipeline folder (remembered for the project); default: nb_core_news_sm if installed,"
    " else the built-in Norwegian pipeline (fokus-nb).",
)
@click.option("--n-process", default=1, show_default=True, help="Worker processes for spaCy.")
@click.option("--batch-size", default=256, show_default=True, help="Texts per spaCy batch.")
@click.pass_context
def tag(ctx: click.Context, model: str | None, n_process: int, batch_size: int) -> None:
    """Suggest codes from the codebook's rules, sentence by sentence; only what is new or affected is read again.

    Suggestions never overwrite a decision: what a researcher accepted or rejected stays so.

    \b
    Example:
      fokus tag --n-process 2
    """
    from fokus.api.settings import get_setting, set_setting
    from fokus.api.tagging import MODEL_SETTING, parse_ahead, tag_messages
    from fokus.nlp import load_pipeline

    if n_process < 1 or batch_size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--n-process/--batch-size")
    project = _open(ctx)
    with project.read() as session:
        remembered = get_setting(session, MODEL_SETTING)
    nlp = load_pipeline(model or remembered)
    with _progress("tag") as progress:
        with project.read() as session:  # spaCy's part holds no lock: coders go on working meanwhile
            ahead = parse_ahead(session, nlp, batch_size=batch_size, n_process=n_process, progress=progress)
        with project.begin() as session:
            report = tag_messages(
                session, nlp, batch_size=batch_size, n_process=n_process, progress=progress, ahead=ahead
            )
            if model:
                set_setting(session, MODEL_SETTING, model)
    _echo_tagging(report)


def _echo_tagging(report: Any) -> None:
    if report.parsed == 0 and not report.cancelled:
        click.echo(
            f"Nothing new or affected: all {report.messages} messages are tagged with {report.pipeline}"
            f" and the current {report.rules} rules."
        )
        return
    click.echo(
        f"Tagged with {report.pipeline} and {report.rules} rules: read {report.parsed} of {report.messages} messages"
        f" ({report.units} sentences)."
    )
    if report.rules_changed or report.rules_removed:
        click.echo(f"Rules new or changed: {len(report.rules_changed)}; removed: {len(report.rules_removed)}.")
    click.echo(
        f"Suggestions: {report.suggested} new, {report.updated} updated, {report.withdrawn} withdrawn;"
        f" {report.kept_decided} left alone where a researcher has decided."
    )


@main.command()
@click.option("--level", type=click.Choice(["theme", "code"]), default="theme", show_default=True)
@click.option("--model", help="The spaCy pipeline to evaluate with (default: the project's).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default="table", show_default=True)
@RAW_CSV_OPTION
@click.pass_context
def evaluate(ctx: click.Context, level: str, model: str | None, fmt: str) -> None:
    """Precision, recall and F1 of the codebook's rules against the researchers' own coding, per theme.

    Runs the rules afresh on the sentences researchers coded; the gold standard is what any of them coded there.

    \b
    Example:
      fokus evaluate --level code --format json
    """
    from fokus.api.evaluation import evaluate as run
    from fokus.api.settings import get_setting
    from fokus.api.tagging import MODEL_SETTING
    from fokus.nlp import load_pipeline

    project = _open(ctx)
    with project.read() as session:
        result = run(session, load_pipeline(model or get_setting(session, MODEL_SETTING)), level=level)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    columns = ["theme", "precision", "recall", "f1", "true_positives", "false_positives", "false_negatives", "support"]
    rows = [*result["rows"], result["micro"]]
    if fmt == "md":
        click.echo("| " + " | ".join(columns) + " |")
        click.echo("|" + "---|" * len(columns))
        for row in rows:
            click.echo("| " + " | ".join("" if row[c] is None else str(row[c]) for c in columns) + " |")
    else:
        title = f"{result['rules']} rules ({result['pipeline']}) against the hand coding of {result['units']} sentences"
        _print_rows(rows, columns, fmt, title=title)
    if fmt != "csv":
        click.echo(f"Macro F1: {result['macro_f1']}")


# --- export -----------------------------------------------------------------------------------------------------


@main.group()
def export() -> None:
    """Export project data (pseudonymised)."""


@export.command("messages")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write to a file instead of stdout.")
@RAW_CSV_OPTION
@click.option("--real-names", is_flag=True, help="Leave names in the texts and add real names (prints a warning).")
@click.pass_context
def export_messages(ctx: click.Context, fmt: str, output: str | None, real_names: bool) -> None:
    """Export messages with ids, thread, parent, participant pseudonym, case, time and text.

    \b
    Example:
      fokus export messages --format json -o messages.json
    """
    from fokus.api.exports import MESSAGE_COLUMNS, message_rows
    from fokus.files.codings import write_rows

    project = _open(ctx)
    if real_names:
        from fokus.cli.privacy import warn_real_names

        warn_real_names()
    columns = (*MESSAGE_COLUMNS, "real_name") if real_names else MESSAGE_COLUMNS
    with project.read() as session, _output(output) as out:
        count = write_rows(message_rows(session, real_names=real_names), columns, fmt, out, raw_csv=raw_csv())
    if output:
        click.echo(f"Wrote {count} messages to {output}.", err=True)


# --- status and demo --------------------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show what the project holds: messages, threads, participants, cases, codes and codings.

    \b
    Example:
      fokus status --json
    """
    from fokus.api.status import project_status

    project = _open(ctx)
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


@main.command()
@click.option("--no-tui", is_flag=True, help="Build and summarise the demo project without opening the TUI.")
@click.option("--fresh", is_flag=True, help="Delete the demo project first and build it anew.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, fresh: bool) -> None:
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
    db = _db(ctx) if explicit else "fokus-demo.db"
    path = None if "://" in db else Path(db)
    if fresh and path is not None and path.exists():
        _refuse_unless_demo(db)
        _remove_new_sqlite(db)
    created = path is None or not path.exists()
    project = open_project(db, create=created)
    ctx.call_on_close(project.close)
    with _progress("demo") as progress, project.begin() as session:
        report = build_demo(session, progress=progress)
    with project.read() as session:
        numbers = project_status(session)
    click.echo(
        f"{'Built' if created else 'Updated'} the demo: {report.messages.messages_added} messages added"
        f" ({report.messages.existing} already there, merged from {len(report.messages.sources)} export files),"
        f" {report.codings.added} hand codings added."
    )
    _echo_tagging(report.tagging)
    _echo_status(db, numbers)
    _echo_demo_hypotheses(project)
    if no_tui:
        click.echo(f"\nNext: fokus --db {db} tui | freq | cooc | hypotheses check FILE | practices | agreement")
        return
    from fokus.tui.app import FokusApp

    FokusApp(project, os.environ.get("FOKUS_CODER") or _default_coder()).run()


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
    from fokus.api.settings import get_setting
    from fokus.store import open_project

    project = open_project(db)
    try:
        with project.read() as session:
            is_demo = get_setting(session, "demo") == "1"
    finally:
        project.close()
    if not is_demo:
        raise FokusError("is not a demo project; --fresh deletes only demo projects", path=db)


def _print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, *, title: str) -> None:
    from fokus.files.codings import write_rows

    if fmt in ("csv", "json"):
        with _output(None) as out:
            write_rows(rows, columns, fmt, out, raw_csv=raw_csv())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    Console().print(table)


def _register() -> None:
    """Commands kept in modules of their own (each imports its heavy libraries only when it runs)."""
    from fokus.cli.agreement import agreement_command
    from fokus.cli.analysis import COMMANDS
    from fokus.cli.copy import copy_command
    from fokus.cli.discover import discover_command
    from fokus.cli.flagged import flagged_command
    from fokus.cli.hypotheses import hypotheses_group
    from fokus.cli.learn import COMMANDS as LEARNING
    from fokus.cli.practices import practices_command
    from fokus.cli.privacy import redact_group
    from fokus.cli.safety import CODEBOOK_COMMANDS
    from fokus.cli.safety import COMMANDS as SAFETY

    codings.add_command(flagged_command)
    for surgery in CODEBOOK_COMMANDS:
        codebook.add_command(surgery)
    for command in [
        *COMMANDS,
        hypotheses_group,
        practices_command,
        agreement_command,
        *LEARNING,
        discover_command,
        *SAFETY,
        redact_group,
        copy_command,
    ]:
        main.add_command(command)


_register()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
