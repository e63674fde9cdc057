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
    rows = []
    for family, (limit, unit, template) in LIMITS.items():
        frame = duals.get(family)
        if frame is None or frame.empty:
            continue
        index = [c for c in frame.columns if c not in _VALUE_COLUMNS and c != "year"]
        for record in frame.to_dict("records"):
            value = float(record["value_usd_per_t"])
            valued = abs(value) > ZERO_USD
            if not (valued or record["binding"] or family == "oxide_balance"):
                continue
            who = " ".join(str(record[c]) for c in index)
            amount = f"{abs(value):,.0f}"
            sentence = template.format(
                who=who,
                year=int(record["year"]),
                amount=amount,
                worth="worth" if value >= 0 else "a cost of",
                costs="costs" if value <= 0 else "gains",
            )
            rows.append(
                {
                    "limit": limit,
                    "family": family,
                    "entity": who,
                    "year": int(record["year"]),
                    "unit": unit,
                    "value_usd_per_t": value,
                    "value_pv_usd_per_t": float(record["value_pv_usd_per_t"]),
                    "binding": bool(record["binding"]),
                    "sentence": sentence.replace("  ", " "),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


_VALUE_COLUMNS = {
    "activity_t",
    "rhs_t",
    "slack_t",
    "binding",
    "value_pv_usd_per_t",
    "value_usd_per_t",
    "unit",
    "meaning",
}
