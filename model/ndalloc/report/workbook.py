"""results.xlsx: a run's tables as one Excel workbook (XlsxWriter).

A `summary` sheet (scenario, status, objective, input hash, versions, options), then one sheet
per result table in the order of the manifest (allocation, marginal_values, ranging, var_*,
dual_*). The workbook holds at most `caps.MAX_WORKBOOK_CELLS` cells, so a large run's workbook
stays quick to write and to open: tables are copied whole while they fit, the allocation and
marginal values first, then the smallest (`chosen_tables`); the summary sheet lists each table
left out with its rows and its CSV file, which has all of it. Every bundled scenario's tables fit.

Column names carry their units (`value_t`, `value_usd_per_t`); the header row is frozen and
bold, with a filter; columns are as wide as their content (within limits) and numbers with
decimals show thousands separators; empty (NaN) values are empty cells and infinities
(unbounded ranging limits) the text "inf" or "-inf", as in the CSV files. Sheet names longer
than Excel's 31 characters are shortened deterministically (`sheet_name`).

The workbook is written with XlsxWriter (fast: whole columns with one format, no object per
cell); openpyxl, which reads and writes scenario workbooks, reads it back in the tests. Its
properties carry the run's finish time, not the time of writing, so `ndalloc report RUN`
rebuilds the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ndalloc.report.caps import MAX_WORKBOOK_CELLS
from ndalloc.report.folders import Folder

#: Excel's limit on the length of a sheet name.
MAX_SHEET = 31
#: Characters Excel does not allow in a sheet name.
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Column width limits (characters).
MIN_WIDTH, MAX_WIDTH = 8, 80


def sheet_name(stem: str) -> str:
    """`stem` if it fits in 31 characters, else its first 26 characters, "~" and 4 hex digits
    of its SHA-1: the same table always gets the same sheet name, and two names cut to the
    same prefix still differ."""
    clean = _FORBIDDEN.sub("_", stem)
    if len(clean) <= MAX_SHEET:
        return clean
    digest = hashlib.sha1(stem.encode()).hexdigest()[:4]
    return f"{clean[: MAX_SHEET - 5]}~{digest}"


def summary_rows(
    manifest: dict[str, Any],
    run_id: str,
    left_out: Sequence[tuple[str, int]] = (),
    max_cells: int = MAX_WORKBOOK_CELLS,
) -> list[tuple[str, Any, str]]:
    """(item, value, unit or meaning) rows of the summary sheet; `left_out`: the tables not
    copied into the workbook (file stem, rows)."""
    objective = manifest.get("objective_usd")
    rows: list[tuple[str, Any, str]] = [
        ("run id", run_id, ""),
        ("scenario", manifest.get("scenario", ""), ""),
        ("scenario origin", manifest.get("scenario_origin", ""), ""),
        ("status", manifest.get("status", ""), str(manifest.get("message", ""))),
        (
            "objective (USD)",
            objective,
            str(manifest.get("objective_meaning", "discounted net national benefit")),
        ),
        (
            "objective (million USD)",
            None if objective is None else objective / 1e6,
            "the same, in million USD",
        ),
        ("best bound (USD)", manifest.get("objective_bound_usd"), "HiGHS's bound on the objective"),
        ("input hash (SHA-256)", manifest.get("input_hash_sha256", ""), "of the resolved inputs"),
        ("started at (UTC)", manifest.get("started_at", ""), ""),
        ("finished at (UTC)", manifest.get("finished_at", ""), ""),
        ("git commit", manifest.get("git_commit") or "", "of the ndalloc source"),
    ]
    solver = manifest.get("solver") or {}
    rows.append(("solver", f"{solver.get('name', '')} {solver.get('version', '')}".strip(), ""))
    for name, version in (manifest.get("versions") or {}).items():
        rows.append((f"version: {name}", version, ""))
    for name, value in (manifest.get("options") or {}).items():
        rows.append((f"option: {name}", _cell(value), ""))
    for name, value in (manifest.get("timings_s") or {}).items():
        rows.append((f"time: {name}", value, "s"))
    for name, value in (manifest.get("counts") or {}).items():
        rows.append((f"model size: {name}", value, ""))
    for line in manifest.get("warnings") or []:
        rows.append(("warning", line, ""))
    for line in manifest.get("conflict") or []:
        rows.append(("conflicting limit", line, ""))
    for line in manifest.get("violations") or []:
        rows.append(("least change", line, ""))
    if left_out:
        rows.append(
            (
                "tables left out",
                len(left_out),
                f"the workbook holds at most {max_cells:,} cells: allocation and marginal"
                " values first, then the smallest tables; those left out are in their CSV"
                " files in the run folder",
            )
        )
    for stem, count in left_out:
        rows.append((f"left out: {stem}", count, f"rows, all in {stem}.csv"))
    return rows


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value)


def result_stems(run: Folder) -> list[str]:
    """The run's result tables (file stems), in the manifest's order."""
    names = run.manifest.get("tables") or []
    return [n[: -len(".csv")] for n in names if str(n).endswith(".csv")]


#: Tables a planner reads first: copied before any other whenever they fit.
FIRST_TABLES = ("allocation", "marginal_values")


def chosen_tables(
    sizes: dict[str, tuple[int, int]], max_cells: int = MAX_WORKBOOK_CELLS
) -> tuple[list[str], list[str]]:
    """(copied, left out): tables (stem -> (rows, columns)) copied whole into the workbook
    while the cells (rows times columns) add up to at most `max_cells`: first those of
    `FIRST_TABLES` that fit, then the others, the smallest first (ties: in the given order);
    each list in the given order."""
    first = [stem for stem in FIRST_TABLES if stem in sizes]
    rest = sorted(
        (stem for stem in sizes if stem not in first),
        key=lambda stem: sizes[stem][0] * sizes[stem][1],
    )
    cells = 0
    copied: set[str] = set()
    for stem in [*first, *rest]:
        rows, columns = sizes[stem]
        if cells + rows * columns > max_cells:
            if stem in first:
                continue
            break  # the rest are at least as large
        cells += rows * columns
        copied.add(stem)
    return [s for s in sizes if s in copied], [s for s in sizes if s not in copied]


#: Excel's number format of values with decimals: thousands separators, two decimals.
NUMBER_FORMAT = "#,##0.00"
#: At most this many rows of a table are looked at to size its columns.
WIDTH_ROWS = 500


def write_workbook(run: Folder, path: Path, max_cells: int = MAX_WORKBOOK_CELLS) -> Path:
    """Write the run's workbook to `path` (atomically: a temporary file renamed into place;
    an error or Ctrl-C leaves nothing behind), with at most `max_cells` cells of its tables
    (`chosen_tables`)."""
    from xlsxwriter import Workbook

    path = Path(path)
    sizes = {stem: run.size(stem) for stem in result_stems(run)}
    copied, left_out = chosen_tables(sizes, max_cells)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        # in_memory: no temporary files of XlsxWriter's own; nothing is written before close()
        book = Workbook(
            str(tmp),
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        properties: dict[str, Any] = {"author": "ndalloc", "title": f"ndalloc run {run.run_id}"}
        finished = _timestamp(run.manifest.get("finished_at") or run.manifest.get("started_at"))
        if finished is not None:
            properties["created"] = finished
        book.set_properties(properties)
        formats = _Formats(
            header=book.add_format({"bold": True}),
            number=book.add_format({"num_format": NUMBER_FORMAT}),
        )
        rows = summary_rows(
            run.manifest, run.run_id, [(s, sizes[s][0]) for s in left_out], max_cells
        )
        summary = pd.DataFrame(rows, columns=["item", "value", "unit or meaning"])
        _sheet(book, "summary", summary, formats)
        used: set[str] = {"summary"}
        for stem in copied:
            name = sheet_name(stem)
            if name in used:  # cannot happen for the tables ndalloc writes; stay safe anyway
                name = sheet_name(f"{stem}~{len(used)}")
            used.add(name)
            _sheet(book, name, run.table(stem), formats)
        book.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _timestamp(text: Any) -> datetime | None:
    """An ISO time of the manifest as a UTC datetime (the workbook's creation time)."""
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Formats:
    header: Any
    number: Any


def _sheet(book: Any, name: str, frame: pd.DataFrame, formats: _Formats) -> None:
    """One sheet: a bold, frozen header with a filter; widths from the content; thousands
    separators on numbers with decimals."""
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    columns = [str(c) for c in frame.columns]
    sheet.write_row(0, 0, columns, formats.header)
    for index, (column, (_, series)) in enumerate(zip(columns, frame.items(), strict=True)):
        values = [_value(v) for v in series.tolist()]
        floats = pd.api.types.is_float_dtype(series.dtype)
        shown = [_shown(v) for v in _longest(values[:WIDTH_ROWS], floats)]
        width = min(MAX_WIDTH, max(MIN_WIDTH, max([len(column), *map(len, shown)]) + 2))
        if floats:
            # one format for the whole column, which its cells written without one take
            sheet.set_column(index, index, width, formats.number)
            for row, value in enumerate(values, start=1):
                if isinstance(value, float):
                    sheet.write_number(row, index, value)
                elif value is not None:
                    sheet.write_string(row, index, value)  # "inf", "-inf"
        else:
            sheet.set_column(index, index, width)
            for row, value in enumerate(values, start=1):
                _write(sheet, row, index, value, formats.number)
    if len(frame):
        sheet.autofilter(0, 0, len(frame), max(0, len(columns) - 1))


def _longest(values: list[Any], floats: bool) -> list[Any]:
    """The values among which is the one shown longest: in a column of floats, the smallest
    and the largest number (its text grows with its size and sign) and any text."""
    if not floats:
        return values
    numbers = [v for v in values if isinstance(v, float)]
    text = [v for v in values if isinstance(v, str)]
    return [*text, min(numbers), max(numbers)] if numbers else text


def _write(sheet: Any, row: int, col: int, value: Any, number: Any) -> None:
    if value is None:
        return  # an empty cell
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, float):
        sheet.write_number(row, col, value, number)
    elif isinstance(value, int):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _value(value: Any) -> Any:
    """A cell's value: None (an empty cell) for None and NaN, Python numbers for numpy's;
    infinities, which Excel cannot store as numbers, as the text "inf" or "-inf" (as in the
    CSV)."""
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
