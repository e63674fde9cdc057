"""Parse `--vary` specifications into the input changes of a sweep.

    TABLE.COLUMN[KEY@YEARS]=VALUES     absolute values
    TABLE.COLUMN[KEY@YEARS]*=VALUES    scale factors on the current values
    scenario.discount_rate=VALUES

KEY is the table's key columns other than year joined by "/" (e.g. `japan-2012`,
`china/magnet`); `@YEARS` is a year or a range (`@2028`, `@2026-2030`); both are optional (the
whole column). VALUES is `START:STOP:N` (N evenly spaced values, both ends included) or a
comma-separated list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ndalloc.data.schema import TABLES, Patch

_SPEC = re.compile(
    r"^\s*(?P<table>[a-z_]+)\.(?P<column>[a-z_]+)"
    r"(?:\[(?P<key>[^\]@]*)(?:@(?P<years>\d{4}(?:-\d{4})?))?\])?"
    r"\s*(?P<op>\*?=)\s*(?P<values>.+?)\s*$"
)


class SpecError(ValueError):
    """A --vary specification that cannot be used."""


@dataclass(frozen=True)
class Vary:
    """One varied input: what it selects, and the values it takes."""

    label: str
    table: str
    column: str
    key: tuple[str, ...] | None
    years: str | None
    scale: bool
    values: tuple[float, ...]

    def patch(self, value: float) -> Patch | None:
        """The patch that sets this input to `value` (None for the discount rate)."""
        if self.table == "scenario":
            return None
        key = (
            list(self.key)
            if self.key is not None and len(self.key) > 1
            else (self.key[0] if self.key else None)
        )
        years = self.years if self.years and "-" in self.years else None
        year = int(self.years) if self.years and "-" not in self.years else None
        change = {"scale": value} if self.scale else {"value": value}
        return Patch(
            table=self.table, key=key, year=year, years=years, column=self.column, **change
        )


def parse_values(text: str) -> tuple[float, ...]:
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            n = int(count)
            if n < 1:
                raise SpecError(f"{text!r}: the number of values must be at least 1")
            ends = float(start), float(stop)
            for end in ends:
                if not np.isfinite(end):
                    raise SpecError(f"{text!r}: {end} is not a finite number")
            return tuple(float(v) for v in np.linspace(*ends, n))
        return tuple(float(v) for v in text.split(","))
    except ValueError as err:
        if isinstance(err, SpecError):
            raise
        raise SpecError(f"{text!r}: write START:STOP:N or a list a,b,c of numbers") from None


def parse_vary(text: str) -> Vary:
    """One --vary specification; raises SpecError with a readable message."""
    match = _SPEC.match(text)
    if not match:
        raise SpecError(
            f"{text!r}: write TABLE.COLUMN[KEY@YEARS]=START:STOP:N (or *= for scale factors)"
        )
    table, column = match["table"], match["column"]
    label = text.split("=")[0].rstrip("*").strip()
    scale = match["op"] == "*="
    values = parse_values(match["values"])
    if table == "scenario":
        if column != "discount_rate" or match["key"] is not None or scale:
            raise SpecError(f"{text!r}: of scenario.toml only discount_rate can be varied")
        if any(not 0 <= v < 1 for v in values):
            raise SpecError(f"{text!r}: discount_rate must lie in [0, 1)")
        return Vary(label, table, column, None, None, False, values)
    model = TABLES.get(table)
    if model is None:
        raise SpecError(f"{text!r}: unknown table {table!r}; one of {', '.join(TABLES)}")
    annotation = model.model_fields.get(column)
    numeric = (
        annotation is not None
        and column not in model.KEY
        and column
        not in (
            "low",
            "high",
        )
    )
    if not numeric or model.model_fields[column].annotation not in (float, int):
        names = [
            c for c, f in model.model_fields.items() if f.annotation is float and c not in model.KEY
        ]
        raise SpecError(f"{text!r}: {table} has no numeric input {column!r}; one of {names}")
    key = tuple(match["key"].split("/")) if match["key"] else None
    return Vary(label, table, column, key, match["years"], scale, values)
