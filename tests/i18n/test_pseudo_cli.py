"""No English escapes the CLI's own messages: the commands run on the demo in the pseudo-locale `qps`, where every
string that went through the translation layer comes out between ⟦ ⟧, and in Norwegian, where none does.

Why this heuristic, and not "no text outside ⟦ ⟧": a command's output is mostly data (the participants' Norwegian
words, pseudonyms, code ids and names, case attributes, file paths, numbers), which is rightly never translated. So
the test removes the marked spans, collects the words left over, and flags a word only when it is a word of fokus's
own English (any message id of the catalogue template: our messages, the help texts, click's words) and NOT a word
of the project's data (the demo's messages, codes, cases, pseudonyms, memos, hypotheses, the paths and the command
line with its options and choices). An English sentence that escaped the layer is made of such words; Norwegian data
that happens to spell an English word is in the data's vocabulary and is left alone.

The commands' output includes what the layers below print through the CLI (analysis tables and Markdown reports
from fokus/analysis, errors raised in fokus/api, fokus/files and fokus/store), so the test holds them to it too.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from fokus.cli import main
from fokus.resources import bundled, default_hypotheses

INNERMOST = re.compile(r"⟦[^⟦⟧]*⟧")
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)\w|%\w")


@dataclass(frozen=True)
class Command:
    """One command line of the run (`{db}`, `{out}` and `{corpus}` filled in), with what its output is."""

    name: str
    args: tuple[str, ...]
    machine: bool = False  # CSV or JSON on stdout (or in `{out}`): the same bytes in every language


def _cmd(name: str, *args: str, machine: bool = False) -> Command:
    return Command(name, args, machine)


HYPOTHESES = "{hypotheses}"
#: The run, in order (undo and redo need the rename before them); every one on the same copy of the demo.
COMMANDS = (
    _cmd("status", "status"),
    _cmd("status json", "status", "--json", machine=True),
    _cmd("codebook show", "codebook", "show"),
    _cmd("codebook show json", "codebook", "show", "--json", machine=True),
    _cmd("cases list", "cases", "list"),
    _cmd("cases list csv", "cases", "list", "--format", "csv", machine=True),
    _cmd("participants list", "participants", "list"),
    _cmd("participants list json", "participants", "list", "--format", "json", machine=True),
    _cmd("memos list", "memos", "list"),
    _cmd("memos list md", "memos", "list", "--format", "md"),
    _cmd("memos list json", "memos", "list", "--format", "json", machine=True),
    _cmd("memos list none", "memos", "list", "--about", "message", "--search", "ingenting"),
    _cmd("memos show", "memos", "show", "1"),
    _cmd("memos edit", "memos", "edit", "1", "--text", "Ny tekst om flom", "--coder", "tester"),
    _cmd("freq", "freq"),
    _cmd("freq csv", "freq", "--format", "csv", machine=True),
    _cmd("cooc", "cooc"),
    _cmd("matrix", "matrix", "topp10"),
    _cmd("agreement", "agreement"),
    _cmd("agreement json", "agreement", "--format", "json", machine=True),
    _cmd("hypotheses check", "hypotheses", "check", HYPOTHESES),
    _cmd("hypotheses check md", "hypotheses", "check", HYPOTHESES, "--format", "md"),
    _cmd("practices", "practices"),
    _cmd("passages", "passages", "krise"),
    _cmd("evaluate", "evaluate"),
    _cmd("evaluate md", "evaluate", "--format", "md"),
    _cmd("evaluate json", "evaluate", "--format", "json", machine=True),
    _cmd("import known", "import", "{corpus}/csv/april-mai.csv"),
    _cmd("import dry run", "import", "--dry-run", "{corpus}/csv/april-mai.csv"),
    _cmd("codebook rename", "codebook", "rename", "dialog", "--name", "Dialog med innbyggerne", "--coder", "tester"),
    _cmd("undo", "undo", "--coder", "tester"),
    _cmd("redo", "redo", "--coder", "tester"),
    _cmd("nothing to undo", "undo", "--coder", "nobody"),
    _cmd("redact status", "redact", "status"),
    _cmd("export messages", "export", "messages", "-o", "{out}/messages.csv"),
    _cmd("export messages json", "export", "messages", "--format", "json", machine=True),
    _cmd("qdpx export", "qdpx", "export", "{out}/studie.qdpx"),
    _cmd("backup list", "backup", "--list"),
    _cmd("error: missing file", "import", "{out}/missing.csv"),
    _cmd("error: bad option value", "cases", "list", "--format", "xml"),
    _cmd("error: options that exclude each other", "memos", "edit", "1"),
    _cmd("error: option without its partner", "evaluate", "--curve"),
    _cmd("error: bad plot file", "freq", "--plot", "{out}/plot.pdf"),
    _cmd("error: unknown memo file", "memos", "edit", "1", "--file", "{out}/nothing.txt"),
)
#: A project that does not exist: its own run, on a path where nothing is.
MISSING_PROJECT = _cmd("error: no project", "status")


@dataclass(frozen=True)
class Outcome:
    stdout: str
    stderr: str
    exit_code: int
    files: dict[str, bytes]


def run(lang: str, db: str, out: Path, command: Command) -> Outcome:
    """The command in `lang` on the project `db`, writing files into `out`."""
    fill = {"db": db, "out": str(out), "corpus": str(bundled("corpus")), "hypotheses": str(default_hypotheses())}
    args = [arg.format(**fill) for arg in command.args]
    before = {path.name for path in out.iterdir()}
    # tables as wide as they need: a heading cut short ("an…") would read as an English word
    result = CliRunner().invoke(
        main, ["--db", db, "--lang", lang, *args], prog_name="fokus", terminal_width=250, env={"COLUMNS": "250"}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    files = {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.name not in before}
    return Outcome(result.stdout, result.stderr, result.exit_code, files)


def run_all(lang: str, demo: Path, folder: Path) -> dict[str, Outcome]:
    """Every command of COMMANDS in `lang`, in order, on a copy of the demo made for this run alone."""
    folder.mkdir(parents=True)
    db = folder / "demo.db"
    with closing(sqlite3.connect(demo)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    outcomes = {}
    for command in COMMANDS:
        out = folder / command.name.replace(" ", "-").replace(":", "")
        out.mkdir()
        outcomes[command.name] = run(lang, str(db), out, command)
    outcomes[MISSING_PROJECT.name] = run(lang, str(folder / "nowhere" / "p.db"), folder, MISSING_PROJECT)
    return outcomes


def build_demo(folder: Path, lang: str = "qps") -> tuple[Path, Outcome]:
    """The demo project, built in `lang`, with two memos (the demo has none) for the memo commands."""
    from fokus.api.memos import memo_on_case, memo_on_code
    from fokus.store import open_project

    db = folder / "fokus-demo.db"
    built = run(lang, str(db), folder, _cmd("demo", "demo", "--no-tui", "--focus-group-only"))
    assert built.exit_code == 0, built.stdout + built.stderr
    project = open_project(str(db))
    try:
        with project.begin() as session:
            memo_on_code(session, "krise/under", "Flom, ikke ras: se Bodø.")
            memo_on_case(session, "Bodø", "Bodø svarer raskt på Facebook.")
    finally:
        project.close()
    return db, built


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    return build_demo(tmp_path_factory.mktemp("demo"))


class Runs(dict[str, dict[str, Outcome]]):
    """Each language's run of COMMANDS (command name -> outcome), made the first time a test asks for it."""

    def __init__(self, demo: Path, folder: Path) -> None:
        super().__init__()
        self.demo, self.folder = demo, folder

    def __missing__(self, lang: str) -> dict[str, Outcome]:
        self[lang] = run_all(lang, self.demo, self.folder / lang)
        return self[lang]


@pytest.fixture(scope="module")
def runs(demo: tuple[Path, Outcome], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("runs")
    yield Runs(demo[0], folder)
    shutil.rmtree(folder, ignore_errors=True)


@cache
def english_words() -> frozenset[str]:
    """Every word of fokus's own English: the message ids of the catalogue template (placeholders left out)."""
    from fokus.cli.translations import template

    words: set[str] = set()
    for message in template():
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            words |= _words(PLACEHOLDER.sub(" ", text))
    return frozenset(words)


def data_words(db: Path, *folders: Path) -> frozenset[str]:
    """Every word of the project's data and of the command lines: what may rightly stay as it is."""
    texts = [*map(str, folders), str(bundled("corpus")), str(default_hypotheses())]
    statements = default_hypotheses().read_text(encoding="utf-8").splitlines()
    texts += [line for line in statements if not line.lstrip().startswith("#")]  # the file's data, not its comments
    for command in (*COMMANDS, MISSING_PROJECT):
        texts += command.args  # not the names this test gives them, which are English
    for argv in (["export", "messages", "--format", "json"], ["codebook", "show", "--json"], ["status", "--json"]):
        texts.append(CliRunner().invoke(main, ["--db", str(db), "--lang", "en", *argv]).stdout)
    for argv in (["participants", "list"], ["cases", "list"], ["memos", "list"]):
        texts.append(CliRunner().invoke(main, ["--db", str(db), "--lang", "en", *argv, "--format", "csv"]).stdout)
    for command in _options(main):
        texts += command
    return frozenset(word for text in texts for word in _words(text))


def _options(group: object) -> Iterator[list[str]]:
    """Every option's and argument's names, every choice's values and click's `[OPTIONS]`, in the whole command
    tree: the syntax of a command line, in a usage line or an error."""
    import click

    for command in getattr(group, "commands", {}).values():
        yield [command.options_metavar or ""]
        for param in command.params:
            yield [*param.opts, *param.secondary_opts, param.human_readable_name]
            if isinstance(param.type, click.Choice):
                yield [str(choice) for choice in param.type.choices]
        yield from _options(command)


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text) if len(word) > 1}


def escaped(text: str, allowed: frozenset[str]) -> list[str]:
    """The lines of `text` that hold English words outside ⟦ ⟧ (each with the words), once the data's are allowed."""
    found = []
    for line in text.splitlines():
        shown = line
        while (inner := INNERMOST.sub(" ", shown)) != shown:
            shown = inner
        words = sorted((_words(shown) & english_words()) - allowed)
        if words:
            found.append(f"{line!r}: {', '.join(words)}")
    return found


def _params() -> list[object]:
    return [
        pytest.param(command.name, id=command.name) for command in (*COMMANDS, MISSING_PROJECT) if not command.machine
    ]


@pytest.fixture(scope="module")
def allowed(demo: tuple[Path, Outcome], runs: Runs) -> frozenset[str]:
    return data_words(demo[0], demo[0].parent, runs.folder)


def test_the_demo_speaks_through_the_layer(demo: tuple[Path, Outcome], allowed: frozenset[str]) -> None:
    built = demo[1]
    assert "⟦" in built.stdout
    assert escaped(built.stdout + built.stderr, allowed) == []


@pytest.mark.parametrize("name", _params())
def test_no_english_escapes_the_cli(name: str, runs: Runs, allowed: frozenset[str]) -> None:
    outcome = runs["qps"][name]
    shown = (
        outcome.stdout
        + outcome.stderr
        + "".join(data.decode("utf-8") for file, data in outcome.files.items() if file.endswith(".md"))
    )
    assert "⟦" in shown
    assert escaped(shown, allowed) == []


@pytest.mark.parametrize("command", [*COMMANDS, MISSING_PROJECT], ids=lambda command: command.name)
def test_norwegian_is_all_translated_and_exits_as_english(command: Command, runs: Runs) -> None:
    english, norwegian = runs["en"][command.name], runs["nb"][command.name]
    assert "⟦" not in norwegian.stdout + norwegian.stderr
    assert norwegian.exit_code == english.exit_code, norwegian.stderr
    if command.machine:
        assert norwegian.stdout == english.stdout
    assert norwegian.files.keys() == english.files.keys()
    for name, data in english.files.items():
        if name.endswith((".csv", ".json")):
            assert norwegian.files[name] == data, name


def test_the_errors_are_errors(runs: Runs) -> None:
    """The run's error commands fail as errors do (exit 1 or click's 2), in every language."""
    for lang in ("en", "nb", "qps"):
        codes = {name: outcome.exit_code for name, outcome in runs[lang].items() if name.startswith("error:")}
        assert len(codes) == 7
        assert all(code in (1, 2) for code in codes.values()), (lang, codes)
        assert {name for name, outcome in runs[lang].items() if outcome.exit_code != 0} == set(codes), lang
