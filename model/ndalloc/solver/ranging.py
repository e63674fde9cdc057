"""Ranging from HiGHS (highspy `getRanging`), in the names of the inputs.

- For each price or cost of the objective: the interval of that input over which the current
  allocation stays optimal.
- For each limit that comes from the data: the interval of that input over which its marginal
  value (dual) holds.
"""

from __future__ import annotations

import math
from typing import Any

import highspy
import pandas as pd

from ndalloc.data.scenario import Scenario
from ndalloc.lp.build import BuiltModel
from ndalloc.solver.explain import FAMILY_SOURCE, _rows

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


def ranging_table(built: BuiltModel, solver: Any, scenario: Scenario) -> pd.DataFrame:
    """The ranging table of an optimal solve (empty if HiGHS cannot range it)."""
    highs = solver._solver_model
    status, ranging = highs.getRanging()
    if not ranging.valid:
        return pd.DataFrame(columns=COLUMNS)
    del status
    lp = highs.getLp()
    costs = lp.col_cost_
    basic = highspy.HighsBasisStatus.kBasic
    row_status = highs.getBasis().row_status
    activity = highs.getSolution().row_value
    rows: list[dict[str, Any]] = []
    col_map = solver._pyomo_var_to_solver_var_map
    discount = built.data.discount
    for family, (table, column, sign) in COST_INPUTS.items():
        component = built.variables[family].component
        for key in component:
            col = col_map[id(component[key])]
            year = int(key[-1])
            scale = sign * discount[year]
            low, high = _interval(
                ranging.col_cost_dn.value_[col], ranging.col_cost_up.value_[col], scale
            )
            entity = key[:-1]
            rows.append(
                {
                    "table": table,
                    "key": "/".join(str(k) for k in entity),
                    "year": year,
                    "column": column,
                    "via": family,
                    "value": costs[col] / scale,
                    "low": low,
                    "high": high,
                    "holds": "the allocation stays optimal",
                    "unit": "USD/t",
                }
            )
    for row, (family, key, data) in sorted(_rows(built, solver).items()):
        source = FAMILY_SOURCE.get(family)
        if source is None or family == "stockpile_balance":
            continue
        table, column = source
        rhs = float(data.upper if data.has_ub() else data.lower)
        scale = 1.0
        if family == "import_share":  # rhs = import_share_max * demand_t
            demand = built.data.demand.loc[key, "demand_t"]
            if demand <= 0:
                continue
            scale = float(demand)
        if row_status[row] == basic:  # not binding: a zero value holds up to the activity
            level = activity[row]
            low, high = (level / scale, math.inf) if data.has_ub() else (0.0, level / scale)
        else:
            low, high = _interval(
                ranging.row_bound_dn.value_[row], ranging.row_bound_up.value_[row], scale
            )
        rows.append(
            {
                "table": table,
                "key": "/".join(str(k) for k in key[:-1]),
                "year": int(key[-1]),
                "column": column,
                "via": family,
                "value": rhs / scale,
                "low": low,
                "high": high,
                "holds": "its marginal value holds",
                "unit": "fraction" if column == "import_share_max" else "t",
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    # Every input is non-negative: an interval reaching below zero stops at zero.
    table["low"] = table["low"].clip(lower=0.0) + 0.0
    table["high"] = table["high"].clip(lower=0.0) + 0.0
    return table
