"""The extensive form of a scenario tree: scenario copies tied by non-anticipativity.

docs/formulation.md section 11.2. Every scenario's LP is built from the one declaration of
each family (`ndalloc.lp.build.build_lp`, with every optional row, so that all scenarios have
the same columns and rows); the copies are stacked block by block, their objective weighted by
probability, and one `nonanticipativity` row ties each decision of a year to the decision of
the year's node (its first scenario). With a risk weight, one free column `eta`, one column
`u` per scenario and one `cvar_shortfall` row per scenario add the CVaR of the benefit.
The result is a set of arrays for one `highspy.Highs.passModel` call.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from ndalloc.data.tree import Tree
from ndalloc.lp.build import BuiltLp, build_lp
from ndalloc.lp.data import ModelData
from ndalloc.lp.registry import Family, LpArrays, Members


@dataclass(frozen=True)
class Risk:
    """The objective's risk: (1 - weight) E[B] + weight CVaR_alpha[B] (section 11.2)."""

    weight: float = 0.0
    """lambda in [0, 1]; 0 is the expected benefit."""
    alpha: float = 0.9
    """CVaR's level in [0, 1): the mean of the worst 1 - alpha of probability."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"the risk weight must lie in [0, 1], not {self.weight}")
        if not 0.0 <= self.alpha < 1.0:
            raise ValueError(f"the CVaR level alpha must lie in [0, 1), not {self.alpha}")


@dataclass(frozen=True)
class Extensive:
    """The stacked LP and where each scenario's columns and rows are in it."""

    tree: Tree
    builts: tuple[BuiltLp, ...]
    risk: Risk
    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    n_col: int
    """Columns of one scenario's LP."""
    n_row: int
    """Rows of one scenario's LP."""
    col_year: np.ndarray
    """The year of each of one scenario's columns."""
    node_of: np.ndarray
    """node_of[s, i]: the index (in `tree.nodes` order) of scenario s's node in year i of the
    horizon."""
    na_scenario: np.ndarray
    """Of each nonanticipativity row: its scenario, and the column (of one scenario's LP) it
    ties to the same column of the node's first scenario."""
    na_col: np.ndarray
    na_rows: np.ndarray
    """The extensive form's rows of the nonanticipativity family."""
    eta: int | None
    """The column of eta (risk weight > 0), the first of the scenarios' u columns after it."""

    @property
    def probabilities(self) -> np.ndarray:
        return np.array([s.probability for s in self.tree.scenarios])

    def scenario_cols(self, s: int) -> slice:
        return slice(s * self.n_col, (s + 1) * self.n_col)

    def scenario_rows(self, s: int) -> slice:
        return slice(s * self.n_row, (s + 1) * self.n_row)

    def benefits(self, col_value: np.ndarray) -> np.ndarray:
        """B_s = c_s . x_s of every scenario (discounted USD)."""
        x = col_value[: len(self.builts) * self.n_col].reshape(len(self.builts), self.n_col)
        costs = np.stack([b.arrays.col_cost for b in self.builts])
        return np.einsum("ij,ij->i", costs, x)

    def load(self, highs: object) -> None:
        """Hand the LP to a highspy.Highs (maximise)."""
        n = len(self.col_cost)
        status = highs.passModel(  # type: ignore[attr-defined]
            n,
            len(self.row_lower),
            len(self.value),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMaximize),
            0.0,
            self.col_cost,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            self.start,
            self.index,
            self.value,
            np.zeros(n, dtype=np.int32),
        )
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the extensive form (passModel)")


class StructureError(ValueError):
    """The scenarios of a tree do not build the same columns and rows."""


#: Scenarios from which `scenario_lps` builds on worker processes (fewer: in this process).
POOL_FROM = 8

#: The tree and its first scenario's LP, for the worker processes (set before they fork).
_JOB: tuple[Tree, BuiltLp] | None = None


@dataclass(frozen=True)
class _Own:
    """What a scenario's LP does not share with the first scenario's: the fields of its
    ModelData that differ, its families unless equal to the first's (None), its objective and
    its arrays. What a worker process sends back."""

    data: dict[str, Any]
    variables: dict[str, Family] | None
    constraints: dict[str, Family] | None
    objective: dict[str, np.ndarray]
    arrays: LpArrays


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same type (frames: same shape, columns, index names and values, of
    the same dtypes, as `DataFrame.equals` compares them)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.DataFrame):
        return (
            a.shape == b.shape
            and a.columns.equals(b.columns)
            and list(a.index.names) == list(b.index.names)
            and a.equals(b)
        )
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    return bool(a == b)


def _same_families(a: dict[str, Family], b: dict[str, Family]) -> bool:
    if list(a) != list(b):
        return False
    for name, fa in a.items():
        fb = b[name]
        if (fa.index, fa.unit, fa.meaning, fa.sense) != (fb.index, fb.unit, fb.meaning, fb.sense):
            return False
        if not (isinstance(fa.component, Members) and isinstance(fb.component, Members)):
            return False
        if not _same(fa.component.frame, fb.component.frame):
            return False
    return True


def _own(built: BuiltLp, first: BuiltLp) -> _Own:
    data = {
        f.name: getattr(built.data, f.name)
        for f in fields(ModelData)
        if not _same(getattr(built.data, f.name), getattr(first.data, f.name))
    }
    variables = None if _same_families(built.variables, first.variables) else built.variables
    constraints = (
        None if _same_families(built.constraints, first.constraints) else built.constraints
    )
    return _Own(data, variables, constraints, built.objective, built.arrays)


def _joined(own: _Own, first: BuiltLp) -> BuiltLp:
    """The scenario's LP, holding the first scenario's objects where its own are equal."""
    return BuiltLp(
        replace(first.data, **own.data),
        first.variables if own.variables is None else own.variables,
        first.constraints if own.constraints is None else own.constraints,
        own.objective,
        own.arrays,
    )


def _build_own(s: int) -> _Own:
    """Scenario s's LP, in a worker process (`_JOB` came with the fork)."""
    assert _JOB is not None
    tree, first = _JOB
    return _own(build_lp(tree.scenarios[s].scenario, dense=True), first)


def _pool_workers(n: int) -> int:
    """Worker processes for n scenarios, one per core: 0 (build here) for few scenarios, on
    one core, off Linux (the workers are forked), in a daemonic process (which may not have
    children) or while other threads run (a progress bar's, a solver pool's)."""
    if n < POOL_FROM or not sys.platform.startswith("linux"):
        return 0
    if multiprocessing.current_process().daemon:
        return 0
    if threading.active_count() > 1:
        return 0  # forking while another thread may hold a lock could hang a worker
    cores = len(os.sched_getaffinity(0))
    return min(cores, n - 1) if cores > 1 else 0


def scenario_lps(tree: Tree) -> tuple[BuiltLp, ...]:
    """Every scenario's LP, with every optional row; checked to share one structure.

    Each is `build_lp(scenario, dense=True)`. Parts equal to the first scenario's (the
    ModelData tables a scenario does not change, the families when their keys are the same)
    are held once, as the first's objects. With many scenarios, the LPs after the first are
    built on worker processes, one per core (forked: they inherit the tree), in order."""
    global _JOB
    head = build_lp(tree.scenarios[0].scenario, dense=True)
    n = len(tree.scenarios)
    workers = _pool_workers(n)
    if workers:
        from ndalloc.sensitivity.run import _worker_start  # Ctrl-C to the parent; die with it

        _JOB = (tree, head)
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, _worker_start, (os.getpid(),)) as pool:
                chunk = max(1, min(16, (n - 1) // (4 * workers)))
                owns = list(pool.imap(_build_own, range(1, n), chunksize=chunk))
        finally:
            _JOB = None
    else:
        owns = [_own(build_lp(s.scenario, dense=True), head) for s in tree.scenarios[1:]]
    builts = (head, *(_joined(o, head) for o in owns))
    first = builts[0].arrays
    for ts, b in zip(tree.scenarios[1:], builts[1:], strict=True):
        a = b.arrays
        same = (
            a.num_col == first.num_col
            and a.num_row == first.num_row
            and np.array_equal(a.start, first.start)
            and np.array_equal(a.index, first.index)
        )
        if not same:
            raise StructureError(
                f"scenario {ts.name} of tree {tree.name} has other columns or rows than "
                f"{tree.scenarios[0].name}: a patch of the tree adds or removes rows (only "
                "numbers may change)"
            )
    return builts


def column_years(built: BuiltLp) -> np.ndarray:
    """The year of each column of a scenario's LP."""
    out = np.full(built.arrays.num_col, built.data.years[0], dtype=np.int64)
    for name, family in built.variables.items():
        keys = family.key_frame()
        if "year" in keys and len(keys):
            out[built.arrays.cols[name]] = keys["year"].to_numpy(dtype=np.int64)
    return out


def node_matrix(tree: Tree) -> np.ndarray:
    """node_of[s, i] for every scenario and year of the horizon (node indices in file order)."""
    index = {n: i for i, n in enumerate(tree.nodes)}
    years = tree.base.years
    out = np.zeros((len(tree.scenarios), len(years)), dtype=np.int64)
    for s, ts in enumerate(tree.scenarios):
        node_years = np.array([tree.nodes[n].year for n in ts.path])
        at = np.searchsorted(node_years, years, side="right") - 1
        out[s] = [index[ts.path[a]] for a in at]
    return out


def build_extensive(
    tree: Tree, risk: Risk | None = None, builts: Sequence[BuiltLp] | None = None
) -> Extensive:
    """The extensive form of `tree` (see the module); `builts` reuses scenario LPs already
    built by `scenario_lps`."""
    risk = risk or Risk()
    builts = tuple(builts) if builts is not None else scenario_lps(tree)
    n_s = len(builts)
    a0 = builts[0].arrays
    n, m, nnz = a0.num_col, a0.num_row, len(a0.value)
    p = np.array([s.probability for s in tree.scenarios])
    years = column_years(builts[0])
    node_of = node_matrix(tree)
    year_pos = years - tree.base.years[0]

    # Non-anticipativity: (scenario, column) pairs tied to the node's first scenario.
    first_of = np.full(node_of.max() + 1, -1, dtype=np.int64)
    for s in range(n_s - 1, -1, -1):
        first_of[node_of[s]] = s
    rep = first_of[node_of[:, year_pos]]  # rep[s, j]: the scenario column j of s is tied to
    na_s, na_j = np.nonzero(rep != np.arange(n_s)[:, None])
    na_rep = rep[na_s, na_j]
    k = len(na_s)

    # Columns: the scenarios' copies, then eta and u (risk only).
    costs = np.stack([b.arrays.col_cost for b in builts])
    with_risk = risk.weight > 0
    extra = 1 + n_s if with_risk else 0
    col_cost = np.concatenate([((1.0 - risk.weight) * p[:, None] * costs).ravel(), np.zeros(extra)])
    col_lower = np.zeros(n_s * n + extra)
    col_upper = np.full(n_s * n + extra, highspy.kHighsInf)
    eta = None
    if with_risk:
        eta = n_s * n
        col_cost[eta] = risk.weight
        col_cost[eta + 1 :] = -risk.weight * p / (1.0 - risk.alpha)
        col_lower[eta] = -highspy.kHighsInf

    # Entries (row, column, value): blocks, nonanticipativity, cvar_shortfall.
    block_col = np.repeat(np.arange(n), np.diff(a0.start))
    s_of = np.repeat(np.arange(n_s), nnz)
    rows = [np.tile(a0.index.astype(np.int64), n_s) + s_of * m]
    cols = [np.tile(block_col, n_s) + s_of * n]
    vals = [np.concatenate([b.arrays.value for b in builts])]
    na_rows = n_s * m + np.arange(k)
    rows += [na_rows, na_rows]
    cols += [na_s * n + na_j, na_rep * n + na_j]
    vals += [np.ones(k), -np.ones(k)]
    row_lower = [np.concatenate([b.arrays.row_lower for b in builts]), np.zeros(k)]
    row_upper = [np.concatenate([b.arrays.row_upper for b in builts]), np.zeros(k)]
    if with_risk:
        assert eta is not None
        cvar_rows = n_s * m + k + np.arange(n_s)
        priced_s, priced_j = np.nonzero(costs)
        rows += [cvar_rows[priced_s], cvar_rows, cvar_rows]
        cols += [priced_s * n + priced_j, eta + 1 + np.arange(n_s), np.full(n_s, eta)]
        vals += [costs[priced_s, priced_j], np.ones(n_s), -np.ones(n_s)]
        row_lower.append(np.zeros(n_s))
        row_upper.append(np.full(n_s, highspy.kHighsInf))
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    val = np.concatenate(vals)
    order = np.lexsort((row, col))
    n_total = len(col_cost)
    start = np.zeros(n_total + 1, dtype=np.int32)
    np.cumsum(np.bincount(col, minlength=n_total), out=start[1:])
    return Extensive(
        tree=tree,
        builts=builts,
        risk=risk,
        col_cost=col_cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.concatenate(row_lower),
        row_upper=np.concatenate(row_upper),
        start=start,
        index=row[order].astype(np.int32),
        value=val[order],
        n_col=n,
        n_row=m,
        col_year=years,
        node_of=node_of,
        na_scenario=na_s,
        na_col=na_j,
        na_rows=na_rows,
        eta=eta,
    )
