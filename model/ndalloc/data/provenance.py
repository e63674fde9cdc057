"""Provenance and uncertainty of every input: main value, plausible range and source."""

from __future__ import annotations

from typing import Any

from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES


def provenance_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per input row: table, key, year, main parameter, value, low, high, source."""
    out = []
    for name, model in TABLES.items():
        key_columns = [k for k in model.KEY if k != "year"]
        for record in scenario.records(name):
            out.append(
                {
                    "table": name,
                    "key": "/".join(str(getattr(record, k)) for k in key_columns),
                    "year": getattr(record, "year", None),
                    "parameter": model.MAIN,
                    "value": getattr(record, model.MAIN),
                    "low": record.low,
                    "high": record.high,
                    "source": record.citation,
                }
            )
    return out
