"""`fokus discover`: candidate themes in what no accepted code covers, and adopting one as a new code."""

from __future__ import annotations

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, open_ctx
from fokus.i18n import _


@click.command("discover")
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=1),
    default=None,
    help="How many themes to look for; default: round(sqrt(n / 5)) for n open sentences, 2 to 30.",
)
@click.option("--quotes", type=click.IntRange(min=0), default=5, show_default=True, help="Quotes shown per candidate.")
@click.option("--adopt", "adopt_number", type=click.IntRange(min=1), metavar="N", help="Make candidate N a new code.")
@click.option("--as", "as_path", metavar="PATH", help="With --adopt: the new code's id (under --parent if given).")
@click.option("--name", metavar="NAME", help="With --adopt: the new code's name.")
@click.option("--parent", metavar="P", help="With --adopt: the code to put the new one under.")
@click.option(
    "--all-sentences",
    is_flag=True,
    help="With --adopt: suggest the code on all the candidate's sentences, not only its quotes.",
)
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def discover_command(
    ctx: click.Context,
    k: int | None,
    quotes: int,
    adopt_number: int | None,
    as_path: str | None,
    name: str | None,
    parent: str | None,
    all_sentences: bool,
    fmt: str,
    output: str | None,
) -> None:
    """Candidate themes: a topic model over the sentences no accepted code covers.

    NMF on the sentences' lemma TF-IDF (stop words and the codebook's ubiquitous words left out) finds recurring
    themes the codebook does not name yet. Each candidate shows its top lemmas, the most representative quotes (by
    pseudonym, with message and sentence ids) and how many municipalities, participants and messages it spans;
    those spanning most municipalities come first. Run `fokus tag` first. The machine only suggests: --adopt N
    makes candidate N a new code, in one transaction, with its quotes as suggestions to accept or reject in the
    review queue (the TUI's `v`). The same project gives the same candidates; adopt from a listing of it.

    \b
    Examples:
      fokus discover
      fokus discover --k 8 --quotes 3 --format md -o temaer.md
      fokus discover --adopt 2 --as vinterdrift --name "Vinterdrift og brøyting" --parent tjenester
    """
    from fokus.learn.adopt import adopt
    from fokus.learn.discover import discover

    project = open_ctx(ctx)
    if adopt_number is None:
        if as_path or name or parent or all_sentences:
            raise click.UsageError(_("--as, --name, --parent and --all-sentences go with --adopt N"))
        with project.read() as session:
            report = discover(session, k=k, quotes=quotes)
        emit(report, fmt, output)
        if fmt == "table":
            click.echo(report.method(), err=output is not None)
        return
    if not as_path or not name:
        raise click.UsageError(_("--adopt N needs --as PATH and --name NAME"))
    with project.begin() as session:
        report = discover(session, k=k, quotes=quotes)
        adopted = adopt(
            session,
            report,
            number=adopt_number,
            path=as_path,
            name=name,
            parent=parent,
            quotes_only=not all_sentences,
        )
    click.echo(adopted.summary())
    click.echo(
        _(
            "Review them in the TUI (`fokus tui`, key v). The code is in the project's codebook, not in your codebook"
            " file: add it there too if you keep one."
        )
    )
