"""The objective: discounted net national benefit, in USD of the first year.

The objective is declared once, as a list of named terms (`TERMS`): each says which variable
family it prices, with which input column, sign and members. The LP's cost of every column
(`objective_arrays`) and the breakdown of a solved objective into terms
(`ndalloc.results.terms`) are both derived from this list, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData
from ndalloc.lp.registry import ArrayRegistry


@dataclass(frozen=True)
class Term:
    """One named term of the objective: `sign` x `column` x the family's value, per member."""

    name: str
    """What the term is, in a planner's words ("export revenue")."""
    family: str
    """The variable family it prices."""
    table: str
    """The ModelData table holding the coefficient column."""
    column: str
    """The coefficient, USD per unit of the variable in the year's money."""
    sign: float
    """+1 for a benefit, -1 for a cost."""
    entity: tuple[str, ...]
    """The family's key columns that name who the money goes to or comes from."""
    product: str | None = None
    """For imports: only the members of this product."""
    last_year: bool = False
    """Only the members of the horizon's last year (the value of stock left at the end)."""


#: The objective's terms, in the order the objective reads them (docs/formulation.md, section 5).
TERMS: tuple[Term, ...] = (
    Term("export revenue", "export", "contracts", "price_usd_per_t", 1.0, ("contract",)),
    Term(
        "breach penalties", "breach", "contracts", "breach_penalty_usd_per_t", -1.0, ("contract",)
    ),
    Term("production cost", "output", "sources", "cost_usd_per_t", -1.0, ("source",)),
    Term("conversion cost", "make", "makers", "conversion_cost_usd_per_t", -1.0, ("maker",)),
    Term("oxide imports", "imports", "imports", "price_usd_per_t", -1.0, ("origin",), "oxide"),
    Term("magnet imports", "imports", "imports", "price_usd_per_t", -1.0, ("origin",), "magnet"),
    Term("holding cost", "level", "stockpiles", "holding_cost_usd_per_t", -1.0, ("stockpile",)),
    Term(
        "terminal value of stock",
        "level",
        "stockpiles",
        "terminal_value_usd_per_t",
        1.0,
        ("stockpile",),
        last_year=True,
    ),
    Term("handling cost", "inject", "stockpiles", "handling_cost_usd_per_t", -1.0, ("stockpile",)),
    Term("handling cost", "release", "stockpiles", "handling_cost_usd_per_t", -1.0, ("stockpile",)),
    Term("shortage cost", "shortage", "demand", "shortage_penalty_usd_per_t", -1.0, ("sector",)),
    Term("route cost", "flow", "routes", "cost_usd_per_t", -1.0, ("origin", "destination")),
)

#: The names of the terms, each once, in the order of TERMS.
TERM_NAMES: tuple[str, ...] = tuple(dict.fromkeys(t.name for t in TERMS))


def row_prices(
    table: str, row: Mapping[str, Any], year: int, last_year: int, discount: float = 1.0
) -> dict[str, float]:
    """The objective coefficient (signed, in USD of `year` times `discount`) that one input row
    of `table` gives each variable family's member in `year`: the sum of its terms in TERMS,
    computed as `family_costs` computes it (so that the two agree to the last bit). For the
    entries of one input row (`ndalloc.lp.entries`), where rows change one at a time."""
    out: dict[str, float] = {}
    for term in TERMS:
        if term.table != table:
            continue
        if term.product is not None and row.get("product") != term.product:
            continue
        price = term.sign * float(row[term.column])
        if term.last_year and year != last_year:
            price = 0.0
        price *= discount
        out[term.family] = out[term.family] + price if term.family in out else price
    return out


def term_prices(term: Term, keys: pd.DataFrame, data: ModelData) -> np.ndarray:
    """`term.sign` x the term's coefficient for each member of its family (rows of `keys`),
    in USD of the member's year; 0 for members the term does not cover."""
    table: pd.DataFrame = getattr(data, term.table)
    out = np.zeros(len(keys))
    if table.empty or not len(keys) or term.column not in table:
        return out
    names = list(table.index.names)
    at = table.index.get_indexer(pd.MultiIndex.from_frame(keys[names]))
    found = at >= 0
    out[found] = term.sign * table[term.column].to_numpy(dtype=float)[at[found]]
    if term.product is not None:
        out[keys["product"].to_numpy() != term.product] = 0.0
    if term.last_year:
        out[keys["year"].to_numpy() != data.years[-1]] = 0.0
    return out


def discount_factors(keys: pd.DataFrame, data: ModelData) -> np.ndarray:
    """The discount factor of each member's year (members without a year: 1)."""
    if "year" not in keys:
        return np.ones(len(keys))
    return keys["year"].map(data.discount).to_numpy(dtype=float)


def family_costs(families: Mapping[str, pd.DataFrame], data: ModelData) -> dict[str, np.ndarray]:
    r"""The objective coefficient (discounted USD per unit) of every member of every priced
    family, given each family's key table, in key order:

    .. math::
        \max \sum_y \delta_y \Big[
          \sum_k \mathit{price\_usd\_per\_t}_{k,y}\,\mathit{export}_{k,y}
        - \sum_k \mathit{breach\_penalty\_usd\_per\_t}_{k,y}\,\mathit{breach}_{k,y}
        - \sum_s \mathit{cost\_usd\_per\_t}_{s,y}\,\mathit{output}_{s,y}
        - \sum_m \mathit{conversion\_cost\_usd\_per\_t}_{m,y}\,\mathit{make}_{m,y}
        - \sum_{o,\pi} \mathit{price\_usd\_per\_t}_{o,\pi,y}\,\mathit{imports}_{o,\pi,y}
        - \sum_p \mathit{holding\_cost\_usd\_per\_t}_{p,y}\,\mathit{level}_{p,y}
        - \sum_p \mathit{handling\_cost\_usd\_per\_t}_{p,y}
          (\mathit{inject}_{p,y} + \mathit{release}_{p,y})
        - \sum_d \mathit{shortage\_penalty\_usd\_per\_t}_{d,y}\,\mathit{shortage}_{d,y}
        - \sum_{(o,t) \in R} \mathit{cost\_usd\_per\_t}_{o,t}\,\mathit{flow}_{o,t,y} \Big]
        + \delta_{Y} \sum_p \mathit{terminal\_value\_usd\_per\_t}_{p}\,\mathit{level}_{p,Y}

    with :math:`\delta_y = (1+\rho)^{-(y-y_0)}` and Y the horizon's last year. Variables not
    listed carry no money.
    """
    out: dict[str, np.ndarray] = {}
    for term in TERMS:
        keys = families.get(term.family)
        if keys is None:
            continue
        price = term_prices(term, keys, data) * discount_factors(keys, data)
        out[term.family] = out[term.family] + price if term.family in out else price
    return out


def objective_arrays(reg: ArrayRegistry, data: ModelData) -> dict[str, np.ndarray]:
    """`family_costs` of the array registry's families (fast path)."""
    families = {t.family: reg.keys(t.family) for t in TERMS if t.family in reg.variables}
    return family_costs(families, data)
