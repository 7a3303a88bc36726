"""The layering is true: import-linter's contracts hold, and no modules of fokus import each other in a circle.

The contracts (pyproject.toml) say which package may import which; the circle check below also sees a circle through
a package's ``__init__`` (a package importing its module that imports the package back), which import-linter's
sibling check does not.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
# Import circles known and named in issue 15, each left to the owner of its package. When one is gone, strike it here.
KNOWN_DEBTS = {
    ("fokus.tui.screens.base", "fokus.tui.app"),  # a cast() at run time only
}


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
    for importer, imported in KNOWN_DEBTS:
        assert imported in imports[importer], f"{importer} -> {imported} is gone: strike it from KNOWN_DEBTS"
        imports[importer].discard(imported)
    assert _circles(imports) == []


def test_the_check_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
