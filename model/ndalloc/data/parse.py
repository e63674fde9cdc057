"""Validate raw tables row by row with their pydantic records, collecting every problem with
its location; the valid rows are kept column by column (`scenario.Table`)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ndalloc.data.errors import Issue
from ndalloc.data.readers import RawTable
from ndalloc.data.scenario import Table
from ndalloc.data.schema import Record


def parse_table(raw: RawTable, model: type[Record], issues: list[Issue]) -> Table:
    """Records of one raw table; every problem is appended to `issues`."""
    fields = model.model_fields
    required = [n for n, f in fields.items() if f.is_required()]
    needed = set(required)
    header_ok = _check_header(raw.label, raw.header, fields, required, issues)
    data: dict[str, list[Any]] = {name: [] for name in fields}
    lines: list[int] = []
    first_seen: dict[tuple[object, ...], int] = {}
    for line, row in raw.rows:
        if not any(cell.strip() for cell in row) or not header_ok:
            continue
        record = _parse_row(raw.label, line, raw.header, row, model, needed, issues)
        if record is None:
            continue
        key = record.key()
        if key in first_seen:
            issues.append(
                Issue(
                    raw.label,
                    line,
                    ", ".join(model.KEY),
                    f"duplicate key {format_key(key)}: first given on line {first_seen[key]}",
                )
            )
            continue
        first_seen[key] = line
        values = record.__dict__  # every field: validated values and defaults
        for name, column in data.items():
            column.append(values[name])
        lines.append(line)
    return Table.from_columns(model, data, [raw.label] * len(lines), lines)


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
