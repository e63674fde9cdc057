"""Index sets and coefficients for the LP, computed once with pandas before any rule runs.

Every family declaration under `ndalloc.lp` reads whole columns of these tables as arrays, so
no declaration scans a set: each row touches only its own terms.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ndalloc.data.scenario import Scenario

Key = tuple[Hashable, ...]


def _indexed(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.set_index(key).sort_index()


def table_frame(scenario: Scenario, table: str) -> pd.DataFrame:
    """The columns of a table that the LP reads (provenance left out), one row per input row."""
    return scenario.frame(table, provenance=False)


@dataclass(frozen=True)
class ModelData:
    """The scenario's tables indexed by their keys, plus derived index sets."""

    years: list[int]
    discount: dict[int, float]
    sources: pd.DataFrame
    contracts: pd.DataFrame
    makers: pd.DataFrame
    demand: pd.DataFrame
    imports: pd.DataFrame
    stockpiles: pd.DataFrame
    routes: pd.DataFrame
    #: `scenario.toml` `export_cap_t`: the most oxide exported in a year (None: no ceiling).
    export_cap_t: float | None = None
    #: Build every optional row even where its limit is inactive (min 0, share 1), so that a
    #: sweep can move that limit in place; the optimum is the same either way.
    dense: bool = False

    @classmethod
    def from_scenario(cls, scenario: Scenario, dense: bool = False) -> ModelData:
        meta = scenario.meta
        years = meta.years
        discount = {y: (1.0 + meta.discount_rate) ** -(y - meta.first_year) for y in years}

        stock = table_frame(scenario, "stockpiles")
        initial = table_frame(scenario, "stockpile_initial").set_index("stockpile")["initial_t"]
        first = stock.groupby("stockpile")["year"].transform("min")
        stock["is_first"] = stock["year"] == first
        stock["initial_t"] = stock["stockpile"].map(initial).fillna(0.0).astype(float)

        return cls(
            years=years,
            discount=discount,
            sources=_indexed(table_frame(scenario, "sources"), ["source", "year"]),
            contracts=_indexed(table_frame(scenario, "contracts"), ["contract", "year"]),
            makers=_indexed(table_frame(scenario, "makers"), ["maker", "year"]),
            demand=_indexed(table_frame(scenario, "demand"), ["sector", "year"]),
            imports=_indexed(table_frame(scenario, "imports"), ["origin", "product", "year"]),
            stockpiles=_indexed(stock, ["stockpile", "year"]),
            routes=_indexed(table_frame(scenario, "routes"), ["origin", "destination"]),
            export_cap_t=meta.export_cap_t,
            dense=dense,
        )

    @property
    def has_routes(self) -> bool:
        return not self.routes.empty

    def year_rows(self, years: np.ndarray) -> np.ndarray:
        """Position of each year in `years` of the horizon (0 for the first year)."""
        return np.asarray(years, dtype=np.int64) - self.years[0]


def key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The index of a frame as a table of key columns (one row per row of the frame)."""
    return frame.index.to_frame(index=False)


def where(frame: pd.DataFrame, mask: np.ndarray | bool) -> tuple[pd.DataFrame, np.ndarray]:
    """The key table of the rows where `mask` holds (every row for `True`), and their
    positions in the frame: the members of a sparse family such as $SY^{min}$."""
    pos = np.flatnonzero(np.broadcast_to(np.asarray(mask, dtype=bool), (len(frame),)))
    return key_frame(frame).iloc[pos].reset_index(drop=True), pos
