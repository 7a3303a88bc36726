"""The `fokus` command: each command opens the project, makes one call into the library, and prints the result.

Problems a user can fix arrive as FokusError and are printed as one line on stderr with a non-zero exit; `--debug`
shows the traceback instead. Heavy libraries (spaCy, scikit-learn, Textual) are imported inside the commands that
need them, so `fokus --help` stays fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from fokus.cli import (
    agreement,
    analysis,
    cases,
    codebook,
    codings,
    copy,
    discover,
    export,
    history,
    hypotheses,
    imports,
    language,
    learn,
    memos,
    pages,
    practices,
    privacy,
    project,
    qdpx,
    rules,
    survey,
    tagging,
    tui,
)
from fokus.errors import FokusError
from fokus.i18n import _

EXIT_USER_ERROR = 1
EXIT_BUG = 3


class FokusGroup(click.Group):
    """Turns FokusError into one line and a non-zero exit, everywhere below it; speaks the person's language."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if parent is None:  # the root: choose the language before click parses, so `fokus --help` speaks it too
            try:
                language.choose(language.flag_in(args))
            except FokusError as exc:
                click.echo(_("fokus: error: {reason}").format(reason=exc), err=True)
                sys.exit(EXIT_USER_ERROR)
            language.route_click_messages()
            language.localise(self)
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FokusError as exc:
            if _debug(ctx):
                raise
            click.echo(_("fokus: error: {reason}").format(reason=exc), err=True)
            ctx.exit(EXIT_USER_ERROR)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader went away (`fokus codings export | head`): not an error, and nothing more to say
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo(_("fokus: interrupted; nothing of this command was written"), err=True)
            ctx.exit(130)
        except Exception as exc:
            if _debug(ctx):
                raise
            failure = _storage_failure(ctx, exc)
            if failure is not None:  # a full disk, a damaged file, read-only storage: the machine's, not a bug
                click.echo(_("fokus: error: {reason}").format(reason=failure), err=True)
                ctx.exit(EXIT_USER_ERROR)
            click.echo(
                _(
                    "fokus: internal error: {kind}: {detail} (a bug in fokus; nothing of this command was written;"
                    " rerun with --debug for the traceback)"
                ).format(kind=type(exc).__name__, detail=" ".join(str(exc).split())[:300]),
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
@click.option(
    "--lang",
    metavar="LANG",
    help="The language fokus speaks: en or nb (else FOKUS_LANG, `fokus config lang`, the system locale, English).",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=language.show_version,
    help="Show the version and exit.",
)
@click.pass_context
def main(ctx: click.Context, db: str, debug: bool, lang: str | None) -> None:
    """fokus: code and analyse focus groups held in closed Facebook groups.

    \b
    Start with the demo:   fokus demo
    Or a project of yours: fokus init && fokus import export.zip
    """
    ctx.obj = {"db": db, "debug": debug, "lang": lang}


# the command tree (`fokus --help` lists it alphabetically): one module per command or group of commands in
# fokus/cli/, each group registering its own subcommands there; the shared helpers are in fokus/cli/common.py
main.add_command(project.init_command)
main.add_command(project.status_command)
main.add_command(project.demo_command)
main.add_command(imports.import_command)
main.add_command(cases.cases_group)
main.add_command(cases.participants_group)
main.add_command(pages.pages_group)
main.add_command(survey.survey_group)
main.add_command(codebook.codebook_group)
main.add_command(codings.codings_group)
main.add_command(memos.memos_group)
main.add_command(tagging.tag_command)
main.add_command(tagging.evaluate_command)
main.add_command(rules.rules_group)
main.add_command(analysis.freq_command)
main.add_command(analysis.cooc_command)
main.add_command(analysis.matrix_command)
main.add_command(analysis.passages_command)
main.add_command(hypotheses.hypotheses_group)
main.add_command(practices.practices_command)
main.add_command(agreement.agreement_command)
main.add_command(learn.learn_command)
main.add_command(learn.suggest_command)
main.add_command(discover.discover_command)
main.add_command(privacy.redact_group)
main.add_command(export.export_group)
main.add_command(qdpx.qdpx_group)
main.add_command(history.backup_command)
main.add_command(history.restore_command)
main.add_command(history.undo_command)
main.add_command(history.redo_command)
main.add_command(copy.copy_command)
main.add_command(tui.tui_command)
main.add_command(language.config_group)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
