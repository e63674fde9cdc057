"""The `[[patch]]` entries of scenario.toml: a change of one column of inherited rows."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ndalloc.data.schema import Year


class Patch(BaseModel):
    """A `[[patch]]` entry of scenario.toml: change one column of the matching rows of a table
    inherited from the parent. A patch that matches no row is an error."""

    model_config = ConfigDict(
        strict=True, frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    table: str
    """Table to change, e.g. "contracts" [table name]."""
    key: str | list[str] | None = None
    """Rows to change, by the table's key columns other than year, e.g. "japan-2012" or
    ["china", "magnet"] for imports; omitted: every row [key values]."""
    year: Year | None = None
    """Only this year [year]."""
    years: Annotated[str, Field(pattern=r"^\s*\d{4}\s*-\s*\d{4}\s*$")] | None = None
    """Only these years, inclusive, e.g. "2026-2027" [year range]."""
    column: str
    """Column to change, e.g. "max_t" [column name]."""
    value: float | bool | str | None = None
    """New value, in the column's unit [column unit]."""
    scale: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """Factor applied to the current value, e.g. 0.2 for a cut of 80 % [factor]."""

    @model_validator(mode="after")
    def _one_change(self) -> Patch:
        if (self.value is None) == (self.scale is None):
            raise PydanticCustomError(
                "patch", "give exactly one of value and scale", {"column": "value"}
            )
        if self.year is not None and self.years is not None:
            raise PydanticCustomError("patch", "give year or years, not both", {"column": "years"})
        return self

    def year_range(self) -> tuple[int, int] | None:
        if self.year is not None:
            return (self.year, self.year)
        if self.years is not None:
            low, high = (int(part) for part in self.years.split("-"))
            return (low, high)
        return None

    def key_values(self) -> tuple[str, ...] | None:
        if self.key is None:
            return None
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)
