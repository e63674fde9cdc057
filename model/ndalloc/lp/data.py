"""Index sets and coefficients for the LP, computed once with pandas before any rule runs.

Every rule in the constraint-family modules reads plain dicts built here, so no rule scans a
set: each constraint touches only its own terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

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

        stock = scenario.frame("stockpiles")
        initial = scenario.frame("stockpile_initial").set_index("stockpile")["initial_t"]
        first = stock.groupby("stockpile")["year"].transform("min")
        stock["is_first"] = stock["year"] == first
        stock["initial_t"] = stock["stockpile"].map(initial).fillna(0.0).astype(float)

        return cls(
            years=years,
            discount=discount,
            sources=_indexed(scenario.frame("sources"), ["source", "year"]),
            contracts=_indexed(scenario.frame("contracts"), ["contract", "year"]),
            makers=_indexed(scenario.frame("makers"), ["maker", "year"]),
            demand=_indexed(scenario.frame("demand"), ["sector", "year"]),
            imports=_indexed(scenario.frame("imports"), ["origin", "product", "year"]),
            stockpiles=_indexed(stock, ["stockpile", "year"]),
            routes=_indexed(scenario.frame("routes"), ["origin", "destination"]),
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


def keys(frame: pd.DataFrame) -> list[Key]:
    """The index of a frame as a list of tuples (one-level indexes become 1-tuples)."""
    if isinstance(frame.index, pd.MultiIndex):
        return [tuple(k) for k in frame.index]
    return [(k,) for k in frame.index]


def column(frame: pd.DataFrame, name: str) -> dict[Key, float]:
    """One numeric column as a dict keyed by index tuple."""
    return dict(zip(keys(frame), frame[name].to_numpy(dtype=float), strict=True))
