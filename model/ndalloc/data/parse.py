"""Validate raw tables with their pydantic records, collecting every problem with its
location; the valid rows are kept column by column (`scenario.Table`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import ValidationError

from ndalloc.data.columns import Columns, blank_rows, check_columns, field_rules
from ndalloc.data.errors import Issue
from ndalloc.data.readers import RawTable
from ndalloc.data.scenario import Table
from ndalloc.data.schema import Record


def parse_table(raw: RawTable, model: type[Record], issues: list[Issue]) -> Table:
    """Records of one raw table; every problem is appended to `issues`, in line order.

    Whole columns are checked at once (`ndalloc.data.columns`); the rows that fail a check, or
    that it cannot judge, are validated one by one by the table's pydantic record, which words
    the messages (so they are the same as when every row went through pydantic).
    """
    fields = model.model_fields
    required = [n for n, f in fields.items() if f.is_required()]
    if not _check_header(raw.label, raw.header, fields, required, issues):
        return Table.empty(model)
    rules = field_rules(model)
    columns, lines, irregular = _regular(raw)
    if rules is not None:
        checked = check_columns(model, rules, raw.header, columns)
    else:  # a rule the column checks do not know: every row goes through pydantic
        blank = blank_rows(columns, len(lines))
        undecided = {name: np.empty(len(lines), dtype=object) for name in fields}
        checked = Columns(undecided, blank, ~blank)
    values = checked.values
    keep = ~checked.suspect & ~checked.blank
    found: list[tuple[int, Issue]] = []
    needed = set(required)
    suspect = np.flatnonzero(checked.suspect).tolist()
    for line, row, at in [
        *irregular,
        *((int(lines[i]), [c[i].as_py() for c in columns], i) for i in suspect),
    ]:
        if not any(cell.strip() for cell in row):
            continue
        mine: list[Issue] = []
        record = _parse_row(raw.label, line, raw.header, row, model, needed, mine)
        found += [(line, issue) for issue in mine]
        if record is not None and at is not None:
            keep[at] = True
            for name, value in record.__dict__.items():  # validated values and defaults
                column = values[name]
                column[at] = math.nan if value is None and column.dtype.kind == "f" else value
    found += _duplicates(raw.label, model, values, lines, keep)
    issues += [issue for _, issue in sorted(found, key=lambda item: item[0])]
    rows = np.flatnonzero(keep)
    return Table.from_arrays(
        model, {name: column[rows] for name, column in values.items()}, raw.label, lines[rows]
    )


def _regular(
    raw: RawTable,
) -> tuple[list[pa.Array], np.ndarray, list[tuple[int, list[str], int | None]]]:
    """The rows as wide as the header, as one string array per column, with their lines; and
    the others, each with its line and cells (and no position among the regular rows)."""
    if raw.columns is not None and raw.lines is not None:
        return raw.columns, raw.lines, []
    width = len(raw.header)
    given = raw.rows_given or []
    regular = [(line, row) for line, row in given if len(row) == width]
    irregular: list[tuple[int, list[str], int | None]] = [
        (line, row, None) for line, row in given if len(row) != width
    ]
    cells = list(zip(*(row for _, row in regular), strict=True)) or [() for _ in raw.header]
    columns = [pa.array(c, type=pa.string()) for c in cells]
    lines = np.fromiter((line for line, _ in regular), dtype=np.int64, count=len(regular))
    return columns, lines, irregular


def _duplicates(
    label: str,
    model: type[Record],
    values: dict[str, np.ndarray],
    lines: np.ndarray,
    keep: np.ndarray,
) -> list[tuple[int, Issue]]:
    """The kept rows whose key an earlier kept row has: dropped from `keep`, each with an
    issue naming the line of the first."""
    rows = np.flatnonzero(keep)
    if not len(rows):
        return []
    keys = pd.DataFrame({k: values[k][rows] for k in model.KEY})
    again = keys.duplicated(keep="first").to_numpy()
    if not again.any():
        return []
    group = keys.groupby(list(model.KEY), sort=False, dropna=False).ngroup().to_numpy()
    first_line = pd.Series(lines[rows]).groupby(group).transform("first").to_numpy()
    out = []
    for j in np.flatnonzero(again).tolist():
        line = int(lines[rows[j]])
        key = tuple(values[k][rows[j]] for k in model.KEY)
        message = f"duplicate key {format_key(key)}: first given on line {first_line[j]}"
        out.append((line, Issue(label, line, ", ".join(model.KEY), message)))
        keep[rows[j]] = False
    return out


def _check_header(
    label: str, header: list[str], fields: dict[str, Any], required: list[str], issues: list[Issue]
) -> bool:
    ok = True
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if not column:
            issues.append(Issue(label, 1, f"column {position}", "column without a name"))
            ok = False
            continue
        if column in seen:
            issues.append(Issue(label, 1, column, "column given twice"))
            ok = False
        seen.add(column)
        if column not in fields:
            issues.append(
                Issue(label, 1, column, f"unknown column; expected columns: {', '.join(fields)}")
            )
    for column in required:
        if column not in seen:
            issues.append(Issue(label, 1, column, "missing column"))
            ok = False
    return ok


def _parse_row(
    label: str,
    line: int,
    header: list[str],
    row: list[str],
    model: type[Record],
    required: set[str],
    issues: list[Issue],
) -> Record | None:
    if len(row) != len(header):
        issues.append(
            Issue(label, line, "-", f"{len(row)} fields but the header has {len(header)}")
        )
        return None
    fields = model.__pydantic_fields__
    values: dict[str, str] = {}
    ok = True
    for column, cell in zip(header, row, strict=True):
        if column not in fields:
            continue
        value = cell.strip()
        if value:
            values[column] = value
        elif column in required:
            issues.append(Issue(label, line, column, "missing value"))
            ok = False
    if not ok:
        return None
    try:
        return model.model_validate_strings(values)
    except ValidationError as err:
        for e in err.errors():
            column = error_column(e)
            issues.append(Issue(label, line, column, error_message(e, values.get(column))))
        return None


def error_column(error: Any) -> str:
    """The column a pydantic error is about (model-level errors carry it in their context)."""
    if error["loc"]:
        return str(error["loc"][0])
    return str((error.get("ctx") or {}).get("column", "-"))


def error_message(error: Any, raw: str | None = None) -> str:
    """A pydantic error in a planner's words."""
    msg = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "missing value"
    if raw is not None:
        msg = f"{msg}, got {raw!r}"
        if error["type"] in {"float_parsing", "int_parsing"} and "," in raw:
            msg += " (write plain numbers, without thousands separators)"
    return msg


def format_key(key: tuple[object, ...]) -> str:
    return "(" + ", ".join(str(k) for k in key) + ")"
