"""Infeasible scenarios are explained in their own names (IIS and elastic solve)."""

from __future__ import annotations

import ndalloc
from cli_helpers import assert_no_traceback, run_ndalloc
from ndalloc.lp.build import build_model
from ndalloc.solver.explain import FAMILY_SOURCE
from scenario_factory import reserve_conflict


def test_conflict_names_files_keys_and_years(tmp_path):
    res = ndalloc.solve(reserve_conflict(tmp_path / "s"))
    assert res.status is ndalloc.Status.INFEASIBLE
    assert res.objective is None and not res.variables
    assert sorted(res.conflict) == sorted(
        [
            "sources.csv:3: irel 2026 capacity_t 900 (source_capacity: <= 900 t)",
            "stockpile_initial.csv: national initial_t 0 (no row: the stockpile starts empty)",
            "stockpiles.csv:2: national 2026 min_t 1,000 (stockpile_min: >= 1,000 t)",
            "oxide_balance 2026 (oxide used = oxide supplied)",
        ]
    )
    assert res.violations == ()


def test_elastic_gives_the_least_change(tmp_path):
    res = ndalloc.solve(reserve_conflict(tmp_path / "s"), elastic=True)
    # 100 t is missing in total: lowering the reserve by 100 t is the least change (raising
    # 2026 capacity by 100 t would tie; HiGHS picks one vertex, and the sum is what is least).
    assert len(res.violations) == 1
    (line,) = res.violations
    assert line.endswith("by 100 t")


def test_cli_exits_3_and_explains(tmp_path):
    folder = reserve_conflict(tmp_path / "s")
    proc = run_ndalloc("solve", folder, "--out", tmp_path / "runs", "--elastic", cwd=tmp_path)
    assert proc.returncode == 3
    assert_no_traceback(proc)
    assert "irreducible infeasible subset" in proc.stdout
    assert "stockpiles.csv:2: national 2026 min_t 1,000" in proc.stdout
    assert "Least changes that make the scenario feasible" in proc.stdout


def test_every_constraint_family_says_where_its_limit_comes_from():
    built = build_model(ndalloc.load_scenario("india-base"))
    assert set(built.constraints) == set(FAMILY_SOURCE)
