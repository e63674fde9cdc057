"""Provenance and uncertainty of every input: main value, plausible range and source."""

from __future__ import annotations

from typing import Any

from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES


def provenance_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per input row: table, key, year, main parameter, value, low, high, source."""
    out = []
    for name, model in TABLES.items():
        table = scenario.table(name)
        keys = zip(*(table.values(k) for k in model.KEY if k != "year"), strict=True)
        years = table.values("year") if "year" in table.data else [None] * len(table)
        rows = zip(
            keys,
            years,
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
    return out
