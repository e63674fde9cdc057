"""Ranging from HiGHS (highspy `getRanging`), in the names of the inputs.

- For each price or cost of the objective: the interval of that input over which the current
  allocation stays optimal.
- For each limit that comes from the data: the interval of that input over which its marginal
  value (dual) holds.

Everything is read from HiGHS's arrays in one pass per family (never one element of a highspy
vector at a time: each such access copies the whole vector, which made ranging quadratic in
the size of the LP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ndalloc.data.scenario import Scenario
from ndalloc.data.text_columns import repeated_text, text_array, text_column
from ndalloc.lp.build import Built
from ndalloc.solver.explain import FAMILY_SOURCE
from ndalloc.solver.highs import Solution, lp_bounds, read_solution

#: Priced variable family -> (table, column, sign): objective coefficient = sign * delta_y * input.
COST_INPUTS: dict[str, tuple[str, str, float]] = {
    "export": ("contracts", "price_usd_per_t", 1.0),
    "breach": ("contracts", "breach_penalty_usd_per_t", -1.0),
    "output": ("sources", "cost_usd_per_t", -1.0),
    "make": ("makers", "conversion_cost_usd_per_t", -1.0),
    "imports": ("imports", "price_usd_per_t", -1.0),
    "level": ("stockpiles", "holding_cost_usd_per_t", -1.0),
    "inject": ("stockpiles", "handling_cost_usd_per_t", -1.0),
    "release": ("stockpiles", "handling_cost_usd_per_t", -1.0),
    "shortage": ("demand", "shortage_penalty_usd_per_t", -1.0),
    "flow": ("routes", "cost_usd_per_t", -1.0),
}

COLUMNS = [
    "table",
    "key",
    "year",
    "column",
    "via",
    "value",
    "low",
    "high",
    "holds",
    "unit",
]


def _finite(value: float) -> float:
    return value if math.isfinite(value) and abs(value) < 1e29 else math.copysign(math.inf, value)


def _interval(low: float, high: float, scale: float) -> tuple[float, float]:
    """Map a coefficient interval back to the input when coefficient = scale * input."""
    a, b = _finite(low) / scale, _finite(high) / scale
    return (a, b) if a <= b else (b, a)


def _finite_array(values: np.ndarray) -> np.ndarray:
    """`_finite` of every value."""
    keep = np.isfinite(values) & (np.abs(values) < 1e29)
    return np.where(keep, values, np.copysign(np.inf, values))


def _intervals(
    low: np.ndarray, high: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`_interval` of every row."""
    a, b = _finite_array(low) / scale, _finite_array(high) / scale
    ordered = a <= b
    return np.where(ordered, a, b), np.where(ordered, b, a)


def _entity(keys: pd.DataFrame) -> pa.Array:
    """Each key without its year, as text: "irel", "china/magnet"."""
    parts = [text_array(keys[c]) for c in keys.columns[:-1]]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "/")


def _block(
    keys: pd.DataFrame, table: str, column: str, via: str, values: dict[str, np.ndarray]
) -> dict[str, Any]:
    n = len(keys)
    holds = "the allocation stays optimal" if via in COST_INPUTS else "its marginal value holds"
    unit = "USD/t" if via in COST_INPUTS else ("fraction" if column == "import_share_max" else "t")
    return {
        "table": repeated_text(table, n),
        "key": _entity(keys),
        "year": keys["year"].to_numpy(dtype=np.int64),
        "column": repeated_text(column, n),
        "via": repeated_text(via, n),
        **values,
        "holds": repeated_text(holds, n),
        "unit": repeated_text(unit, n),
    }


@dataclass(frozen=True)
class Ranges:
    """What ranging reads from HiGHS, copied out of the solver (see `read_ranges`)."""

    costs: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    cost_dn: np.ndarray
    cost_up: np.ndarray
    bound_dn: np.ndarray
    bound_up: np.ndarray
    basic: np.ndarray
    """True for each row that is basic (does not bind)."""
    activity: np.ndarray


def read_ranges(built: Built, outcome: Any, solution: Solution | None = None) -> Ranges | None:
    """HiGHS's ranging of an optimal solve as arrays, or None if HiGHS cannot range it."""
    highs = outcome.highs
    status, ranging = highs.getRanging()
    if not ranging.valid:
        return None
    del status
    costs, row_lower, row_upper = lp_bounds(built, highs)
    cost_dn = np.asarray(ranging.col_cost_dn.value_, dtype=np.float64)
    cost_up = np.asarray(ranging.col_cost_up.value_, dtype=np.float64)
    bound_dn = np.asarray(ranging.row_bound_dn.value_, dtype=np.float64)
    bound_up = np.asarray(ranging.row_bound_up.value_, dtype=np.float64)
    del ranging
    # The basic rows, from HiGHS's list of basic variables (row i is listed as -1 - i).
    _, listed = highs.getBasicVariables()
    listed = np.asarray(listed, dtype=np.int64)
    basic = np.zeros(len(row_lower), dtype=bool)
    basic[-1 - listed[listed < 0]] = True
    activity = (solution or read_solution(highs)).row_value
    return Ranges(
        costs, row_lower, row_upper, cost_dn, cost_up, bound_dn, bound_up, basic, activity
    )


def ranging_table(
    built: Built, outcome: Any, scenario: Scenario, ranges: Ranges | None = None
) -> pd.DataFrame:
    """The ranging table of an optimal solve (empty if HiGHS cannot range it).

    `ranges` is HiGHS's ranging already copied out (`read_ranges`), so that the solver can be
    released first; by default it is read from `outcome.highs`.
    """
    del scenario  # the rows are named by their keys; kept for a uniform signature
    r = ranges if ranges is not None else read_ranges(built, outcome)
    if r is None:
        return pd.DataFrame(columns=COLUMNS)
    costs, row_lower, row_upper = r.costs, r.row_lower, r.row_upper
    cost_dn, cost_up, bound_dn, bound_up = r.cost_dn, r.cost_up, r.bound_dn, r.bound_up
    basic, activity = r.basic, r.activity
    discount = built.data.discount
    blocks: list[dict[str, Any]] = []
    for family, (table, column, sign) in COST_INPUTS.items():
        found = built.variables.get(family)
        if found is None or not len(found.component):
            continue
        keys = found.key_frame()
        cols = outcome.cols[family]
        scale = sign * keys["year"].map(discount).to_numpy(dtype=np.float64)
        low, high = _intervals(cost_dn[cols], cost_up[cols], scale)
        values = {"value": costs[cols] / scale, "low": low, "high": high}
        blocks.append(_block(keys, table, column, family, values))

    limits: list[tuple[np.ndarray, dict[str, Any]]] = []
    for family, found in built.constraints.items():
        source = FAMILY_SOURCE.get(family)
        if source is None or family == "stockpile_balance" or not len(found.component):
            continue
        table, column = source
        keys = found.key_frame()
        rows = outcome.rows[family]
        upper = row_upper[rows]
        has_ub = np.isfinite(upper)
        rhs = np.where(has_ub, upper, row_lower[rows])
        scale = np.ones(len(rows))
        if family == "import_share":  # rhs = import_share_max * demand_t
            demand = built.data.demand["demand_t"]
            at = demand.index.get_indexer(pd.MultiIndex.from_frame(keys))
            scale = demand.to_numpy(dtype=np.float64)[at]
            keep = scale > 0
            keys, rows, has_ub, rhs, scale = (
                keys[keep].reset_index(drop=True),
                rows[keep],
                has_ub[keep],
                rhs[keep],
                scale[keep],
            )
        # A row that does not bind: its zero value holds up to its activity.
        level = activity[rows] / scale
        free_low = np.where(has_ub, level, 0.0)
        free_high = np.where(has_ub, np.inf, level)
        low, high = _intervals(bound_dn[rows], bound_up[rows], scale)
        is_basic = basic[rows]
        values = {
            "value": rhs / scale,
            "low": np.where(is_basic, free_low, low),
            "high": np.where(is_basic, free_high, high),
        }
        limits.append((rows, _block(keys, table, column, family, values)))
    limits.sort(key=lambda item: int(item[0][0]))  # in HiGHS row order
    blocks += [block for _, block in limits]
    if not blocks:
        table = pd.DataFrame([], columns=COLUMNS)
    else:
        table = pd.DataFrame({c: _concat([b[c] for b in blocks]) for c in COLUMNS}, columns=COLUMNS)
    # Every input is non-negative: an interval reaching below zero stops at zero.
    table["low"] = table["low"].clip(lower=0.0) + 0.0
    table["high"] = table["high"].clip(lower=0.0) + 0.0
    return table


def _concat(parts: list[Any]) -> Any:
    if isinstance(parts[0], pa.Array):
        return text_column(pa.chunked_array(parts, pa.string()))
    return np.concatenate(parts)
