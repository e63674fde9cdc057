"""Rows, solving and reading for the hand-solved instances (tests/test_lp_families.py,
tests/test_objective_terms.py). See test_lp_families.py for the sign convention of duals."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ndalloc
from ndalloc.results.tables import RunResult
from scenario_factory import write_scenario

Y1, Y2, Y3 = 2025, 2026, 2027
Tables = dict[str, list[dict[str, Any]]]

# --- rows ----------------------------------------------------------------------------------


def source(name: str, year: int, cap: float, cost: float, minimum: float = 0.0) -> dict:
    return {
        "source": name,
        "year": year,
        "capacity_t": cap,
        "min_output_t": minimum,
        "cost_usd_per_t": cost,
    }


def contract(
    name: str, year: int, max_t: float, price: float, min_t: float = 0.0, penalty: float = 0.0
) -> dict:
    return {
        "contract": name,
        "partner": "partner",
        "year": year,
        "min_t": min_t,
        "max_t": max_t,
        "price_usd_per_t": price,
        "breach_penalty_usd_per_t": penalty,
    }


def maker(name: str, year: int, cap: float, ratio: float, cost: float) -> dict:
    return {
        "maker": name,
        "year": year,
        "capacity_t": cap,
        "oxide_per_t": ratio,
        "conversion_cost_usd_per_t": cost,
    }


def sector(name: str, year: int, demand: float, penalty: float, share: float = 1.0) -> dict:
    return {
        "sector": name,
        "year": year,
        "demand_t": demand,
        "shortage_penalty_usd_per_t": penalty,
        "import_share_max": share,
    }


def offer(origin: str, product: str, year: int, max_t: float, price: float) -> dict:
    return {
        "origin": origin,
        "product": product,
        "year": year,
        "max_t": max_t,
        "price_usd_per_t": price,
    }


def stockpile(
    name: str,
    year: int,
    *,
    max_t: float = 100.0,
    inject: float = 100.0,
    release: float = 100.0,
    min_t: float = 0.0,
    holding: float = 0.0,
    handling: float = 0.0,
    terminal: float = 0.0,
) -> dict:
    return {
        "stockpile": name,
        "year": year,
        "min_t": min_t,
        "max_t": max_t,
        "max_inject_t": inject,
        "max_release_t": release,
        "holding_cost_usd_per_t": holding,
        "handling_cost_usd_per_t": handling,
        "terminal_value_usd_per_t": terminal,
    }


def route(origin: str, destination: str, cost: float = 0.0) -> dict:
    return {"origin": origin, "destination": destination, "cost_usd_per_t": cost}


#: demand.csv needs a row; a sector needing nothing leaves the magnet side empty.
NO_DEMAND = [sector("none", Y1, 0, 1000)]


def horizon(years: int = 1, rate: float = 0.0) -> dict:
    return {"first_year": Y1, "last_year": Y1 + years - 1, "discount_rate": rate}


# --- solving and reading -------------------------------------------------------------------


def run(tmp_path: Path, tables: Tables, meta: Mapping[str, Any] | None = None) -> RunResult:
    """Write the scenario to a fresh folder under tmp_path, solve it, check conservation."""
    folder = write_scenario(Path(tempfile.mkdtemp(dir=tmp_path)), meta, **tables)
    res = ndalloc.solve(folder)
    if res.optimal:
        assert_conserved(res)
    return res


def solve_optimal(
    tmp_path: Path, tables: Tables, meta: Mapping[str, Any] | None = None
) -> RunResult:
    res = run(tmp_path, tables, meta)
    assert res.status is ndalloc.Status.OPTIMAL, res.message
    return res


def bumped(tables: Tables, table: str, column: str, delta: float, **where: Any) -> Tables:
    """A deep copy of `tables` with `column` of the one row of `table` matching `where` moved."""
    out = copy.deepcopy(tables)
    rows = [r for r in out[table] if all(r[k] == v for k, v in where.items())]
    assert len(rows) == 1, f"{table} {where}: {len(rows)} rows"
    rows[0][column] += delta
    return out


def objective_change(
    tmp_path: Path,
    res: RunResult,
    tables: Tables,
    meta: Mapping[str, Any] | None,
    table: str,
    column: str,
    delta: float = 1.0,
    **where: Any,
) -> float:
    """Objective of the scenario with one input moved by `delta`, minus `res.objective`."""
    moved = solve_optimal(tmp_path, bumped(tables, table, column, delta, **where), meta)
    return moved.objective - res.objective


def _row(frame: pd.DataFrame, key: Mapping[str, Any]) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for k, v in key.items():
        mask &= (frame[k] == v).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, f"{key}: {len(rows)} rows in\n{frame}"
    return rows.iloc[0]


def dual(res: RunResult, family: str, **key: Any) -> float:
    """value_usd_per_t of the one row of the dual table matching `key`."""
    return float(_row(res.duals[family], key)["value_usd_per_t"])


def dual_pv(res: RunResult, family: str, **key: Any) -> float:
    """value_pv_usd_per_t of the one row of the dual table matching `key`."""
    return float(_row(res.duals[family], key)["value_pv_usd_per_t"])


def primal(res: RunResult, family: str, **key: Any) -> float:
    """value_t of the one row of the variable table matching `key`."""
    return float(_row(res.variables[family], key)["value_t"])


def primals(res: RunResult, family: str) -> list[float]:
    """value_t of every row of the variable table, in table order."""
    return res.variables[family]["value_t"].tolist()


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def assert_conserved(res: RunResult) -> None:
    """Oxide, magnets and stock add up each year, and the allocation matches the variables."""
    a = res.allocation
    supplied = a["output_t"] + a["oxide_imports_t"] + a["stock_release_t"]
    used = a["exports_t"] + a["to_makers_t"] + a["stock_inject_t"] + a["unallocated_t"]
    np.testing.assert_allclose(supplied, used, atol=1e-9)

    def per_year(name: str, frame: pd.DataFrame | None = None) -> np.ndarray:
        f = res.variables[name] if frame is None else frame
        return f.groupby("year")["value_t"].sum().reindex(a["year"], fill_value=0.0).to_numpy()

    imports = res.variables["imports"]
    for column, total in {
        "output_t": per_year("output"),
        "oxide_imports_t": per_year("imports", imports[imports["product"] == "oxide"]),
        "stock_release_t": per_year("release"),
        "exports_t": per_year("export"),
        "to_makers_t": per_year("feed"),
        "stock_inject_t": per_year("inject"),
        "unallocated_t": per_year("unallocated"),
        "magnets_made_t": per_year("make"),
        "magnet_imports_t": per_year("imports", imports[imports["product"] == "magnet"]),
        "magnet_shortage_t": per_year("shortage"),
    }.items():
        np.testing.assert_allclose(a[column].to_numpy(), total, atol=1e-9, err_msg=column)

    # Magnets: made + imported + short = demanded, each year.
    demand = res.duals["demand_balance"].groupby("year")["rhs_t"].sum()
    demand = demand.reindex(a["year"], fill_value=0.0).to_numpy()
    magnets = a["magnets_made_t"] + a["magnet_imports_t"] + a["magnet_shortage_t"]
    np.testing.assert_allclose(magnets.to_numpy(), demand, atol=1e-9)

    # Stock: level_y = level_{y-1} + inject_y - release_y (+ initial in the first year).
    stock = res.duals["stockpile_balance"]
    for _, row in stock.iterrows():
        key = {"stockpile": row["stockpile"], "year": row["year"]}
        before = res.variables["level"]
        prev = before[
            (before["stockpile"] == key["stockpile"]) & (before["year"] == key["year"] - 1)
        ]
        flow = (
            primal(res, "level", **key)
            - float(prev["value_t"].sum())
            - primal(res, "inject", **key)
            + primal(res, "release", **key)
        )
        assert flow == approx(row["rhs_t"])
