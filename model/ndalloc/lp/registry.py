"""The explicit map from each variable and constraint family to its columns and rows.

Results are read through this map, never by looking components up by name, so every table
carries the index names, unit and meaning its family declared.

Each family is declared once, in its module under `ndalloc.lp`, with the expressions of
`ndalloc.lp.algebra` (`lp.add_constraints(name, keys, export + breach >= minimum, ...)`). The
`ArrayRegistry` collects the declarations as key tables and row arrays; from them come both
forms of the LP (docs/formulation.md):

- the arrays handed to HiGHS (`ArrayRegistry.assemble`: columns and rows numbered, one
  column-wise matrix for `highspy.Highs.passModel`), the default, fast path;
- a Pyomo model with one indexed `Var` and `Constraint` component per family
  (`ndalloc.lp.pyomo_model`), for `--plain`, for `extra` constraint hooks written against
  Pyomo and for tools that need a Pyomo model.

Both give HiGHS the same LP in the same order: rows family by family in build order, each
family's rows in key order, each row's terms in the order its formula writes them, and columns
numbered in the order the rows first mention them (what Pyomo's persistent interface does).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ndalloc.lp.algebra import SENSES, Rows, Terms, Variables

Key = tuple[Hashable, ...]


class Members:
    """The keys of a declared family, held as a table of key columns.

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

    `component` is a `Members` table on the array path and the family's Pyomo component in a
    Pyomo model; `key_tuples()` and `key_frame()` read either.
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


@dataclass(frozen=True)
class RowFamily:
    """The rows of one constraint family: bounds and terms."""

    lower: np.ndarray
    upper: np.ndarray
    terms: tuple[Terms, ...]


@dataclass
class ArrayRegistry:
    """Collects the declared families as key tables and row arrays while the LP is built."""

    variables: dict[str, Family] = field(default_factory=dict)
    constraints: dict[str, Family] = field(default_factory=dict)
    rows: dict[str, RowFamily] = field(default_factory=dict)
    handles: dict[str, Variables] = field(default_factory=dict)

    def add_variables(self, name: str, keys: pd.DataFrame, unit: str, meaning: str) -> Variables:
        """Declare a non-negative variable family with one member per row of `keys` (its key
        columns name the index, e.g. `contract`, `year`), and return it as an expression."""
        if name in self.variables:
            raise ValueError(f"variable family {name!r} is declared twice")
        keys = keys.reset_index(drop=True)
        self.variables[name] = Family(name, Members(keys), tuple(keys.columns), unit, meaning)
        self.handles[name] = Variables(name, keys)
        return self.handles[name]

    def __getitem__(self, name: str) -> Variables:
        """A variable family declared earlier (by another module), as an expression."""
        return self.handles[name]

    def keys(self, family: str) -> pd.DataFrame:
        """The key table of a variable or constraint family."""
        found = self.variables.get(family) or self.constraints[family]
        return found.key_frame()

    def add_constraints(
        self, name: str, keys: pd.DataFrame, rows: Rows, unit: str, meaning: str
    ) -> None:
        """Declare a constraint family: row i of `rows` (`expr sense rhs`) is the member named
        by row i of `keys`; `unit` and `meaning` say what one more unit of its right-hand side
        is (the dual's unit and meaning)."""
        if name in self.constraints:
            raise ValueError(f"constraint family {name!r} is declared twice")
        if rows.sense not in SENSES:
            raise ValueError(f"{name}: sense {rows.sense!r} is not one of {SENSES}")
        if len(keys) != rows.expr.n:
            raise ValueError(f"{name}: {len(keys)} keys for {rows.expr.n} rows")
        for t in rows.expr.terms:
            if t.var not in self.variables:
                raise KeyError(f"{name}: unknown variable family {t.var!r}")
        keys = keys.reset_index(drop=True)
        lower, upper = rows.bounds()
        self.rows[name] = RowFamily(lower, upper, rows.expr.terms)
        family = Family(name, Members(keys), tuple(keys.columns), unit, meaning, rows.sense)
        self.constraints[name] = family

    def size(self, var: str) -> int:
        return len(self.variables[var].component)

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
