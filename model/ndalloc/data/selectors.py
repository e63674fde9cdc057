"""Name cells of a scenario's tables: `TABLE.COLUMN[KEY@YEARS]`.

The one syntax of `ndalloc sweep --vary`, of the `parameter` column of `ranges.csv` and of
`ndalloc breakeven --param`. KEY is the table's key columns other than year joined by "/"
(`japan-2012`, `china/magnet`); `@YEARS` is a year or an inclusive range (`@2028`,
`@2026-2030`); both are optional: `makers.oxide_per_t` names the whole column. Only numeric
input columns can be named (not keys, flags, text or the `low`/`high` ranges), and
`scenario.discount_rate` names the discount rate of scenario.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ndalloc.data.patch import Patch
from ndalloc.data.scenario import Table
from ndalloc.data.schema import TABLES, Record, field_doc

#: The pseudo-table of scenario.toml's settings; of them only the discount rate can be named.
SCENARIO = "scenario"
#: The table of ranges: it holds ranges of inputs, not inputs.
RANGES = "ranges"

_SELECTOR = re.compile(
    r"^\s*(?P<table>[a-z_]+)\.(?P<column>[a-z_]+)"
    r"(?:\[(?P<key>[^\]@]*)(?:@(?P<years>\d{4}(?:\s*-\s*\d{4})?))?\])?\s*$"
)
_UNIT = re.compile(r"\[([^\[\]]+)\]\.?$")


class SelectorError(ValueError):
    """A selector that names no input: bad syntax, unknown table or column, a column that
    is not numeric, or a key or year the table cannot have."""


class SelectorSyntaxError(SelectorError):
    """Text that is not of the form TABLE.COLUMN[KEY@YEARS] at all."""


def numeric_columns(model: type[Record]) -> list[str]:
    """The columns of a table a selector may name: numbers that are not keys or ranges."""
    return [
        name
        for name, info in model.model_fields.items()
        if info.annotation in (float, int) and name not in model.KEY and name not in ("low", "high")
    ]


@dataclass(frozen=True)
class Selector:
    """Cells of one numeric column: every row of `table` whose key (other than year) is `key`
    (every row when None) and whose year lies in `years` (every year when None)."""

    table: str
    column: str
    key: tuple[str, ...] | None = None
    years: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """The selector written canonically, e.g. `demand.demand_t[ev@2026-2030]`."""
        inside = "/".join(self.key) if self.key else ""
        if self.years is not None:
            low, high = self.years
            inside += "@" + (str(low) if low == high else f"{low}-{high}")
        return f"{self.table}.{self.column}" + (f"[{inside}]" if inside or self.key else "")

    @property
    def unit(self) -> str:
        """The column's unit, from the schema (e.g. "USD/t oxide")."""
        if self.table == SCENARIO:
            return "fraction/yr"
        found = _UNIT.search(field_doc(TABLES[self.table], self.column))
        return found.group(1) if found else ""

    def rows(self, table: Table) -> np.ndarray:
        """Positions of the rows of `table` (the table this selector names) it selects."""
        model = TABLES[self.table]
        hits = np.ones(len(table), dtype=bool)
        if self.key is not None:
            key_columns = [k for k in model.KEY if k != "year"]
            for name, wanted in zip(key_columns, self.key, strict=True):
                hits &= np.array([str(v) == wanted for v in table.values(name)], dtype=bool)
        if self.years is not None:
            year = table.column("year")
            hits &= (year >= self.years[0]) & (year <= self.years[1])
        return np.flatnonzero(hits)

    def patch(self, value: float, scale: bool = False) -> Patch | None:
        """The patch that sets (or, with `scale`, multiplies) the selected cells; None for the
        discount rate, which is not in a table."""
        if self.table == SCENARIO:
            return None
        key: Any = None
        if self.key is not None:
            key = self.key[0] if len(self.key) == 1 else list(self.key)
        change: dict[str, Any] = {"scale": value} if scale else {"value": value}
        year = years = None
        if self.years is not None:
            low, high = self.years
            if low == high:
                year = low
            else:
                years = f"{low}-{high}"
        return Patch(
            table=self.table, key=key, year=year, years=years, column=self.column, **change
        )


def parse_selector(text: str) -> Selector:
    """A selector from its text; raises SelectorError with a readable message (without the
    text itself, which the caller shows as it was given)."""
    match = _SELECTOR.match(text)
    if not match:
        raise SelectorSyntaxError("write TABLE.COLUMN[KEY@YEARS], KEY and @YEARS optional")
    table, column = match["table"], match["column"]
    if table == SCENARIO:
        if column != "discount_rate" or match["key"] is not None:
            raise SelectorError("of scenario.toml only discount_rate can be named")
        return Selector(SCENARIO, column)
    if table == RANGES:
        raise SelectorError("ranges.csv holds ranges of other inputs; name those inputs")
    model = TABLES.get(table)
    if model is None:
        raise SelectorError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    names = numeric_columns(model)
    if column not in names:
        raise SelectorError(f"{table} has no numeric input {column!r}; one of {names}")
    key_columns = [k for k in model.KEY if k != "year"]
    key = tuple(part.strip() for part in match["key"].split("/")) if match["key"] else None
    if key is not None and len(key) != len(key_columns):
        raise SelectorError(
            f"{table} rows are keyed by {'/'.join(key_columns)}: give {len(key_columns)}"
            f" value(s) joined by '/', got {match['key']!r}"
        )
    years = None
    if match["years"] is not None:
        if "year" not in model.KEY:
            raise SelectorError(f"{table} has no year column: leave out @YEARS")
        parts = [int(p) for p in match["years"].split("-")]
        years = (parts[0], parts[-1])
        if years[0] > years[1]:
            raise SelectorError(f"years {match['years']} run backwards")
    return Selector(table, column, key, years)
