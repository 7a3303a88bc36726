"""The layering is true: import-linter's contracts hold, and no modules of fokus import each other in a circle.

The contracts (pyproject.toml) say which package may import which; the circle check below also sees a circle through
a package's ``__init__`` (a package importing its module that imports the package back), which import-linter's
sibling check does not.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold() -> None:
    # in a process of its own: import-linter configures logging, which would silence fokus's loggers in this one
    check = "import sys, importlinter.cli as c; sys.exit(c.lint_imports(sys.argv[1], no_cache=True, no_logo=True))"
    done = subprocess.run(
        [sys.executable, "-c", check, str(ROOT / "pyproject.toml")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(imports[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(imports):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    graph = grimp.build_graph("fokus", cache_dir=None)
    imports = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("fokus")} for m in graph.modules
    }
    assert _circles(imports) == []


def test_the_check_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# What the CLI and the TUI may name of SQLAlchemy: the session they are handed and the error a failed write raises.
# Queries (select, func, the ORM tables) belong to the library API; the contract keeps fokus.model out, this the rest.
UI_SQLALCHEMY_NAMES = {"Session", "SQLAlchemyError"}


def _sqlalchemy_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.split(".")[0] == "sqlalchemy")
    return names


def test_the_cli_and_the_tui_build_no_queries() -> None:
    used = {
        str(path.relative_to(ROOT)): extra
        for folder in ("cli", "tui")
        for path in sorted((ROOT / "fokus" / folder).rglob("*.py"))
        if (extra := _sqlalchemy_names(path) - UI_SQLALCHEMY_NAMES)
    }
    assert used == {}


def test_the_query_check_sees_a_query(tmp_path: Path) -> None:
    screen = tmp_path / "screen.py"
    screen.write_text("from sqlalchemy import func, select\nfrom sqlalchemy.orm import Session\nimport sqlalchemy\n")
    assert _sqlalchemy_names(screen) - UI_SQLALCHEMY_NAMES == {"func", "select", "sqlalchemy"}


#: A module longer than this says why at the top of its docstring ("Long because: ..."), or is split.
LONGEST_MODULE = 500


def test_no_module_is_long_without_a_reason() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "fokus").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE
        and "Long because:" not in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    }
    assert long == {}


@pytest.mark.parametrize("package", ["api", "domain", "exchange"])
def test_a_package_that_lists_its_modules_lists_them_all(package: str) -> None:
    folder = ROOT / "fokus" / package
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
    modules = {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}
    assert {m for m in modules if f"``{m}``" not in docstring} == set()
