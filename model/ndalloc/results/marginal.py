"""Marginal values in planners' terms: what one more unit of each binding limit is worth.

Read from the dual tables (sign convention in docs/formulation.md section 7): every value is
the change in discounted net national benefit per unit of the limit, restated in USD of the
limit's own year (`value_usd_per_t`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: family -> (what the limit is, unit of one more unit, sentence template). In the template,
#: {who} is the entity, {year} the year, {amount} the absolute value in USD.
LIMITS: dict[str, tuple[str, str, str]] = {
    "oxide_balance": (
        "neodymium oxide",
        "t oxide",
        "one more tonne of neodymium oxide in {year} is {worth} {amount} USD",
    ),
    "source_capacity": (
        "source capacity",
        "t oxide",
        "one more tonne of {who} output capacity in {year} is {worth} {amount} USD",
    ),
    "maker_capacity": (
        "maker capacity",
        "t magnet",
        "one more tonne of {who} magnet capacity in {year} is {worth} {amount} USD",
    ),
    "contract_min": (
        "contract minimum",
        "t oxide",
        "honouring one more tonne of the {who} minimum in {year} {costs} {amount} USD",
    ),
    "export_cap": (
        "export ceiling",
        "t oxide",
        "letting one more tonne of oxide leave the country in {year} is {worth} {amount} USD",
    ),
    "stockpile_max": (
        "stockpile capacity",
        "t oxide",
        "one more tonne of {who} stockpile capacity in {year} is {worth} {amount} USD",
    ),
    "stockpile_min": (
        "stockpile minimum",
        "t oxide",
        "one more tonne of required {who} reserve in {year} {costs} {amount} USD",
    ),
    "import_limit": (
        "import availability",
        "t product",
        "one more tonne of {who} imports allowed in {year} is {worth} {amount} USD",
    ),
}

COLUMNS = [
    "limit",
    "family",
    "entity",
    "year",
    "unit",
    "value_usd_per_t",
    "value_pv_usd_per_t",
    "binding",
    "sentence",
]

#: Below this (USD per unit) a marginal value is treated as zero.
ZERO_USD = 1e-6


def marginal_values(duals: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per binding (or valued) limit and year, with a sentence a planner can read."""
    columns: dict[str, list] = {c: [] for c in COLUMNS}
    for family, (limit, unit, template) in LIMITS.items():
        frame = duals.get(family)
        if frame is None or frame.empty:
            continue
        index = [c for c in frame.columns if c not in DUAL_VALUE_COLUMNS and c != "year"]
        if family != "oxide_balance":  # only the rows that are valued or bind are spelled out
            valued = frame["value_usd_per_t"].abs().to_numpy(dtype=float) > ZERO_USD
            frame = frame[valued | frame["binding"].to_numpy(dtype=bool)]
        values = [float(v) for v in frame["value_usd_per_t"].tolist()]
        years = [int(y) for y in frame["year"].tolist()]
        parts = [frame[c].tolist() for c in index]
        who = [" ".join(str(p) for p in key) for key in zip(*parts, strict=True)]
        if not index:
            who = [""] * len(frame)
        sentences = [
            template.format(
                who=w,
                year=y,
                amount=f"{abs(v):,.0f}",
                worth="worth" if v >= 0 else "a cost of",
                costs="costs" if v <= 0 else "gains",
            ).replace("  ", " ")
            for w, y, v in zip(who, years, values, strict=True)
        ]
        n = len(values)
        columns["limit"] += [limit] * n
        columns["family"] += [family] * n
        columns["entity"] += who
        columns["year"] += years
        columns["unit"] += [unit] * n
        columns["value_usd_per_t"] += values
        columns["value_pv_usd_per_t"] += [float(v) for v in frame["value_pv_usd_per_t"].tolist()]
        columns["binding"] += [bool(b) for b in frame["binding"].tolist()]
        columns["sentence"] += sentences
    if not columns["limit"]:
        return pd.DataFrame([], columns=COLUMNS)
    return pd.DataFrame(columns, columns=COLUMNS)


#: Columns of a dual table that are not part of its key (shared with results.checks).
DUAL_VALUE_COLUMNS = frozenset(
    {
        "activity_t",
        "rhs_t",
        "slack_t",
        "binding",
        "value_pv_usd_per_t",
        "value_usd_per_t",
        "unit",
        "meaning",
    }
)
