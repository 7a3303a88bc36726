"""`fokus redact`: what exports do with the names people write in their messages, and the switch for it."""

from __future__ import annotations

import json

import click

from fokus.cli.common import open_ctx
from fokus.i18n import _
from fokus.i18n.formats import number

REAL_NAMES_HELP = (
    "Leave the names people wrote in the texts and add each participant's real name (a warning is printed)."
)


@click.group("redact")
def redact_group() -> None:
    """Redaction: exports replace participants' names (and, with a Norwegian NER model, person names) in texts.

    On by default. The stored texts never change; only what exports write does: messages, coded passages, quotes in
    analysis reports, QDPX sources, titles and memos.
    """


@redact_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable.")
@click.pass_context
def status_command(ctx: click.Context, as_json: bool) -> None:
    """How many mentions exports replace, in how many messages, by kind; never the names themselves.

    \b
    Example:
      fokus redact status
    """
    from fokus.privacy import ENTITY, PARTICIPANT, Redactor

    project = open_ctx(ctx)
    with project.read() as session:
        summary = Redactor(session).summary()
    if as_json:
        numbers = {
            "enabled": summary.enabled,
            "messages": summary.messages,
            "messages_with_mentions": summary.messages_with_mentions,
            "mentions": summary.mentions,
            "messages_by_kind": summary.messages_by_kind,
            "entity_model": summary.entity_model,
        }
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    counts = {
        "mentions": number(sum(summary.mentions.values())),
        "found": number(summary.messages_with_mentions),
        "messages": number(summary.messages),
    }
    if summary.enabled:
        click.echo(_("Redaction is on."))
        click.echo(_("Exports replace {mentions} mentions in {found} of {messages} messages:").format(**counts))
    else:
        click.echo(_("Redaction is OFF: exports show names as written."))
        click.echo(_("Exports would replace {mentions} mentions in {found} of {messages} messages:").format(**counts))
    labels = [_("participant names"), _("person entities")]
    width = max(17, *(len(label) for label in labels))
    in_messages = _("{mentions} in {messages} messages")
    participants = in_messages.format(
        mentions=number(summary.mentions[PARTICIPANT]), messages=number(summary.messages_by_kind[PARTICIPANT])
    )
    click.echo(f"  {labels[0]:<{width}}  {participants}")
    if summary.entity_model:
        entities = _("{mentions} in {messages} messages (found by {model})").format(
            mentions=number(summary.mentions[ENTITY]),
            messages=number(summary.messages_by_kind[ENTITY]),
            model=summary.entity_model,
        )
    else:
        entities = _("not looked for (no Norwegian model with NER; see `fokus tag --model`)")
    click.echo(f"  {labels[1]:<{width}}  {entities}")


@redact_group.command("preview")
@click.argument("message_id")
@click.pass_context
def preview_command(ctx: click.Context, message_id: str) -> None:
    """Show a message as exports will show it.

    \b
    Example:
      fokus redact preview 10150123456789_101
    """
    from fokus.errors import FokusError
    from fokus.privacy import Redactor, find_message

    project = open_ctx(ctx)
    with project.read() as session:
        found = find_message(session, message_id)
        if found is None:
            raise FokusError(
                _("message {id!r} is not in the project").format(id=message_id), hint=_("see `fokus export messages`")
            )
        redactor = Redactor(session)
        text = redactor.text(found[0], found[2])
    if not redactor.enabled:
        click.echo(_("Redaction is off (`fokus redact on` turns it on): exports show the text as written."), err=True)
    click.echo(text)


@redact_group.command("on")
@click.pass_context
def on_command(ctx: click.Context) -> None:
    """Redact names in every export from now on (the default).

    \b
    Example:
      fokus redact on
    """
    _switch(ctx, True)


@redact_group.command("off")
@click.pass_context
def off_command(ctx: click.Context) -> None:
    """Let exports show names as people wrote them (participants stay pseudonyms).

    \b
    Example:
      fokus redact off
    """
    _switch(ctx, False)


def _switch(ctx: click.Context, on: bool) -> None:
    from fokus.privacy import set_redaction

    project = open_ctx(ctx)
    with project.begin() as session:
        set_redaction(session, on)
    if on:
        click.echo(_("Redaction is on: exports replace participants' names in texts."))
    else:
        click.echo(
            _(
                "Redaction is off: exports show names as people wrote them. Participants are still pseudonyms;"
                " `fokus redact on` turns it back on."
            )
        )
