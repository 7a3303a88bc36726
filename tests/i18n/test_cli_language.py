"""The CLI speaks the chosen language: help, click's own words, `fokus config lang`, and a bad choice refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from fokus.cli import main
from fokus.cli.language import walk
from fokus.i18n import _, use

runner = CliRunner()
MARKED = re.compile(r"⟦.*?⟧", re.DOTALL)
# a subcommand's line in a listing: its short help is the first sentence of a marked help, cut before the marker ends
LISTED = re.compile(r"^  \S+ +⟦[^⟧\n]*$", re.MULTILINE)
USAGE = re.compile(r"^\s*fokus\b.*$", re.MULTILINE)
PROSE = re.compile(r"\b[a-zæøå]{2,}(?:[ ,][a-zæøå]{2,}){2,}")  # three lowercase words in a row: a sentence


def _commands() -> list[list[str]]:
    return [[*ctx_path] for ctx_path in _paths(main, [])]


def _paths(command: object, prefix: list[str]) -> list[list[str]]:
    found = [prefix]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, [*prefix, name])
    return found


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "fokus")
def test_no_help_text_escapes_the_translation_layer(path: list[str]) -> None:
    result = runner.invoke(main, ["--lang", "qps", *path, "--help"], terminal_width=100, prog_name="fokus")
    assert result.exit_code == 0, result.output
    head, listing, commands = result.output.partition("⟦Commands⟧:")  # a group lists its commands last
    unmarked = USAGE.sub(" ", MARKED.sub(" ", head + listing + LISTED.sub(" ", commands)))
    assert not PROSE.search(unmarked), f"untranslatable text in `fokus {' '.join(path)} --help`:\n{unmarked}"


def test_help_follows_the_language_and_goes_back() -> None:
    english = runner.invoke(main, ["codings", "--help"], prog_name="fokus").output
    use("nb")
    usage, options = _("Usage:"), _("Options")
    use("en")
    norwegian = runner.invoke(main, ["--lang", "nb", "codings", "--help"], prog_name="fokus").output
    assert norwegian.startswith(usage)
    assert f"{options}:" in norwegian
    assert norwegian != english
    again = runner.invoke(main, ["codings", "--help"], prog_name="fokus").output
    assert again == english  # the next run in English shows the English texts again
    assert len(list(walk(main))) > 40


def test_config_lang_saves_the_choice_and_says_what_chose_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FOKUS_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    shown = runner.invoke(main, ["config", "lang"])
    assert shown.exit_code == 0
    assert "(en)" in shown.output
    assert "LANG" in shown.output
    saved = runner.invoke(main, ["config", "lang", "nb"])
    assert saved.exit_code == 0, saved.output
    assert (tmp_path / "user-config" / "config.toml").read_text(encoding="utf-8") == 'lang = "nb"\n'
    assert "(nb)" in saved.output
    assert str(tmp_path / "user-config" / "config.toml") in saved.output
    monkeypatch.setenv("FOKUS_LANG", "en")
    overridden = runner.invoke(main, ["config", "lang"])
    assert "(en)" in overridden.output
    assert "FOKUS_LANG" in overridden.output
    monkeypatch.delenv("FOKUS_LANG")
    reset = runner.invoke(main, ["config", "lang", "--reset"])
    assert reset.exit_code == 0
    assert "(en)" in reset.output
    assert (tmp_path / "user-config" / "config.toml").read_text(encoding="utf-8") == ""


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--lang", "de", "status"], {}, "fokus: error: --lang: fokus speaks en, nb, not 'de'"),
        (["--db", "x.db", "--lang=", "status"], {}, "fokus: error: --lang: fokus speaks en, nb, not ''"),
        (["status"], {"FOKUS_LANG": "xx"}, "fokus: error: FOKUS_LANG: fokus speaks en, nb, not 'xx'"),
        (["config", "lang", "sv"], {}, "fokus: error: lang: fokus speaks en, nb, not 'sv'"),
    ],
)
def test_a_language_fokus_lacks_is_one_line_and_exit_1(
    args: list[str], env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "user-config").exists()
    assert not (tmp_path / "fokus.db").exists()
