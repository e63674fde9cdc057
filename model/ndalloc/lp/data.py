"""Index sets and coefficients for the LP, computed once with pandas before any rule runs.

Every rule in the constraint-family modules reads plain dicts built here, so no rule scans a
set: each constraint touches only its own terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ndalloc.data.scenario import Scenario

Key = tuple[Hashable, ...]


def by_year(keys: Iterable[Key]) -> dict[int, list[Key]]:
    """Group index tuples (whose last element is the year) by year."""
    out: dict[int, list[Key]] = defaultdict(list)
    for key in keys:
        out[int(key[-1])].append(key)  # type: ignore[call-overload]
    return out


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
            dense=dense,
        )

    @property
    def has_routes(self) -> bool:
        return not self.routes.empty

    def discounted(self, frame: pd.DataFrame, column: str) -> dict[Key, float]:
        """`column` times the discount factor of each row's year, keyed like the frame."""
        if frame.empty:
            return {}
        years = frame.index.get_level_values("year")
        factor = years.map(self.discount).to_numpy(dtype=float)
        return dict(zip(keys(frame), (frame[column].to_numpy(dtype=float) * factor), strict=True))

    def discounted_array(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """`discounted` as an array in the frame's row order (the same products)."""
        if frame.empty:
            return np.zeros(0)
        return frame[column].to_numpy(dtype=float) * self.factors(frame)

    def factors(self, frame: pd.DataFrame) -> np.ndarray:
        """The discount factor of each row's year, in row order."""
        years = frame.index.get_level_values("year")
        return years.map(self.discount).to_numpy(dtype=float)

    def year_rows(self, years: np.ndarray) -> np.ndarray:
        """Position of each year in `years` of the horizon (0 for the first year)."""
        return np.asarray(years, dtype=np.int64) - self.years[0]


def keys(frame: pd.DataFrame) -> list[Key]:
    """The index of a frame as a list of tuples (one-level indexes become 1-tuples)."""
    if isinstance(frame.index, pd.MultiIndex):
        return [tuple(k) for k in frame.index]
    return [(k,) for k in frame.index]


def column(frame: pd.DataFrame, name: str) -> dict[Key, float]:
    """One numeric column as a dict keyed by index tuple."""
    return dict(zip(keys(frame), frame[name].to_numpy(dtype=float), strict=True))


def key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The index of a frame as a table of key columns (one row per row of the frame)."""
    return frame.index.to_frame(index=False)


def members(frame: pd.DataFrame, mask: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The key table of the rows where `mask` holds, and their positions in the frame."""
    pos = np.flatnonzero(mask)
    return key_frame(frame).iloc[pos].reset_index(drop=True), pos
