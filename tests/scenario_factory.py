"""Write small scenarios to disk for tests (tables given as lists of row dicts), and describe
the problems a report of bad input must hold."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ndalloc.data.errors import Issue
from ndalloc.data.schema import TABLES

META: dict[str, Any] = {
    "name": "tiny",
    "description": "a test scenario",
    "first_year": 2025,
    "last_year": 2025,
    "discount_rate": 0.0,
    "currency": "USD",
}


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def write_scenario(
    folder: Path,
    meta: Mapping[str, Any] | None = None,
    **tables: Sequence[Mapping[str, Any]],
) -> Path:
    """Write scenario.toml and one CSV per given table (table name = keyword) into `folder`.

    Columns are the union of the rows' keys in schema order; unknown keys are kept (after the
    schema's) so that tests can write bad input too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    merged = {**META, **(meta or {})}
    (folder / "scenario.toml").write_text(
        "".join(f"{k} = {toml_value(v)}\n" for k, v in merged.items()), encoding="utf-8"
    )
    for name, rows in tables.items():
        fields = list(TABLES[name].model_fields)
        keys: list[str] = []
        for row in rows:
            keys += [k for k in row if k not in keys]
        columns = [f for f in fields if f in keys] + [k for k in keys if k not in fields]
        with (folder / TABLES[name].FILE).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


#: The worked example of docs/formulation.md: one source (10 t at 100 USD/t), one contract
#: (4 to 6 t at 300 USD/t, breach 50 USD/t) and one sector without demand, in 2025.
WORKED_SOURCE: dict[str, Any] = {
    "source": "a",
    "year": 2025,
    "capacity_t": 10,
    "cost_usd_per_t": 100,
}
WORKED_CONTRACT: dict[str, Any] = {
    "contract": "k",
    "partner": "p",
    "year": 2025,
    "min_t": 4,
    "max_t": 6,
    "price_usd_per_t": 300,
    "breach_penalty_usd_per_t": 50,
}
WORKED_DEMAND: dict[str, Any] = {
    "sector": "d",
    "year": 2025,
    "demand_t": 0,
    "shortage_penalty_usd_per_t": 1000,
}
#: Its optimum: export the contract's maximum, 6 t x (300 - 100) USD/t.
WORKED_OBJECTIVE = 1200.0


def worked_example(
    folder: Path,
    meta: Mapping[str, Any] | None = None,
    *,
    source: Mapping[str, Any] | None = None,
    contract: Mapping[str, Any] | None = None,
    demand: Mapping[str, Any] | None = None,
    **tables: Sequence[Mapping[str, Any]],
) -> Path:
    """Write the worked example, its rows updated by `source`, `contract` and `demand` (e.g.
    `contract={"price_usd_per_t": 80}`); tables given by name replace or add whole tables."""
    rows = {
        "sources": [{**WORKED_SOURCE, **(source or {})}],
        "contracts": [{**WORKED_CONTRACT, **(contract or {})}],
        "demand": [{**WORKED_DEMAND, **(demand or {})}],
    }
    return write_scenario(folder, meta, **{**rows, **tables})


@dataclass(frozen=True)
class Expect:
    """One problem a report of bad input must contain: where it is (file, line, column) and a
    fragment of its message."""

    file: str
    line: int
    column: str
    fragment: str

    def matches(self, issue: Issue) -> bool:
        where = (issue.file, issue.line, issue.column)
        return where == (self.file, self.line, self.column) and self.fragment in issue.message


def reserve_conflict(folder: Path) -> Path:
    """An infeasible scenario: Japan wants 1,000 t a year, IREL makes 900 t, and a 1,000 t
    reserve is due by the end of 2026 in a stockpile that starts empty.

    The Japan minimum is soft (a breach is priced), so the conflict is the reserve against
    two years' capacity: 900 t in 2026 cannot fill a 1,000 t stockpile that starts empty.
    """
    years = (2025, 2026)
    return write_scenario(
        folder,
        {"name": "conflict", "last_year": 2026},
        sources=[
            {"source": "irel", "year": y, "capacity_t": 900, "cost_usd_per_t": 1} for y in years
        ],
        contracts=[
            {
                "contract": "japan",
                "partner": "jp",
                "year": y,
                "min_t": 1000,
                "max_t": 1000,
                "price_usd_per_t": 1,
            }
            for y in years
        ],
        stockpiles=[
            {
                "stockpile": "national",
                "year": 2026,
                "min_t": 1000,
                "max_t": 1400,
                "max_inject_t": 1500,
                "max_release_t": 0,
            }
        ],
        demand=[{"sector": "d", "year": 2025, "demand_t": 0, "shortage_penalty_usd_per_t": 9}],
    )
