"""Turn a solve into one typed result: status, objective and tidy tables.

Sign convention (see docs/formulation.md): a dual is d(objective)/d(right-hand side) of its
constraint as written there, i.e. the value of one more unit of the limit, in USD of the first
year (`value_pv_usd_per_t`) and in USD of the constraint's year (`value_usd_per_t`). A reduced
cost is the change in objective per unit of the variable forced above its optimal value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ndalloc.lp.build import Built, BuiltLp, BuiltModel
from ndalloc.lp.registry import Family
from ndalloc.results.marginal import marginal_values
from ndalloc.results.terms import objective_terms
from ndalloc.solver.status import Status

if TYPE_CHECKING:
    from ndalloc.solver.highs import Solution, SolveOutcome

#: Absolute tolerance (t) below which a constraint's slack counts as zero (binding).
BINDING_TOL_T = 1e-6


@dataclass(frozen=True)
class RunResult:
    """Everything a solve produced. Tables are empty unless the status is optimal."""

    scenario: str
    status: Status
    message: str
    objective: float | None
    """Discounted net national benefit (USD, first-year money); None without a solution."""
    bound: float | None
    variables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    duals: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    marginal_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What one more unit of each binding limit is worth, per year, with a sentence."""
    ranging: pd.DataFrame = field(default_factory=pd.DataFrame)
    """For each input price/cost and limit: the interval over which the answer holds."""
    objective_terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The objective term by term, entity and year (benefits +, costs -); its value_pv_usd
    adds up to `objective` (`ndalloc.results.terms`)."""
    counts: Mapping[str, int] = field(default_factory=dict)
    timings_s: Mapping[str, float] = field(default_factory=dict)
    solver_version: str = ""
    conflict: tuple[str, ...] = ()
    """When infeasible: the limits of an irreducible infeasible subset, in the scenario's names."""
    violations: tuple[str, ...] = ()
    """When infeasible and solved elastically: the least changes of limits that make it feasible."""
    warnings: tuple[str, ...] = ()
    """Problems found before solving (e.g. badly scaled data), in the scenario's names."""
    senses: Mapping[str, str] = field(default_factory=dict)
    """Sense of each constraint family as written in docs/formulation.md section 6: '<=',
    '>=' or '=' (for the post-solve checks)."""
    ties: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Alternative optima: entities that are interchangeable (or amounts that are not
    decided) at the same objective, one row per family, entities and years, with a sentence
    (`ndalloc.results.ties`); no rows when the allocation is unique."""
    ties_checked: str = ""
    """How the ties were looked for: a second solve, or reduced costs only (large LPs)."""

    @property
    def optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    def __repr__(self) -> str:
        """A one-line summary (the tables' contents are in the attributes and `tables()`)."""
        objective = "None" if self.objective is None else f"{self.objective:.3g} USD"
        counts = "".join(f", {n:,} {what}" for what, n in self.counts.items())
        shown: list[str] = []
        groups: dict[str, list[int]] = {"var_": [0, 0], "dual_": [0, 0]}
        for name, table in self.tables().items():
            group = next((g for g in groups if name.startswith(g)), None)
            if group is None:
                shown.append(f"{name}[{len(table):,}]")
            else:
                groups[group][0] += 1
                groups[group][1] += len(table)
        shown += [f"{g}*[{n} tables, {rows:,} rows]" for g, (n, rows) in groups.items() if n]
        return (
            f"RunResult(scenario={self.scenario!r}, status={self.status}, "
            f"objective={objective}{counts}, tables: {', '.join(shown) or 'none'})"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by file stem: allocation, marginal_values, ranging, ties,
        var_<family>, dual_<family>."""
        out: dict[str, pd.DataFrame] = {}
        for name, table in (
            ("allocation", self.allocation),
            ("objective_terms", self.objective_terms),
            ("marginal_values", self.marginal_values),
            ("ranging", self.ranging),
        ):
            if not table.empty:
                out[name] = table
        if len(self.ties.columns):  # written even without rows: "no tie found"
            out["ties"] = self.ties
        out.update({f"var_{k}": v for k, v in self.variables.items()})
        out.update({f"dual_{k}": v for k, v in self.duals.items()})
        return out


def model_counts(built: Built) -> dict[str, int]:
    if isinstance(built, BuiltLp):  # every member of every family is in the LP
        return {
            "variables": sum(len(f.component) for f in built.variables.values()),
            "constraints": sum(len(f.component) for f in built.constraints.values()),
        }
    import pyomo.environ as pyo

    model = built.model
    return {
        "variables": sum(1 for _ in model.component_data_objects(pyo.Var, active=True)),
        "constraints": sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True)),
    }


def _clean(value: float, zero: float = 1e-9) -> float:
    """Round solver noise below `zero` to an exact 0.0 (never -0.0)."""
    value = float(value)
    return 0.0 if abs(value) < zero else value


def _clean_array(values: np.ndarray, zero: float = 1e-9) -> np.ndarray:
    """`_clean` of every value."""
    return np.where(np.abs(values) < zero, 0.0, values)


def _index_frame(family: Family, keys: list[Any]) -> pd.DataFrame:
    rows = [(k,) for k in keys] if len(family.index) == 1 else [tuple(k) for k in keys]
    return pd.DataFrame(rows, columns=list(family.index))


def _discount(built: Built, frame: pd.DataFrame) -> pd.Series:
    if "year" not in frame:
        return pd.Series(1.0, index=frame.index)
    return frame["year"].map(built.data.discount).astype(float)


def variable_tables(
    built: BuiltModel, primals: Mapping[Any, float], reduced: Mapping[Any, float]
) -> dict[str, pd.DataFrame]:
    out = {}
    for name, family in built.variables.items():
        keys = list(family.component.keys())
        frame = _index_frame(family, keys)
        data = [family.component[k] for k in keys]
        frame["value_t"] = [_clean(primals.get(v, 0.0)) for v in data]
        frame["reduced_cost_pv_usd_per_t"] = [_clean(reduced.get(v, 0.0)) for v in data]
        frame["unit"] = family.unit
        out[name] = frame
    return out


def dual_tables(built: BuiltModel, duals: Mapping[Any, float]) -> dict[str, pd.DataFrame]:
    import pyomo.environ as pyo

    out = {}
    for name, family in built.constraints.items():
        keys = list(family.component.keys())
        frame = _index_frame(family, keys)
        cons = [family.component[k] for k in keys]
        activity, rhs, slack = [], [], []
        for c in cons:
            body = _clean(pyo.value(c.body))
            bound = c.upper if c.has_ub() else c.lower
            rhs_value = float(pyo.value(bound))
            activity.append(body)
            rhs.append(rhs_value)
            slack.append(abs(rhs_value - body))
        frame["activity_t"] = activity
        frame["rhs_t"] = rhs
        frame["slack_t"] = slack
        frame["binding"] = [s <= BINDING_TOL_T for s in slack]
        pv = [_clean(duals.get(c, 0.0)) for c in cons]
        frame["value_pv_usd_per_t"] = pv
        frame["value_usd_per_t"] = frame["value_pv_usd_per_t"] / _discount(built, frame)
        frame["unit"] = family.unit
        frame["meaning"] = f"value of {family.meaning}"
        out[name] = frame
    return out


def allocation_table(variables: Mapping[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """Oxide and magnets by year: where the oxide came from and where it went (t)."""

    def per_year(name: str, where: pd.Series | None = None) -> pd.Series:
        frame = variables[name]
        if where is not None:
            frame = frame[where]
        return frame.groupby("year")["value_t"].sum().reindex(years, fill_value=0.0)

    imports = variables["imports"]
    table = pd.DataFrame(
        {
            "year": years,
            "output_t": per_year("output").to_numpy(),
            "oxide_imports_t": per_year("imports", imports["product"] == "oxide").to_numpy(),
            "stock_release_t": per_year("release").to_numpy(),
            "exports_t": per_year("export").to_numpy(),
            "to_makers_t": per_year("feed").to_numpy(),
            "stock_inject_t": per_year("inject").to_numpy(),
            "unallocated_t": per_year("unallocated").to_numpy(),
            "magnets_made_t": per_year("make").to_numpy(),
            "magnet_imports_t": per_year("imports", imports["product"] == "magnet").to_numpy(),
            "magnet_shortage_t": per_year("shortage").to_numpy(),
            "stock_level_t": per_year("level").to_numpy(),
        }
    )
    return table


def row_senses(built: Built) -> dict[str, str]:
    """The sense of each constraint family that has rows: '<=', '>=' or '='."""
    return {name: f.sense for name, f in built.constraints.items() if len(f.component)}


# --- fast path: HiGHS's solution arrays through the family map -----------------------------


def _frame(family: Family, values: dict[str, Any]) -> pd.DataFrame:
    """The family's key columns followed by `values`, built in one go (an empty family gets
    the frame the plain path builds for it)."""
    if not len(family.component):
        frame = pd.DataFrame([], columns=list(family.index))
        for column, value in values.items():
            frame[column] = value if isinstance(value, str) else []
        return frame
    keys = family.key_frame()
    return pd.DataFrame({**{c: keys[c] for c in keys.columns}, **values})


def array_tables(
    built: BuiltLp, outcome: SolveOutcome, solution: Solution | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The variable and dual tables from HiGHS's solution arrays (col_value, col_dual,
    row_value, row_dual), each family's members read at their columns and rows."""
    if solution is None:
        from ndalloc.solver.highs import read_solution

        solution = read_solution(outcome.highs)
    value, reduced = solution.col_value, solution.col_dual
    activity, dual = solution.row_value, solution.row_dual
    variables = {}
    for name, family in built.variables.items():
        cols = outcome.cols[name]
        variables[name] = _frame(
            family,
            {
                "value_t": _clean_array(value[cols]),
                "reduced_cost_pv_usd_per_t": _clean_array(reduced[cols]),
                "unit": family.unit,
            },
        )
    duals = {}
    lower, upper = built.arrays.row_lower, built.arrays.row_upper
    discount = built.data.discount
    for name, family in built.constraints.items():
        rows = outcome.rows[name]
        body = _clean_array(activity[rows])
        rhs = np.where(np.isfinite(upper[rows]), upper[rows], lower[rows])
        slack = np.abs(rhs - body)
        pv = _clean_array(dual[rows])
        years = family.key_frame()["year"] if "year" in family.index else None
        factor = np.ones(len(rows)) if years is None else years.map(discount).to_numpy(float)
        duals[name] = _frame(
            family,
            {
                "activity_t": body,
                "rhs_t": rhs,
                "slack_t": slack,
                "binding": slack <= BINDING_TOL_T,
                "value_pv_usd_per_t": pv,
                "value_usd_per_t": pv / factor,
                "unit": family.unit,
                "meaning": f"value of {family.meaning}",
            },
        )
    return variables, duals


def extract_result(
    built: Built,
    outcome: SolveOutcome,
    scenario: str,
    timings_s: Mapping[str, float],
    solution: Solution | None = None,
) -> RunResult:
    """Read the solution through the family map; empty tables unless optimal.

    `solution` is HiGHS's solution already copied out (`ndalloc.solver.highs.read_solution`),
    so that the solver can be released first; by default it is read from `outcome.highs`.
    """
    counts = model_counts(built)
    if outcome.status is not Status.OPTIMAL:
        return RunResult(
            scenario=scenario,
            status=outcome.status,
            message=outcome.message,
            objective=None,
            bound=outcome.bound,
            counts=counts,
            timings_s=dict(timings_s),
            solver_version=outcome.solver_version,
        )
    if isinstance(built, BuiltModel):  # plain path: Pyomo's solution loader and bodies
        loader = outcome.results.solution_loader
        loader.load_vars()
        primals = loader.get_vars()
        reduced = loader.get_reduced_costs()
        duals = loader.get_duals()
        variables = variable_tables(built, primals, reduced)
        dual_frames = dual_tables(built, duals)
    else:
        variables, dual_frames = array_tables(built, outcome, solution)
    return RunResult(
        scenario=scenario,
        status=outcome.status,
        message=outcome.message,
        objective=outcome.objective,
        bound=outcome.bound,
        variables=variables,
        duals=dual_frames,
        allocation=allocation_table(variables, built.data.years),
        objective_terms=objective_terms(variables, built.data),
        marginal_values=marginal_values(dual_frames),
        senses=row_senses(built),
        counts=counts,
        timings_s=dict(timings_s),
        solver_version=outcome.solver_version,
    )
