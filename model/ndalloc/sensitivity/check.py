"""Check parsed `--vary` specifications against the scenario they vary, before any point runs.

A spec whose key, years or column match no row, whose years lie outside the horizon, or whose
values are not finite or break the column's bounds (e.g. a negative tonnage) is a `SpecError`:
the sweep would otherwise run and report every point as invalid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import ValidationError

from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES
from ndalloc.sensitivity.spec import SpecError, Vary

#: Most keys or years listed in a message.
LISTED = 10


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown + (f", ... ({len(items)} in all)" if len(items) > LISTED else "")


def _bounds(table: str, column: str) -> list[tuple[str, float]]:
    """The schema's bounds on a column, as (operator, limit): [(">=", 0.0), ("<=", 1e9)]."""
    out = []
    for item in TABLES[table].model_fields[column].metadata:
        for name, operator in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            limit = getattr(item, name, None)
            if isinstance(limit, int | float):
                out.append((operator, float(limit)))
    return out


_HOLDS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
}


def _rows(vary: Vary, scenario: Scenario, spec: str) -> np.ndarray:
    """Positions of the rows the spec changes; SpecError when there are none."""
    model = TABLES[vary.table]
    table = scenario.table(vary.table)
    key_columns = [k for k in model.KEY if k != "year"]
    key, span = vary.selector.key, vary.selector.years
    hits = np.ones(len(table), dtype=bool)
    if key is not None:
        names = "/".join(key_columns)
        if len(key) != len(key_columns):
            raise SpecError(
                f"{spec}: {vary.table} rows are keyed by {names}: write [{names.upper()}]"
            )
        columns = zip(*(table.values(c) for c in key_columns), strict=True)
        keys = ["/".join(str(v) for v in key) for key in columns]
        wanted = "/".join(key)
        hits &= np.array([k == wanted for k in keys], dtype=bool)
        if not hits.any():
            raise SpecError(
                f"{spec}: {vary.table} has no row with {names} {wanted!r}"
                f" ({vary.table}: {_listed(list(dict.fromkeys(keys))) or 'no rows'})"
            )
    if span is not None:
        if "year" not in model.KEY:
            raise SpecError(f"{spec}: {vary.table} has no year column; leave out @YEARS")
        first, last = span
        written = str(first) if first == last else f"{first}-{last}"
        meta = scenario.meta
        if first < meta.first_year or last > meta.last_year:
            raise SpecError(
                f"{spec}: @{written} is outside the horizon {meta.first_year}-"
                f"{meta.last_year} of {scenario.name}"
            )
        years = table.column("year")
        in_years = hits & (years >= first) & (years <= last)
        if not in_years.any():
            have = sorted({str(y) for y in years[hits].tolist()})
            which = f" {'/'.join(key)}" if key is not None else ""
            raise SpecError(
                f"{spec}: {vary.table}{which} has no row in {written}"
                f" (its years: {_listed(have) or 'none'})"
            )
        hits = in_years
    if not hits.any():
        raise SpecError(f"{spec}: {vary.table} has no rows in {scenario.name}")
    return np.flatnonzero(hits)


def _check_values(vary: Vary, scenario: Scenario, rows: np.ndarray, spec: str) -> None:
    """Every value finite, and what it sets within the column's bounds on every row."""
    for value in vary.values:
        if not math.isfinite(value):
            raise SpecError(f"{spec}: {value} is not a finite number")
        if vary.scale and value < 0:
            raise SpecError(f"{spec}: scale factor {value:g} is negative; give factors >= 0")
        try:
            vary.patch(value)
        except ValidationError as exc:
            said = "; ".join(e["msg"] for e in exc.errors())
            raise SpecError(f"{spec}: {value:g}: {said}") from None
    current = scenario.table(vary.table).column(vary.column)[rows].astype(float)
    for operator, limit in _bounds(vary.table, vary.column):
        for value in vary.values:
            results = current * value if vary.scale else np.array([value])
            broken = results[~_HOLDS[operator](results, limit)]
            if not len(broken):
                continue
            rule = f"{vary.table}.{vary.column} must be {operator} {limit:g}"
            if vary.scale:
                raise SpecError(
                    f"{spec}: scale factor {value:g} makes {vary.column} {broken[0]:g}; {rule}"
                )
            raise SpecError(f"{spec}: {value:g} is not allowed; {rule}")


def check_varies(scenario: Scenario, varies: Sequence[Vary], texts: Sequence[str]) -> None:
    """Raise `SpecError` for the first spec that cannot vary `scenario` as written."""
    for vary, text in zip(varies, texts, strict=True):
        spec = repr(text)
        if vary.table == "scenario":
            for value in vary.values:
                if not math.isfinite(value):
                    raise SpecError(f"{spec}: {value} is not a finite number")
            continue
        rows = _rows(vary, scenario, spec)
        _check_values(vary, scenario, rows, spec)
