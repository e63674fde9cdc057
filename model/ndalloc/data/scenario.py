"""The validated scenario: typed records per table, with pandas views for the model builder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ndalloc.data.schema import TABLES, Record, ScenarioMeta, columns

if TYPE_CHECKING:
    import pandas as pd

#: Where a row was read: (file label, 1-based line), e.g. ("sources.csv", 3) or
#: ("india-base/sources.csv", 3) for a row inherited from a parent scenario.
Location = tuple[str, int]


@dataclass(frozen=True)
class Table:
    """The records of one table, with where each came from (for error messages)."""

    records: tuple[Record, ...] = ()
    locations: tuple[Location, ...] = ()

    @staticmethod
    def empty() -> Table:
        return Table()

    def __len__(self) -> int:
        return len(self.records)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Immutable: the model is built from it, never into it."""

    meta: ScenarioMeta
    tables: Mapping[str, Table]
    origin: str = ""
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def years(self) -> list[int]:
        return self.meta.years

    def records(self, table: str) -> tuple[Record, ...]:
        return self.tables[table].records if table in self.tables else ()

    def frame(self, table: str) -> pd.DataFrame:
        """The table as a DataFrame with one column per schema field (a copy: safe to modify)."""
        if table not in self._frames:
            import pandas as pd  # only the model builder and reports need frames

            model = TABLES[table]
            rows = [r.model_dump() for r in self.records(table)]
            frame = pd.DataFrame(rows, columns=columns(model))
            if not rows:
                frame = frame.astype(_empty_dtypes(model))
            self._frames[table] = frame
        return self._frames[table].copy()

    @cached_property
    def input_hash(self) -> str:
        """SHA-256 of the resolved inputs, not of file bytes: reformatting does not change it."""
        payload = {
            "meta": self.meta.model_dump(),
            "tables": {
                name: sorted(
                    (r.model_dump(exclude={"citation"}) for r in self.records(name)),
                    key=lambda d: json.dumps(d, sort_keys=True),
                )
                for name in TABLES
            },
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()


_DTYPES: dict[object, str] = {int: "int64", float: "float64", bool: "bool"}


def _empty_dtypes(model: type[Record]) -> dict[str, str]:
    return {
        name: _DTYPES.get(info.annotation, "object") for name, info in model.model_fields.items()
    }
