"""The points of a sweep: a grid of --vary values, a tornado, or Monte Carlo draws.

Every point is a `Variation` of the base scenario plus the input values to record for it.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ndalloc.data.patch import Patch
from ndalloc.data.ranges import explicit_ranges
from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.schema import TABLES, Record
from ndalloc.sensitivity.engine import Variation
from ndalloc.sensitivity.spec import Vary


@dataclass(frozen=True)
class Point:
    """One sweep point: its id, the inputs to record, and the change it makes."""

    id: int
    inputs: dict[str, Any]
    variation: Variation = field(default_factory=Variation)


def grid(varies: Sequence[Vary]) -> list[Point]:
    """Every combination of the --vary values (one-parameter sweeps are a 1-D grid)."""
    points = []
    for i, combo in enumerate(itertools.product(*(v.values for v in varies))):
        patches = []
        rate = None
        for vary, value in zip(varies, combo, strict=True):
            patch = vary.patch(value)
            if patch is None:
                rate = value
            else:
                patches.append(patch)
        inputs = {v.label + ("*" if v.scale else ""): x for v, x in zip(varies, combo, strict=True)}
        points.append(Point(i, inputs, Variation(tuple(patches), rate)))
    return points


@dataclass(frozen=True)
class Cell:
    """One cell of a parameter: its row's key (other than year), its year (None for tables
    without one), its value and its plausible range (None where not given)."""

    key: tuple[str, ...]
    year: int | None
    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Parameter:
    """Cells that move together: an entity's main value over its years (e.g. IREL's
    capacity), ranged by the rows' own low/high, or the cells a ranges.csv row names."""

    label: str
    table: str
    column: str
    cells: tuple[Cell, ...]
    #: True for a range of ranges.csv, False for a main column ranged row by row.
    explicit: bool = False

    @property
    def ranged(self) -> bool:
        return any(c.low is not None or c.high is not None for c in self.cells)

    def patch(self, cell: Cell, value: float) -> Patch:
        """The patch that sets this parameter's cell to `value`."""
        key: Any = cell.key[0] if len(cell.key) == 1 else list(cell.key)
        return Patch(table=self.table, key=key, year=cell.year, column=self.column, value=value)


def _keys(table: Table, model: type[Record]) -> list[tuple[str, ...]]:
    columns = [table.values(k) for k in model.KEY if k != "year"]
    return [tuple(str(k) for k in key) for key in zip(*columns, strict=True)]


def parameters(scenario: Scenario) -> list[Parameter]:
    """Every entity's main value, grouped over years, in table order (read column by column:
    no record per input row); then every range of ranges.csv, in its order."""
    out = []
    for name, model in TABLES.items():
        if not model.MAIN:
            continue
        table = scenario.table(name)
        years = table.values("year") if "year" in table.data else [None] * len(table)
        rows = zip(
            years, table.values(model.MAIN), table.values("low"), table.values("high"), strict=True
        )
        groups: dict[tuple[str, ...], list[Cell]] = defaultdict(list)
        for key, (year, value, low, high) in zip(_keys(table, model), rows, strict=True):
            groups[key].append(Cell(key, year, value, low, high))
        for key, found in groups.items():
            label = f"{name}.{model.MAIN}[{'/'.join(key)}]"
            out.append(Parameter(label, name, model.MAIN, tuple(found)))
    for given in explicit_ranges(scenario.tables):
        name, column = given.selector.table, given.selector.column
        table = scenario.table(name)
        keys = _keys(table, TABLES[name])
        years = table.values("year") if "year" in table.data else [None] * len(table)
        values = table.values(column)
        cells = tuple(Cell(keys[i], years[i], values[i], given.low, given.high) for i in given.rows)
        out.append(Parameter(given.label, name, column, cells, explicit=True))
    return out


def tornado(scenario: Scenario, pct: float | None = None, only: Sequence[str] = ()) -> list[Point]:
    """The base, then each parameter at its low and at its high, one at a time.

    Without `pct`, every parameter with a range (from the rows' low/high or from ranges.csv)
    moves each cell to its low (high), or keeps it where the cell has no bound. With `pct`,
    every main value and every ranged cell of another column moves by -pct % and +pct %.
    `only` keeps the parameters whose label starts with one of its entries (e.g. "sources.",
    "demand.demand_t[ev]").
    """
    points = [Point(0, {"parameter": "base", "side": "base"})]
    for parameter in parameters(scenario):
        if pct is None and not parameter.ranged:
            continue
        if pct is not None and parameter.explicit and parameter.column == _main(parameter):
            continue  # those cells move with their entity's main value
        if only and not any(parameter.label.startswith(prefix) for prefix in only):
            continue
        for side in ("low", "high"):
            patches = []
            for cell in parameter.cells:
                main = cell.value
                if pct is None:
                    bound = cell.low if side == "low" else cell.high
                    value = main if bound is None else bound
                else:
                    value = main * (1 - pct / 100 if side == "low" else 1 + pct / 100)
                if value != main:
                    patches.append(parameter.patch(cell, value))
            inputs = {"parameter": parameter.label, "side": side}
            points.append(Point(len(points), inputs, Variation(tuple(patches))))
    return points


def _main(parameter: Parameter) -> str:
    return TABLES[parameter.table].MAIN


def _triangular(u: float, low: float, mode: float, high: float) -> float:
    """Inverse CDF of the triangular distribution (low, mode, high) at quantile u."""
    if high <= low:
        return mode
    split = (mode - low) / (high - low)
    if u < split:
        return low + math.sqrt(u * (high - low) * (mode - low))
    return high - math.sqrt((1 - u) * (high - low) * (high - mode))


def monte_carlo(scenario: Scenario, draws: int, seed: int) -> list[Point]:
    """`draws` joint draws of every ranged parameter (from the rows' low/high and from
    ranges.csv), triangular on (low, value, high) of each cell.

    One quantile is drawn per parameter and applied to all its cells (an entity that is high
    one year is high every year); parameters are independent. Reproducible from `seed`.
    """
    ranged = [p for p in parameters(scenario) if p.ranged]
    rng = np.random.default_rng(seed)
    quantiles = rng.random((draws, len(ranged)))
    points = []
    for i in range(draws):
        patches = []
        inputs: dict[str, Any] = {"draw": i}
        for parameter, u in zip(ranged, quantiles[i], strict=True):
            inputs[f"u:{parameter.label}"] = float(u)
            for cell in parameter.cells:
                main = cell.value
                low = main if cell.low is None else cell.low
                high = main if cell.high is None else cell.high
                value = _triangular(float(u), low, main, high)
                if value != main:
                    patches.append(parameter.patch(cell, value))
        points.append(Point(i, inputs, Variation(tuple(patches))))
    return points


def ranking(table: Any, outputs: Sequence[str] = ("objective_usd",)) -> Any:
    """Tornado ranking: per parameter, each output at low and high and the swing, largest
    swing of the first output first."""
    import pandas as pd

    done = table[table["side"].isin(["low", "high"])]
    rows = []
    for parameter, group in done.groupby("parameter", sort=False):
        sides = group.set_index("side")
        row: dict[str, Any] = {"parameter": parameter}
        for output in outputs:
            low = sides[output].get("low") if output in sides else None
            high = sides[output].get("high") if output in sides else None
            row[f"{output}_low"] = low
            row[f"{output}_high"] = high
            row[f"{output}_swing"] = (
                abs(high - low) if low is not None and high is not None else None
            )
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(f"{outputs[0]}_swing", ascending=False, kind="stable").reset_index(
        drop=True
    )
