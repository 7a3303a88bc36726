"""The command line: thin commands over the library, one-line errors, nothing written on failure."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fokus.cli import main

runner = CliRunner()


def fokus(*args: str, ok: bool = True) -> str:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
        return result.output
    assert result.exit_code != 0, result.output
    return result.stderr


def digest(path: Path) -> str:
    """The project's content, as a checksum over every table's rows (the file's bytes change with WAL)."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = [repr(conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()) for t in tables]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize(("name", "command"), commands(main))
def test_every_command_is_documented_with_an_example(name: str, command: click.Command) -> None:
    assert command.help, name
    if not isinstance(command, click.Group):
        assert "Example" in command.help, f"`fokus {name}` has no example in its help"
        assert f"fokus {name}" in command.help or "fokus " in command.help


#: The command tree as `fokus --help` shows it (each group's module in fokus/cli registers its subcommands).
COMMAND_TREE = [
    "agreement",
    "backup",
    "cases",
    "cases import",
    "cases list",
    "codebook",
    "codebook delete",
    "codebook export",
    "codebook load",
    "codebook merge",
    "codebook move",
    "codebook rename",
    "codebook show",
    "codings",
    "codings add",
    "codings export",
    "codings flagged",
    "codings import",
    "config",
    "config lang",
    "cooc",
    "copy",
    "demo",
    "discover",
    "evaluate",
    "export",
    "export messages",
    "freq",
    "hypotheses",
    "hypotheses check",
    "import",
    "init",
    "learn",
    "matrix",
    "memos",
    "memos delete",
    "memos edit",
    "memos export",
    "memos list",
    "memos show",
    "pages",
    "pages import",
    "pages list",
    "pages metrics",
    "pages score",
    "participants",
    "participants link",
    "participants list",
    "passages",
    "practices",
    "qdpx",
    "qdpx export",
    "redact",
    "redact off",
    "redact on",
    "redact preview",
    "redact status",
    "redo",
    "restore",
    "rules",
    "rules suggest",
    "status",
    "suggest",
    "survey",
    "survey import",
    "survey items",
    "tag",
    "tui",
    "undo",
]


def test_the_command_tree_is_the_listed_one() -> None:
    assert [name for name, _ in commands(main)] == COMMAND_TREE


@pytest.mark.parametrize(("name", "command"), commands(main))
def test_every_command_lives_in_its_own_module_and_shows_its_help(name: str, command: click.Command) -> None:
    assert command.callback is not None
    assert command.callback.__module__.startswith("fokus.cli."), f"`fokus {name}` is defined in fokus/cli/__init__.py"
    result = runner.invoke(main, [*name.split(), "--help"], terminal_width=100, prog_name="fokus")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: fokus {name} ")


def test_init_codebook_status(codebook_file: Path) -> None:
    out = fokus("init", "--codebook", str(codebook_file))
    assert "5 codes" in out
    status = json.loads(fokus("status", "--json"))
    assert status["codes"] == 5
    assert status["codings"] == {"accepted": 0, "suggested": 0, "rejected": 0}
    assert {"messages", "threads", "participants", "cases", "codes", "codings"} <= set(status)
    shown = json.loads(fokus("codebook", "show", "--json"))
    assert [c["id"] for c in shown][:2] == ["krise", "krise/flom"]
    assert fokus("init", ok=False).startswith("fokus: error: fokus.db: a project exists here already")


def test_init_with_the_default_codebook_and_env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOKUS_DB", str(tmp_path / "env.db"))
    fokus("init")
    assert (tmp_path / "env.db").exists()
    codes = json.loads(fokus("codebook", "show", "--json"))
    assert {"dialog", "krise", "god-praksis"} <= {c["id"] for c in codes}


@pytest.mark.postgresql
def test_fokus_db_names_a_server_project_for_every_command(pg_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOKUS_DB", pg_db)
    assert "Created the project postgresql+psycopg://" in fokus("init")
    codes = json.loads(fokus("codebook", "show", "--json"))
    assert {"dialog", "krise", "god-praksis"} <= {c["id"] for c in codes}
    assert "codings" in fokus("status")
    err = fokus("init", ok=False)  # the same database again
    assert err.strip() == f"fokus: error: {pg_db}: a project exists here already (choose another --db)"


def test_a_bad_codebook_leaves_no_project(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n  - id: a\n    nam: A\n", encoding="utf-8")
    err = fokus("init", "--codebook", str(bad), ok=False)
    allowed = "children, codable, color, description, examples, exclude, id, include, name, rules"
    assert err.strip() == f"fokus: error: {bad}:line 3: unknown key 'nam' in a code (allowed: {allowed})"
    assert not (tmp_path / "fokus.db").exists()


def test_commands_on_a_missing_project_say_so() -> None:
    err = fokus("status", ok=False)
    assert err.strip() == "fokus: error: fokus.db: no project here (create one with `fokus init`, or pass --db)"


def test_bad_input_exits_nonzero_in_one_line_and_writes_nothing(tmp_path: Path, codebook_file: Path) -> None:
    fokus("init", "--codebook", str(codebook_file))
    before = digest(tmp_path / "fokus.db")
    bad_cases = tmp_path / "cases.csv"
    bad_cases.write_text("kommune,n:integer\nBodø,1\nVoss,mange\n", encoding="utf-8")
    err = fokus("cases", "import", str(bad_cases), ok=False)
    assert err.count("\n") == 1
    assert f"{bad_cases}:line 3" in err
    assert "Traceback" not in err
    bad_codings = tmp_path / "c.csv"
    bad_codings.write_text("message_id,code\nnope,krise\n", encoding="utf-8")
    err = fokus("codings", "import", str(bad_codings), "--coder", "ingrid", ok=False)
    assert "message 'nope' is not in the project" in err
    assert digest(tmp_path / "fokus.db") == before


def test_debug_shows_the_traceback(codebook_file: Path) -> None:
    result = runner.invoke(main, ["--debug", "status"])
    assert result.exit_code != 0
    assert result.exception is not None
    assert type(result.exception).__name__ == "FokusError"


def test_cases_list_formats(tmp_path: Path, codebook_file: Path) -> None:
    fokus("init", "--codebook", str(codebook_file))
    table = tmp_path / "cases.csv"
    table.write_text("kommune,topp10,innbyggertall\nBodø,ja,48200\n", encoding="utf-8")
    assert "1 added" in fokus("cases", "import", str(table))
    assert fokus("cases", "list", "--format", "csv").splitlines() == [
        "case,topp10,innbyggertall,participants,messages",
        "Bodø,true,48200,0,0",
    ]
    assert json.loads(fokus("cases", "list", "--format", "json"))[0]["innbyggertall"] == 48200
    assert "Bodø" in fokus("cases", "list")


def _core_modules_loaded(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_the_core_never_imports_textual_or_click() -> None:
    loaded = _core_modules_loaded(
        "import fokus.api.messages, fokus.api.codings, fokus.api.cases, fokus.api.codebook,"
        " fokus.api.status, fokus.api.exports, fokus.store, fokus.importers, fokus.files.codebook"
    )
    assert "textual" not in loaded
    assert "click" not in loaded
    # spaCy itself imports click (its own CLI), so the NLP side is held to "no Textual" here and to "no click of
    # ours" by the import-linter contract in pyproject.toml
    assert "textual" not in _core_modules_loaded("import fokus.api.tagging, fokus.api.demo, fokus.nlp")


def test_help_is_fast_to_import() -> None:
    loaded = _core_modules_loaded("import fokus.cli")
    assert not loaded & {"spacy", "sklearn", "textual", "scipy", "sqlalchemy", "rich"}


# Commands that read, list and export: they must start fast, so nothing they load imports spaCy, scikit-learn or
# Textual at module level (tagging, learning, practices and the TUI load those when they run).
LIGHT_COMMANDS = (
    ("status",),
    ("codebook", "show"),
    ("cases", "list"),
    ("participants", "list"),
    ("codings", "export"),
    ("codings", "flagged"),
    ("export", "messages"),
    ("freq",),
    ("passages", "krise"),
    ("memos", "list"),
)


def test_light_commands_load_no_nlp_learning_or_tui(tmp_path: Path, codebook_file: Path) -> None:
    project = tmp_path / "p.db"
    fokus("--db", str(project), "init", "--codebook", str(codebook_file))
    fokus("--db", str(project), "import", str(Path(__file__).parents[1] / "corpus" / "graph"))
    script = (
        "import contextlib, io, sys\n"
        "from fokus.cli import main\n"
        f"for args in {LIGHT_COMMANDS!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "        try:\n"
        f"            main(['--db', {str(project)!r}, *args])\n"
        "        except SystemExit as done:\n"
        "            assert not done.code, (args, done.code)\n"
    )
    loaded = _core_modules_loaded(script)
    assert not loaded & {"spacy", "sklearn", "textual", "thinc"}
