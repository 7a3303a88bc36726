"""Which language a person gets, chosen once: `--lang`, then `FOKUS_LANG`, then `fokus config lang`, then the system
locale, then English.

Why this order: a flag is the most deliberate choice and lasts one command; the environment lasts a shell; the
setting lasts for the user on this machine; the system locale is a guess (many Norwegians run an English system, so
it comes last but one). Norwegian spellings of the language (`no`, `nb_NO.UTF-8`, Nynorsk's `nn`) all lead to
Bokmål, the translation fokus has; anything else leads to English.

The setting lives in `$FOKUS_CONFIG_DIR/config.toml`, else `$XDG_CONFIG_HOME/fokus/config.toml`, else
`~/.config/fokus/config.toml`; it is written only over a regular file, atomically.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fokus.errors import FokusError
from fokus.i18n.catalogues import LANGUAGES, PSEUDO, SOURCE, _

# What people and systems write for the languages fokus has, after lower-casing and dropping region and encoding.
_ALIASES = {
    "en": "en",
    "english": "en",
    "nb": "nb",
    "no": "nb",
    "nn": "nb",  # Nynorsk readers get Bokmål until a Nynorsk catalogue exists: closer than English
    "nob": "nb",
    "nor": "nb",
    "nno": "nb",
    "norsk": "nb",
    "bokmal": "nb",
    "bokmål": "nb",
    "norwegian": "nb",
    PSEUDO: PSEUDO,
}
SETTING = "lang"


@dataclass(frozen=True)
class Choice:
    """The language and what chose it, so `fokus config lang` can say why a person sees what they see."""

    lang: str
    source: str  # "--lang", "FOKUS_LANG", the settings file's path, "LANG" (or the variable read), or "default"


def normalised(value: str) -> str | None:
    """The language code fokus has for a name or a POSIX locale (`nb_NO.UTF-8@x` -> `nb`), or None."""
    base = value.strip().lower().split(".")[0].split("@")[0]
    if base in ("c", "posix", ""):
        return None
    return _ALIASES.get(base) or _ALIASES.get(base.replace("-", "_").split("_")[0])


def settings_file(env: Mapping[str, str] | None = None) -> Path:
    """Where the user's settings live on this machine."""
    env = os.environ if env is None else env
    if env.get("FOKUS_CONFIG_DIR"):
        return Path(env["FOKUS_CONFIG_DIR"]).expanduser() / "config.toml"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "fokus" / "config.toml"


def read_settings(path: Path) -> dict[str, object]:
    """The settings file's values; a missing file is no settings, a broken one an error naming it."""
    if not path.exists():
        return {}
    if not path.is_file():
        raise FokusError(_("not a regular file"), path=str(path))
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise FokusError(_("cannot read the settings: {reason}").format(reason=exc), path=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise FokusError(_("not valid TOML: {reason}").format(reason=exc), path=str(path)) from exc


def chosen(flag: str | None = None, env: Mapping[str, str] | None = None) -> Choice:
    """The language for this run, from the flag, the environment, the settings and the locale, in that order."""
    env = os.environ if env is None else env
    if flag is not None:
        return Choice(required(flag, "--lang"), "--lang")
    if env.get("FOKUS_LANG"):
        return Choice(required(env["FOKUS_LANG"], "FOKUS_LANG"), "FOKUS_LANG")
    path = settings_file(env)
    saved = read_settings(path).get(SETTING)
    if isinstance(saved, str) and normalised(saved):
        return Choice(required(saved, str(path)), str(path))
    # POSIX precedence: LANGUAGE (a GNU list: the first language fokus has wins), then the first of LC_ALL,
    # LC_MESSAGES and LANG that is set decides, English when it names a language fokus lacks (say de_DE).
    for part in env.get("LANGUAGE", "").split(":"):
        if found := normalised(part):
            return Choice(found, "LANGUAGE")
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(variable):
            return Choice(normalised(env[variable]) or SOURCE, variable)
    return Choice(SOURCE, "default")


def required(value: str, where: str) -> str:
    """The language `value` names, or an error listing the ones fokus speaks."""
    found = normalised(value)
    if found is None or found not in LANGUAGES:
        raise FokusError(
            _("fokus speaks {languages}, not {value!r}").format(languages=", ".join(LANGUAGES[:2]), value=value),
            where=where,
        )
    return found


def save(lang: str | None, env: Mapping[str, str] | None = None) -> Path:
    """Writes the user's language (None forgets it), keeping other settings; returns the file written."""
    path = settings_file(env)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # read through a link (dotfiles), but never written through one or over anything but a regular file
        raise FokusError(_("not a regular file: change the setting by hand"), path=str(path))
    values = read_settings(path)
    if lang is None:
        values.pop(SETTING, None)
    else:
        values[SETTING] = required(lang, SETTING)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    lines = [f"{key} = {_toml_value(value)}\n" for key, value in sorted(values.items())]
    with temporary.open("x", encoding="utf-8") as handle:
        handle.writelines(lines)
    os.replace(temporary, path)
    return path


def _toml_value(value: object) -> str:
    """A TOML literal for the simple values the settings file holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if not isinstance(value, str):
        raise FokusError(_("fokus writes only plain values to its settings file; edit it by hand"))
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
