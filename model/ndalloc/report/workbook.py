"""results.xlsx: a run's tables as one Excel workbook (openpyxl).

A `summary` sheet (scenario, status, objective, input hash, versions, options), then one sheet
per result table in the order of the manifest (allocation, marginal_values, ranging, var_*,
dual_*). Column names carry their units (`value_t`, `value_usd_per_t`); the header row is
frozen and bold, columns are as wide as their content (within limits). Sheet names longer
than Excel's 31 characters are shortened deterministically (`sheet_name`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

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


def summary_rows(manifest: dict[str, Any], run_id: str) -> list[tuple[str, Any, str]]:
    """(item, value, unit or meaning) rows of the summary sheet."""
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
    return rows


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value)


def result_stems(run: Folder) -> list[str]:
    """The run's result tables (file stems), in the manifest's order."""
    names = run.manifest.get("tables") or []
    return [n[: -len(".csv")] for n in names if str(n).endswith(".csv")]


def write_workbook(run: Folder, path: Path) -> Path:
    """Write the run's workbook to `path` (atomically: a temporary file renamed into place)."""
    from openpyxl import Workbook

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    book = Workbook(write_only=True)
    try:
        summary = pd.DataFrame(
            summary_rows(run.manifest, run.run_id), columns=["item", "value", "unit or meaning"]
        )
        _sheet(book, "summary", summary)
        used: set[str] = {"summary"}
        for stem in result_stems(run):
            name = sheet_name(stem)
            if name in used:  # cannot happen for the tables ndalloc writes; stay safe anyway
                name = sheet_name(f"{stem}~{len(used)}")
            used.add(name)
            _sheet(book, name, run.table(stem))
        book.properties.creator = "ndalloc"
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        _abandon(book)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _abandon(book: Any) -> None:
    """Quietly close what an interrupted save (Ctrl-C) left open: openpyxl's write-only
    sheets stream through generators into temporary files, and Python would print a traceback
    for each generator it finds unfinished when it collects it."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
            if stream is not None:
                with contextlib.suppress(BaseException):
                    stream.close()
        if writer is not None:
            with contextlib.suppress(BaseException):
                writer.cleanup()


def _sheet(book: Any, name: str, frame: pd.DataFrame) -> None:
    """One sheet: a bold, frozen header; widths from the content; thousands separators."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    sheet.freeze_panes = "A2"
    columns = [str(c) for c in frame.columns]
    rows = [[_value(v) for v in record] for record in frame.itertuples(index=False)]
    for index, column in enumerate(columns):
        shown = [_shown(row[index]) for row in rows[:500]]
        width = max([len(column), *(len(s) for s in shown)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}{len(rows) + 1}"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, float):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)


def _value(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
