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
