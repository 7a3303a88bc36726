"""The CLI's side of the translation layer: the language for this run, `fokus config lang`, and translated help.

Why help is translated here and not where it is written: click reads a command's help (its docstring, its options'
`help=`) when the module is imported, before `--lang` is parsed. So the help texts stay English in the code, and
`localise()` swaps in the active language's text (keeping the English source) just before click shows them. Click's
own words (`Usage:`, `Options:`, its error messages) go through the same catalogue.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import click

from fokus.i18n import _, catalogues, use
from fokus.i18n.choice import chosen, save, settings_file

# click's modules that call gettext for the words they print (each imported `gettext as _` and `ngettext` itself).
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "shell_completion")
_SOURCE_ATTRIBUTE = "_fokus_english"


def choose(flag: str | None) -> str:
    """Makes the language chosen by the flag, the environment, the setting or the locale active; returns it.

    Called before click parses anything, because click writes some of its own texts (the help option's) the moment
    it starts parsing: a language chosen in an option's callback would come too late for them.
    """
    lang = chosen(flag).lang
    use(lang)
    return lang


def flag_in(args: list[str]) -> str | None:
    """The value of the root's `--lang` in the arguments, read before click parses them (see `choose`)."""
    rest = iter(args)
    for arg in rest:
        if arg == "--lang":
            return next(rest, None) or ""
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
        if arg == "--db":
            next(rest, None)
        elif not arg.startswith("-"):
            return None  # the command's name: what follows is the command's own
    return None


def route_click_messages() -> None:
    """Sends click's own messages through fokus's catalogue, so `Usage:` and `Error:` are in the person's language."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = catalogues._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = catalogues.ngettext  # type: ignore[attr-defined]


def walk(command: click.Command) -> Iterator[click.Command]:
    """The command and every command below it."""
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from walk(sub)


def help_texts(root: click.Command) -> Iterator[str]:
    """Every help text of the command tree, in English: the message ids `localise` looks up."""
    for command in walk(root):
        for owner, attribute in _texts_of(command):
            text = _english(owner, attribute)
            if text:
                yield text


def localise(root: click.Command) -> None:
    """Puts the active language's help texts on every command and option (the English stays as the source)."""
    for command in walk(root):
        for owner, attribute in _texts_of(command):
            english = _english(owner, attribute)
            if english:
                setattr(owner, attribute, _(english))
        if getattr(command, "_help_option", None) is not None:
            command._help_option = None  # click keeps the --help option it made, worded in the language of then
        for param in command.params:
            if isinstance(param.type, click.Path):  # click names the kind of path once, when the option is made
                kind = param.type
                kind.name = (
                    _("file")
                    if kind.file_okay and not kind.dir_okay
                    else _("directory")
                    if (kind.dir_okay and not kind.file_okay)
                    else _("path")
                )


def show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`fokus --version`, in the person's language (click's own option words it when fokus is imported)."""
    if not value or ctx.resilient_parsing:
        return
    from fokus import __version__

    click.echo(_("%(prog)s, version %(version)s") % {"prog": "fokus", "version": __version__})
    ctx.exit()


def _texts_of(command: click.Command) -> Iterator[tuple[Any, str]]:
    for attribute in ("help", "short_help", "epilog"):
        yield command, attribute
    for param in command.params:
        if isinstance(param, click.Option):
            yield param, "help"


def _english(owner: Any, attribute: str) -> str | None:
    """The English text of a help attribute, remembered the first time it is seen."""
    sources: dict[str, str | None] = owner.__dict__.setdefault(_SOURCE_ATTRIBUTE, {})
    if attribute not in sources:
        value = getattr(owner, attribute, None)
        sources[attribute] = value if isinstance(value, str) and value.strip() else None
    return sources[attribute]


@click.group("config")
def config_group() -> None:
    """Your own settings on this machine, for every project (kept in your user configuration folder)."""


@config_group.command("lang")
@click.argument("value", required=False)
@click.option("--reset", is_flag=True, help="Forget the setting: the system locale decides again.")
@click.pass_context
def lang_command(ctx: click.Context, value: str | None, reset: bool) -> None:
    """Show or set the language fokus speaks to you: en (English) or nb (Norwegian Bokmål).

    The setting is yours, on this machine, for every project. --lang and FOKUS_LANG still win for one command or
    one shell; without any of them the system locale (LANG) decides, else English.

    \b
    Examples:
      fokus config lang            which language, and what chose it
      fokus config lang nb         Norwegian from now on
      fokus config lang --reset    let the system locale decide again
    """
    if value and reset:
        raise click.UsageError(_("give a language or --reset, not both"))
    flag = (ctx.find_root().obj or {}).get("lang")
    if value or reset:
        path = save(None if reset else value)
        use(chosen(flag).lang)
        click.echo(_("Saved in {path}.").format(path=path))
    choice = chosen(flag)
    source = {
        "--lang": _("the --lang option"),
        "FOKUS_LANG": _("the FOKUS_LANG variable"),
        "default": _("the default"),
        str(settings_file()): _("your setting in {path}").format(path=settings_file()),
    }.get(choice.source, _("the system locale ({variable})").format(variable=choice.source))
    name = {"en": _("English"), "nb": _("Norwegian Bokmål")}.get(choice.lang, choice.lang)
    click.echo(_("Language: {name} ({code}), chosen by {source}.").format(name=name, code=choice.lang, source=source))
