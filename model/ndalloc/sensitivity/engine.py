"""Re-solve one built LP in place for many input variations.

The model is built once (dense, so that every limit a sweep may move has its row), solved
once, and its basis kept. Each point then changes only the HiGHS entries that its changed
input rows map to (costs, row bounds, matrix coefficients), warm-starts from the base basis
(so a point's answer does not depend on which points ran before it, or on which worker ran it),
solves, and puts the entries back. Entries whose value does not change are not sent, and the
rest go to HiGHS in one call per kind.

The LP is built as arrays (`ndalloc.lp.build.build_lp`); the engine reads only the HiGHS
column and row of each (family, key) and the highspy object, which every build path gives
(`ndalloc.solver.highs.SolveOutcome`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndalloc.data.errors import Issue
from ndalloc.data.loader import apply_patches
from ndalloc.data.patch import Patch
from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.schema import Record
from ndalloc.lp.build import Built, build_lp
from ndalloc.lp.objective import row_prices
from ndalloc.solver.highs import _STATUS, solve_model
from ndalloc.solver.status import SolveOptions, Status

Key = tuple[Hashable, ...]
#: One change to the HiGHS model: ("cost", col, value), ("lower"|"upper", row, value),
#: ("coef", (row, col), value).
Entry = tuple[str, Any, float]


@dataclass(frozen=True)
class Variation:
    """One point's change of inputs: patches on tables and, optionally, a discount rate."""

    patches: tuple[Patch, ...] = ()
    discount_rate: float | None = None


#: Outputs recorded for every point: (column, variable family, filter on the key or None).
TOTALS: tuple[tuple[str, str, str | None], ...] = (
    ("output_t", "output", None),
    ("exports_t", "export", None),
    ("breach_t", "breach", None),
    ("to_makers_t", "feed", None),
    ("stock_inject_t", "inject", None),
    ("stock_release_t", "release", None),
    ("unallocated_t", "unallocated", None),
    ("oxide_imports_t", "imports", "oxide"),
    ("magnet_imports_t", "imports", "magnet"),
    ("magnets_made_t", "make", None),
    ("magnet_shortage_t", "shortage", None),
)


#: Tables that are not in the LP: nothing to change when their rows move.
NOT_IN_LP = frozenset({"ranges"})


class BaseNotOptimalError(RuntimeError):
    """The scenario an engine is built on does not solve to optimality."""

    def __init__(self, scenario: str, status: Status) -> None:
        self.scenario = scenario
        self.status = status
        super().__init__(f"the base scenario {scenario} is {status}: a sweep needs an optimal base")


class SweepEngine:
    """A built, solved LP that evaluates input variations in place."""

    def __init__(self, scenario: Scenario, options: SolveOptions | None = None) -> None:
        self.scenario = scenario
        self.built: Built = build_lp(scenario, dense=True)
        outcome = solve_model(self.built, options or SolveOptions())
        if outcome.status is not Status.OPTIMAL:
            raise BaseNotOptimalError(scenario.name, outcome.status)
        self.highs = outcome.highs
        self.highs.HandleKeyboardInterrupt = False  # Ctrl-C is handled between points
        self.col: dict[tuple[str, Key], int] = {}
        for name, family in self.built.variables.items():
            self.col.update(
                zip(
                    ((name, k) for k in family.key_tuples()),
                    outcome.cols[name].tolist(),
                    strict=True,
                )
            )
        self.row: dict[tuple[str, Key], int] = {}
        for name, family in self.built.constraints.items():
            self.row.update(
                zip(
                    ((name, k) for k in family.key_tuples()),
                    outcome.rows[name].tolist(),
                    strict=True,
                )
            )
        self.base_basis = self.highs.getBasis()
        lp = self.highs.getLp()
        self._lower = np.array(lp.row_lower_, dtype=np.float64)
        self._upper = np.array(lp.row_upper_, dtype=np.float64)
        self.base_objective = float(outcome.objective or 0.0)
        self.first_year = scenario.meta.first_year
        self.base_rate = scenario.meta.discount_rate
        self._first_stock_year = {
            str(k[0]): int(k[1])
            for k, first in self.built.data.stockpiles["is_first"].items()
            if first
        }
        self._totals = [
            (
                column,
                [c for (f, k), c in self.col.items() if f == fam and (flt is None or flt in k)],
            )
            for column, fam, flt in TOTALS
        ]
        self._oxide_rows = sorted(
            (int(str(k[0])), r) for (f, k), r in self.row.items() if f == "oxide_balance"
        )

    # --- input rows -> HiGHS entries ---------------------------------------------------------

    def _delta(self, year: int, rate: float) -> float:
        return (1.0 + rate) ** -(year - self.first_year)

    def entries(self, table: str, record: Record, rate: float) -> list[Entry]:
        """Every HiGHS entry that depends on one input row."""
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
            out += [
                ("upper", row["import_limit", key], r.max_t),
            ]
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
        d = self._delta(year, rate)
        prices = row_prices(table, dict(record), year, self.built.data.years[-1])
        out: list[Entry] = []
        for family, price in prices.items():
            c = self.col.get((family, key))
            if c is not None:
                out.append(("cost", c, d * price))
        return out

    def _apply(self, entries: Sequence[Entry]) -> None:
        h = self.highs
        lower, upper = self._lower, self._upper
        cols: list[int] = []
        costs: list[float] = []
        rows: dict[int, None] = {}
        for kind, index, value in entries:
            if kind == "cost":
                cols.append(index)
                costs.append(value)
            elif kind == "coef":
                h.changeCoeff(index[0], index[1], value)
            else:
                (lower if kind == "lower" else upper)[index] = value
                rows[index] = None
        if cols:
            h.changeColsCost(len(cols), np.array(cols, dtype=np.int32), np.array(costs))
        if rows:
            at = np.fromiter(rows, dtype=np.int32, count=len(rows))
            h.changeRowsBounds(len(at), at, lower[at], upper[at])

    # --- one point ---------------------------------------------------------------------------

    def changes(self, variation: Variation) -> tuple[list[Entry], list[Entry], list[Issue]]:
        """The entries a variation sets, the entries that restore the base, and any problems."""
        tables: dict[str, Table] = dict(self.scenario.tables)
        issues: list[Issue] = []
        apply_patches([(patch, ("--vary", 0)) for patch in variation.patches], tables, issues)
        rate = self.base_rate if variation.discount_rate is None else variation.discount_rate
        new: list[Entry] = []
        old: list[Entry] = []
        for name, table in tables.items():
            base = self.scenario.table(name)
            if (table is base and rate == self.base_rate) or name in NOT_IN_LP:
                continue
            pairs: Iterable[tuple[Record, Record]]
            if rate != self.base_rate:  # every row's costs move: read all, keep none
                pairs = zip(table.records, base.records, strict=True)
            else:
                pairs = ((table.record(i), base.record(i)) for i in changed_rows(table, base))
            for changed, original in pairs:
                moved = self.entries(name, changed, rate)
                kept = self.entries(name, original, self.base_rate)
                for a, b in zip(moved, kept, strict=True):
                    if a[2] != b[2]:  # send only the entries whose value changes
                        new.append(a)
                        old.append(b)
        return new, old, issues

    def evaluate(self, variation: Variation) -> dict[str, Any]:
        """Solve one variation in place and return its outputs (the base is restored)."""
        new, old, issues = self.changes(variation)
        if issues:
            return {"status": "invalid", "message": "; ".join(i.message for i in issues)}
        self._apply(new)
        try:
            self.highs.setBasis(self.base_basis)
            self.highs.run()
            rate = self.base_rate if variation.discount_rate is None else variation.discount_rate
            return self._outputs(rate)
        finally:
            self._apply(old)

    def _outputs(self, rate: float) -> dict[str, Any]:
        h = self.highs
        status = _STATUS.get(h.getModelStatus(), Status.UNKNOWN)
        out: dict[str, Any] = {"status": str(status), "message": ""}
        if status is not Status.OPTIMAL:
            return out
        solution = h.getSolution()
        values = solution.col_value
        out["objective_usd"] = float(h.getInfo().objective_function_value)
        for column, cols in self._totals:
            out[column] = _clean(math.fsum(values[c] for c in cols))
        duals = solution.row_dual
        for year, r in self._oxide_rows:
            out[f"oxide_value_usd_per_t_{year}"] = _clean(duals[r] / self._delta(year, rate))
        return out


def _clean(value: float) -> float:
    return 0.0 if abs(value) < 1e-9 else float(value)


def evaluate_all(
    engine: SweepEngine, variations: Mapping[int, Variation]
) -> dict[int, dict[str, Any]]:
    """Evaluate points in order of their id."""
    return {i: engine.evaluate(variations[i]) for i in sorted(variations)}


__all__ = [
    "NOT_IN_LP",
    "TOTALS",
    "BaseNotOptimalError",
    "Entry",
    "SweepEngine",
    "Variation",
    "evaluate_all",
]


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
