"""Checks of a run folder read back from disk: a manifest's field types, a table's columns.

A run folder may have been edited by hand since it was written. What `ndalloc report` or
`ndalloc compare` read is checked here first, so that a tampered folder is refused with a
`RunFolderError` naming the file (exit 2), not an internal error deep in a chart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api import types

from ndalloc.run_lookup import RunFolderError

#: Manifest fields and what they must be when present: "number" (or null), "text" (or null),
#: "mapping", "list".
MANIFEST_FIELDS: dict[str, str] = {
    "run_id": "text",
    "scenario": "text",
    "started_at": "text",
    "finished_at": "text",
    "objective_usd": "number",
    "objective_bound_usd": "number",
    "counts": "mapping",
    "timings_s": "mapping",
    "options": "mapping",
    "solver": "mapping",
    "versions": "mapping",
    "tables": "list",
    "parquet_tables": "list",
    "reports": "list",
    "warnings": "list",
    "conflict": "list",
    "violations": "list",
}
_WORDS = {"number": "a number", "text": "text", "mapping": "an object {...}", "list": "a list"}


def _fits(value: Any, kind: str) -> bool:
    if kind == "number":
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    if kind == "text":
        return value is None or isinstance(value, str)
    if kind == "mapping":
        return isinstance(value, dict)
    return isinstance(value, list) and all(isinstance(v, str | int | float) for v in value)


def check_manifest(path: Path, data: dict[str, Any]) -> None:
    """RunFolderError naming `path` and the first field of the wrong type."""
    for key, kind in MANIFEST_FIELDS.items():
        if key in data and not _fits(data[key], kind):
            value = data[key]
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            raise RunFolderError(
                f"{path}: {key} must be {_WORDS[kind]}, not {type(value).__name__} {shown}"
            )
    tables = data.get("tables")
    if isinstance(tables, list) and not all(isinstance(t, str) for t in tables):
        raise RunFolderError(f"{path}: tables must be a list of file names")


#: Columns every table of a kind has (by the start of its name), as ndalloc writes them: the
#: least a report reads from it (tables made by hand for a report may have no more).
REQUIRED: dict[str, tuple[str, ...]] = {
    "var_": ("year", "value_t"),
    "dual_": ("year",),
    "allocation": ("year", "output_t"),
    "objective_terms": ("term", "entity", "year", "value_pv_usd"),
    "marginal_values": ("limit", "family", "year", "value_usd_per_t"),
    "ranging": ("table", "key", "column", "low", "high"),
    "ties": ("family", "entities", "sentence"),
}
_NUMBER_ENDINGS = ("_t", "_usd", "_usd_per_t")


def _numeric(column: str) -> bool:
    """Whether ndalloc writes only numbers (or empty cells) in this column."""
    return column == "year" or column.endswith(_NUMBER_ENDINGS)


def check_table(path: Path, stem: str, frame: pd.DataFrame, text: tuple[str, ...]) -> None:
    """RunFolderError naming `path` when the table lacks a column ndalloc writes or holds
    something other than a number in a numeric column (`text`: columns read as text)."""
    for prefix, columns in REQUIRED.items():
        if stem.startswith(prefix) and len(frame.columns):
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise RunFolderError(f"{path} lacks column(s) {', '.join(missing)}")
    for column in frame.columns:
        if column in text or not _numeric(str(column)):
            continue
        series = frame[column]
        if types.is_bool_dtype(series) or not types.is_numeric_dtype(series):
            numbers = pd.to_numeric(series, errors="coerce")
            bad = series[numbers.isna() & series.notna()]
            if not bad.empty:
                raise RunFolderError(
                    f"{path} cannot be read: column {column} holds {str(bad.iloc[0])!r},"
                    f" not a number (line {int(bad.index[0]) + 2})"
                )
        if column == "year":
            values = pd.to_numeric(series, errors="coerce").dropna()
            whole = values == values.round()
            if not whole.all():
                line = int(values.index[~whole.to_numpy()][0]) + 2
                raise RunFolderError(
                    f"{path} cannot be read: column year holds a fraction (line {line})"
                )
