"""Read a scenario folder into validated records, collecting every problem before failing.

A scenario is a folder with `scenario.toml` and one CSV per table (see `schema.TABLES`). The
loader never raises on the first problem: it reads every file, checks every row and every
cross-table rule, and raises one `ScenarioError` listing them all as `file:line: column: msg`.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ndalloc.data.bundled import bundled_names, bundled_path
from ndalloc.data.errors import Issue, ScenarioError
from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.schema import TABLES, Record, ScenarioMeta
from ndalloc.data.validate import cross_table_issues

SCENARIO_FILE = "scenario.toml"


def resolve_scenario_path(scenario: str | Path) -> Path:
    """A scenario folder given as a path, or the folder of the bundled scenario of that name."""
    path = Path(scenario)
    if path.is_dir():
        return path
    if isinstance(scenario, str) and "/" not in scenario and scenario in bundled_names():
        return bundled_path(scenario)
    names = ", ".join(bundled_names()) or "none"
    raise ScenarioError(
        [
            Issue(
                str(scenario),
                0,
                "-",
                f"no such scenario folder or bundled scenario (bundled: {names})",
            )
        ]
    )


def load_scenario(scenario: str | Path) -> Scenario:
    """Load and validate a scenario folder or bundled scenario name.

    Raises `ScenarioError` with every problem found, never a bare traceback for bad input.
    """
    folder = resolve_scenario_path(scenario)
    issues: list[Issue] = []
    meta = _read_meta(folder / SCENARIO_FILE, issues)
    tables: dict[str, Table] = {}
    for name, model in TABLES.items():
        tables[name] = read_table(folder / model.FILE, model, issues)
    if meta is not None:
        issues.extend(cross_table_issues(meta, tables))
    if issues or meta is None:
        raise ScenarioError(sorted(set(issues), key=_issue_order), scenario=str(folder))
    return Scenario(meta=meta, tables=tables, origin=str(folder))


def _issue_order(issue: Issue) -> tuple[str, int, str, str]:
    return (issue.file, issue.line, issue.column, issue.message)


# --- scenario.toml -------------------------------------------------------------------------


def _read_meta(path: Path, issues: list[Issue]) -> ScenarioMeta | None:
    name = path.name
    text = _read_text(path, issues, required=True)
    if text is None:
        return None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        issues.append(
            Issue(name, int(match.group(1)) if match else 0, "-", f"not valid TOML: {err}")
        )
        return None
    try:
        return ScenarioMeta.model_validate(raw)
    except ValidationError as err:
        for e in err.errors():
            column = str(e["loc"][0]) if e["loc"] else str((e.get("ctx") or {}).get("column", "-"))
            issues.append(Issue(name, _toml_line(text, column), column, _message(e)))
        return None


def _toml_line(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 0


# --- CSV tables ----------------------------------------------------------------------------


def _read_text(path: Path, issues: list[Issue], *, required: bool) -> str | None:
    """The file's text (UTF-8, byte-order mark allowed), or None with an issue recorded."""
    if not path.is_file():
        if required:
            issues.append(Issue(path.name, 0, "-", "missing file"))
        return None
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        byte = raw[err.start : err.start + 1].hex()
        issues.append(
            Issue(path.name, line, "-", f"not UTF-8 (byte 0x{byte}); save the file as UTF-8")
        )
        return None


def read_table(path: Path, model: type[Record], issues: list[Issue]) -> Table:
    """Read one CSV table into records; problems are appended to `issues`."""
    file = path.name
    text = _read_text(path, issues, required=model.REQUIRED)
    if text is None:
        return Table.empty()
    fields = model.model_fields
    required = [n for n, f in fields.items() if f.is_required()]
    if not text.strip():
        issues.append(
            Issue(file, 1, "-", f"empty file: expected a header line with {', '.join(required)}")
        )
        return Table.empty()

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for row in reader:
            rows.append((end + 1, row))  # the line the row starts on; a quoted cell may span lines
            end = reader.line_num
    except csv.Error as err:
        issues.append(Issue(file, reader.line_num, "-", f"not a readable CSV file: {err}"))
        return Table.empty()
    return _records(file, rows, model, required, issues)


def _records(
    file: str,
    rows: list[tuple[int, list[str]]],
    model: type[Record],
    required: list[str],
    issues: list[Issue],
) -> Table:
    """Validate the rows (header first), each with the line it starts on."""
    fields = model.model_fields
    header = [h.strip() for h in rows[0][1]]
    header_ok = _check_header(file, header, fields, required, issues)
    records: list[Record] = []
    lines: list[int] = []
    first_seen: dict[tuple[object, ...], int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if not header_ok:
            continue
        record = _parse_row(file, line, header, row, model, issues)
        if record is None:
            continue
        key = record.key()
        if key in first_seen:
            issues.append(
                Issue(
                    file,
                    line,
                    ", ".join(model.KEY),
                    f"duplicate key {_fmt_key(key)}: first given on line {first_seen[key]}",
                )
            )
            continue
        first_seen[key] = line
        records.append(record)
        lines.append(line)
    if model.REQUIRED and header_ok and not records and not _has_issue_for(file, issues):
        issues.append(Issue(file, 1, "-", "no rows: a scenario needs at least one row here"))
    return Table(records=tuple(records), lines=tuple(lines))


def _has_issue_for(file: str, issues: list[Issue]) -> bool:
    return any(i.file == file for i in issues)


def _check_header(
    file: str, header: list[str], fields: dict[str, Any], required: list[str], issues: list[Issue]
) -> bool:
    ok = True
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if not column:
            issues.append(Issue(file, 1, f"column {position}", "column without a name"))
            ok = False
            continue
        if column in seen:
            issues.append(Issue(file, 1, column, "column given twice"))
            ok = False
        seen.add(column)
        if column not in fields:
            issues.append(
                Issue(file, 1, column, f"unknown column; expected columns: {', '.join(fields)}")
            )
    for column in required:
        if column not in seen:
            issues.append(Issue(file, 1, column, "missing column"))
            ok = False
    return ok


def _parse_row(
    file: str,
    line: int,
    header: list[str],
    row: list[str],
    model: type[Record],
    issues: list[Issue],
) -> Record | None:
    if len(row) != len(header):
        issues.append(Issue(file, line, "-", f"{len(row)} fields but the header has {len(header)}"))
        return None
    fields = model.model_fields
    values: dict[str, str] = {}
    ok = True
    for column, cell in zip(header, row, strict=True):
        if column not in fields:
            continue
        value = cell.strip()
        if value:
            values[column] = value
        elif fields[column].is_required():
            issues.append(Issue(file, line, column, "missing value"))
            ok = False
    if not ok:
        return None
    try:
        return model.model_validate_strings(values)
    except ValidationError as err:
        for e in err.errors():
            column = str(e["loc"][0]) if e["loc"] else str((e.get("ctx") or {}).get("column", "-"))
            issues.append(Issue(file, line, column, _message(e, values.get(column))))
        return None


def _message(error: Any, raw: str | None = None) -> str:
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


def _fmt_key(key: tuple[object, ...]) -> str:
    return "(" + ", ".join(str(k) for k in key) + ")"
