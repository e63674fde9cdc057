"""Read what a scenario folder holds, before any validation: TOML settings and raw tables.

Readers only turn bytes into strings and remember where each string came from; `parse.py`
validates them. A workbook reader (`excel.py`) produces the same `ScenarioFiles`.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ndalloc.data.errors import Issue
from ndalloc.data.schema import TABLES

SCENARIO_FILE = "scenario.toml"
#: A header-only routes.csv would route oxide nowhere (every destination gets nothing): an
#: error. (A workbook's routes sheet always exists; a sheet without rows means no routes.)
ROUTES_EMPTY = "routes.csv has no rows: remove it or list the routes"


@dataclass(frozen=True)
class RawTable:
    """A table as text cells, each row with the line (or sheet row) it starts on.

    Either row by row (`rows`), or, for a CSV file in the plain form most files have (no
    quotes, every line as wide as the header), column by column: `columns` holds one string
    array per header column and `lines` the line of each row, and `rows` is empty.
    """

    label: str
    header: list[str]
    rows_given: list[tuple[int, list[str]]] | None = None
    columns: list[pa.Array] | None = None
    lines: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows_given or ()) if self.lines is None else len(self.lines)

    @cached_property
    def rows(self) -> list[tuple[int, list[str]]]:
        """Every row with its line, as text cells (made from the columns when read by them)."""
        if self.rows_given is not None or self.columns is None or self.lines is None:
            return self.rows_given or []
        cells = zip(*(c.to_pylist() for c in self.columns), strict=True)
        return [(int(line), list(row)) for line, row in zip(self.lines, cells, strict=True)]


@dataclass(frozen=True)
class ScenarioFiles:
    """What one scenario folder or workbook holds, before inheritance and validation."""

    origin: Path
    settings_label: str
    settings: dict[str, Any]
    #: Line (or sheet row) of each top-level setting, and of each [[patch]] in order.
    setting_lines: dict[str, int] = field(default_factory=dict)
    patch_lines: list[int] = field(default_factory=list)
    tables: dict[str, RawTable] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.setting_lines.get(key, 0)


def read_text(path: Path, label: str, issues: list[Issue]) -> str | None:
    """The file's text (UTF-8, byte-order mark allowed), or None with an issue recorded."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        byte = raw[err.start : err.start + 1].hex()
        issues.append(Issue(label, line, "-", f"not UTF-8 (byte 0x{byte}); save the file as UTF-8"))
        return None


def read_csv(path: Path, label: str, issues: list[Issue]) -> RawTable | None:
    """A CSV file as a RawTable; None (with an issue) when it cannot be read as CSV."""
    text = read_text(path, label, issues)
    if text is None:
        return None
    if not text.strip():
        issues.append(Issue(label, 1, "-", "empty file: expected a header line"))
        return None
    plain = _plain_csv(text, label)
    if plain is not None:
        return plain
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for row in reader:
            rows.append((end + 1, row))  # the line the row starts on; a quoted cell may span lines
            end = reader.line_num
    except csv.Error as err:
        opened = _unclosed_quote(text, end + 1)
        if opened is not None:  # at the end of the file: say where the quote opens
            message = f"not a readable CSV file: a quote opens on line {opened} and never closes"
            issues.append(Issue(label, opened, "-", message))
        else:
            issues.append(Issue(label, reader.line_num, "-", f"not a readable CSV file: {err}"))
        return None
    return RawTable(label=label, header=[h.strip() for h in rows[0][1]], rows_given=rows[1:])


def _plain_csv(text: str, label: str) -> RawTable | None:
    """The table read column by column by Arrow's CSV reader, when the file is in the plain
    form where that gives exactly what `csv.reader` gives: no quote, no line break but "\n"
    or "\r\n", a first line that is the header, no empty line, and every line with as many
    fields as the header. None otherwise (the rows are then read one by one)."""
    # A quote, a NUL or a lone "\r" (csv.reader's own rules), or a byte-order mark inside
    # the file (Arrow would drop one that starts a line): read row by row.
    if any(c in text for c in ('"', "\x00", "\ufeff")) or text.count("\r") != text.count("\r\n"):
        return None
    data = text.encode("utf-8")
    raw = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(raw)]])
    ends = ends - ((ends > starts) & (raw[np.maximum(ends - 1, 0)] == 13))  # drop the \r
    commas = np.concatenate([[0], np.cumsum(raw == 44)])
    fields = commas[ends] - commas[starts] + 1
    filled = ends > starts
    if not len(starts) or not filled[0]:
        return None
    width = int(fields[0])
    if not filled[1:-1].all():  # an empty line (csv.reader gives it as a row of no cells)
        return None
    body = np.flatnonzero(filled[1:]) + 1
    if (fields[body] != width).any():
        return None
    header = [h.strip() for h in data[: int(ends[0])].decode("utf-8").split(",")]
    if not len(body):
        columns = [pa.array([], type=pa.string()) for _ in range(width)]
        return RawTable(label=label, header=header, columns=columns, lines=body + 1)
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data[int(starts[1]) :]),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(quote_char=False, double_quote=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != len(body):
        return None
    columns = [table.column(i).combine_chunks() for i in range(width)]
    return RawTable(label=label, header=header, columns=columns, lines=body + 1)


def _unclosed_quote(text: str, start: int) -> int | None:
    """The line of the quote left open from line `start` to the end of `text`, if any."""
    line, opened, quoted = start, None, False
    for char in "\n".join(text.split("\n")[start - 1 :]):
        if char == '"':
            quoted = not quoted  # a doubled quote "" inside a cell closes and reopens
            if quoted:
                opened = line
        elif char == "\n":
            line += 1
    return opened if quoted else None


def unknown_files(folder: Path, prefix: str = "") -> list[Issue]:
    """An issue for each CSV file of `folder` that is no table's file: never ignored silently.

    A near miss (`contract.csv`, `Sources.csv`, `stockpile.csv`) says which file was meant.
    """
    known = {model.FILE for model in TABLES.values()}
    by_stem = {name.lower().removesuffix(".csv"): name for name in known}
    found: list[Issue] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name in known or not path.is_file() or not name.lower().endswith(".csv"):
            continue
        stem = name.lower().removesuffix(".csv")
        close = difflib.get_close_matches(stem, sorted(by_stem), n=1, cutoff=0.8)
        if close:
            message = f"unknown file {name}: did you mean {by_stem[close[0]]}?"
        else:
            message = f"unknown file {name}: not a table of ndalloc; remove or rename it"
        found.append(Issue(prefix + name, 0, "-", message))
    return found


def read_folder(folder: Path, prefix: str, issues: list[Issue]) -> ScenarioFiles | None:
    """Read scenario.toml and every table file present in `folder`.

    `prefix` is prepended to file labels ("india-base/") for files of a parent scenario.
    """
    label = prefix + SCENARIO_FILE
    path = folder / SCENARIO_FILE
    if not path.is_file():
        issues.append(Issue(label, 0, "-", "missing file"))
        return None
    text = read_text(path, label, issues)
    settings: dict[str, Any] | None = None
    if text is not None:
        try:
            settings = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            match = re.search(r"line (\d+)", str(err))
            line = int(match.group(1)) if match else 0
            issues.append(Issue(label, line, "-", f"not valid TOML: {err}"))
    tables: dict[str, RawTable] = {}
    for name, model in TABLES.items():
        table_path = folder / model.FILE
        if table_path.is_file():
            raw = read_csv(table_path, prefix + model.FILE, issues)
            if raw is not None and name == "routes" and not len(raw):
                issues.append(Issue(raw.label, 1, "-", ROUTES_EMPTY))
            if raw is not None:
                tables[name] = raw
    issues += unknown_files(folder, prefix)
    if settings is None or text is None:
        return None
    return ScenarioFiles(
        origin=folder,
        settings_label=label,
        settings=settings,
        setting_lines=_toml_lines(text),
        patch_lines=_patch_lines(text),
        tables=tables,
    )


def _toml_lines(text: str) -> dict[str, int]:
    """Line of each top-level `key =` (before the first table header)."""
    out: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("["):
            break
        match = re.match(r"\s*([A-Za-z0-9_\-]+)\s*=", line)
        if match:
            out.setdefault(match.group(1), number)
    return out


def _patch_lines(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"\s*\[\[\s*patch\s*\]\]", line)
    ]
