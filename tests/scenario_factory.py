"""Write small scenarios to disk for tests: tables given as lists of row dicts."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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
