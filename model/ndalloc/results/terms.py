"""The objective of a solved run, term by term: what each choice earns and costs.

Every term is read from `ndalloc.lp.objective.TERMS`, the declaration the LP's costs come
from, so the terms of a run add up to its objective (tests/test_objective_terms.py).
Benefits are positive, costs negative, in USD of the year (`value_usd`) and discounted to the
first year (`value_pv_usd`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData
from ndalloc.lp.objective import TERM_NAMES, TERMS, discount_factors, term_prices

#: Columns of `objective_terms.csv`.
TERM_COLUMNS = ("term", "entity", "year", "quantity_t", "value_usd", "value_pv_usd")


def objective_terms(variables: Mapping[str, pd.DataFrame], data: ModelData) -> pd.DataFrame:
    """One row per term, entity and year that the objective prices: the quantity priced
    (t of the family's unit) and its money, signed (benefits +, costs -)."""
    parts = []
    for term in TERMS:
        frame = variables.get(term.family)
        if frame is None or frame.empty:
            continue
        price = term_prices(term, frame, data)
        covered = price != 0.0
        if not covered.any():
            continue
        value_t = frame["value_t"].to_numpy(dtype=float)
        money = price * value_t
        entity = frame[term.entity[0]].astype(str)
        for extra in term.entity[1:]:
            entity = entity + " -> " + frame[extra].astype(str)
        year = frame["year"] if "year" in frame else pd.Series(data.years[0], index=frame.index)
        parts.append(
            pd.DataFrame(
                {
                    "term": term.name,
                    "entity": entity.to_numpy()[covered],
                    "year": year.to_numpy(dtype=np.int64)[covered],
                    "quantity_t": value_t[covered],
                    "value_usd": money[covered],
                    "value_pv_usd": (money * discount_factors(frame, data))[covered],
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: [] for c in TERM_COLUMNS})
    table = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(TERM_NAMES)}
    table = table.groupby(["term", "entity", "year"], as_index=False, sort=False)[
        ["quantity_t", "value_usd", "value_pv_usd"]
    ].sum()
    table = table.assign(_order=table["term"].map(order))
    table = table.sort_values(["_order", "entity", "year"], kind="stable").drop(columns="_order")
    for column in ("value_usd", "value_pv_usd"):
        table[column] = np.where(np.abs(table[column]) < 1e-6, 0.0, table[column])
    return table.reset_index(drop=True)[list(TERM_COLUMNS)]


def term_totals(terms: pd.DataFrame) -> pd.Series:
    """Discounted total of each term (USD, first-year money), every term of TERMS listed (0
    where the run has none), in the order of TERMS."""
    if terms.empty:
        return pd.Series(0.0, index=list(TERM_NAMES), name="value_pv_usd")
    totals = terms.groupby("term", sort=False)["value_pv_usd"].sum()
    return totals.reindex(list(TERM_NAMES), fill_value=0.0).rename("value_pv_usd")


#: How a change in each term reads: (words when the objective gains, words when it loses).
TERM_WORDS: dict[str, tuple[str, str]] = {
    "export revenue": ("more export revenue", "export revenue lost"),
    "breach penalties": ("breach penalties avoided", "breach penalties"),
    "production cost": ("production cost saved", "more production cost"),
    "conversion cost": (
        "conversion cost saved (fewer magnets made in India)",
        "more conversion cost (more magnets made in India)",
    ),
    "oxide imports": ("oxide imports avoided", "more oxide imports"),
    "magnet imports": ("magnet imports avoided", "more magnet imports"),
    "holding cost": ("holding cost saved", "more holding cost"),
    "terminal value of stock": ("more stock left at the end", "less stock left at the end"),
    "handling cost": ("handling cost saved", "more handling cost"),
    "shortage cost": ("magnet shortage avoided", "more magnet shortage"),
    "route cost": ("route cost saved", "more route cost"),
}

#: Differences smaller than this (USD) are left out of a sentence.
SMALL_USD = 0.05e6


def describe_differences(differences: Mapping[str, float]) -> str:
    """The change of the objective term by term, largest first, in words and million USD:
    "-149.0 M USD breach penalties, +205.0 M USD magnet imports avoided, ...". Differences are
    discounted USD (B minus A); terms that barely move are left out."""
    moved = [(t, d) for t, d in differences.items() if abs(d) >= SMALL_USD and d == d]
    moved.sort(key=lambda item: -abs(item[1]))
    if not moved:
        return "no term moves by 0.05 M USD or more"
    parts = []
    for term, diff in moved:
        gain, loss = TERM_WORDS.get(term, (term, term))
        parts.append(f"{diff / 1e6:+,.1f} M USD {gain if diff > 0 else loss}")
    return ", ".join(parts)
