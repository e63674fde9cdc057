"""The fast path (LP built as arrays, handed to HiGHS with passModel, tables read from HiGHS's
solution arrays) gives exactly what the plain path (Pyomo model, Pyomo's persistent HiGHS
interface, Pyomo's solution loader) gives: the same LP, the same objective and every result
table, on every bundled scenario and on generated, routed, badly scaled and infeasible ones.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ndalloc
import ndalloc.api
from ndalloc.data.generate import SIZES, generate
from ndalloc.lp.build import build_lp, build_model
from ndalloc.lp.scaling import lp_extremes
from ndalloc.results.tables import RunResult
from ndalloc.solver.highs import load_lp, solve_model
from scenario_factory import reserve_conflict, write_scenario
from test_family_coverage import full_scenario

RTOL = 1e-9

EXTRA = ["generated-S", "routes", "badly-scaled", "infeasible"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fast")
    source = {"source": "a", "year": 2025, "capacity_t": 1e9, "cost_usd_per_t": 0.01}
    sector = {"sector": "d", "year": 2025, "demand_t": 0.5, "shortage_penalty_usd_per_t": 5e8}
    return {
        "generated-S": generate(SIZES["S"], 3, root / "s"),
        "routes": full_scenario(root / "routes"),
        "badly-scaled": write_scenario(root / "scaled", sources=[source], demand=[sector]),
        "infeasible": reserve_conflict(root / "infeasible"),
    }


def scenario(name: str, folders: dict[str, Path]) -> ndalloc.Scenario:
    return ndalloc.load_scenario(folders.get(name, name))


@cache
def _solved(ref: str, plain: bool) -> RunResult:
    return ndalloc.solve(ref, plain=plain, elastic=True)


def both(name: str, folders: dict[str, Path]) -> tuple[RunResult, RunResult]:
    ref = str(folders.get(name, name))
    return _solved(ref, False), _solved(ref, True)


CASES = [*ndalloc.bundled_names(), *EXTRA]


@pytest.mark.parametrize("name", CASES)
def test_same_objective_and_every_table(name, folders):
    fast, plain = both(name, folders)
    assert fast.status is plain.status
    if plain.objective is None:
        assert fast.objective is None
    else:
        assert fast.objective == pytest.approx(plain.objective, rel=RTOL)
    assert fast.counts == plain.counts
    assert fast.senses == plain.senses
    assert fast.warnings == plain.warnings
    assert fast.conflict == plain.conflict
    assert fast.violations == plain.violations
    fast_tables, plain_tables = fast.tables(), plain.tables()
    assert list(fast_tables) == list(plain_tables)
    for table, expected in plain_tables.items():
        pd.testing.assert_frame_equal(
            fast_tables[table], expected, check_exact=False, rtol=RTOL, atol=0.0, obj=table
        )


def test_the_comparison_covers_every_kind_of_table(folders):
    fast, _ = both("routes", folders)
    names = set(fast.tables())
    assert {"allocation", "marginal_values", "ranging"} <= names
    assert {f"var_{v}" for v in fast.variables} <= names
    assert {f"dual_{c}" for c in fast.duals} <= names
    assert all(len(fast.duals[c]) for c in ("route_origin", "route_destination"))
    assert both("badly-scaled", folders)[0].warnings  # a warning is compared, not only ()
    assert both("infeasible", folders)[0].conflict


@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("name", ["india-base", "stockpile-2-months", "routes", "generated-S"])
def test_highs_gets_the_same_lp_in_the_same_order(name, dense, folders):
    """Costs, bounds and the column-wise matrix HiGHS holds are equal element by element."""
    sc = scenario(name, folders)
    plain_lp = solve_model(build_model(sc, dense=dense)).highs.getLp()
    fast_lp = load_lp(build_lp(sc, dense=dense)).getLp()
    for part in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        np.testing.assert_array_equal(getattr(fast_lp, part), getattr(plain_lp, part), part)
    for part in ("start_", "index_", "value_"):
        np.testing.assert_array_equal(
            getattr(fast_lp.a_matrix_, part), getattr(plain_lp.a_matrix_, part), part
        )
    assert fast_lp.sense_ == plain_lp.sense_


@pytest.mark.parametrize("name", ["india-base", "badly-scaled", "routes"])
def test_scaling_report_reads_the_same_coefficients(name, folders):
    sc = scenario(name, folders)
    assert lp_extremes(build_lp(sc)) == lp_extremes(build_model(sc))


def test_families_map_to_the_same_columns_and_rows(folders):
    sc = scenario("routes", folders)
    fast = solve_model(build_lp(sc))
    plain = solve_model(build_model(sc))
    assert list(fast.cols) == list(plain.cols) and list(fast.rows) == list(plain.rows)
    for family, cols in plain.cols.items():
        np.testing.assert_array_equal(fast.cols[family], cols, family)
    for family, rows in plain.rows.items():
        np.testing.assert_array_equal(fast.rows[family], rows, family)


def test_solve_builds_arrays_by_default_and_pyomo_when_asked(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("this build path should not be taken")

    with monkeypatch.context() as m:
        m.setattr(ndalloc.api, "build_model", refuse)
        assert ndalloc.solve("india-base").optimal
    with monkeypatch.context() as m:
        m.setattr(ndalloc.api, "build_lp", refuse)
        assert ndalloc.solve("india-base", plain=True).optimal


def test_the_default_solve_never_imports_pyomo():
    """Pyomo takes a third of a second to import: the default path does without it."""
    code = (
        "import sys, ndalloc; res = ndalloc.solve('india-base'); assert res.optimal;"
        " print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyomo'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
