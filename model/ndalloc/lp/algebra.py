"""Linear expressions over variable families, written close to the maths, held as arrays.

A constraint family is declared once, in the style of linopy::

    export = lp.add_variables("export", keys, "t oxide", "oxide delivered under the contract")
    lp.add_constraints("contract_min", committed, export[pos] + breach >= minimum[pos], ...)

Everything here is numpy: an `Expr` of n rows is a list of `Terms` (row, member, coefficient
arrays), so declaring a family never scans a set and never loops over members in Python.
Rows keep the order in which their formula writes the terms (the order Pyomo would give them),
which the array path and the Pyomo model derived from it both rely on (`ndalloc.lp.registry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Senses of a constraint row, as written in docs/formulation.md section 6.
SENSES = ("<=", ">=", "=")


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

    def scaled(self, by: np.ndarray | float) -> Terms:
        """The same terms with each coefficient times `by` (a scalar, or one factor per row)."""
        factor = np.asarray(by, dtype=np.float64)
        if factor.ndim:
            factor = factor[self.row]
        return Terms(self.var, self.row, self.pos, np.multiply(self.coef, factor))


def _ints(values: np.ndarray | Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


class Expr:
    """A linear expression of `n` rows: the sum of its terms, row by row.

    Supports `+`, `-`, negation and multiplication by a scalar or by one coefficient per row
    (a numpy array of length n); comparing with a right-hand side (`<=`, `>=`, `==`, a scalar
    or one value per row) gives the `Rows` of a constraint family.
    """

    __array_ufunc__ = None  # `array * expr` and `array <= expr` come here, not to numpy
    __hash__ = None  # type: ignore[assignment]  # `==` builds rows

    def __init__(self, n: int, terms: Sequence[Terms]) -> None:
        self.n = n
        self.terms = tuple(terms)

    def _rows_of(self, other: Expr) -> int:
        if other.n != self.n:
            raise ValueError(f"cannot add an expression of {other.n} rows to one of {self.n}")
        return self.n

    def __add__(self, other: Expr) -> Expr:
        return Expr(self._rows_of(other), (*self.terms, *other.terms))

    def __sub__(self, other: Expr) -> Expr:
        return self + (-other)

    def __neg__(self) -> Expr:
        return self * -1.0

    def __mul__(self, by: np.ndarray | float) -> Expr:
        if not np.isscalar(by) and np.shape(by) != (self.n,):
            raise ValueError(f"a factor per row needs {self.n} values, not {np.shape(by)}")
        return Expr(self.n, [t.scaled(by) for t in self.terms])

    __rmul__ = __mul__

    def _compare(self, sense: str, rhs: np.ndarray | float) -> Rows:
        right = np.broadcast_to(np.asarray(rhs, dtype=np.float64), (self.n,))
        return Rows(self, sense, right.astype(np.float64))

    def __le__(self, rhs: np.ndarray | float) -> Rows:  # type: ignore[override,misc]
        return self._compare("<=", rhs)

    def __ge__(self, rhs: np.ndarray | float) -> Rows:  # type: ignore[override,misc]
        return self._compare(">=", rhs)

    def __eq__(self, rhs: np.ndarray | float) -> Rows:  # type: ignore[override]
        return self._compare("=", rhs)


@dataclass(frozen=True, eq=False)
class Rows:
    """The rows of a constraint family: `expr sense rhs`, one right-hand side per row."""

    expr: Expr
    sense: str
    rhs: np.ndarray

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row lower and upper bounds as HiGHS takes them."""
        inf = np.full(self.expr.n, np.inf)
        lower = -inf if self.sense == "<=" else self.rhs
        upper = inf if self.sense == ">=" else self.rhs
        return lower, upper


class Variables(Expr):
    """A declared variable family: one non-negative variable per row of its key table.

    As an expression it is the family itself, member i in row i (`output <= capacity`);
    `var[pos]` takes the members at positions `pos` (one per row); `var.sum_by(row, n)` adds
    members into the rows of an n-row expression (a sum over an index, such as all contracts
    of a year).
    """

    def __init__(self, name: str, keys: pd.DataFrame) -> None:
        self.name = name
        self.keys = keys
        rows = np.arange(len(keys), dtype=np.int64)
        super().__init__(len(keys), [Terms(name, rows, rows)])

    def __len__(self) -> int:
        return self.n

    def column(self, name: str) -> np.ndarray:
        """One key column of the members, in member order (`var.column("year")`)."""
        return self.keys[name].to_numpy()

    def __getitem__(self, pos: np.ndarray | Sequence[int]) -> Expr:
        at = _ints(pos)
        return Expr(len(at), [Terms(self.name, np.arange(len(at), dtype=np.int64), at)])

    def sum_by(
        self, row: np.ndarray | Sequence[int], n: int, pos: np.ndarray | Sequence[int] | None = None
    ) -> Expr:
        """An n-row expression in which member `pos[i]` (member i when `pos` is None) enters
        row `row[i]` with coefficient 1: the sum of the members that share a row."""
        rows = _ints(row)
        at = np.arange(len(rows), dtype=np.int64) if pos is None else _ints(pos)
        if len(at) != len(rows):
            raise ValueError(f"{self.name}: {len(rows)} rows for {len(at)} members")
        return Expr(n, [Terms(self.name, rows, at)])


def zero(n: int) -> Expr:
    """The expression 0 in each of n rows (the start of a sum built in a loop)."""
    return Expr(n, ())
