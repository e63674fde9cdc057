"""Scenario workbooks: a whole scenario in one Excel file, for planners who work in Excel.

A workbook holds
- a sheet `scenario`: rows of key, value (the settings of scenario.toml; no `[[patch]]`),
- one sheet per table, named like the table (`sources`, `contracts`, ...): a header row of
  column names, then one row per record,
- a sheet `columns` documenting every column (ignored when reading).

`read_workbook` returns the same `ScenarioFiles` as `readers.read_folder`: each cell becomes the
text `writers.cell` would write for its value (float -> shortest repr, bool -> true/false,
empty -> ""), so the strict validation of `parse.py` applies unchanged, and problems are located
as `book.xlsx[sheet]:row: column: message`. Formulas are read through their cached values.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from ndalloc.data.docs import ColumnDoc, column_docs
from ndalloc.data.errors import Issue
from ndalloc.data.readers import RawTable, ScenarioFiles
from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES, ScenarioMeta, columns
from ndalloc.data.writers import cell, settings

__all__ = ["COLUMNS_SHEET", "SETTINGS_SHEET", "read_workbook", "write_workbook"]

#: Sheet holding the scenario settings as key, value rows.
SETTINGS_SHEET = "scenario"
#: Sheet documenting every column; written for the reader, ignored when loading.
COLUMNS_SHEET = "columns"
_SETTINGS_HEADER = ("key", "value")
_COLUMNS_HEADER = ("table", "column", "type", "default", "unit", "meaning", "source")
_NO_VALUE = "formula without a computed value; open and save the workbook in Excel"
#: Start of an OLE2 compound file: an encrypted (password-protected) workbook or an old .xls.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MIN_WIDTH, _MAX_WIDTH = 8, 60


# --- writing --------------------------------------------------------------------------------


def write_workbook(scenario: Scenario, path: Path) -> Path:
    """Write the resolved scenario as one workbook at `path` (replaced if it exists).

    The file is written beside `path` first and renamed into place, so a failed write never
    leaves half a workbook. Raises OSError when `path` cannot be written, ValueError when a
    text holds characters a workbook cannot store.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SETTINGS_SHEET
    _fill(sheet, _SETTINGS_HEADER, ([k, v] for k, v in settings(scenario).items()))
    for name, model in TABLES.items():
        header = columns(model)
        table = scenario.table(name)
        rows = zip(*(table.values(c) for c in header), strict=True)
        _fill(book.create_sheet(name), header, rows)
    _fill(book.create_sheet(COLUMNS_SHEET), _COLUMNS_HEADER, _column_rows(scenario))
    _save(book, path)
    return path


def _fill(sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Header (bold, frozen) and typed rows; columns as wide as their longest text."""
    widths = [len(h) for h in header]
    for col, name in enumerate(header, start=1):
        sheet.cell(row=1, column=col, value=name).font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            try:
                _put(sheet.cell(row=number, column=col), value)
            except IllegalCharacterError:
                raise ValueError(
                    f"sheet {sheet.title} row {number}: {header[col - 1]}: holds control"
                    " characters, which an Excel workbook cannot store"
                ) from None
            widths[col - 1] = max(widths[col - 1], len(cell(value)))
    for col, width in enumerate(widths, start=1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = "A2"


def _put(target: Any, value: Any) -> None:
    """One typed value: numbers as numbers, booleans as booleans, empty values as empty cells."""
    if value is None or value == "":
        return
    if isinstance(value, float):
        # openpyxl writes numbers with 16 significant digits, which does not give every float
        # back; its shortest repr does (Excel itself writes 17 digits where needed).
        target.value = repr(value)
        target.data_type = "n"
    elif isinstance(value, str):
        target.value = value
        target.data_type = "s"  # text, even when it starts with "=" (not a formula)
    else:
        target.value = value


def _column_rows(scenario: Scenario) -> list[list[str]]:
    """The `columns` sheet: every setting and every table column, documented."""
    origin = Path(scenario.origin) if scenario.origin else None
    details = ""
    if origin is not None and origin.is_dir() and (origin / "SOURCES.md").is_file():
        details = f" (details: SOURCES.md of {origin.name})"
    rows = []
    for doc in column_docs(ScenarioMeta):
        rows.append(_doc_row(SETTINGS_SHEET, ScenarioMeta, doc, doc.unit, "-"))
    for name, model in TABLES.items():
        docs = column_docs(model)
        main_unit = next((d.unit for d in docs if d.column == model.MAIN), "")
        for doc in docs:
            unit = doc.unit
            if unit == "unit of the main column" and main_unit:
                unit = f"{main_unit} (unit of {model.MAIN})"
            rows.append(_doc_row(name, model, doc, unit, "the row's citation column" + details))
    return rows


def _doc_row(
    table: str, model: type[BaseModel], doc: ColumnDoc, unit: str, source: str
) -> list[str]:
    kind = doc.type  # in words, as in docs/inputs.md ("number", "one of oxide, magnet")
    if doc.required:
        default = "required"
    elif doc.default is None or doc.default == "":
        default = "empty"
    else:
        default = cell(doc.default)
    return [table, doc.column, kind, default, unit, doc.meaning, source]


def _save(book: Any, path: Path) -> None:
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        book.save(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# --- reading --------------------------------------------------------------------------------


def read_workbook(path: Path, prefix: str, issues: list[Issue]) -> ScenarioFiles | None:
    """Read the settings and every table sheet of a workbook, as text cells.

    `prefix` is prepended to labels ("parent/") as for a folder. Returns None, with issues,
    when the file is not a readable workbook or its settings cannot be read.
    """
    label = prefix + path.name
    books = _open(path, label, issues)
    if books is None:
        return None
    values, formulas = books
    known = [SETTINGS_SHEET, *TABLES, COLUMNS_SHEET]
    settings_found: tuple[dict[str, Any], dict[str, int]] | None = None
    tables: dict[str, RawTable] = {}
    for name in values.sheetnames:
        sheet_label = f"{label}[{name}]"
        sheet = values[name]
        if name == COLUMNS_SHEET:
            continue
        if name not in known:
            hint = next((k for k in known if k == name.strip().lower()), None)
            also = f"; did you mean {hint!r}?" if hint else f"; expected sheets: {', '.join(known)}"
            issues.append(Issue(sheet_label, 0, "-", f"unknown sheet {name!r}{also}"))
            continue
        if not isinstance(sheet, Worksheet):
            issues.append(Issue(sheet_label, 0, "-", "not a worksheet (a chart?)"))
            continue
        if name == SETTINGS_SHEET:
            settings_found = _settings(sheet, formulas, sheet_label, issues)
            continue
        raw = _texts(sheet, formulas, sheet_label, issues)
        if raw is not None:
            tables[name] = raw
    if settings_found is None:
        if SETTINGS_SHEET not in values.sheetnames:
            issues.append(
                Issue(label, 0, "-", f"missing sheet {SETTINGS_SHEET!r} (rows of key, value)")
            )
        return None
    found, lines = settings_found
    return ScenarioFiles(
        origin=path,
        settings_label=f"{label}[{SETTINGS_SHEET}]",
        settings=found,
        setting_lines=lines,
        tables=tables,
    )


_Formulas = set[tuple[str, int, int]]


def _open(path: Path, label: str, issues: list[Issue]) -> tuple[Any, _Formulas] | None:
    """The workbook with cached values, and where its formulas are (sheet, row, column)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions, styles, ...
            book = openpyxl.load_workbook(path, data_only=False)
            if _too_large(book, label, issues):
                return None
            formulas = {
                (sheet.title, c.row, c.column)
                for sheet in book.worksheets
                for row in sheet.iter_rows()
                for c in row
                if c.data_type == "f"
            }
            if formulas:
                book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises anything from zipfile, XML and its own parsers
        issues.append(Issue(label, 0, "-", f"not a readable Excel workbook ({_why(path, exc)})"))
        return None
    return book, formulas


#: The most cells (used rows x used columns) a sheet may span. openpyxl keeps only the cells
#: in the file, but reading makes one per cell of the used range: a single value left in
#: XFD1048576 would make 17 billion (about 150 bytes each). 2 million cells is 200,000 rows of
#: 10 columns, twice the largest benchmark scenario's demand sheet.
MAX_SHEET_CELLS = 2_000_000


def _too_large(book: Any, label: str, issues: list[Issue]) -> bool:
    """Whether a sheet's used range is too large to read (with an issue naming the sheet)."""
    large = False
    for sheet in book.worksheets:
        rows, cols = sheet.max_row, sheet.max_column  # from the cells stored, not a scan
        if rows * cols > MAX_SHEET_CELLS:
            issues.append(
                Issue(
                    f"{label}[{sheet.title}]",
                    0,
                    "-",
                    f"the used range {sheet.dimensions} spans {rows:,} rows x {cols:,} columns,"
                    f" more than the {MAX_SHEET_CELLS:,} cells a sheet may have; delete the"
                    " cells beyond the table (Ctrl+End goes to the last used cell)",
                )
            )
            large = True
    return large


def _why(path: Path, exc: Exception) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_OLE_MAGIC))
    except OSError:
        head = b""
    if head == _OLE_MAGIC:
        return "password-protected, or an old .xls file; save it as an unprotected .xlsx"
    text = " ".join(str(exc).split()) or "no details"
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(exc).__name__}: {text}"


def _value(target: Any, sheet: str, formulas: _Formulas) -> tuple[Any, str | None]:
    """A cell's value, or a problem that keeps it from being read as a value."""
    value = target.value
    if value is None:
        if (sheet, target.row, target.column) in formulas:
            return None, _NO_VALUE
        return None, None
    if target.data_type == "e":
        return None, f"the cell shows the error {value}, not a value"
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        shown = (
            value.date() if isinstance(value, dt.datetime) and value.time() == dt.time() else value
        )
        return None, (
            f"a date or time ({shown}), not a number or text; Excel may have turned what was"
            " typed into a date: format the cell as Number or Text and type it again"
        )
    if isinstance(value, bool | int | float | str):
        return value, None
    return None, f"a value of type {type(value).__name__}, not a number or text"


def _texts(
    sheet: Worksheet, formulas: _Formulas, label: str, issues: list[Issue]
) -> RawTable | None:
    """A table sheet as a RawTable: header from row 1, one row per non-empty sheet row."""
    grid = list(sheet.iter_rows())
    if not grid:
        issues.append(Issue(label, 1, "-", "empty sheet: expected a header row"))
        return None
    header: list[str] = []
    for target in grid[0]:
        value, problem = _value(target, sheet.title, formulas)
        if problem is not None:
            issues.append(Issue(label, 1, f"column {target.column_letter}", problem))
        header.append(cell(value).strip())
    while header and not header[-1]:
        header.pop()
    if not header:
        issues.append(Issue(label, 1, "-", "empty sheet: expected a header row"))
        return None
    rows: list[tuple[int, list[str]]] = []
    for cells in grid[1:]:
        texts: list[str] = []
        ok = True
        for position, target in enumerate(cells):
            value, problem = _value(target, sheet.title, formulas)
            column = header[position] if position < len(header) else ""
            if problem is None and value is not None and not column:
                problem = "value in a column without a name in the header row"
            if problem is not None:
                issues.append(
                    Issue(label, target.row, column or f"column {target.column_letter}", problem)
                )
                ok = False
            texts.append(cell(value))
        if ok and any(texts):
            rows.append((cells[0].row, texts[: len(header)] + [""] * (len(header) - len(texts))))
    return RawTable(label=label, header=header, rows_given=rows)


def _settings(
    sheet: Worksheet, formulas: _Formulas, label: str, issues: list[Issue]
) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The key, value rows of the settings sheet, typed as in TOML, with their row numbers."""
    grid = [list(row) for row in sheet.iter_rows()]
    head = tuple(cell(c.value).strip().lower() for c in grid[0][:2]) if grid else ()
    if head != _SETTINGS_HEADER:
        issues.append(Issue(label, 1, "-", "expected the header row: key, value"))
        return None
    found: dict[str, Any] = {}
    lines: dict[str, int] = {}
    ok = True
    for row in grid[1:]:
        number = row[0].row
        values: list[Any] = []
        for target in row:
            value, problem = _value(target, sheet.title, formulas)
            if problem is not None:
                issues.append(Issue(label, number, _settings_column(row, target), problem))
                ok = False
            values.append(value)
        key, value = [*values, None, None][:2]
        extra = [v for v in values[2:] if v is not None]
        if key is None and value is None and not extra:
            continue
        if extra:
            issues.append(Issue(label, number, "-", "only two columns: key, value"))
            ok = False
        if not isinstance(key, str) or not key.strip():
            issues.append(Issue(label, number, "key", "a setting without a key"))
            ok = False
            continue
        key = key.strip()
        if key == "patch":
            issues.append(
                Issue(
                    label,
                    number,
                    "patch",
                    "[[patch]] is not supported in a workbook: change the cells of the table"
                    " sheets instead",
                )
            )
            ok = False
            continue
        if key in lines:
            issues.append(Issue(label, number, key, f"key given twice: first on row {lines[key]}"))
            ok = False
            continue
        lines[key] = number
        if value is not None:
            found[key] = value
    return (found, lines) if ok else None


def _settings_column(row: Sequence[Any], target: Any) -> str:
    """The setting a problem cell belongs to: its key, or the cell's column letter."""
    key = row[0].value
    if target.column == 2 and isinstance(key, str) and key.strip():
        return key.strip()
    return f"column {target.column_letter}"
