"""Re-solve one built LP in place for many input variations.

The model is built once (dense, so that every limit a sweep may move has its row), solved
once, and its basis kept. Each point then changes only the HiGHS entries that its changed
input rows map to (costs, row bounds, matrix coefficients), warm-starts from the base basis
(so a point's answer does not depend on which points ran before it, or on which worker ran it),
solves, and puts the entries back. Entries whose value does not change are not sent, and the
rest go to HiGHS in one call per kind.

The LP is built as arrays (`ndalloc.lp.build.build_lp`); which entries an input row gives is
`ndalloc.lp.entries.EntryMap`'s (shared with the extensive form of a scenario tree).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndalloc.data.errors import Issue
from ndalloc.data.loader import apply_patches
from ndalloc.data.patch import Patch
from ndalloc.data.scenario import Scenario, Table
from ndalloc.lp.build import BuiltLp, build_lp
from ndalloc.lp.entries import NOT_IN_LP, Entry, EntryMap
from ndalloc.solver.highs import _STATUS, solve_model
from ndalloc.solver.status import SolveOptions, Status


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
        self.built: BuiltLp = build_lp(scenario, dense=True)
        outcome = solve_model(self.built, options or SolveOptions())
        if outcome.status is not Status.OPTIMAL:
            raise BaseNotOptimalError(scenario.name, outcome.status)
        self.highs = outcome.highs
        self.highs.HandleKeyboardInterrupt = False  # Ctrl-C is handled between points
        self.map = EntryMap(self.built)
        self.base_basis = self.highs.getBasis()
        lp = self.highs.getLp()
        self._lower = np.array(lp.row_lower_, dtype=np.float64)
        self._upper = np.array(lp.row_upper_, dtype=np.float64)
        self.base_objective = float(outcome.objective or 0.0)
        self.base_rate = scenario.meta.discount_rate
        col, row = self.map.col, self.map.row
        self._totals = [
            (
                column,
                [c for (f, k), c in col.items() if f == fam and (flt is None or flt in k)],
            )
            for column, fam, flt in TOTALS
        ]
        self._oxide_rows = sorted(
            (int(str(k[0])), r) for (f, k), r in row.items() if f == "oxide_balance"
        )

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
        new, old = self.map.changes(self.scenario, tables, rate)
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
            out[f"oxide_value_usd_per_t_{year}"] = _clean(duals[r] / self.map.discount(year, rate))
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
