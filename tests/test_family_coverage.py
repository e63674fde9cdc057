"""Every LP family has a hand-solved test in tests/test_lp_families.py.

A constraint family counts as covered when a test function there carries
`@pytest.mark.family("<name>", ...)` (the families whose duals it derives by hand) and is not
marked xfail: a test expected to fail verifies nothing. A variable family counts as covered when
such a test reads one of its values through `primal(res, "<name>", ...)` or
`primals(res, "<name>")`.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ndalloc
import test_lp_families as families
from ndalloc.lp.build import BuiltModel, build_model
from scenario_factory import write_scenario
from test_lp_families import (
    Y1,
    Y2,
    contract,
    horizon,
    maker,
    offer,
    route,
    sector,
    source,
    stockpile,
)

MARK = "family"
VALUE_READERS = {"primal", "primals"}


def full_scenario(folder: Path) -> Path:
    """Two years with a row in every table, routes included, every optional row switched on."""
    years = (Y1, Y2)
    return write_scenario(
        folder,
        {**horizon(2), "export_cap_t": 100.0},  # a national ceiling that does not bind
        sources=[source("a", y, cap=10, cost=100, minimum=1) for y in years],
        contracts=[contract("k", y, max_t=6, price=300, min_t=2, penalty=50) for y in years],
        makers=[maker("m", y, cap=5, ratio=0.5, cost=1000) for y in years],
        demand=[sector("defence", y, demand=4, penalty=9000, share=0.5) for y in years],
        imports=[
            *(offer("china", "oxide", y, max_t=3, price=250) for y in years),
            *(offer("japan", "magnet", y, max_t=3, price=4000) for y in years),
        ],
        stockpiles=[stockpile("s", y, min_t=1, max_t=10, inject=5, release=5) for y in years],
        stockpile_initial=[{"stockpile": "s", "initial_t": 2.0}],
        routes=[
            route("a", "k"),
            route("a", "m"),
            route("a", "s"),
            route("china", "m"),
            route("s", "k"),
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltModel:
    folder = full_scenario(tmp_path_factory.mktemp("full"))
    return build_model(ndalloc.load_scenario(folder))


def _tests() -> dict[str, Callable[..., Any]]:
    return {
        name: obj
        for name, obj in vars(families).items()
        if name.startswith("test") and inspect.isfunction(obj)
    }


def _marks(func: Callable[..., Any], name: str) -> list[pytest.Mark]:
    return [m for m in getattr(func, "pytestmark", []) if m.name == name]


def _counting_tests() -> dict[str, Callable[..., Any]]:
    """The tests that count for coverage: every test not marked xfail."""
    return {name: f for name, f in _tests().items() if not _marks(f, "xfail")}


def marked_families(tests: dict[str, Callable[..., Any]]) -> dict[str, set[str]]:
    """Family name -> names of the tests whose family marks name it."""
    out: dict[str, set[str]] = {}
    for test, func in tests.items():
        for mark in _marks(func, MARK):
            for family in mark.args:
                out.setdefault(family, set()).add(test)
    return out


def test_full_scenario_fills_every_family(built):
    # Guards the scenario below: a family with no rows could not be checked against the marks.
    empty = [n for n, f in {**built.constraints, **built.variables}.items() if not len(f.component)]
    assert empty == []


def test_module_carries_family_marks_only_on_functions():
    # A module-level `pytestmark` family mark would cover every family at once.
    assert not any(m.name == MARK for m in getattr(families, "pytestmark", []))
    assert marked_families(_tests()), "no test in test_lp_families.py carries a family mark"


def test_family_marks_are_well_formed():
    problems = []
    for test, func in _tests().items():
        for mark in _marks(func, MARK):
            if not mark.args or mark.kwargs:
                problems.append(f"{test}: family() needs names and no keywords: {mark}")
            if not all(isinstance(a, str) for a in mark.args):
                problems.append(f"{test}: family() takes names (str): {mark.args}")
            if len(set(mark.args)) != len(mark.args):
                problems.append(f"{test}: a family is named twice: {mark.args}")
    assert problems == []


def test_every_constraint_family_has_a_dual_test(built):
    covered = marked_families(_counting_tests())
    missing = sorted(set(built.constraints) - set(covered))
    assert missing == [], (
        "constraint families without a hand-derived dual test in tests/test_lp_families.py"
        f" (a non-xfail test with @pytest.mark.family(...)): {missing}"
    )


def test_family_marks_name_registered_families(built):
    unknown = {
        family: sorted(tests)
        for family, tests in marked_families(_tests()).items()
        if family not in built.constraints
    }
    assert unknown == {}, f"family marks naming no constraint family of build_model: {unknown}"


def _read_variables(func: Callable[..., Any]) -> set[str]:
    """Variable families whose value `func` reads with primal(res, "<name>") or primals(...)."""
    tree = ast.parse(inspect.getsource(func).lstrip())
    out = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in VALUE_READERS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            out.add(node.args[1].value)
    return out


def test_every_variable_family_has_an_asserted_value(built):
    read: set[str] = set()
    for func in _counting_tests().values():
        read |= _read_variables(func)
    assert sorted(set(built.variables) - read) == []
    assert sorted(read - set(built.variables)) == []
