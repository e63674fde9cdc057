"""Checks before the solve (badly scaled data) and after it (conservation, bounds, duals).

Every post-solve check passes on every bundled scenario, and fails, naming the family, key and
numbers, on a result whose tables were deliberately corrupted (dataclasses.replace with one
tampered table), so a wrong answer can never leave `ndalloc.solve` silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ndalloc
import ndalloc.api
from cli_helpers import describe, run_ndalloc
from ndalloc.cli.commands import app
from ndalloc.lp.build import build_model
from ndalloc.lp.scaling import SPAN_LIMIT, lp_extremes, scaling_warnings
from ndalloc.results.checks import (
    MAX_LISTED,
    ConservationError,
    SolutionCheckError,
    bound_problems,
    check_bounds,
    check_conservation,
    check_duals,
    check_solution,
    conservation_problems,
    dual_problems,
    dual_tolerance,
)
from ndalloc.results.tables import RunResult
from ndalloc.runs import MANIFEST, write_run
from ndalloc.solver.highs import solve_model
from ndalloc.solver.status import SolveOptions, Status
from scenario_factory import write_scenario

CHECKS = {
    "conservation": check_conservation,
    "bounds": check_bounds,
    "duals": check_duals,
    "solution": check_solution,
}


@cache
def solved(name: str) -> RunResult:
    res = ndalloc.solve(name)
    assert res.status is Status.OPTIMAL
    return res


@pytest.fixture(scope="module")
def base() -> RunResult:
    return solved("india-base")


# --- tampering helpers ---------------------------------------------------------------------


def tamper_var(res: RunResult, family: str, where: dict, column: str, value) -> RunResult:
    """A copy of `res` with `column` of the variable rows matching `where` set to `value`."""
    frame = res.variables[family].copy()
    mask = _mask(frame, where)
    frame.loc[mask, column] = value(frame.loc[mask, column]) if callable(value) else value
    return replace(res, variables={**res.variables, family: frame})


def tamper_dual(res: RunResult, family: str, where: dict, column: str, value) -> RunResult:
    frame = res.duals[family].copy()
    mask = _mask(frame, where)
    frame.loc[mask, column] = value(frame.loc[mask, column]) if callable(value) else value
    return replace(res, duals={**res.duals, family: frame})


def tamper_allocation(res: RunResult, year: int, column: str, delta: float) -> RunResult:
    frame = res.allocation.copy()
    frame.loc[frame["year"] == year, column] += delta
    return replace(res, allocation=frame)


def _mask(frame: pd.DataFrame, where: dict) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    assert mask.sum() == 1, (where, int(mask.sum()))
    return mask


def first_row(frame: pd.DataFrame, condition: pd.Series, index: list[str]) -> dict:
    rows = frame[condition]
    assert not rows.empty
    return {c: rows.iloc[0][c] for c in index}


def fails(check, res: RunResult, error: type[Exception], pattern: str) -> str:
    with pytest.raises(error) as info:
        check(res)
    message = str(info.value)
    assert re.search(pattern, message), message
    return message


# --- every check passes on every bundled scenario ------------------------------------------


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("name", ndalloc.bundled_names())
def test_every_check_passes_on_every_bundled_scenario(name, check):
    res = solved(name)
    CHECKS[check](res)  # raises on any problem
    assert res.warnings == ()  # the bundled data are well scaled


@pytest.mark.parametrize("name", ndalloc.bundled_names())
def test_bundled_scenarios_pass_with_tight_tolerances(name):
    """Margin: HiGHS's answers are far inside the tolerances the checks use."""
    res = solved(name)
    assert conservation_problems(res, 1e-9) == []
    assert bound_problems(res, 1e-9) == []
    assert dual_problems(res, 1e-9, 1e-12) == []


def test_checks_skip_a_result_without_solution(base):
    stopped = RunResult("x", Status.TIME_LIMIT, "stopped", None, None)
    for check in CHECKS.values():
        check(stopped)


# --- conservation ----------------------------------------------------------------------------


def test_oxide_imbalance_fails(base):
    # Five more tonnes exported in 2030, in the variable table and the allocation alike.
    key = {"contract": "japan-2012", "year": 2030}
    res = tamper_var(base, "export", key, "value_t", lambda v: v + 5.0)
    res = tamper_allocation(res, 2030, "exports_t", 5.0)
    message = fails(check_conservation, res, ConservationError, r"oxide 2030: supplied [\d.]+ t")
    assert "differ by -5 t" in message
    assert "allocation" not in message


def test_allocation_that_disagrees_with_the_variables_fails(base):
    res = tamper_allocation(base, 2028, "to_makers_t", 0.5)
    fails(
        check_conservation,
        res,
        ConservationError,
        r"allocation 2028 to_makers_t: [\d.]+ t, but the feed variables sum to [\d.]+ t",
    )


def test_maker_conversion_gap_fails(base):
    key = {"maker": "midwest", "year": 2029}
    res = tamper_dual(base, "maker_conversion", key, "activity_t", 0.25)
    fails(
        check_conservation,
        res,
        ConservationError,
        r"maker midwest 2029: oxide_per_t x make - feed = 0\.25 t",
    )


def test_magnets_that_do_not_meet_demand_fail(base):
    # 3 t more shortage in a year: made + imported + shortage exceeds demand.
    frame = base.variables["shortage"]
    key = first_row(frame, frame["year"] == 2031, ["sector", "year"])
    res = tamper_var(base, "shortage", key, "value_t", lambda v: v + 3.0)
    res = tamper_allocation(res, 2031, "magnet_shortage_t", 3.0)
    message = fails(
        check_conservation,
        res,
        ConservationError,
        r"magnets 2031: made [\d.]+ \+ imported [\d.]+ \+ shortage [\d.]+ = [\d.]+ t, "
        r"demand [\d.]+ t",
    )
    assert "delivered" not in message


@pytest.mark.parametrize(
    ("family", "pattern"),
    [
        ("deliver_domestic", r"magnets 2032: made [\d.]+ t, delivered domestic [\d.]+ t"),
        ("deliver_import", r"magnets 2032: imported [\d.]+ t, delivered import [\d.]+ t"),
    ],
)
def test_magnets_delivered_that_were_not_supplied_fail(base, family, pattern):
    frame = base.variables[family]
    key = first_row(frame, frame["year"] == 2032, ["sector", "year"])
    res = tamper_var(base, family, key, "value_t", lambda v: v + 2.0)
    fails(check_conservation, res, ConservationError, pattern)


# --- bounds ----------------------------------------------------------------------------------


def test_negative_variable_fails(base):
    res = tamper_var(base, "output", {"source": "irel", "year": 2026}, "value_t", -0.5)
    fails(check_bounds, res, SolutionCheckError, r"variable output irel 2026: -0\.5 t < 0")


@pytest.mark.parametrize(
    ("family", "sense", "shift"),
    [("source_capacity", "<=", 1.0), ("contract_min", ">=", -1.0), ("demand_balance", "=", 0.01)],
)
def test_row_outside_its_limit_fails(base, family, sense, shift):
    frame = base.duals[family]
    index = [c for c in frame.columns if c in ("source", "contract", "sector", "year")]
    key = {c: frame.iloc[-1][c] for c in index}
    res = tamper_dual(base, family, key, "activity_t", lambda _: frame.iloc[-1]["rhs_t"] + shift)
    names = " ".join(str(key[c]) for c in index)
    fails(
        check_bounds,
        res,
        SolutionCheckError,
        rf"{family} {names}: activity [\d.]+ t violates {re.escape(sense)} [\d.]+ t "
        rf"\(by {abs(shift):g} t\)",
    )


def test_small_errors_within_the_tolerance_pass(base):
    res = tamper_var(base, "output", {"source": "irel", "year": 2026}, "value_t", -5e-7)
    check_bounds(res)


def test_family_without_a_sense_cannot_be_checked(base):
    senses = {k: v for k, v in base.senses.items() if k != "import_limit"}
    res = replace(base, senses=senses)
    fails(check_bounds, res, SolutionCheckError, r"import_limit: no sense recorded")


def test_senses_are_those_of_section_6(base):
    assert base.senses["oxide_balance"] == "="
    assert base.senses["source_capacity"] == "<="
    assert base.senses["contract_min"] == ">="
    assert base.senses["maker_conversion"] == "="


# --- duals and reduced costs -------------------------------------------------------------------


def test_dual_on_a_row_with_slack_fails(base):
    frame = base.duals["import_limit"]
    slack = frame["rhs_t"] - frame["activity_t"]
    key = first_row(frame, slack > 1.0, ["origin", "product", "year"])
    res = tamper_dual(base, "import_limit", key, "value_pv_usd_per_t", 1234.0)
    names = " ".join(str(v) for v in key.values())
    fails(
        check_duals,
        res,
        SolutionCheckError,
        rf"dual import_limit {names}: 1234 USD/t on a row with slack [\d.]+ t "
        r"\(a row that does not bind has dual 0\)",
    )


def test_negative_dual_on_a_le_row_fails(base):
    frame = base.duals["source_capacity"]
    key = first_row(frame, frame["binding"], ["source", "year"])
    res = tamper_dual(base, "source_capacity", key, "value_pv_usd_per_t", -500.0)
    fails(
        check_duals,
        res,
        SolutionCheckError,
        rf"dual source_capacity irel {key['year']}: -500 USD/t on a <= row \(must be >= 0\)",
    )


def test_positive_dual_on_a_ge_row_fails(base):
    frame = base.duals["contract_min"]
    key = first_row(frame, frame["binding"], ["contract", "year"])
    res = tamper_dual(base, "contract_min", key, "value_pv_usd_per_t", 500.0)
    fails(
        check_duals,
        res,
        SolutionCheckError,
        rf"dual contract_min japan-2012 {key['year']}: 500 USD/t on a >= row \(must be <= 0\)",
    )


def test_positive_reduced_cost_fails(base):
    frame = base.variables["export"]
    key = first_row(frame, frame["year"] == 2027, ["contract", "year"])
    res = tamper_var(base, "export", key, "reduced_cost_pv_usd_per_t", 10.0)
    fails(
        check_duals,
        res,
        SolutionCheckError,
        r"reduced cost export japan-2012 2027: 10 USD/t > 0 \(.*must be <= 0\)",
    )


def test_reduced_cost_on_a_variable_off_its_bound_fails(base):
    frame = base.variables["output"]
    key = first_row(frame, frame["value_t"] > 1.0, ["source", "year"])
    res = tamper_var(base, "output", key, "reduced_cost_pv_usd_per_t", -100.0)
    fails(
        check_duals,
        res,
        SolutionCheckError,
        rf"reduced cost output irel {key['year']}: -100 USD/t on a variable at [\d.]+ t "
        r"\(must be 0 off its bound of 0\)",
    )


def test_dual_tolerance_is_relative_to_the_largest_dual(base):
    largest = max(
        [float(f["value_pv_usd_per_t"].abs().max()) for f in base.duals.values() if not f.empty]
        + [float(f["reduced_cost_pv_usd_per_t"].abs().max()) for f in base.variables.values()]
    )
    assert largest > 1e5  # shortage penalties of india-base
    assert dual_tolerance(base) == pytest.approx(1e-6 * largest)
    frame = base.duals["source_capacity"]
    key = first_row(frame, frame["binding"], ["source", "year"])
    # Wrong by less than the tolerance (1e-6 of ~4e5 USD/t): passes; by more: fails.
    check_duals(tamper_dual(base, "source_capacity", key, "value_pv_usd_per_t", -0.1))
    with pytest.raises(SolutionCheckError):
        check_duals(tamper_dual(base, "source_capacity", key, "value_pv_usd_per_t", -1.0))


# --- check_solution: all of them, from ndalloc.solve and the CLI -----------------------------


def test_check_solution_lists_every_problem_and_truncates(base):
    frame = base.variables["shortage"].copy()
    frame["value_t"] = -1.0  # every row negative: far more than MAX_LISTED problems
    res = replace(base, variables={**base.variables, "shortage": frame})
    message = fails(check_solution, res, SolutionCheckError, r"post-solve check failed \(\d+ ")
    total = int(re.search(r"\((\d+) problem", message).group(1))
    assert total > MAX_LISTED
    lines = message.splitlines()[1:]
    assert len(lines) == MAX_LISTED + 1
    assert lines[-1] == f"  ... and {total - MAX_LISTED} more"
    assert "magnet_shortage_t" in message  # conservation problems come first


@pytest.fixture
def corrupting(monkeypatch):
    """Make ndalloc.solve corrupt its result before the checks run (a stand-in for a bug)."""
    real = ndalloc.api.extract_result

    def corrupt(*args, **kwargs):
        res = real(*args, **kwargs)
        if not res.optimal:
            return res
        return tamper_var(res, "output", {"source": "irel", "year": 2026}, "value_t", -7.0)

    monkeypatch.setattr(ndalloc.api, "extract_result", corrupt)


def test_solve_never_returns_a_result_that_fails(corrupting):
    with pytest.raises(SolutionCheckError, match=r"variable output irel 2026: -7 t < 0"):
        ndalloc.solve("india-base")


def test_cli_rejects_a_result_that_fails_and_writes_nothing(corrupting, tmp_path, monkeypatch):
    monkeypatch.delenv("NDALLOC_DEBUG", raising=False)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["solve", "india-base", "--out", str(runs)])
    printed = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 1, printed
    assert "result rejected" in printed and "variable output irel 2026: -7 t < 0" in printed
    assert list(runs.iterdir()) == []


# --- scaling ---------------------------------------------------------------------------------

SOURCE = {"source": "a", "year": 2025, "capacity_t": 100, "cost_usd_per_t": 100}
SECTOR = {"sector": "d", "year": 2025, "demand_t": 10, "shortage_penalty_usd_per_t": 1000}
STOCK = {
    "stockpile": "p",
    "year": 2025,
    "max_t": 50,
    "max_inject_t": 50,
    "max_release_t": 50,
    "holding_cost_usd_per_t": 10,
}


def scenario(tmp_path: Path, **tables) -> ndalloc.Scenario:
    defaults = {"sources": [SOURCE], "demand": [SECTOR]}
    folder = write_scenario(tmp_path / "s", **{**defaults, **tables})
    return ndalloc.load_scenario(folder)


def test_well_scaled_data_give_no_warning(tmp_path):
    sc = scenario(tmp_path)
    assert scaling_warnings(build_model(sc), sc) == []


def test_objective_span_warns_with_the_largest_and_smallest_inputs(tmp_path):
    sc = scenario(
        tmp_path,
        demand=[SECTOR, {**SECTOR, "sector": "defence", "shortage_penalty_usd_per_t": 5e8}],
        stockpiles=[{**STOCK, "handling_cost_usd_per_t": 0.1}],
    )
    res = ndalloc.solve(sc)
    assert res.status is Status.OPTIMAL  # a warning, not a failure
    (warning,) = res.warnings
    assert warning.startswith("badly scaled data: objective coefficients span 5e+09 (more than ")
    assert (
        "largest shortage defence 2025: shortage_penalty_usd_per_t 5e+08 USD/t (demand.csv:3)"
        in warning
    )
    assert re.search(
        r"smallest (inject|release) p 2025: handling_cost_usd_per_t 0.1 USD/t \(stockpiles.csv:2\)",
        warning,
    ), warning


def test_discounted_objective_coefficient_names_the_input_and_the_factor(tmp_path):
    folder = write_scenario(
        tmp_path / "s",
        {"last_year": 2026, "discount_rate": 0.5},
        sources=[SOURCE, {**SOURCE, "year": 2026, "cost_usd_per_t": 0.01}],
        demand=[{**SECTOR, "shortage_penalty_usd_per_t": 1e8}],
    )
    sc = ndalloc.load_scenario(folder)
    (warning,) = scaling_warnings(build_model(sc), sc)
    # 1e8 / (0.01 / 1.5) = 1.5e10: the span is of the coefficients in the LP.
    assert "objective coefficients span 1.5e+10" in warning
    assert "smallest output a 2026: cost_usd_per_t 0.01 USD/t (sources.csv:3) x discount" in warning


def test_right_hand_side_span_warns(tmp_path):
    sc = scenario(
        tmp_path,
        sources=[{**SOURCE, "capacity_t": 1e9}],
        demand=[{**SECTOR, "demand_t": 0.5}],
    )
    (warning,) = scaling_warnings(build_model(sc), sc)
    assert "right-hand sides span 2e+09" in warning
    assert "largest source_capacity a 2025: capacity_t 1e+09 t (sources.csv:2)" in warning
    assert "smallest demand_balance d 2025: demand_t 0.5 t (demand.csv:2)" in warning


def test_matrix_span_warns(tmp_path):
    maker = {
        "maker": "m",
        "year": 2025,
        "capacity_t": 10,
        "oxide_per_t": 1e-10,
        "conversion_cost_usd_per_t": 100,
    }
    sc = scenario(tmp_path, makers=[maker])
    (warning,) = scaling_warnings(build_model(sc), sc)
    assert "matrix entries span 1e+10" in warning
    assert "smallest maker_conversion m 2025: oxide_per_t 1e-10 (makers.csv:2)" in warning


def test_route_cost_and_initial_stock_are_named_in_their_files(tmp_path):
    sc = scenario(
        tmp_path,
        sources=[{**SOURCE, "capacity_t": 1e9}],
        demand=[{**SECTOR, "shortage_penalty_usd_per_t": 1e9}],
        contracts=[
            {
                "contract": "k",
                "partner": "p",
                "year": 2025,
                "min_t": 0,
                "max_t": 5,
                "price_usd_per_t": 200,
            }
        ],
        stockpiles=[STOCK],
        stockpile_initial=[{"stockpile": "p", "initial_t": 0.1}],
        routes=[
            {"origin": "a", "destination": "k", "cost_usd_per_t": 0.05},
            {"origin": "a", "destination": "p"},
        ],
    )
    objective, rhs = scaling_warnings(build_model(sc), sc)
    assert "smallest flow a k 2025: cost_usd_per_t 0.05 USD/t (routes.csv:2)" in objective
    assert "smallest stockpile_balance p 2025: initial_t 0.1 t (stockpile_initial.csv:2)" in rhs


def test_span_limit_is_1e9():
    assert SPAN_LIMIT == 1e9


def test_coefficients_are_those_highs_solves(tmp_path):
    """lp_extremes reads the Pyomo model; HiGHS's own copy of the LP has the same extremes."""
    sc = ndalloc.load_scenario("stockpile-2-months")
    built = build_model(sc)
    extremes = lp_extremes(built)
    outcome = solve_model(built)
    lp = outcome.solver._solver_model.getLp()
    inf = 1e20

    def span(values):
        nonzero = [abs(v) for v in values if v != 0 and abs(v) < inf]
        return max(nonzero), min(nonzero)

    bounds = list(lp.row_lower_) + list(lp.row_upper_)
    for kind, values in [
        ("objective coefficients", lp.col_cost_),
        ("matrix entries", lp.a_matrix_.value_),
        ("right-hand sides", bounds),
    ]:
        largest, smallest = extremes[kind]
        assert (largest.value, smallest.value) == pytest.approx(span(values)), kind


def test_cli_prints_warnings_and_records_them_in_the_manifest(tmp_path):
    folder = write_scenario(
        tmp_path / "s",
        sources=[{**SOURCE, "capacity_t": 1e9}],
        demand=[{**SECTOR, "demand_t": 0.5}],
    )
    proc = run_ndalloc("solve", folder, "--out", "runs", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1, describe(proc)
    assert "badly scaled data: right-hand sides span 2e+09" in lines[0]
    (run,) = (tmp_path / "runs").iterdir()
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["warnings"] == [lines[0].removeprefix("warning: ")]


def test_failed_check_carries_the_scaling_warning(tmp_path, corrupting):
    folder = write_scenario(
        tmp_path / "s",
        sources=[
            {**SOURCE, "source": "irel", "capacity_t": 1e9},
            {**SOURCE, "source": "irel", "year": 2026, "capacity_t": 1e9},
        ],
        demand=[{**SECTOR, "demand_t": 0.5}],
        meta={"last_year": 2026},
    )
    with pytest.raises(SolutionCheckError) as info:
        ndalloc.solve(folder)
    assert "found before solving:\n  warning: badly scaled data" in str(info.value)


def test_warnings_of_a_run_are_in_its_manifest(base, tmp_path):
    res = replace(base, warnings=("badly scaled data: a test",))
    folder = write_run(
        res, ndalloc.load_scenario("india-base"), SolveOptions(), tmp_path, datetime.now(UTC)
    )
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["warnings"] == ["badly scaled data: a test"]
