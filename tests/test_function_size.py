"""No function in hubc/ is too long or too branchy to read (issue 11, "small functions").

Limits: at most 120 lines from `def` to its last line (ast), cyclomatic complexity at most 25
(radon, closures and methods included). Long rule sets are split the way the CP-SAT Primer
and the OR-Tools samples split a model (prepare data -> variables -> one function per
constraint family -> objective -> solve -> extract) and sqlglot splits its optimizer (one
small pass per rule).

ALLOWED_LINES and ALLOWED_COMPLEXITY list the functions still over a limit, each with its
figure when it was listed. The lists only shrink: an entry whose function is back within the
limit (or gone, or renamed) fails `test_allowed_offenders_are_still_offenders`, so it is
deleted when its split lands. Never add a function here to get a change through.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from radon.complexity import cc_visit
from radon.visitors import Function

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hubc"

MAX_LINES = 120
MAX_COMPLEXITY = 25

# "path::qualified name": its figure when listed.
ALLOWED_LINES: dict[str, int] = {
}
ALLOWED_COMPLEXITY: dict[str, int] = {
}


def _key(path: Path, qualname: str) -> str:
    return f"{path.relative_to(ROOT).as_posix()}::{qualname}"


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _lengths() -> dict[str, int]:
    """Lines of every function and method (nested ones too), by "path::Outer.inner"."""
    out: dict[str, int] = {}

    def visit(path: Path, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    out[_key(path, name)] = child.end_lineno - child.lineno + 1
                visit(path, child, name + ".")
            else:
                visit(path, child, prefix)

    for path in _sources():
        visit(path, ast.parse(path.read_text("utf-8"), str(path)), "")
    return out


def _complexities() -> dict[str, int]:
    """Cyclomatic complexity of every function, method and closure, by "path::Outer.inner"."""
    out: dict[str, int] = {}

    def visit(path: Path, fn, prefix: str) -> None:
        name = f"{prefix}{fn.name}"
        out[_key(path, name)] = fn.complexity
        for inner in fn.closures:
            visit(path, inner, name + ".")

    for path in _sources():
        for block in cc_visit(path.read_text("utf-8")):
            if isinstance(block, Function):
                visit(path, block, f"{block.classname}." if block.is_method else "")
    return out


def _over(figures: dict[str, int], limit: int, allowed: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in figures.items() if v > limit and k not in allowed}


def test_no_function_is_too_long():
    over = _over(_lengths(), MAX_LINES, ALLOWED_LINES)
    assert not over, (
        f"functions over {MAX_LINES} lines: split them by rule or constraint family\n"
        + "\n".join(f"  {k}: {v} lines" for k, v in sorted(over.items()))
    )


def test_no_function_is_too_complex():
    over = _over(_complexities(), MAX_COMPLEXITY, ALLOWED_COMPLEXITY)
    assert not over, (
        f"functions above cyclomatic complexity {MAX_COMPLEXITY} (radon): split them by rule or constraint family\n"
        + "\n".join(f"  {k}: {v}" for k, v in sorted(over.items()))
    )


@pytest.mark.parametrize(
    "kind, allowed, limit",
    [("lines", ALLOWED_LINES, MAX_LINES), ("complexity", ALLOWED_COMPLEXITY, MAX_COMPLEXITY)],
)
def test_allowed_offenders_are_still_offenders(kind, allowed, limit):
    have = _lengths() if kind == "lines" else _complexities()
    stale = [f"  {k}: {kind} now {have.get(k, 'gone')}" for k in sorted(allowed) if have.get(k, 0) <= limit]
    assert not stale, "within the limits now (or renamed): delete these from ALLOWED_" + kind.upper() + "\n" + "\n".join(stale)
