"""The validated scenario: its tables stored column by column, with pandas views for the model.

Every row is validated by its table's pydantic record (`schema.py`) when it is read
(`parse.py`), then kept as one numpy array per column: a 250,000-row scenario takes tens of
MB this way instead of half a GB of record objects, and the model builder reads the arrays
without converting anything. `Table.records` gives the rows back as (frozen) records for code
that wants them; they are rebuilt without validating again.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

import numpy as np

from ndalloc.data.schema import PROVENANCE, TABLES, Record, ScenarioMeta, columns

if TYPE_CHECKING:
    import pandas as pd

#: Where a row was read: (file label, 1-based line), e.g. ("sources.csv", 3) or
#: ("india-base/sources.csv", 3) for a row inherited from a parent scenario; or where a
#: `[[patch]]` that set one of its cells was given, e.g. ("scenario.toml", 5).
Location = tuple[str, int]

#: Version of `Scenario.input_hash`'s definition, recorded beside the hash in run manifests:
#: hashes of different versions cannot be compared (version 1, before 2026-11-22, hashed a
#: JSON dump of every record; version 2 hashes the columns, each table sorted by key).
INPUT_HASH_VERSION = 2

#: Most rows a table keeps as records once given out one at a time (about 2 KB each): enough
#: for the rows a sweep changes at every point, never a large table's worth.
KEPT_ROWS = 10_000

#: How a column is stored: numpy dtype, and whether a missing value (None) is NaN.
_STORED: dict[object, str] = {float: "float64", int: "int64", bool: "bool"}


@cache
def column_dtypes(model: type[Record]) -> dict[str, str]:
    """The numpy dtype of each column of a table: float64, int64, bool, or object (text).

    An optional number (`low`, `high`) is float64 with NaN for "not given": the schema
    forbids NaN as a value, so the two cannot be confused.
    """
    out = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if get_origin(annotation) is Union and type(None) in get_args(annotation):
            (inner,) = (a for a in get_args(annotation) if a is not type(None))
            annotation = get_args(inner)[0] if get_args(inner) else inner
        out[name] = _STORED.get(annotation, "object")
    return out


@cache
def _nullable(model: type[Record]) -> frozenset[str]:
    """Columns whose value may be left out (None)."""
    fields = model.model_fields.items()
    return frozenset(n for n, info in fields if not info.is_required() and info.default is None)


def _frozen(values: Sequence[Any], dtype: str) -> np.ndarray:
    if dtype == "object":  # one object per distinct text: names repeat every year
        values = [sys.intern(v) if isinstance(v, str) else v for v in values]
        array = np.empty(len(values), dtype=object)
        array[:] = values
    else:
        array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


def _interned(values: np.ndarray) -> np.ndarray:
    """An object column with one object per distinct text (already interned texts are kept)."""
    import pandas as pd

    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    kept = np.empty(len(distinct), dtype=object)
    kept[:] = [sys.intern(v) if isinstance(v, str) else v for v in distinct]
    return kept[codes]


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype == np.float64:
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def _same(a: Any, b: Any) -> bool:
    """Identical values: NaN (an optional number not given) equals NaN, -0.0 differs from 0.0."""
    if isinstance(a, float) and isinstance(b, float):
        return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)
    return bool(a == b)


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True, eq=False)
class Table:
    """The rows of one table, one read-only numpy array per column (every field of `model`,
    in file column order), where each row was read (`labels`, `lines`), and where each cell a
    patch set was given (`cells`, by (row position, column))."""

    model: type[Record]
    data: Mapping[str, np.ndarray]
    labels: np.ndarray
    lines: np.ndarray
    cells: Mapping[tuple[int, str], Location] = field(default_factory=dict)
    #: Rows already given out as records, by position (only those asked for one at a time).
    _rows: dict[int, Record] = field(default_factory=dict, repr=False, compare=False)

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def empty(cls, model: type[Record]) -> Table:
        return cls.from_columns(model, {c: [] for c in model.model_fields}, [], [])

    @classmethod
    def from_columns(
        cls,
        model: type[Record],
        data: Mapping[str, Sequence[Any]],
        labels: Sequence[str],
        lines: Sequence[int],
    ) -> Table:
        """A table from already validated values, one sequence per column (None: not given)."""
        dtypes = column_dtypes(model)
        nullable = _nullable(model)
        arrays = {}
        for name in columns(model):
            values = data[name]
            if name in nullable and dtypes[name] == "float64":
                values = [math.nan if v is None else v for v in values]
            arrays[name] = _frozen(values, dtypes[name])
        return cls(model, arrays, _frozen(list(labels), "object"), _frozen(list(lines), "int64"))

    @classmethod
    def from_arrays(
        cls, model: type[Record], data: Mapping[str, np.ndarray], label: str, lines: np.ndarray
    ) -> Table:
        """A table from already validated columns (NaN for a number not given), every row
        read from `label`: the columns are stored as they are, in the dtype of the schema."""
        dtypes = column_dtypes(model)
        arrays = {}
        for name in columns(model):
            values = data[name]
            if dtypes[name] == "object":
                array = _interned(values)
            else:
                array = np.array(values, dtype=dtypes[name])
            array.flags.writeable = False
            arrays[name] = array
        labels = np.empty(len(lines), dtype=object)
        labels.fill(sys.intern(label))  # one object for every row (np.full would copy it)
        labels.flags.writeable = False
        frozen_lines = np.array(lines, dtype=np.int64)
        frozen_lines.flags.writeable = False
        return cls(model, arrays, labels, frozen_lines)

    @classmethod
    def from_records(
        cls, model: type[Record], records: Iterable[Record], locations: Iterable[Location]
    ) -> Table:
        rows = list(records)
        where = list(locations)
        data = {c: [getattr(r, c) for r in rows] for c in model.model_fields}
        return cls.from_columns(model, data, [f for f, _ in where], [n for _, n in where])

    def replaced(self, rows: Mapping[int, tuple[Record, Mapping[str, Location]]]) -> Table:
        """A copy with the rows at the given positions replaced, each by a record and where its
        changed cells were set (column -> location); a row's own location stays the line it
        was read from."""
        if not rows:
            return self
        at = np.fromiter(rows, dtype=np.int64, count=len(rows))
        data = {}
        for name, array in self.data.items():
            values = [getattr(record, name) for record, _ in rows.values()]
            if array.dtype == np.float64:
                values = [math.nan if v is None else v for v in values]
            if all(map(_same, values, array[at].tolist())):
                data[name] = array  # unchanged column: shared, so comparisons can skip it
                continue
            changed = array.copy()
            changed[at] = values
            changed.flags.writeable = False
            data[name] = changed
        cells = dict(self.cells)
        for index, (_, where) in rows.items():
            cells.update({(index, column): at for column, at in where.items()})
        made = {index: record for index, (record, _) in rows.items()}
        return Table(self.model, data, self.labels, self.lines, cells, made)

    # --- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.lines)

    def __repr__(self) -> str:
        return f"Table({self.model.__name__}, {len(self)} rows)"

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (e.g. for sweep workers) without the records kept so far."""
        return {**self.__dict__, "_rows": {}}

    def __eq__(self, other: object) -> bool:
        """The same rows (values, NaN equal to NaN) read from the same places."""
        if not isinstance(other, Table):
            return NotImplemented
        return (
            self.model is other.model
            and np.array_equal(self.lines, other.lines)
            and np.array_equal(self.labels, other.labels)
            and self.cells == other.cells
            and all(_equal(a, other.data[n]) for n, a in self.data.items())
        )

    __hash__ = None  # type: ignore[assignment]

    def column(self, name: str) -> np.ndarray:
        """The column's values as a read-only array (NaN where an optional number is not given)."""
        return self.data[name]

    def values(self, name: str) -> list[Any]:
        """The column's values as Python objects, None where an optional value is not given."""
        array = self.data[name]
        out = array.tolist()
        if array.dtype == np.float64 and name in _nullable(self.model):
            out = [None if v != v else v for v in out]  # NaN != NaN
        return out

    @property
    def records(self) -> tuple[Record, ...]:
        """The rows as records (rebuilt on each call, not validated again)."""
        names = list(self.data)
        construct = self.model.model_construct
        return tuple(
            construct(**dict(zip(names, row, strict=True)))
            for row in zip(*(self.values(n) for n in names), strict=True)
        )

    def record(self, index: int) -> Record:
        """The row at `index` as a record (kept: a sweep asks for the same rows at every point)."""
        found = self._rows.get(index)
        if found is None:
            row = {n: _python(a[index]) for n, a in self.data.items()}
            for name in _nullable(self.model):
                if isinstance(row.get(name), float) and math.isnan(row[name]):
                    row[name] = None
            found = self.model.model_construct(**row)
            if len(self._rows) < KEPT_ROWS:
                self._rows[index] = found
        return found

    @property
    def locations(self) -> tuple[Location, ...]:
        return tuple(zip(self.labels.tolist(), self.lines.tolist(), strict=True))

    def location(self, index: int, column: str | None = None) -> Location:
        """Where the row at `index` was read; with `column`, where that cell's value comes
        from: the `[[patch]]` that set it, if one did, else the row's line."""
        if column is not None and (index, column) in self.cells:
            return self.cells[(index, column)]
        return (str(self.labels[index]), int(self.lines[index]))

    def keys(self) -> list[tuple[Any, ...]]:
        """Every row's key (the values of the table's KEY columns), in row order."""
        return list(zip(*(self.values(k) for k in self.model.KEY), strict=True))

    def find(self, key: Sequence[Any]) -> int | None:
        """Position of the row with this key, or None."""
        wanted = tuple(key)
        hits = np.ones(len(self), dtype=bool)
        for name, value in zip(self.model.KEY, wanted, strict=True):
            hits &= self.data[name] == value
        found = np.flatnonzero(hits)
        return int(found[0]) if len(found) else None

    def frame(self, provenance: bool = True) -> pd.DataFrame:
        """The table as a DataFrame with one column per field (a new frame: safe to modify)."""
        import pandas as pd  # only the model builder and reports need frames

        names = [c for c in self.data if provenance or c not in PROVENANCE]
        return pd.DataFrame({n: self.data[n] for n in names}, columns=names, copy=True)


def table_of(tables: Mapping[str, Table], name: str) -> Table:
    """The table `name` of `tables`, or an empty one when the scenario has none."""
    found = tables.get(name)
    return found if found is not None else Table.empty(TABLES[name])


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Immutable: the model is built from it, never into it."""

    meta: ScenarioMeta
    tables: Mapping[str, Table]
    origin: str = ""

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def years(self) -> list[int]:
        return self.meta.years

    def table(self, name: str) -> Table:
        """The table `name` (empty when the scenario has none)."""
        return table_of(self.tables, name)

    def records(self, table: str) -> tuple[Record, ...]:
        """The table's rows as records (rebuilt on each call: prefer `table(...)` for columns)."""
        return self.table(table).records

    def frame(self, table: str, provenance: bool = True) -> pd.DataFrame:
        """The table as a DataFrame with one column per schema field (safe to modify)."""
        return self.table(table).frame(provenance)

    @cached_property
    def input_hash(self) -> str:
        """SHA-256 of the resolved inputs, not of file bytes: reformatting, row order and
        citations do not change it. Each table's rows are sorted by key and written as JSON
        (floats as their shortest round-tripping text)."""

        # The bytes of json.dumps({"meta": ..., "tables": {name: {"columns": ..., "rows":
        # ...}}}, sort_keys=True), hashed one table at a time so that no table's text is
        # held beside another's (the hash is computed while HiGHS holds the LP).
        def dumps(value: Any) -> bytes:
            return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

        digest = hashlib.sha256(b'{"meta":' + dumps(self.meta.model_dump()) + b',"tables":{')
        for i, name in enumerate(sorted(TABLES)):
            table = self.table(name)
            shown = [c for c in columns(TABLES[name]) if c != "citation"]
            rows = list(zip(*(table.values(c) for c in shown), strict=True))
            keys = table.keys()
            order = sorted(range(len(rows)), key=keys.__getitem__)
            digest.update((b"," if i else b"") + dumps(name) + b':{"columns":' + dumps(shown))
            digest.update(b',"rows":' + dumps([rows[j] for j in order]) + b"}")
            del rows, order
        digest.update(b"}}")
        return digest.hexdigest()
