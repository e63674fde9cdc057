"""Where each input row's numbers go in a built LP: its costs, row bounds and coefficients.

A dense LP (`build_lp(scenario, dense=True)`) has the same columns and rows whatever the
numbers of its inputs: changing a number changes only entries of its arrays. `EntryMap` says
which: for one row of an input table, every (kind, position, value) entry that depends on it.
Two users: the sweep engine (`ndalloc.sensitivity.engine`), which sends the entries of a
variation's changed rows to a solved HiGHS model, and the extensive form of a scenario tree
(`ndalloc.stochastic.extensive`), which makes each scenario's arrays from the base's by
`patched_arrays`, instead of building every scenario's LP. Costs come from the objective's one
declaration (`ndalloc.lp.objective.row_prices`); `tests/test_tree_arrays.py` checks that the
entries give exactly the arrays `build_lp` gives.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.schema import Record
from ndalloc.lp.build import BuiltLp
from ndalloc.lp.objective import row_prices
from ndalloc.lp.registry import LpArrays

Key = tuple[Hashable, ...]
#: One entry of the LP: ("cost", col, value), ("lower"|"upper", row, value),
#: ("coef", (row, col), value).
Entry = tuple[str, Any, float]

#: Tables that are not in the LP: nothing to change when their rows move.
NOT_IN_LP = frozenset({"ranges"})


class EntryMap:
    """The entries of a dense built LP that each input row gives (see the module)."""

    def __init__(self, built: BuiltLp) -> None:
        self.built = built
        self.col: dict[tuple[str, Key], int] = {}
        for name, family in built.variables.items():
            cols = built.arrays.cols[name].tolist()
            self.col.update(zip(((name, k) for k in family.key_tuples()), cols, strict=True))
        self.row: dict[tuple[str, Key], int] = {}
        for name, family in built.constraints.items():
            rows = built.arrays.rows[name].tolist()
            self.row.update(zip(((name, k) for k in family.key_tuples()), rows, strict=True))
        self.first_year = built.data.years[0]
        self.last_year = built.data.years[-1]
        self._first_stock_year = {
            str(k[0]): int(k[1]) for k, first in built.data.stockpiles["is_first"].items() if first
        }

    def discount(self, year: int, rate: float) -> float:
        """delta_y = (1 + rate)^-(y - y0), as `ModelData` computes it."""
        return (1.0 + rate) ** -(year - self.first_year)

    def entries(self, table: str, record: Record, rate: float) -> list[Entry]:
        """Every entry that depends on one input row (discount rate `rate`)."""
        r: Any = record
        col, row = self.col, self.row
        out: list[Entry] = []
        if table == "routes":
            for y in self.built.data.years:
                out += self._costs(table, record, (r.origin, r.destination, y), y, rate)
            return out
        if table == "stockpile_initial":
            first = self._first_stock_year.get(r.stockpile)
            if first is not None:
                i = row["stockpile_balance", (r.stockpile, first)]
                out += [("lower", i, r.initial_t), ("upper", i, r.initial_t)]
            return out
        key = record.key()
        if table == "sources":
            out += [
                ("upper", row["source_capacity", key], r.capacity_t),
                ("lower", row["source_minimum", key], r.min_output_t),
            ]
        elif table == "contracts":
            out += [
                ("upper", row["contract_max", key], 0.0 if r.halted else r.max_t),
                ("lower", row["contract_min", key], r.min_t),
            ]
        elif table == "makers":
            out += [
                ("upper", row["maker_capacity", key], r.capacity_t),
                ("coef", (row["maker_conversion", key], col["make", key]), r.oxide_per_t),
            ]
        elif table == "demand":
            out += [
                ("lower", row["demand_balance", key], r.demand_t),
                ("upper", row["demand_balance", key], r.demand_t),
                ("upper", row["import_share", key], r.import_share_max * r.demand_t),
            ]
        elif table == "imports":
            out += [("upper", row["import_limit", key], r.max_t)]
        elif table == "stockpiles":
            out += [
                ("lower", row["stockpile_min", key], r.min_t),
                ("upper", row["stockpile_max", key], r.max_t),
                ("upper", row["stockpile_inject_limit", key], r.max_inject_t),
                ("upper", row["stockpile_release_limit", key], r.max_release_t),
            ]
        return out + self._costs(table, record, key, int(r.year), rate)

    def _costs(self, table: str, record: Record, key: Key, year: int, rate: float) -> list[Entry]:
        """The cost entries of one input row's members in `year`, from the objective's one
        declaration (`ndalloc.lp.objective.TERMS`)."""
        discount = self.discount(year, rate)
        prices = row_prices(table, dict(record), year, self.last_year, discount)
        out: list[Entry] = []
        for family, price in prices.items():
            c = self.col.get((family, key))
            if c is not None:
                out.append(("cost", c, price))
        return out

    def changes(
        self, base: Scenario, tables: Mapping[str, Table], rate: float
    ) -> tuple[list[Entry], list[Entry]]:
        """The entries that `tables` (the base's tables, some patched) and discount rate `rate`
        set where they differ from the base's, and the base's entries they replace."""
        base_rate = base.meta.discount_rate
        new: list[Entry] = []
        old: list[Entry] = []
        for name, table in tables.items():
            original = base.table(name)
            if (table is original and rate == base_rate) or name in NOT_IN_LP:
                continue
            pairs: Iterable[tuple[Record, Record]]
            if rate != base_rate:  # every row's costs move: read all
                pairs = zip(table.records, original.records, strict=True)
            else:
                at = changed_rows(table, original)
                pairs = ((table.record(i), original.record(i)) for i in at)
            for changed, was in pairs:
                moved = self.entries(name, changed, rate)
                kept = self.entries(name, was, base_rate)
                for a, b in zip(moved, kept, strict=True):
                    if a[2] != b[2]:  # only the entries whose value changes
                        new.append(a)
                        old.append(b)
        return new, old

    def table_entries(self, name: str, table: Table, original: Table, rate: float) -> list[Entry]:
        """Every entry (at discount rate `rate`) of the rows of `table` that differ from
        `original`, the base's table of that name, whether or not the entry's value changes."""
        if table is original or name in NOT_IN_LP:
            return []
        out: list[Entry] = []
        for i in changed_rows(table, original):
            out += self.entries(name, table.record(i), rate)
        return out


def changed_rows(table: Table, base: Table) -> list[int]:
    """Positions of the rows of `table` whose values differ from `base` (same rows, patched)."""
    differs = np.zeros(len(table), dtype=bool)
    for name, values in table.data.items():
        was = base.data[name]
        if values is was:
            continue
        unequal = values != was
        if values.dtype == np.float64:
            unequal &= ~(np.isnan(values) & np.isnan(was))
        differs |= unequal
    return np.flatnonzero(differs).tolist()


def same_rows(tables: Mapping[str, Table], base: Scenario) -> bool:
    """Whether every table has as many rows as the base's (patches change numbers only)."""
    return all(t is base.table(n) or len(t) == len(base.table(n)) for n, t in tables.items())


def patched_arrays(arrays: LpArrays, entries: Iterable[Entry]) -> LpArrays:
    """`arrays` with `entries` set (the arrays that change are copies; the rest are shared)."""
    cost = lower = upper = value = term_value = None
    for kind, at, v in entries:
        if kind == "cost":
            cost = arrays.col_cost.copy() if cost is None else cost
            cost[at] = v
        elif kind == "lower":
            lower = arrays.row_lower.copy() if lower is None else lower
            lower[at] = v
        elif kind == "upper":
            upper = arrays.row_upper.copy() if upper is None else upper
            upper[at] = v
        else:
            r, c = at
            value = arrays.value.copy() if value is None else value
            term_value = arrays.term_value.copy() if term_value is None else term_value
            lo, hi = arrays.start[c], arrays.start[c + 1]
            value[lo + int(np.flatnonzero(arrays.index[lo:hi] == r)[0])] = v
            term_value[(arrays.term_row == r) & (arrays.term_col == c)] = v
    return replace(
        arrays,
        col_cost=arrays.col_cost if cost is None else cost,
        row_lower=arrays.row_lower if lower is None else lower,
        row_upper=arrays.row_upper if upper is None else upper,
        value=arrays.value if value is None else value,
        term_value=arrays.term_value if term_value is None else term_value,
    )
