"""The package's shape: imports flow one way down the data path, and no module is too long.

scenario files -> data -> lp -> solver -> results -> run folders -> reports -> CLI / API
(README, "Layout"). A module may import its own package and the layers below it, never one
above: that is what keeps each layer testable without the ones that use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "model" / "ndalloc"

#: Each top-level package or module of ndalloc and its layer: lower layers never import higher.
LAYERS: dict[str, int] = {
    "data": 0,
    "lp": 1,
    "solver": 2,
    "results": 3,
    "run_lookup": 4,
    "run_checks": 5,
    "run_labels": 5,
    "run_folder": 6,
    "comparison_terms": 7,
    "comparison": 8,
    "report": 9,
    "runs": 10,
    "sensitivity": 11,
    "stochastic": 11,
    "api": 12,
    "cli": 13,
    "__init__": 14,
}

MAX_LINES = 400

MODULES = sorted(PACKAGE.rglob("*.py"))


def _unit(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        found |= {n.split(".")[1] for n in names if n.startswith("ndalloc.")}
    return found


def test_every_package_has_a_layer():
    assert {_unit(p) for p in MODULES} == set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_down_the_data_path(path):
    unit = _unit(path)
    upward = {u for u in _imported(path) if LAYERS[u] > LAYERS[unit]}
    assert not upward, f"{path.name} ({unit}) imports from a layer above it: {sorted(upward)}"


def test_no_module_over_the_line_limit():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in MODULES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by concern): {long}"
