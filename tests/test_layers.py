"""The package layering: no import cycle between hubc's packages.

Every `hubc.X...` import (module level or inside a function) is an edge from the importing
package to the imported one; the graph of top-level packages must be acyclic, and the
foundations (`spec`, `catalog`) must import no stage package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hubc

ROOT = Path(hubc.__file__).parent
STAGES = {"racks", "cooling", "electrical", "energy", "procurement"}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_unit(name: str) -> bool:
    """A package (folder) or a top-level module of hubc."""
    return (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file()


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        src = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                if node.module == "hubc":
                    names = [f"hubc.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("hubc.") and _is_unit(_package(name)):
                    dst = _package(name)
                    if dst != src:
                        edges.setdefault(src, set()).add(dst)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if state.get(m) is None:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if state.get(n) is None:
            found = visit(n)
            if found:
                return found
    return None


def test_no_import_cycle_between_packages():
    cycle = _cycle(_edges())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_foundations_import_no_stage():
    edges = _edges()
    for base in ("spec", "catalog", "core"):
        assert not (edges.get(base, set()) & (STAGES | {"emit", "checks"})), (base, edges.get(base))


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None
