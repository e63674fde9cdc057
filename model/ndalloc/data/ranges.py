"""Plausible ranges of inputs, for sensitivity analysis: the rows of `ranges.csv`, each a
range of any numeric column's cells named by a selector (`TABLE.COLUMN[KEY@YEARS]`), beside
the `low`/`high` columns that range each table's main column row by row.

A cell lies in one range at most: a ranges.csv row may not name a cell that another
ranges.csv row names, nor a cell of a main column whose row carries its own low/high. Every
named cell must lie within its range. A `[[patch]]` that moves a cell outside its range makes
a scenario choice, not an estimate: as low/high are dropped from a row whose main value a
patch moves outside them, the cell is left out of the range (`narrow_to_patches`), and the
resolved scenario's ranges.csv names the cells that are left.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from ndalloc.data.errors import Issue
from ndalloc.data.parse import format_key
from ndalloc.data.scenario import Location, Table, table_of
from ndalloc.data.schema import TABLES, RangeRow
from ndalloc.data.selectors import RANGES, Selector, SelectorError, parse_selector

#: How many cells outside a range one problem names before it says "and N more".
_SHOWN = 3


@dataclass(frozen=True)
class Range:
    """A ranges.csv row resolved on a scenario: the cells it names (row positions in the
    named table, cells left out by patches excluded), its ends and where it was given."""

    selector: Selector
    low: float
    high: float
    citation: str
    location: Location
    rows: tuple[int, ...]

    @property
    def label(self) -> str:
        return self.selector.label


def explicit_ranges(tables: Mapping[str, Table]) -> list[Range]:
    """The ranges of ranges.csv, resolved (rows that cannot be resolved are skipped: the
    loader has reported them)."""
    found, _ = _resolve(tables, frozenset())
    return found


def range_issues(tables: Mapping[str, Table], broken: frozenset[str] = frozenset()) -> list[Issue]:
    """Every problem of ranges.csv: a selector naming no input or no row, a cell in two
    ranges, ends that the column cannot hold, a cell outside its range. References into
    `broken` tables (with invalid rows) are not checked."""
    _, issues = _resolve(tables, broken)
    return issues


def cell_bounds(tables: Mapping[str, Table], selector: Selector) -> list[tuple[Any, Any]]:
    """(low, high) of each cell `selector` names, in row order, from whichever source ranges
    it (None where no range is given)."""
    target = table_of(tables, selector.table)
    rows = selector.rows(target).tolist()
    bounds: dict[int, tuple[Any, Any]] = dict.fromkeys(rows, (None, None))
    if selector.column == TABLES[selector.table].MAIN:
        lows, highs = target.values("low"), target.values("high")
        bounds.update({i: (lows[i], highs[i]) for i in rows})
    for found in explicit_ranges(tables):
        if (found.selector.table, found.selector.column) == (selector.table, selector.column):
            bounds.update({i: (found.low, found.high) for i in found.rows if i in bounds})
    return [bounds[i] for i in rows]


@cache
def _column_type(table: str, column: str) -> TypeAdapter[Any]:
    info = TABLES[table].model_fields[column]
    return TypeAdapter(Annotated[info.annotation, *info.metadata])  # type: ignore[arg-type]


def _resolve(
    tables: Mapping[str, Table], broken: frozenset[str]
) -> tuple[list[Range], list[Issue]]:
    ranges = table_of(tables, RANGES)
    found: list[Range] = []
    issues: list[Issue] = []
    owner: dict[tuple[str, str, int], int] = {}  # cell -> line of the range that names it
    for index in range(len(ranges)):
        row: Any = ranges.record(index)
        file, line = ranges.location(index)
        try:
            selector = parse_selector(row.parameter)
        except SelectorError as exc:
            issues.append(Issue(file, line, "parameter", f"{row.parameter!r}: {exc}"))
            continue
        if selector.table in broken:
            continue
        bad_end = False
        for end in ("low", "high"):
            try:
                _column_type(selector.table, selector.column).validate_python(getattr(row, end))
            except ValidationError as err:
                message = err.errors()[0]["msg"]
                issues.append(
                    Issue(
                        file,
                        line,
                        end,
                        f"{end} {getattr(row, end):g} cannot be a {selector.column}: {message}",
                    )
                )
                bad_end = True
        target = table_of(tables, selector.table)
        rows = selector.rows(target).tolist()
        if not rows:
            issues.append(Issue(file, line, "parameter", _no_row(selector)))
            continue
        model = TABLES[selector.table]
        if selector.column == model.MAIN:
            own = [
                i for i in rows if not _missing(target, "low", i) or not _missing(target, "high", i)
            ]
            if own:
                where = ", ".join(_where(target, i) for i in own[:_SHOWN])
                issues.append(
                    Issue(
                        file,
                        line,
                        "parameter",
                        f"{selector.label} names {selector.column} cells whose rows carry their"
                        f" own low/high ({where}{_more(own)}): give a cell's range in one place",
                    )
                )
                continue
        shared = [i for i in rows if (selector.table, selector.column, i) in owner]
        if shared:
            first = owner[selector.table, selector.column, shared[0]]
            cells = ", ".join(_cell(target, i) for i in shared[:_SHOWN])
            issues.append(
                Issue(
                    file,
                    line,
                    "parameter",
                    f"{selector.label} names cells that the range on line {first} names too"
                    f" ({cells}{_more(shared)}): a cell lies in one range at most",
                )
            )
            continue
        owner.update({(selector.table, selector.column, i): line for i in rows})
        if bad_end:
            continue
        kept = _within(selector, target, rows, row.low, row.high, (file, line), issues)
        found.append(Range(selector, row.low, row.high, row.citation, (file, line), tuple(kept)))
    return found, issues


def _within(
    selector: Selector,
    target: Table,
    rows: list[int],
    low: float,
    high: float,
    where: Location,
    issues: list[Issue],
) -> list[int]:
    """The rows whose cell lies in [low, high]; a cell outside is a problem."""
    values = target.column(selector.column)
    kept = []
    outside: dict[str, list[int]] = {"low": [], "high": []}
    for i in rows:
        value = float(values[i])
        if low <= value <= high:
            kept.append(i)
        else:
            outside["low" if value < low else "high"].append(i)
    for end, found in outside.items():
        if not found:
            continue
        bound = low if end == "low" else high
        side = "below" if end == "low" else "above"
        cells = ", ".join(
            f"{_cell(target, i)} is {float(values[i]):g} ({_where(target, i)})"
            for i in found[:_SHOWN]
        )
        issues.append(
            Issue(
                *where,
                end,
                f"{selector.column} lies {side} the range's {end} ({bound:g}): {cells}"
                f"{_more(found)}",
            )
        )
    return kept


def _missing(table: Table, column: str, index: int) -> bool:
    return math.isnan(float(table.column(column)[index]))


def _cell(table: Table, index: int) -> str:
    return format_key(table.record(index).key())


def _where(table: Table, index: int) -> str:
    file, line = table.location(index)
    return f"{file}:{line}"


def _more(items: list[int]) -> str:
    return f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""


def _no_row(selector: Selector) -> str:
    what = f"key {'/'.join(selector.key)}" if selector.key is not None else "any key"
    span = ""
    if selector.years is not None:
        low, high = selector.years
        span = f" in {low}" if low == high else f" in {low}-{high}"
    return f"{selector.label} matches no row of {TABLES[selector.table].FILE} for {what}{span}"


def narrow_to_patches(before: Mapping[str, Table], tables: dict[str, Table]) -> None:
    """Leave out of its range every cell that the patches turning `before` into `tables`
    moved outside it: each ranges.csv row naming such a cell is replaced by rows naming the
    cells still in range (by key, and by runs of years), at the same location."""
    ranges = tables.get(RANGES)
    if ranges is None or not len(ranges):
        return
    records: list[Any] = []
    locations: list[Location] = []
    changed = False
    for index in range(len(ranges)):
        row: Any = ranges.record(index)
        kept = [row]
        try:
            selector = parse_selector(row.parameter)
        except SelectorError:
            selector = None
        if selector is not None and tables.get(selector.table) is not before.get(selector.table):
            narrowed = _narrowed(selector, row, table_of(before, selector.table), tables)
            if narrowed is not None:
                kept, changed = narrowed, True
        records += kept
        locations += [ranges.location(index)] * len(kept)
    if changed:
        tables[RANGES] = Table.from_records(RangeRow, records, locations)


def _narrowed(
    selector: Selector, row: Any, before: Table, tables: Mapping[str, Table]
) -> list[Any] | None:
    """The rows replacing `row` when patches moved some of its cells outside it, else None."""
    after = table_of(tables, selector.table)
    if len(after) != len(before):
        return None
    rows = selector.rows(after).tolist()
    new, old = after.column(selector.column), before.column(selector.column)
    dropped = {i for i in rows if new[i] != old[i] and not row.low <= float(new[i]) <= row.high}
    if not dropped:
        return None
    model = TABLES[selector.table]
    by_key: dict[tuple[str, ...], list[int]] = {}
    keys = [k for k in model.KEY if k != "year"]
    for i in rows:
        record = after.record(i)
        by_key.setdefault(tuple(str(getattr(record, k)) for k in keys), []).append(i)
    out = []
    for key, positions in by_key.items():
        if not any(i in dropped for i in positions):
            runs = [selector.years]
        elif "year" not in model.KEY:
            continue
        else:
            runs = _year_runs(after, positions, dropped)
        for years in runs:
            part = Selector(selector.table, selector.column, key, years)
            out.append(row.model_copy(update={"parameter": part.label}))
    return out


def _year_runs(
    table: Table, positions: list[int], dropped: set[int]
) -> list[tuple[int, int] | None]:
    """The runs of consecutive years (in the rows' year order) of the cells not dropped."""
    year = table.column("year")
    runs: list[tuple[int, int] | None] = []
    start = end = None
    for i in sorted(positions, key=lambda i: int(year[i])):
        if i in dropped:
            if start is not None:
                runs.append((start, end))  # type: ignore[arg-type]
            start = end = None
            continue
        start = int(year[i]) if start is None else start
        end = int(year[i])
    if start is not None:
        runs.append((start, end))  # type: ignore[arg-type]
    return runs
