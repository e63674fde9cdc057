"""Parse `--vary` specifications into the input changes of a sweep.

    TABLE.COLUMN[KEY@YEARS]=VALUES     absolute values
    TABLE.COLUMN[KEY@YEARS]*=VALUES    scale factors on the current values
    scenario.discount_rate=VALUES

The left side is a selector (`ndalloc.data.selectors`): KEY is the table's key columns other
than year joined by "/" (e.g. `japan-2012`, `china/magnet`); `@YEARS` is a year or a range
(`@2028`, `@2026-2030`); both are optional (the whole column). VALUES is `START:STOP:N` (N
evenly spaced values, both ends included) or a comma-separated list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ndalloc.data.patch import Patch
from ndalloc.data.selectors import (
    SCENARIO,
    Selector,
    SelectorError,
    SelectorSyntaxError,
    parse_selector,
)

_SPEC = re.compile(r"^\s*(?P<selector>[^=*]+?)\s*(?P<op>\*?=)\s*(?P<values>.+?)\s*$")
_FORM = "write TABLE.COLUMN[KEY@YEARS]=START:STOP:N (or *= for scale factors)"


class SpecError(ValueError):
    """A --vary specification that cannot be used."""


@dataclass(frozen=True)
class Vary:
    """One varied input: what it selects, and the values it takes."""

    label: str
    selector: Selector
    scale: bool
    values: tuple[float, ...]

    @property
    def table(self) -> str:
        return self.selector.table

    @property
    def column(self) -> str:
        return self.selector.column

    def patch(self, value: float) -> Patch | None:
        """The patch that sets this input to `value` (None for the discount rate)."""
        return self.selector.patch(value, scale=self.scale)


#: The most points a sweep may have (a --vary grid's product of value counts, or --monte-carlo
#: draws): checked before any point is made, since each point keeps a row of the result table
#: (a few hundred bytes) and the plan keeps its inputs; 1,000,000 points take about 1 GB.
MAX_POINTS = 1_000_000


def parse_values(text: str) -> tuple[float, ...]:
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            n = int(count)
            if n < 1:
                raise SpecError(f"{text!r}: the number of values must be at least 1")
            if n > MAX_POINTS:
                raise SpecError(
                    f"{text!r}: {n:,} values is more than a sweep may have ({MAX_POINTS:,})"
                )
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
        raise SpecError(f"{text!r}: {_FORM}")
    try:
        selector = parse_selector(match["selector"])
    except SelectorSyntaxError:
        raise SpecError(f"{text!r}: {_FORM}") from None
    except SelectorError as exc:
        raise SpecError(f"{text!r}: {exc}") from None
    label = match["selector"].strip()
    scale = match["op"] == "*="
    values = parse_values(match["values"])
    if selector.table == SCENARIO:
        if scale:
            raise SpecError(f"{text!r}: give the discount rate as values, not scale factors")
        if any(not 0 <= v < 1 for v in values):
            raise SpecError(f"{text!r}: discount_rate must lie in [0, 1)")
    return Vary(label, selector, scale, values)
