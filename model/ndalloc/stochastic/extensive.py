"""The extensive form of a scenario tree: scenario copies tied by non-anticipativity.

docs/formulation.md section 11.2. The base's LP is built once from the one declaration of
each family (`ndalloc.lp.build.build_lp`, with every optional row, so that all scenarios have
the same columns and rows), and each scenario's arrays from it by the entries its patches
change (`scenario_lps`); the copies are stacked block by block, their objective weighted by
probability, and one `nonanticipativity` row ties each decision of a year to the decision of
the year's node (its first scenario). With a risk weight, one free column `eta`, one column
`u` per scenario and one `cvar_shortfall` row per scenario add the CVaR of the benefit.
The result is a set of arrays for one `highspy.Highs.passModel` call.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from ndalloc.data.scenario import Table
from ndalloc.data.tree import Tree
from ndalloc.lp.build import BuiltLp, build_lp
from ndalloc.lp.entries import Entry, EntryMap, patched_arrays, same_rows
from ndalloc.lp.registry import LpArrays


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
    head: BuiltLp
    """The base's LP: the families, keys and data that every scenario's LP shares."""
    arrays: tuple[LpArrays, ...]
    """Each scenario's LP arrays."""
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
        x = col_value[: len(self.arrays) * self.n_col].reshape(len(self.arrays), self.n_col)
        return np.einsum("ij,ij->i", self.costs, x)

    @property
    def costs(self) -> np.ndarray:
        """costs[s, j]: the objective coefficient of column j of scenario s's LP."""
        return np.stack([a.col_cost for a in self.arrays])

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


@dataclass(frozen=True)
class ScenarioLps:
    """Every scenario's LP: the families, keys and layout they share, and each one's arrays."""

    head: BuiltLp
    """The base scenario's dense LP: every scenario has its columns and rows."""
    arrays: tuple[LpArrays, ...]
    """Each scenario's LP arrays, in the tree's scenario order."""


def scenario_lps(tree: Tree) -> ScenarioLps:
    """Every scenario's LP, with every optional row (`build_lp(scenario, dense=True)`).

    The base's LP is built once; a scenario's arrays are the base's with the entries of the
    input rows its path's patches change (`ndalloc.lp.entries`): costs, row bounds and
    coefficients on copies of the arrays that change, the rest shared. A scenario whose
    tables have other rows than the base's is built in full, and must give the same columns
    and rows (`StructureError` otherwise)."""
    base = tree.base
    head = build_lp(base, dense=True)
    emap = EntryMap(head)
    rate = base.meta.discount_rate  # a tree's patches change tables, not the discount rate
    known: dict[int, tuple[Table, list[Entry]]] = {}  # scenarios share their nodes' tables
    out: list[LpArrays] = []
    for ts in tree.scenarios:
        tables = ts.scenario.tables
        if same_rows(tables, base):
            entries: list[Entry] = []
            for name, table in tables.items():
                if id(table) not in known:
                    made = emap.table_entries(name, table, base.table(name), rate)
                    known[id(table)] = (table, made)
                entries += known[id(table)][1]
            out.append(patched_arrays(head.arrays, entries))
            continue
        a = build_lp(ts.scenario, dense=True).arrays
        same = (
            a.num_col == head.arrays.num_col
            and a.num_row == head.arrays.num_row
            and np.array_equal(a.start, head.arrays.start)
            and np.array_equal(a.index, head.arrays.index)
        )
        if not same:
            raise StructureError(
                f"scenario {ts.name} of tree {tree.name} has other columns or rows than "
                f"its base {base.name}: a patch of the tree adds or removes rows (only "
                "numbers may change)"
            )
        out.append(a)
    return ScenarioLps(head, tuple(out))


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
    tree: Tree, risk: Risk | None = None, lps: ScenarioLps | None = None
) -> Extensive:
    """The extensive form of `tree` (see the module); `lps` reuses scenario LPs already built
    by `scenario_lps`."""
    risk = risk or Risk()
    lps = lps if lps is not None else scenario_lps(tree)
    arrays = lps.arrays
    n_s = len(arrays)
    a0 = lps.head.arrays
    n, m, nnz = a0.num_col, a0.num_row, len(a0.value)
    p = np.array([s.probability for s in tree.scenarios])
    years = column_years(lps.head)
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
    costs = np.stack([a.col_cost for a in arrays])
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
    vals = [np.concatenate([a.value for a in arrays])]
    na_rows = n_s * m + np.arange(k)
    rows += [na_rows, na_rows]
    cols += [na_s * n + na_j, na_rep * n + na_j]
    vals += [np.ones(k), -np.ones(k)]
    row_lower = [np.concatenate([a.row_lower for a in arrays]), np.zeros(k)]
    row_upper = [np.concatenate([a.row_upper for a in arrays]), np.zeros(k)]
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
        head=lps.head,
        arrays=arrays,
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
