"""Checks every optimal solve must pass before its numbers are shown to anyone.

Read from the result tables alone (what a planner would read), after every optimal solve:

- conservation: oxide supplied = oxide used, per year; each maker's feed = oxide_per_t x its
  magnets; magnets made + imported + short = demand, made = delivered domestic and imported =
  delivered import, per year; the allocation table agrees with the variable tables;
- bounds: every variable >= 0 and every constraint row within its limit (activity against
  right-hand side, in the sense the row is written in docs/formulation.md section 6);
- duals: complementary slackness and signs for a maximisation: a row with slack has dual 0,
  a <= row has dual >= 0 and a >= row dual <= 0; every reduced cost is <= 0 (no variable has
  an upper bound of its own) and 0 on a variable strictly above 0.

Quantities are compared with an absolute tolerance in tonnes; duals and reduced costs (USD)
with a tolerance relative to the largest dual or reduced cost of the result. A failure raises
an error naming the family, key and numbers: a result that fails is never returned.

Each check compares whole columns at once and spells out only the rows that fail, in table
order, so checking a large result costs little more than reading it.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from ndalloc.results.marginal import DUAL_VALUE_COLUMNS
from ndalloc.results.tables import RunResult

#: Largest imbalance or bound violation tolerated, in tonnes (absolute).
CONSERVATION_TOL_T = 1e-6
#: Largest dual or reduced-cost error tolerated, relative to the largest |dual| or |reduced
#: cost| of the result (at least 1 USD/t).
DUAL_RTOL = 1e-6
#: At most this many problems are spelled out in an error message.
MAX_LISTED = 20

#: Columns of a variable table that are not part of its key.
_VAR_VALUES = {"value_t", "reduced_cost_pv_usd_per_t", "unit"}
_DUAL_VALUES = DUAL_VALUE_COLUMNS
#: Allocation column -> (variable family, import product or None), summed per year.
_ALLOCATION = {
    "output_t": ("output", None),
    "oxide_imports_t": ("imports", "oxide"),
    "stock_release_t": ("release", None),
    "exports_t": ("export", None),
    "to_makers_t": ("feed", None),
    "stock_inject_t": ("inject", None),
    "unallocated_t": ("unallocated", None),
    "magnets_made_t": ("make", None),
    "magnet_imports_t": ("imports", "magnet"),
    "magnet_shortage_t": ("shortage", None),
    "stock_level_t": ("level", None),
}


class ConservationError(RuntimeError):
    """Reported flows do not add up (or another post-solve check failed): do not use the result."""


class SolutionCheckError(ConservationError):
    """A post-solve check of bounds, duals or reduced costs failed: do not use the result."""


def _raise(problems: list[str], what: str, error: type[ConservationError]) -> None:
    if not problems:
        return
    listed = problems[:MAX_LISTED]
    more = len(problems) - len(listed)
    tail = f"\n  ... and {more} more" if more else ""
    raise error(f"{what} failed ({len(problems)} problem(s)):\n  " + "\n  ".join(listed) + tail)


def check_solution(
    result: RunResult, tol_t: float = CONSERVATION_TOL_T, dual_rtol: float = DUAL_RTOL
) -> None:
    """Every post-solve check; raises SolutionCheckError listing every problem found."""
    if not result.optimal:
        return
    problems = conservation_problems(result, tol_t)
    problems += bound_problems(result, tol_t)
    problems += dual_problems(result, tol_t, dual_rtol)
    _raise(problems, "post-solve check", SolutionCheckError)


def check_conservation(result: RunResult, tol_t: float = CONSERVATION_TOL_T) -> None:
    """Oxide and magnets balance each year and each maker's feed matches its magnets.

    Raises ConservationError naming every year and maker that fails.
    """
    if result.optimal:
        _raise(conservation_problems(result, tol_t), "conservation check", ConservationError)


def check_bounds(result: RunResult, tol_t: float = CONSERVATION_TOL_T) -> None:
    """Every variable >= 0 and every constraint row within its limit."""
    if result.optimal:
        _raise(bound_problems(result, tol_t), "bounds check", SolutionCheckError)


def check_duals(
    result: RunResult, tol_t: float = CONSERVATION_TOL_T, dual_rtol: float = DUAL_RTOL
) -> None:
    """Complementary slackness and the signs of duals and reduced costs (maximisation)."""
    if result.optimal:
        _raise(dual_problems(result, tol_t, dual_rtol), "dual check", SolutionCheckError)


# --- conservation --------------------------------------------------------------------------


def _years(result: RunResult) -> list[int]:
    return [int(y) for y in result.allocation["year"]]


def _per_year(result: RunResult, family: str, product: str | None = None) -> pd.Series:
    """The values of a variable family summed by year (0 in a year without rows)."""
    frame = result.variables[family]
    if product is not None:
        frame = frame[frame["product"] == product]
    sums = frame.groupby("year")["value_t"].sum() if not frame.empty else pd.Series(dtype=float)
    return sums.reindex(_years(result), fill_value=0.0).astype(float)


def conservation_problems(result: RunResult, tol_t: float = CONSERVATION_TOL_T) -> list[str]:
    out = _allocation_problems(result, tol_t)
    a = result.allocation
    supplied = a["output_t"] + a["oxide_imports_t"] + a["stock_release_t"]
    used = a["exports_t"] + a["to_makers_t"] + a["stock_inject_t"] + a["unallocated_t"]
    out += [
        f"oxide {y}: supplied {s:.6f} t, used {u:.6f} t (differ by {s - u:.3g} t)"
        for y, s, u in zip(_years(result), supplied, used, strict=True)
        if abs(s - u) > tol_t
    ]
    out += _maker_problems(result, tol_t)
    out += _magnet_problems(result, tol_t)
    return out


def _allocation_problems(result: RunResult, tol_t: float) -> list[str]:
    """The allocation table (what planners read first) must be the sums of the variables."""
    out = []
    a = result.allocation.set_index("year")
    for column, (family, product) in _ALLOCATION.items():
        sums = _per_year(result, family, product)
        for y, reported, summed in zip(_years(result), a[column], sums, strict=True):
            if abs(reported - summed) > tol_t:
                what = f"{family} ({product})" if product else family
                out.append(
                    f"allocation {y} {column}: {reported:.6f} t, but the {what} variables "
                    f"sum to {summed:.6f} t"
                )
    return out


def _maker_problems(result: RunResult, tol_t: float) -> list[str]:
    conversion = result.duals["maker_conversion"]
    if conversion.empty:
        return []
    # oxide_per_t * make - feed = rhs (0): the activity column holds the left-hand side.
    gap = (conversion["activity_t"] - conversion["rhs_t"]).to_numpy(dtype=float)
    return [
        f"maker {conversion['maker'].iat[i]} {int(conversion['year'].iat[i])}:"
        f" oxide_per_t x make - feed = {gap[i]:.3g} t (must be 0)"
        for i in np.flatnonzero(np.abs(gap) > tol_t)
    ]


def _magnet_problems(result: RunResult, tol_t: float) -> list[str]:
    made = _per_year(result, "make")
    imported = _per_year(result, "imports", "magnet")
    short = _per_year(result, "shortage")
    domestic = _per_year(result, "deliver_domestic")
    delivered_import = _per_year(result, "deliver_import")
    balance = result.duals["demand_balance"]
    demand = (
        balance.groupby("year")["rhs_t"].sum() if not balance.empty else pd.Series(dtype=float)
    ).reindex(_years(result), fill_value=0.0)
    out = []
    for y in _years(result):
        m, i, s, d = made[y], imported[y], short[y], float(demand[y])
        if abs(m + i + s - d) > tol_t:
            out.append(
                f"magnets {y}: made {m:.6f} + imported {i:.6f} + shortage {s:.6f} = "
                f"{m + i + s:.6f} t, demand {d:.6f} t"
            )
        if abs(m - domestic[y]) > tol_t:
            out.append(f"magnets {y}: made {m:.6f} t, delivered domestic {domestic[y]:.6f} t")
        if abs(i - delivered_import[y]) > tol_t:
            out.append(
                f"magnets {y}: imported {i:.6f} t, delivered import {delivered_import[y]:.6f} t"
            )
    return out


# --- bounds --------------------------------------------------------------------------------


class _Keys:
    """The key of a table's row as text ("irel 2026"), built only for rows that are named."""

    def __init__(self, frame: pd.DataFrame, values: Collection[str]) -> None:
        self.columns = [frame[c].tolist() for c in frame.columns if c not in values]

    def __getitem__(self, i: int | np.integer) -> str:
        return " ".join(str(column[i]) for column in self.columns)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=float)


def _slack(sense: str, activity: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """How far inside its limit each row is (negative: violated)."""
    if sense == "<=":
        return rhs - activity
    if sense == ">=":
        return activity - rhs
    return -np.abs(activity - rhs)


def bound_problems(result: RunResult, tol_t: float = CONSERVATION_TOL_T) -> list[str]:
    out = []
    for family, frame in result.variables.items():
        value = _numbers(frame, "value_t")
        keys = _Keys(frame, _VAR_VALUES)
        out += [
            f"variable {family} {keys[i]}: {value[i]:.6g} t < 0"
            for i in np.flatnonzero(value < -tol_t)
        ]
    for family, frame in result.duals.items():
        if frame.empty:
            continue
        sense = result.senses.get(family)
        if sense is None:
            out.append(f"{family}: no sense recorded for its rows; cannot check them")
            continue
        activity, rhs = _numbers(frame, "activity_t"), _numbers(frame, "rhs_t")
        keys = _Keys(frame, _DUAL_VALUES)
        out += [
            f"{family} {keys[i]}: activity {activity[i]:.6f} t violates "
            f"{sense} {rhs[i]:.6f} t (by {abs(activity[i] - rhs[i]):.3g} t)"
            for i in np.flatnonzero(_slack(sense, activity, rhs) < -tol_t)
        ]
    return out


# --- duals and reduced costs ---------------------------------------------------------------


def dual_tolerance(result: RunResult, dual_rtol: float = DUAL_RTOL) -> float:
    """`dual_rtol` times the largest |dual| or |reduced cost| of the result (USD/t, >= 1)."""
    scale = 1.0
    for frame in result.duals.values():
        if not frame.empty:
            scale = max(scale, float(frame["value_pv_usd_per_t"].abs().max()))
    for frame in result.variables.values():
        if not frame.empty:
            scale = max(scale, float(frame["reduced_cost_pv_usd_per_t"].abs().max()))
    return dual_rtol * scale


def dual_problems(
    result: RunResult, tol_t: float = CONSERVATION_TOL_T, dual_rtol: float = DUAL_RTOL
) -> list[str]:
    tol = dual_tolerance(result, dual_rtol)
    out = []
    for family, frame in result.duals.items():
        if frame.empty:
            continue
        sense = result.senses.get(family)
        if sense is None:
            out.append(f"{family}: no sense recorded for its rows; cannot check its duals")
            continue
        value = _numbers(frame, "value_pv_usd_per_t")
        slack = _slack(sense, _numbers(frame, "activity_t"), _numbers(frame, "rhs_t"))
        loose = (np.abs(value) > tol) & (slack > tol_t)
        wrong_sign = (value < -tol) if sense == "<=" else (value > tol) if sense == ">=" else None
        failing = loose if wrong_sign is None else loose | wrong_sign
        keys = _Keys(frame, _DUAL_VALUES)
        for i in np.flatnonzero(failing):
            key, v = keys[i], value[i]
            if loose[i]:
                out.append(
                    f"dual {family} {key}: {v:.6g} USD/t on a row with slack {slack[i]:.6g} t "
                    f"(a row that does not bind has dual 0)"
                )
            if wrong_sign is not None and wrong_sign[i]:
                must = ">= 0" if sense == "<=" else "<= 0"
                out.append(f"dual {family} {key}: {v:.6g} USD/t on a {sense} row (must be {must})")
    for family, frame in result.variables.items():
        rc, value = _numbers(frame, "reduced_cost_pv_usd_per_t"), _numbers(frame, "value_t")
        positive = rc > tol
        off_bound = ~positive & (rc < -tol) & (value > tol_t)
        keys = _Keys(frame, _VAR_VALUES)
        for i in np.flatnonzero(positive | off_bound):
            if positive[i]:
                out.append(
                    f"reduced cost {family} {keys[i]}: {rc[i]:.6g} USD/t > 0 (forcing a variable"
                    " up cannot gain in this maximisation: must be <= 0)"
                )
            else:
                out.append(
                    f"reduced cost {family} {keys[i]}: {rc[i]:.6g} USD/t on a variable at"
                    f" {value[i]:.6g} t (must be 0 off its bound of 0)"
                )
    return out
