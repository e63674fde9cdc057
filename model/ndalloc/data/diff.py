"""Scenario input diff: every setting, row and cell that differs between two scenarios.

Both scenarios are compared after inheritance and patches, as the model sees them. Rows of a
table are matched by the table's KEY columns (`schema.TABLES`); the `citation` column is
ignored unless asked for, since it does not enter the model. Data layer only: no Pyomo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ndalloc.data.loader import load_scenario
from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES, Record, ScenarioMeta, columns

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["setting", "only_in_a", "only_in_b", "changed"]

#: Columns of the frame returned by `diff`, in order.
DIFF_COLUMNS = (
    "table",
    "key",
    "year",
    "column",
    "value_a",
    "value_b",
    "change",
    "change_pct",
    "kind",
)
#: The `table` of a difference in scenario.toml's settings.
SETTINGS_TABLE = "scenario"
#: Settings that do not describe the inputs: the tables are compared resolved.
_NOT_COMPARED = ("inherits",)


@dataclass(frozen=True)
class Difference:
    """One difference between scenario A and scenario B.

    kind "setting": a scenario.toml setting (`column`) differs; `table` is "scenario".
    kind "changed": the row `key`/`year` of `table` is in both, and its `column` differs.
    kind "only_in_a"/"only_in_b": the row is in one scenario only; `column` is None and the
    row's values are in `value_a`/`value_b` as text ("column=value, ...").
    """

    table: str
    key: str
    year: int | None
    column: str | None
    value_a: Any
    value_b: Any
    kind: Kind

    @property
    def change(self) -> float | None:
        """value_b - value_a, for two numbers (booleans are not numbers here)."""
        if _number(self.value_a) and _number(self.value_b):
            return float(self.value_b) - float(self.value_a)
        return None

    @property
    def change_pct(self) -> float | None:
        """The change in % of value_a; None when value_a is 0 or either value not a number."""
        change = self.change
        if change is None or self.value_a == 0:
            return None
        return 100.0 * change / abs(float(self.value_a))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A Scenario as is; anything else through `load_scenario` (may raise ScenarioError)."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def differences(a: Scenario, b: Scenario, *, citations: bool = False) -> list[Difference]:
    """Every difference: settings first, then table by table in `TABLES` order.

    Within a table, rows come in the order of scenario A's file, then B's rows not in A.
    """
    out = list(_settings(a, b))
    for name in TABLES:
        out += _table(name, a, b, citations)
    return out


def _settings(a: Scenario, b: Scenario) -> Iterator[Difference]:
    dump_a, dump_b = a.meta.model_dump(), b.meta.model_dump()
    for column in ScenarioMeta.model_fields:
        if column in _NOT_COMPARED or dump_a[column] == dump_b[column]:
            continue
        yield Difference(
            SETTINGS_TABLE, "", None, column, dump_a[column], dump_b[column], "setting"
        )


def row_key(record: Record) -> str:
    """The row's key without the year, as "a/b" (e.g. "china/magnet" for imports)."""
    return "/".join(str(getattr(record, k)) for k in record.KEY if k != "year")


def row_text(record: Record, shown: list[str]) -> str:
    """The row's non-key values as "column=value, ...", empty optional values left out."""
    parts = [f"{c}={_text(getattr(record, c))}" for c in shown if getattr(record, c) is not None]
    return ", ".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(name: str, a: Scenario, b: Scenario, citations: bool) -> list[Difference]:
    model = TABLES[name]
    shown = [c for c in columns(model) if c not in model.KEY and (citations or c != "citation")]
    table_a, table_b = a.table(name), b.table(name)
    keys_a, keys_b = table_a.keys(), table_b.keys()
    in_b = {key: i for i, key in enumerate(keys_b)}
    pairs = [(i, in_b[key]) for i, key in enumerate(keys_a) if key in in_b]
    rows_a = np.array([i for i, _ in pairs], dtype=np.int64)
    rows_b = np.array([j for _, j in pairs], dtype=np.int64)
    # Which columns differ, per matched row: compared column by column, not row by row.
    differs = np.zeros((len(pairs), len(shown)), dtype=bool)
    for c, column in enumerate(shown):
        va, vb = table_a.column(column)[rows_a], table_b.column(column)[rows_b]
        unequal = va != vb
        if va.dtype == np.float64:
            unequal &= ~(np.isnan(va) & np.isnan(vb))
        differs[:, c] = unequal
    changed = {pairs[p][0]: (pairs[p][1], differs[p]) for p in np.flatnonzero(differs.any(axis=1))}

    out = []
    for i, key in enumerate(keys_a):
        if key not in in_b:
            out.append(_only(name, table_a.record(i), shown, "only_in_a"))
        elif i in changed:
            j, row = changed[i]
            ra, rb = table_a.record(i), table_b.record(j)
            label, year = row_key(ra), getattr(ra, "year", None)
            for column in (c for c, hit in zip(shown, row, strict=True) if hit):
                va, vb = getattr(ra, column), getattr(rb, column)
                out.append(Difference(name, label, year, column, va, vb, "changed"))
    known = set(keys_a)
    for j, key in enumerate(keys_b):
        if key not in known:
            out.append(_only(name, table_b.record(j), shown, "only_in_b"))
    return out


def _only(name: str, record: Record, shown: list[str], kind: Kind) -> Difference:
    """A row present in one scenario only, its values as text on that scenario's side."""
    text = row_text(record, shown)
    a, b = (text, None) if kind == "only_in_a" else (None, text)
    return Difference(name, row_key(record), getattr(record, "year", None), None, a, b, kind)


def diff(
    a: Scenario | str | Path, b: Scenario | str | Path, *, citations: bool = False
) -> pd.DataFrame:
    """Every input that differs between scenarios `a` and `b`, one row per difference.

    `a` and `b` are Scenario objects or anything `load_scenario` takes (folder, workbook,
    bundled name); an invalid scenario raises `ScenarioError`. Columns:

    - table: table name ("sources", ...), or "scenario" for a scenario.toml setting
    - key: the row's key columns other than year, joined by "/" ("" for a setting)
    - year: the row's year (nullable; empty for settings and tables without a year)
    - column: the column (or setting) that differs; empty for a row only in one scenario
    - value_a, value_b: the values in A and B; for a row only in one scenario, its values as
      "column=value, ..." text in that scenario's column, the other empty
    - change: value_b - value_a when both are numbers, else empty
    - change_pct: change in % of value_a; empty when value_a is 0 or not a number
    - kind: "setting", "changed", "only_in_a" or "only_in_b"

    The `citation` column is compared only with `citations=True`. An empty frame (with these
    columns) means the scenarios give the model the same inputs (names and descriptions
    aside, which are settings and are listed).
    """
    import pandas as pd

    found = differences(as_scenario(a), as_scenario(b), citations=citations)
    frame = pd.DataFrame(
        [
            (d.table, d.key, d.year, d.column, d.value_a, d.value_b, d.change, d.change_pct, d.kind)
            for d in found
        ],
        columns=list(DIFF_COLUMNS),
    )
    return frame.astype(
        {
            "table": object,
            "key": object,
            "year": "Int64",
            "column": object,
            "value_a": object,
            "value_b": object,
            "change": float,
            "change_pct": float,
            "kind": object,
        }
    )
