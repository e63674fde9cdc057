"""Marginal values in planners' terms: what one more unit of each binding limit is worth.

Read from the dual tables (sign convention in docs/formulation.md section 7): every value is
the change in discounted net national benefit per unit of the limit, restated in USD of the
limit's own year (`value_usd_per_t`).
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ndalloc.data.text_columns import repeated_text, text_array, text_column

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
    blocks: list[pd.DataFrame] = []
    for family, (limit, unit, template) in LIMITS.items():
        frame = duals.get(family)
        if frame is None or frame.empty:
            continue
        index = [c for c in frame.columns if c not in DUAL_VALUE_COLUMNS and c != "year"]
        if family != "oxide_balance":  # only the rows that are valued or bind are spelled out
            valued = frame["value_usd_per_t"].abs().to_numpy(dtype=float) > ZERO_USD
            frame = frame[valued | frame["binding"].to_numpy(dtype=bool)]
        if frame.empty:
            continue
        values = frame["value_usd_per_t"].to_numpy(dtype=np.float64)
        years = frame["year"].to_numpy(dtype=np.int64)
        who = (
            pc.binary_join_element_wise(*(text_array(frame[c]) for c in index), " ")
            if index
            else repeated_text("", len(frame))
        )
        n = len(frame)
        blocks.append(
            pd.DataFrame(
                {
                    "limit": text_column(repeated_text(limit, n)),
                    "family": text_column(repeated_text(family, n)),
                    "entity": text_column(who),
                    "year": years,
                    "unit": text_column(repeated_text(unit, n)),
                    "value_usd_per_t": values,
                    "value_pv_usd_per_t": frame["value_pv_usd_per_t"].to_numpy(np.float64),
                    "binding": frame["binding"].to_numpy(dtype=bool),
                    "sentence": text_column(_sentences(template, who, years, values)),
                },
                columns=COLUMNS,
            )
        )
    if not blocks:
        return pd.DataFrame([], columns=COLUMNS)
    return pd.concat(blocks, ignore_index=True)


def _sentences(template: str, who: pa.Array, years: np.ndarray, values: np.ndarray) -> pa.Array:
    """`template` filled in for every row at once: {who}, {year}, {amount} (the absolute
    value in whole USD with thousands separators), {worth} and {costs} (the words for the
    value's sign); a double space (no entity) is closed up."""
    amounts, at = np.unique(np.abs(values), return_inverse=True)
    fields: dict[str, pa.Array] = {
        "who": who,
        "year": pa.array(years.astype(str), pa.string()),
        "amount": pa.array([f"{a:,.0f}" for a in amounts.tolist()], pa.string()).take(
            pa.array(at.ravel())
        ),
        "worth": pa.array(np.where(values >= 0, "worth", "a cost of"), pa.string()),
        "costs": pa.array(np.where(values <= 0, "costs", "gains"), pa.string()),
    }
    pieces: list[pa.Array | pa.Scalar] = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        if literal:
            pieces.append(pa.scalar(literal, pa.string()))
        if name:
            pieces.append(fields[name])
    return pc.replace_substring(pc.binary_join_element_wise(*pieces, ""), "  ", " ")


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
