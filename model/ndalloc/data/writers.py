"""Write a resolved scenario back out as a standalone folder (no inheritance, no patches).

Cells are written so that reading them back gives the same records exactly: floats as their
shortest round-tripping repr, booleans as true/false, empty optional values as empty cells.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ndalloc.data.readers import SCENARIO_FILE
from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES, columns


def cell(value: Any) -> str:
    """One value as CSV text that parses back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return repr(value)


def settings(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario.toml settings, without `inherits` (the tables are resolved)."""
    meta = scenario.meta.model_dump(exclude={"inherits"})
    return {k: v for k, v in meta.items() if v is not None}


def table_rows(scenario: Scenario, name: str) -> tuple[list[str], list[list[str]]]:
    """A table's header and rows as text cells, in file column order."""
    header = columns(TABLES[name])
    table = scenario.table(name)
    cells = [[cell(v) for v in table.values(c)] for c in header]
    return header, [list(row) for row in zip(*cells, strict=True)]


def write_folder(scenario: Scenario, folder: Path) -> Path:
    """Write scenario.toml and every non-empty table; `folder` must not hold a scenario yet."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / SCENARIO_FILE).exists():
        raise FileExistsError(f"{folder / SCENARIO_FILE} exists; choose an empty folder")
    text = "".join(f"{k} = {toml_value(v)}\n" for k, v in settings(scenario).items())
    (folder / SCENARIO_FILE).write_text(text, encoding="utf-8")
    for name, model in TABLES.items():
        if not len(scenario.table(name)):
            continue
        header, rows = table_rows(scenario, name)
        with (folder / model.FILE).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return folder
