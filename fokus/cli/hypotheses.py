"""`fokus hypotheses`: test a file of hypotheses against the coded data."""

from __future__ import annotations

from pathlib import Path

import click

from fokus.cli.common import FORMAT_OPTION, OUTPUT_OPTION, emit, open_ctx


@click.group("hypotheses")
def hypotheses_group() -> None:
    """Hypotheses: test a study's claims against the coding, with effects, adjusted p-values and evidence."""


@hypotheses_group.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--include-suggested", is_flag=True, help="Count the machine's open suggestions too.")
@click.option("--coders", metavar="A,B", help="Only these coders' codings (comma-separated).")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.pass_context
def check(
    ctx: click.Context, file: Path, include_suggested: bool, coders: str | None, fmt: str, output: str | None
) -> None:
    """Test every hypothesis in a YAML FILE on what was said (codings) and what was done (page metrics, survey items).

    On the coding: two codes in the same unit, a code in one group of cases against the rest, a trend by month. On
    behaviour: a page metric (metric: response_hours) or a number attribute such as a survey item (value: ...) in one
    group of cases against the rest, or a correlation between two of them or a code's share. fokus picks the test
    for the data (Fisher's exact test for a 2x2 table, chi-square for a larger one, Mann-Whitney U for one value per
    case, Spearman for a trend or a correlation), reports an effect with a 95% confidence interval, adjusts the
    p-values of the file together (Benjamini-Hochberg), and gives a verdict: supported, not supported, or too little
    data (with the minimum the test needs). Each result lists what lies behind it: the coded passages, or the posts
    and the page's answers. Accepted codings only unless --include-suggested. See codebooks/hypoteser.yaml for a
    commented example.

    \b
    Example:
      fokus hypotheses check codebooks/hypoteser.yaml
      fokus hypotheses check codebooks/hypoteser.yaml --format md -o hypoteser.md
    """
    from fokus.analysis.frame import Scope
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.files.hypotheses import load_hypotheses

    spec = load_hypotheses(file)
    names = tuple(part.strip() for part in (coders or "").split(",") if part.strip())
    project = open_ctx(ctx)
    with project.read() as session:
        report = check_hypotheses(session, spec, scope=Scope.of(include_suggested=include_suggested, coders=names))
    emit(report.brief() if fmt == "table" else report, fmt, output)
