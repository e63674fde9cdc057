"""Provenance and uncertainty of every input: main value, plausible range and source; then
the ranges of ranges.csv, one row each."""

from __future__ import annotations

from typing import Any

from ndalloc.data.ranges import explicit_ranges
from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES


def provenance_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per input row: table, key, year, main parameter, value, low, high, source;
    then one per range of ranges.csv (key and year as its selector gives them, empty for all;
    the value of its cells, or their least and largest as "a..b" when they differ)."""
    out = []
    for name, model in TABLES.items():
        if not model.MAIN:
            continue
        table = scenario.table(name)
        keys = zip(*(table.values(k) for k in model.KEY if k != "year"), strict=True)
        row_years = table.values("year") if "year" in table.data else [None] * len(table)
        rows = zip(
            keys,
            row_years,
            table.values(model.MAIN),
            table.values("low"),
            table.values("high"),
            table.values("citation"),
            strict=True,
        )
        for key, year, value, low, high, citation in rows:
            out.append(
                {
                    "table": name,
                    "key": "/".join(str(k) for k in key),
                    "year": year,
                    "parameter": model.MAIN,
                    "value": value,
                    "low": low,
                    "high": high,
                    "source": citation,
                }
            )
    for found in explicit_ranges(scenario.tables):
        selector = found.selector
        column = scenario.table(selector.table).column(selector.column)
        cells = sorted({float(column[i]) for i in found.rows})
        shown: Any = cells[0] if len(cells) == 1 else None
        if len(cells) > 1:
            shown = f"{cells[0]:g}..{cells[-1]:g}"
        years = selector.years
        out.append(
            {
                "table": selector.table,
                "key": "/".join(selector.key) if selector.key else "",
                "year": None if years is None else "-".join(dict.fromkeys(map(str, years))),
                "parameter": selector.column,
                "value": shown,
                "low": found.low,
                "high": found.high,
                "source": found.citation,
            }
        )
    return out
