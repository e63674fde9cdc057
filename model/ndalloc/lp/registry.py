"""The explicit map from each variable and constraint family to its columns and rows.

Results are read through this map, never by looking components up by name, so every table
carries the index names, unit and meaning its family declared.

Two registries build the same LP, family by family (docs/formulation.md):

- `ArrayRegistry` (the default, fast path): each family module emits its variables as key
  tables and its rows as index/coefficient arrays (`Terms`); `ArrayRegistry.assemble` numbers
  the columns and rows and hands HiGHS one column-wise matrix (`highspy.Highs.passModel`).
- `Registry` (the plain path): one Pyomo `Var` or `Constraint` component per family, solved
  through Pyomo's persistent HiGHS interface. Kept for comparison and for `extra` constraint
  hooks written against Pyomo.

Both give HiGHS the same LP in the same order: rows family by family in build order, each
family's rows in key order, and columns numbered in the order the rows first mention them
(what Pyomo's persistent interface does), with the same coefficients, bounds and costs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyomo.environ as pyo

Key = tuple[Hashable, ...]

#: Senses of a constraint row, as written in docs/formulation.md section 6.
SENSES = ("<=", ">=", "=")


class Members:
    """The keys of a family on the array path, held as a table of key columns.

    Iterates like a Pyomo indexed component: scalar keys for one-column indexes, tuples
    otherwise.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __iter__(self) -> Iterator[Any]:
        if self.frame.shape[1] == 1:
            return iter(self.frame.iloc[:, 0].tolist())
        return iter(self.frame.itertuples(index=False, name=None))

    def tuples(self) -> list[Key]:
        return list(self.frame.itertuples(index=False, name=None))


@dataclass(frozen=True)
class Family:
    """A variable or constraint family: its members, index column names, unit and meaning.

    `component` is the Pyomo component on the plain path and a `Members` table on the array
    path; `key_tuples()` and `key_frame()` read either.
    """

    name: str
    component: Any
    index: tuple[str, ...]
    unit: str
    meaning: str
    sense: str = ""
    """Constraint families: '<=', '>=' or '=', as written in docs/formulation.md section 6."""

    def key_tuples(self) -> list[Key]:
        """Every member's key as a tuple, in order."""
        if isinstance(self.component, Members):
            return self.component.tuples()
        return [k if isinstance(k, tuple) else (k,) for k in self.component]

    def key_frame(self) -> pd.DataFrame:
        """One row per member, one column per index name, in order."""
        if isinstance(self.component, Members):
            return self.component.frame
        return pd.DataFrame(self.key_tuples(), columns=list(self.index))


# --- plain path: Pyomo components ----------------------------------------------------------


@dataclass
class Registry:
    """Collects the families as Pyomo components while `build_model` runs."""

    model: pyo.ConcreteModel
    variables: dict[str, Family] = field(default_factory=dict)
    constraints: dict[str, Family] = field(default_factory=dict)

    def var(
        self, name: str, keys: Sequence[Key], index: tuple[str, ...], unit: str, meaning: str
    ) -> Any:
        """Add a non-negative variable family indexed by `keys` and return it."""
        import pyomo.environ as pyo

        index_set = _index_set(keys, index)
        self.model.add_component(f"{name}_index", index_set)
        component = pyo.Var(index_set, within=pyo.NonNegativeReals)
        self.model.add_component(name, component)
        self.variables[name] = Family(name, component, index, unit, meaning)
        return component

    def constraint(
        self,
        name: str,
        keys: Iterable[Key],
        rule: Any,
        index: tuple[str, ...],
        unit: str,
        meaning: str,
    ) -> Any:
        """Add a constraint family: `rule(*key)` returns the relational expression of one row."""
        import pyomo.environ as pyo

        index_set = _index_set(keys, index)
        self.model.add_component(f"{name}_index", index_set)
        component = pyo.Constraint(index_set, rule=lambda _m, *k: rule(*k))
        self.model.add_component(name, component)
        sense = ""
        for data in component.values():
            sense = "=" if data.equality else ("<=" if data.has_ub() else ">=")
            break
        self.constraints[name] = Family(name, component, index, unit, meaning, sense)
        return component


def _index_set(keys: Iterable[Key], index: tuple[str, ...]) -> Any:
    """An ordered Pyomo set; one-column keys are stored as scalars, as Pyomo expects."""
    import pyomo.environ as pyo

    members: list[Any] = [k[0] for k in keys] if len(index) == 1 else list(keys)
    return pyo.Set(initialize=members, dimen=len(index), ordered=True)


# --- fast path: index/coefficient arrays ---------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """Terms of a constraint family on one variable family: row `row[i]` (local to the
    family) has coefficient `coef[i]` (or `coef` for all) on member `pos[i]` of `var`.

    Within a row, terms keep the order in which their `Terms` were given, then their order
    within each `Terms`: the order in which the family's formula writes them.
    """

    var: str
    row: np.ndarray
    pos: np.ndarray
    coef: np.ndarray | float = 1.0


def each_row(var: str, pos: np.ndarray | None, n: int, coef: np.ndarray | float = 1.0) -> Terms:
    """One term per row: row i on member pos[i] of `var` (member i when `pos` is None)."""
    rows = np.arange(n, dtype=np.int64)
    return Terms(var, rows, rows if pos is None else np.asarray(pos, dtype=np.int64), coef)


@dataclass(frozen=True)
class RowFamily:
    """The rows of one constraint family: bounds and terms."""

    lower: np.ndarray
    upper: np.ndarray
    terms: tuple[Terms, ...]


@dataclass
class ArrayRegistry:
    """Collects the families as key tables and row arrays while `build_lp` runs."""

    variables: dict[str, Family] = field(default_factory=dict)
    constraints: dict[str, Family] = field(default_factory=dict)
    rows: dict[str, RowFamily] = field(default_factory=dict)

    def var(self, name: str, keys: pd.DataFrame, unit: str, meaning: str) -> str:
        """Add a non-negative variable family with one member per row of `keys`."""
        keys = keys.reset_index(drop=True)
        self.variables[name] = Family(name, Members(keys), tuple(keys.columns), unit, meaning)
        return name

    def size(self, var: str) -> int:
        """How many members the variable family has."""
        return len(self.variables[var].component)

    def keys(self, family: str) -> pd.DataFrame:
        """The key table of a variable or constraint family."""
        found = self.variables.get(family) or self.constraints[family]
        return found.key_frame()

    def constraint(
        self,
        name: str,
        keys: pd.DataFrame,
        sense: str,
        rhs: np.ndarray | float,
        terms: Sequence[Terms],
        unit: str,
        meaning: str,
    ) -> None:
        """Add a constraint family: one row per row of `keys`, `terms sense rhs`."""
        if sense not in SENSES:
            raise ValueError(f"{name}: sense {sense!r} is not one of {SENSES}")
        keys = keys.reset_index(drop=True)
        n = len(keys)
        right = np.broadcast_to(np.asarray(rhs, dtype=np.float64), (n,)).astype(np.float64)
        inf = np.full(n, np.inf)
        lower = -inf if sense == "<=" else right
        upper = inf if sense == ">=" else right
        for t in terms:
            if t.var not in self.variables:
                raise KeyError(f"{name}: unknown variable family {t.var!r}")
        self.rows[name] = RowFamily(lower, upper, tuple(terms))
        family = Family(name, Members(keys), tuple(keys.columns), unit, meaning, sense)
        self.constraints[name] = family

    def _rows(self, name: str) -> int:
        return len(self.constraints[name].component)

    def assemble(self, cost: dict[str, np.ndarray]) -> LpArrays:
        """Number the columns and rows and build the column-wise matrix (see the module)."""
        var_names = list(self.variables)
        sizes = [self.size(v) for v in var_names]
        var_offset = dict(zip(var_names, _offsets(sizes), strict=True))
        n_vars = sum(sizes)
        row_offset = dict(zip(self.rows, _offsets([self._rows(c) for c in self.rows]), strict=True))

        rows, gids, values = [], [], []
        for name, fam in self.rows.items():
            for t in fam.terms:
                rows.append(t.row + row_offset[name])
                gids.append(t.pos + var_offset[t.var])
                values.append(np.broadcast_to(np.asarray(t.coef, dtype=np.float64), t.row.shape))
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        gid = np.concatenate(gids) if gids else np.zeros(0, dtype=np.int64)
        value = np.concatenate(values) if values else np.zeros(0)
        order = np.argsort(row, kind="stable")  # row by row, terms in formula order
        row, gid, value = row[order], gid[order], value[order]

        # Columns in the order the rows first mention them; members no row mentions last.
        seen, first = np.unique(gid, return_index=True)
        by_first = seen[np.argsort(first, kind="stable")]
        unseen = np.setdiff1d(np.arange(n_vars), seen, assume_unique=True)
        col_of = np.empty(n_vars, dtype=np.int64)
        col_of[np.concatenate([by_first, unseen])] = np.arange(n_vars)

        col = col_of[gid].astype(np.int32)
        del gid, seen, first, by_first, unseen, order
        by_col = np.argsort(col, kind="stable")  # within a column, rows ascending
        start = np.zeros(n_vars + 1, dtype=np.int32)
        np.cumsum(np.bincount(col, minlength=n_vars), out=start[1:])
        row = row.astype(np.int32)

        col_cost = np.zeros(n_vars)
        cols = {}
        for name in var_names:
            cols[name] = col_of[var_offset[name] : var_offset[name] + self.size(name)]
            if name in cost:
                c = np.asarray(cost[name], dtype=np.float64)
                col_cost[cols[name]] = np.where(c == 0.0, 0.0, c)  # no -0.0
        row_index = {
            name: np.arange(row_offset[name], row_offset[name] + self._rows(name))
            for name in self.rows
        }
        lower = np.concatenate([f.lower for f in self.rows.values()]) if self.rows else np.zeros(0)
        upper = np.concatenate([f.upper for f in self.rows.values()]) if self.rows else np.zeros(0)
        return LpArrays(
            col_cost=col_cost,
            row_lower=lower,
            row_upper=upper,
            start=start,
            index=row[by_col],
            value=value[by_col],
            cols=cols,
            rows=row_index,
            term_row=row,
            term_col=col,
            term_value=value,
        )


def _offsets(sizes: list[int]) -> list[int]:
    out, at = [], 0
    for s in sizes:
        out.append(at)
        at += s
    return out


@dataclass(frozen=True)
class LpArrays:
    """The LP as HiGHS takes it: maximise col_cost . x subject to row_lower <= A x <= row_upper,
    x >= 0, with A column-wise (start, index, value; int32 indices, as HiGHS stores them);
    `cols[family]` / `rows[family]` give the
    column / row of each member, in key order. `term_*` hold A row by row, each row's terms in
    the order its formula writes them (the order the scaling report reads them in)."""

    col_cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    cols: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    term_row: np.ndarray
    term_col: np.ndarray
    term_value: np.ndarray

    @property
    def num_col(self) -> int:
        return len(self.col_cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)
