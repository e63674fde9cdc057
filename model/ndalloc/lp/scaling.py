"""Badly scaled data: coefficients of the built LP that span too many orders of magnitude.

HiGHS works in floating point with absolute tolerances near 1e-7; when the nonzero objective
coefficients, matrix entries or right-hand sides of one LP span more than about 1e9 (say a
shortage penalty of 5e11 USD/t beside a handling cost of 0.1 USD/t), its answer can be
inaccurate. `scaling_warnings` reads every coefficient of the built model through the
registry (never names): the arrays handed to HiGHS on the fast path, the Pyomo components of
each family on the plain path, in the same order. For each kind whose span is too large it
names the largest and smallest coefficient in the scenario's terms: the input column, the
row's key and year, and the file and line it was read from.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndalloc.data.scenario import Scenario
from ndalloc.lp.build import Built, BuiltLp, BuiltModel

#: Largest tolerated ratio between the largest and the smallest nonzero |coefficient| of a kind.
SPAN_LIMIT = 1e9

Key = tuple[Hashable, ...]

#: Where each priced variable family's objective coefficient comes from: (table, column). The
#: coefficient in the LP is the input value times the discount factor of the row's year.
OBJECTIVE_SOURCE: dict[str, tuple[str, str]] = {
    "export": ("contracts", "price_usd_per_t"),
    "breach": ("contracts", "breach_penalty_usd_per_t"),
    "output": ("sources", "cost_usd_per_t"),
    "make": ("makers", "conversion_cost_usd_per_t"),
    "imports": ("imports", "price_usd_per_t"),
    "level": ("stockpiles", "holding_cost_usd_per_t"),
    "inject": ("stockpiles", "handling_cost_usd_per_t"),
    "release": ("stockpiles", "handling_cost_usd_per_t"),
    "shortage": ("demand", "shortage_penalty_usd_per_t"),
    "flow": ("routes", "cost_usd_per_t"),
}

#: Where each constraint family's right-hand side comes from: (table, column). Families not
#: listed have a right-hand side of 0 or one from scenario.toml (`export_cap`: export_cap_t).
RHS_SOURCE: dict[str, tuple[str, str]] = {
    "source_capacity": ("sources", "capacity_t"),
    "source_minimum": ("sources", "min_output_t"),
    "contract_max": ("contracts", "max_t"),
    "contract_min": ("contracts", "min_t"),
    "maker_capacity": ("makers", "capacity_t"),
    "demand_balance": ("demand", "demand_t"),
    "import_share": ("demand", "import_share_max x demand_t"),
    "import_limit": ("imports", "max_t"),
    "stockpile_balance": ("stockpile_initial", "initial_t"),
    "stockpile_min": ("stockpiles", "min_t"),
    "stockpile_max": ("stockpiles", "max_t"),
    "stockpile_inject_limit": ("stockpiles", "max_inject_t"),
    "stockpile_release_limit": ("stockpiles", "max_release_t"),
}

#: Matrix entries that come from the data: (constraint family, variable family) -> (table,
#: column), read at the constraint row's key. Every other entry is a structural +1 or -1.
MATRIX_SOURCE: dict[tuple[str, str], tuple[str, str]] = {
    ("maker_conversion", "make"): ("makers", "oxide_per_t"),
}

KINDS = ("objective coefficients", "matrix entries", "right-hand sides")


@dataclass(frozen=True)
class Coefficient:
    """One nonzero coefficient of the LP and where it comes from."""

    kind: str
    value: float
    """|coefficient| as it enters the LP."""
    text: str
    """The coefficient in the scenario's terms (column, key, value as in the file)."""
    table: str | None
    key: Key
    note: str = ""
    """Said after the file and line, e.g. the discount factor applied in the LP."""
    column: str | None = None
    """The input column the coefficient comes from (its file and line may be a patch's)."""


def _names(key: Key) -> str:
    return " ".join(str(k) for k in key)


def _as_key(key: Any) -> Key:
    return key if isinstance(key, tuple) else (key,)


def _var_families(built: BuiltModel) -> dict[int, tuple[str, Key]]:
    """id of each Pyomo variable -> (its family, its key)."""
    out: dict[int, tuple[str, Key]] = {}
    for name, family in built.variables.items():
        for key in family.component:
            out[id(family.component[key])] = (name, _as_key(key))
    return out


class _Extremes:
    """The largest and the smallest nonzero |value| seen, with what each belongs to."""

    def __init__(self) -> None:
        self.hi: tuple[float, Any] | None = None
        self.lo: tuple[float, Any] | None = None

    def add(self, value: float, what: Any) -> None:
        a = abs(value)
        if a == 0.0:
            return
        if self.hi is None or a > self.hi[0]:
            self.hi = (a, what)
        if self.lo is None or a < self.lo[0]:
            self.lo = (a, what)

    def pair(self) -> tuple[tuple[float, Any], tuple[float, Any]] | None:
        return None if self.hi is None or self.lo is None else (self.hi, self.lo)


def _objective_terms(
    built: BuiltModel, var_of: dict[int, tuple[str, Key]]
) -> Iterator[tuple[float, tuple[str, Key]]]:
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(built.model.objective.expr, compute_values=True, quadratic=False)
    for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
        yield float(coef), var_of.get(id(var), ("?", (var.name,)))


def _rows(built: BuiltModel) -> Iterator[tuple[str, Key, Any, Any]]:
    from pyomo.repn import generate_standard_repn

    for name, family in built.constraints.items():
        for key in family.component:
            con = family.component[key]
            repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
            yield name, _as_key(key), con, repn


def _describe_objective(built: Built, value: float, family: str, key: Key) -> Coefficient:
    kind = KINDS[0]
    source = OBJECTIVE_SOURCE.get(family)
    year = key[-1]
    discount = built.data.discount.get(year, 1.0) if isinstance(year, int) else 1.0
    if source is None:
        text = f"{family} {_names(key)}: {value:.3g} USD/t"
        return Coefficient(kind, value, text, None, key)
    table, column = source
    row_key = key[:2] if table == "routes" else key
    as_input = value / discount if discount else value
    text = f"{family} {_names(key)}: {column} {as_input:.3g} USD/t"
    note = f" x discount factor {discount:.3g}" if abs(discount - 1.0) > 1e-12 else ""
    return Coefficient(kind, value, text, table, row_key, note, column)


def _describe_matrix(value: float, row: str, row_key: Key, var: str, var_key: Key) -> Coefficient:
    kind = KINDS[1]
    source = MATRIX_SOURCE.get((row, var))
    if source is None:
        text = f"{row} {_names(row_key)}: {value:.3g} on {var} {_names(var_key)}"
        return Coefficient(kind, value, text, None, row_key)
    table, column = source
    text = f"{row} {_names(row_key)}: {column} {value:.3g}"
    return Coefficient(kind, value, text, table, row_key, column=column)


def _describe_rhs(value: float, family: str, key: Key) -> Coefficient:
    kind = KINDS[2]
    source = RHS_SOURCE.get(family)
    if source is None:
        return Coefficient(kind, value, f"{family} {_names(key)}: {value:.3g} t", None, key)
    table, column = source
    row_key = key[:1] if table == "stockpile_initial" else key
    text = f"{family} {_names(key)}: {column} {value:.3g} t"
    return Coefficient(kind, value, text, table, row_key, column=column)


def lp_extremes(built: Built) -> dict[str, tuple[Coefficient, Coefficient]]:
    """For each kind of coefficient with a nonzero: its largest and smallest |coefficient|.

    Ties go to the first coefficient met: objective terms family by family (in the order of
    `objective_coefficients`), matrix entries and right-hand sides row by row.
    """
    if isinstance(built, BuiltLp):
        return _array_extremes(built)
    import pyomo.environ as pyo

    var_of = _var_families(built)
    objective, matrix, rhs = _Extremes(), _Extremes(), _Extremes()
    for coef, (fam, key) in _objective_terms(built, var_of):
        objective.add(coef, (fam, key))
    for name, key, con, repn in _rows(built):
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            fam, var_key = var_of.get(id(var), ("?", (var.name,)))
            matrix.add(float(coef), (name, key, fam, var_key))
        constant = float(repn.constant or 0.0)
        bounds = {float(pyo.value(b)) for b in (con.lower, con.upper) if b is not None}
        for bound in bounds:  # one value for an equality or a one-sided row
            rhs.add(bound - constant, (name, key))
    out: dict[str, tuple[Coefficient, Coefficient]] = {}
    found = objective.pair()
    if found is not None:
        big, small = ((v, *what) for v, what in found)
        out[KINDS[0]] = (_describe_objective(built, *big), _describe_objective(built, *small))
    found = matrix.pair()
    if found is not None:
        big, small = ((v, *what) for v, what in found)
        out[KINDS[1]] = (_describe_matrix(*big), _describe_matrix(*small))
    found = rhs.pair()
    if found is not None:
        big, small = ((v, *what) for v, what in found)
        out[KINDS[2]] = (_describe_rhs(*big), _describe_rhs(*small))
    return out


def _first_extremes(values: np.ndarray) -> tuple[int, int] | None:
    """Positions of the first largest and the first smallest nonzero |value|, if any."""
    size = np.abs(values)
    nonzero = size != 0.0
    if not nonzero.any():
        return None
    return int(np.argmax(size)), int(np.argmin(np.where(nonzero, size, np.inf)))


class _Members:
    """Position in a concatenation of families -> (family, key)."""

    def __init__(self, families: dict[str, Any], names: list[str]) -> None:
        self.families = families
        self.names = names
        sizes = [len(families[n].component) for n in names]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def __getitem__(self, at: int) -> tuple[str, Key]:
        i = int(np.searchsorted(self.starts, at, side="right")) - 1
        name = self.names[i]
        return name, self.families[name].key_tuples()[at - int(self.starts[i])]


def _array_extremes(built: BuiltLp) -> dict[str, tuple[Coefficient, Coefficient]]:
    """`lp_extremes` from the arrays handed to HiGHS, in the order the Pyomo path reads."""
    a = built.arrays
    out: dict[str, tuple[Coefficient, Coefficient]] = {}
    names = [n for n in built.objective if len(built.objective[n])]
    if names:
        coef = np.concatenate([np.asarray(built.objective[n], dtype=np.float64) for n in names])
        found = _first_extremes(coef)
        if found is not None:
            terms = _Members(built.variables, names)
            big, small = (_describe_objective(built, abs(float(coef[i])), *terms[i]) for i in found)
            out[KINDS[0]] = (big, small)
    rows = _Members(built.constraints, list(built.constraints))
    found = _first_extremes(a.term_value)
    if found is not None:
        # column -> (variable family, position): the inverse of the family map
        family_of = np.empty(a.num_col, dtype=np.int64)
        position = np.empty(a.num_col, dtype=np.int64)
        var_names = list(built.variables)
        for i, name in enumerate(var_names):
            cols = a.cols[name]
            family_of[cols] = i
            position[cols] = np.arange(len(cols))

        def entry(i: int) -> Coefficient:
            row, key = rows[int(a.term_row[i])]
            col = int(a.term_col[i])
            var = var_names[family_of[col]]
            var_key = built.variables[var].key_tuples()[position[col]]
            return _describe_matrix(abs(float(a.term_value[i])), row, key, var, var_key)

        out[KINDS[1]] = (entry(found[0]), entry(found[1]))
    rhs = np.where(np.isfinite(a.row_upper), a.row_upper, a.row_lower)
    found = _first_extremes(rhs)
    if found is not None:
        big, small = (_describe_rhs(abs(float(rhs[i])), *rows[i]) for i in found)
        out[KINDS[2]] = (big, small)
    return out


def _where(
    scenario: Scenario | None, table: str | None, key: Key, column: str | None = None
) -> str:
    """' (file:line)' of the input row, or ' (file)' when the row is not found."""
    if table is None:
        return ""
    from ndalloc.data.schema import TABLES

    file = TABLES[table].FILE
    if scenario is None or table not in scenario.tables:
        return f" ({file})"
    t = scenario.tables[table]
    index = t.find(tuple(key))
    if index is None:
        return f" ({file})"
    label, line = t.location(index, column)
    return f" ({label}:{line})"


def _full(c: Coefficient, scenario: Scenario | None) -> str:
    return f"{c.text}{_where(scenario, c.table, c.key, c.column)}{c.note}"


def scaling_warnings(
    built: Built, scenario: Scenario | None = None, limit: float = SPAN_LIMIT
) -> list[str]:
    """One warning per kind of coefficient whose nonzero |values| span more than `limit`."""
    out = []
    for kind, (largest, smallest) in lp_extremes(built).items():
        span = largest.value / smallest.value
        if span <= limit:
            continue
        out.append(
            f"badly scaled data: {kind} span {span:.3g} (more than {limit:.0e}): "
            f"largest {_full(largest, scenario)}, smallest {_full(smallest, scenario)}; "
            "HiGHS may return inaccurate values: check these inputs or change their units"
        )
    return out
