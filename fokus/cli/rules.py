"""`fokus rules`: the codebook's auto-coding rules, and trigger words for them learnt from the researchers' coding."""

from __future__ import annotations

from pathlib import Path

import click

from fokus.cli.common import CODER_OPTION, FORMAT_OPTION, OUTPUT_OPTION, coder_id, emit, open_ctx
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.i18n.formats import number


@click.group("rules")
def rules_group() -> None:
    """The codebook's auto-coding rules."""


@rules_group.command("suggest")
@click.argument("code", required=False)
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="Proposals per code.")
@click.option(
    "--min-support",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Accepted sentences a trigger must add to what the rules catch.",
)
@click.option(
    "--min-precision",
    type=click.FloatRange(0, 1),
    default=0.6,
    show_default=True,
    help="Share of the decided sentences it fires in that are the code's.",
)
@click.option("--pick", multiple=True, help="Keep only this trigger (a lemma or a phrase; repeat for more).")
@click.option("--model", help="The spaCy pipeline to run the rules with (default: the project's).")
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option(
    "--write", is_flag=True, help="Add the proposals to the codebook file as a new rule per code, and load it."
)
@click.option(
    "--codebook",
    "codebook_file",
    type=click.Path(path_type=Path),
    help="The YAML codebook file --write edits (the project does not record which file it was loaded from).",
)
@CODER_OPTION
@click.pass_context
def suggest_command(
    ctx: click.Context,
    code: str | None,
    top: int,
    min_support: int,
    min_precision: float,
    pick: tuple[str, ...],
    model: str | None,
    fmt: str,
    output: str | None,
    write: bool,
    codebook_file: Path | None,
    coder: str | None,
) -> None:
    """Propose trigger lemmas, compound parts and phrases that separate CODE's accepted sentences from the rest.

    Counted on the sentences the researchers decided on: `new` is how many of the code's accepted sentences a
    trigger catches that the code's rules miss, `positives` how many it catches in all, `wrong` how many other
    decided sentences it fires in; `precision` is positives over positives and wrong; `threads` how many threads
    the new sentences come from. The figures are counted on the sentences the triggers were found in, so they
    flatter: read the sentences before you accept a trigger. Without CODE, every codable code.

    With --write, each code's proposals become one new rule (`learnt-1`, ...) in the YAML codebook file, added
    without changing anything else in it (comments, order and layout kept), and the edited codebook is loaded
    into the project (`fokus undo` takes the load back; the file keeps the rule). Then `fokus tag` suggests with
    it.

    \b
    Examples:
      fokus rules suggest dialog/tone
      fokus rules suggest --top 5 --format md -o forslag.md
      fokus rules suggest krise/for --pick avtale --pick vær --write --codebook codebooks/kommune-sosiale-medier.yaml
    """
    from fokus.api.rule_proposals import propose_rules, write_rules
    from fokus.domain.settings import MODEL_SETTING, get_setting
    from fokus.nlp import load_pipeline

    if write and codebook_file is None:
        raise FokusError(_("--write needs --codebook FILE: the YAML codebook to add the rules to"))
    if codebook_file is not None and not write:
        raise click.UsageError(_("--codebook is the file --write edits; give --write too"))
    project = open_ctx(ctx)
    if not write:
        with project.read() as session:
            nlp = load_pipeline(model or get_setting(session, MODEL_SETTING))
            report = propose_rules(
                session, nlp, code, top=top, min_support=min_support, min_precision=min_precision, pick=pick
            )
        _show(report, fmt, output)
        return
    assert codebook_file is not None
    written = None
    try:
        with project.begin() as session:
            nlp = load_pipeline(model or get_setting(session, MODEL_SETTING))
            report = propose_rules(
                session, nlp, code, top=top, min_support=min_support, min_precision=min_precision, pick=pick
            )
            if report.proposed():
                written = write_rules(session, codebook_file, report, coder_id=coder_id(session, coder))
                written.install()
    except BaseException:
        if written is not None:
            written.discard()
        raise
    _show(report, fmt, output)
    if written is None:
        click.echo(_("Nothing to add: {file} was not changed.").format(file=codebook_file), err=True)
        return
    for rule in written.rules:
        triggers = len(rule.spec.get("any", [])) + len(rule.spec.get("phrases", []))
        click.echo(
            _("Added rule {rule} ({triggers} triggers, weight {weight}) to {file}.").format(
                rule=f"{rule.code}:{rule.spec['id']}",
                triggers=number(triggers),
                weight=number(rule.spec["weight"]),
                file=codebook_file,
            ),
            err=True,
        )
    click.echo(written.loaded(), err=True)


def _show(report: object, fmt: str, output: str | None) -> None:
    from fokus.api.rule_proposals import RuleProposals

    assert isinstance(report, RuleProposals)
    emit(report, fmt, output)
    if fmt == "table":
        for entry in report.codes:
            click.echo(entry.summary(), err=output is not None)
