"""Which language a person gets: the flag, FOKUS_LANG, their setting, the system locale, English; in that order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.i18n.choice import chosen, normalised, read_settings, save, settings_file


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"FOKUS_CONFIG_DIR": str(tmp_path / "cfg")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nb_NO.UTF-8", "nb"),
        ("no_NO", "nb"),
        ("nn_NO.UTF-8@euro", "nb"),
        ("en_GB.UTF-8", "en"),
        ("Norsk", "nb"),
        ("nb-NO", "nb"),
        ("C.UTF-8", None),
        ("POSIX", None),
        ("de_DE.UTF-8", None),
        ("", None),
    ],
)
def test_locale_names_lead_to_the_languages_fokus_has(value: str, expected: str | None) -> None:
    assert normalised(value) == expected


def test_each_source_overrides_the_ones_after_it(env: dict[str, str]) -> None:
    assert chosen(None, env).source == "default"
    assert chosen(None, env).lang == "en"
    env["LANG"] = "nb_NO.UTF-8"
    assert (chosen(None, env).lang, chosen(None, env).source) == ("nb", "LANG")
    save("en", env)
    assert chosen(None, env).lang == "en"
    assert chosen(None, env).source == str(settings_file(env))
    env["FOKUS_LANG"] = "nb"
    assert (chosen(None, env).lang, chosen(None, env).source) == ("nb", "FOKUS_LANG")
    assert (chosen("en", env).lang, chosen("en", env).source) == ("en", "--lang")


def test_posix_precedence_among_the_locale_variables(env: dict[str, str]) -> None:
    env.update(LANG="nb_NO.UTF-8", LC_ALL="de_DE.UTF-8")
    assert chosen(None, env) == chosen(None, env).__class__("en", "LC_ALL")  # a set LC_ALL decides, even unknown
    env["LC_MESSAGES"] = "nb_NO.UTF-8"
    assert chosen(None, env).lang == "en"  # LC_ALL still wins over LC_MESSAGES
    del env["LC_ALL"]
    assert (chosen(None, env).lang, chosen(None, env).source) == ("nb", "LC_MESSAGES")
    env["LANGUAGE"] = "sv:en"
    assert (chosen(None, env).lang, chosen(None, env).source) == ("en", "LANGUAGE")


def test_an_unknown_language_is_refused_naming_where_it_came_from(env: dict[str, str]) -> None:
    with pytest.raises(FokusError, match=r"FOKUS_LANG: fokus speaks en, nb, not 'de'"):
        chosen(None, {**env, "FOKUS_LANG": "de"})
    with pytest.raises(FokusError, match="--lang"):
        chosen("klingon", env)


def test_saving_keeps_other_settings_and_reset_forgets_only_the_language(env: dict[str, str]) -> None:
    path = settings_file(env)
    path.parent.mkdir(parents=True)
    path.write_text('theme = "dark"\nwidth = 120\n', encoding="utf-8")
    save("norsk", env)
    assert read_settings(path) == {"theme": "dark", "width": 120, "lang": "nb"}
    save(None, env)
    assert read_settings(path) == {"theme": "dark", "width": 120}
    assert not list(path.parent.glob(".*.tmp"))


def test_a_broken_settings_file_is_named_not_overwritten(env: dict[str, str]) -> None:
    path = settings_file(env)
    path.parent.mkdir(parents=True)
    path.write_text("lang = \n", encoding="utf-8")
    with pytest.raises(FokusError, match=rf"{path}: not valid TOML"):
        chosen(None, env)
    with pytest.raises(FokusError, match="not valid TOML"):
        save("nb", env)
    assert path.read_text(encoding="utf-8") == "lang = \n"


def test_the_settings_are_never_written_through_a_link_or_over_a_folder(env: dict[str, str], tmp_path: Path) -> None:
    victim = tmp_path / "dotfiles.toml"
    victim.write_text('lang = "nb"\n', encoding="utf-8")
    path = settings_file(env)
    path.parent.mkdir(parents=True)
    os.symlink(victim, path)
    assert chosen(None, env).lang == "nb"  # read through the link: a person's own dotfiles
    with pytest.raises(FokusError, match="not a regular file"):
        save("en", env)
    assert victim.read_text(encoding="utf-8") == 'lang = "nb"\n'
    assert path.is_symlink()
    path.unlink()
    path.mkdir()
    with pytest.raises(FokusError, match="not a regular file"):
        save("nb", env)
