"""`fokus pages metrics` and `fokus pages score`: the pages measured over a window, scored, and the best selected."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, open_ctx
from fokus.errors import FokusError
from fokus.i18n import _

if TYPE_CHECKING:
    from fokus.analysis.page_metrics import Window

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def window_options(function: click.decorators.FC) -> click.decorators.FC:
    """--from and --to: the window's first and last day (in Norwegian time, both included)."""
    function = click.option("--to", "end", type=DAY, metavar="YYYY-MM-DD", help="The window's last day (included).")(
        function
    )
    return click.option("--from", "start", type=DAY, metavar="YYYY-MM-DD", help="The window's first day.")(function)


def _window(start: datetime | None, end: datetime | None) -> Window:
    from fokus.analysis.page_metrics import Window

    return Window(_day(start), _day(end))


@click.command("metrics")
@window_options
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Also draw E per page (.png or .svg).")
@click.pass_context
def metrics(
    ctx: click.Context,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    output: str | None,
    plot: Path | None,
) -> None:
    """Measure every page over a window: posts per week, Bonsón's P1-P3, C1-C3, V1-V3 and E, engagement rate,
    dialogue share, response rate and time, follower growth and reach per capita.

    Days are Norwegian days; without --from and --to the window runs from the first to the last post. A figure
    that cannot be computed (no followers known, no post in the window) is left empty, and a note says why.

    \b
    Example:
      fokus pages metrics --from 2013-01-01 --to 2013-04-30
      fokus pages metrics --format csv -o metrics.csv --plot e.png
    """
    from fokus.analysis.page_metrics import page_metrics, plot_page_metrics

    window = _window(start, end)
    project = open_ctx(ctx)
    with project.read() as session:
        report = page_metrics(session, window)
    emit(report, fmt, output)
    if plot is not None:
        plot_page_metrics(report, plot)
        click.echo(_("Wrote {path}.").format(path=plot), err=True)


@click.command("score")
@click.argument("criteria", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@window_options
@click.option("--top", default="10,30", show_default=True, help="The top Ns to select, as case attributes toppN.")
@click.option("--samples", default=1000, show_default=True, help="Weightings drawn to test the selection (0: none).")
@click.option("--seed", default=0, show_default=True, help="Seed of the drawn weightings (same seed, same shares).")
@click.option("--replace", is_flag=True, help="Overwrite the project's own attributes of the same names.")
@click.option("--dry-run", is_flag=True, help="Show the scores without writing anything.")
@click.option("--show", is_flag=True, help="Show the last score run instead (its criteria's sha256 and every page).")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def score(
    ctx: click.Context,
    criteria: Path | None,
    start: datetime | None,
    end: datetime | None,
    top: str,
    samples: int,
    seed: int,
    replace: bool,
    dry_run: bool,
    show: bool,
    fmt: str,
    output: str | None,
) -> None:
    """Score the pages on the CRITERIA file, rank them, and write score, rank, topp10 and topp30 to their cases.

    Each criterion's metric is normalised (z-score or centred rank), turned round where lower is better, and
    weighted; equal scores are ordered by page name. The run is kept with the criteria file's text and sha256 as
    the attributes' provenance. The weights are then drawn again (Dirichlet, seeded) to show how often each page
    stays in each top N. See codebooks/kriterier.yaml for the study's criteria, commented.

    \b
    Example:
      fokus pages score codebooks/kriterier.yaml --from 2013-01-01 --to 2013-04-30
      fokus pages score --show --format md
    """
    from fokus.api.page_scores import latest_run, score_into_cases
    from fokus.files.criteria import load_criteria

    project = open_ctx(ctx)
    if show:
        with project.read() as session:
            stored = latest_run(session)
        if stored is None:
            raise FokusError(_("no score run yet"), hint=_("run fokus pages score CRITERIA.yaml"))
        emit(stored, fmt, output)
        return
    if criteria is None:
        raise FokusError(_("name a criteria file"), hint=_("for example fokus pages score codebooks/kriterier.yaml"))
    try:
        tops = tuple(sorted({int(part) for part in top.split(",") if part.strip()}))
    except ValueError:
        raise FokusError(_("--top takes whole numbers, as 10,30"), hint=_("for example --top 10,30")) from None
    spec = load_criteria(criteria)
    window = _window(start, end)
    with project.begin(dry_run=dry_run) as session:
        report = score_into_cases(
            session, spec, window, tops=tops, samples=samples, seed=seed, replace=replace, dry_run=dry_run
        )
    emit(report, fmt, output)
    if dry_run:
        click.echo(_("Dry run: nothing was written."), err=True)
    else:
        click.echo(
            _("Score run {run}: wrote score, rank and {tops} to the pages' cases.").format(
                run=report.run, tops=", ".join(f"topp{n}" for n in tops)
            ),
            err=True,
        )
