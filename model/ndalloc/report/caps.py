"""How much of a large run a report shows: the caps on charts, page tables and the workbook.

A generated scenario can have thousands of contracts, makers, sources and sectors. A chart with
a series (or a subplot, or a Sankey node) per entity is unreadable long before that and may
freeze the browser, and a page table of 100,000 rows is neither read nor cheap to write. So:

- a chart draws at most `MAX_ENTITIES` entities one by one, the largest by their total over the
  horizon, and sums the others into one "other N contracts" series, node or subplot per kind
  (`pick`); a note above the chart says how many were drawn and in which CSV files all are;
- a page table lists at most `MAX_TABLE_ROWS` rows, the largest values first, and says how many
  more are in which CSV file (`more_rows`);
- results.xlsx holds at most `MAX_WORKBOOK_CELLS` cells (`ndalloc.report.workbook`).

Every bundled scenario is below every cap, so its report is the same as without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Most entities of one chart (per side of a Sankey) drawn one by one: the largest by their
#: total over the horizon. The others are summed into one "other N ..." series, node or
#: subplot per kind. Ten is about as many bars as a stacked bar can show apart, as many
#: subplots as one scrolls through, and as many Sankey nodes as fit a side of the diagram.
#: A run with at most one more entity than this draws them all (no "other 1 contract").
MAX_ENTITIES = 10
#: Most entities drawn one by one in a comparison chart that draws every entity of every run
#: in one plot, each with its limits (stockpile levels, contract deliveries): four, and the
#: others summed, give each run at most 5 bars or lines and their limits.
MAX_COMPARED = 4
#: Most rows of a table in the page (marginal values, binding limits, shadow price
#: differences, the tornado ranking): the largest values first; the rest are in the CSV.
#: Every bundled scenario has fewer (at most 44 marginal values).
MAX_TABLE_ROWS = 50
#: Most bars (inputs) of a tornado chart: the largest swings (india-base has 11).
MAX_TORNADO_BARS = 25
#: Most cells (rows times columns) copied into results.xlsx: tables are copied whole while
#: they fit, the allocation and marginal values first, then the smallest; the others are
#: listed in its summary sheet with their rows and CSV file. XlsxWriter writes about 140,000
#: cells a second here (7 us a cell, XML and compression included), so the workbook of any
#: run takes under a second and a few MB of memory; the bundled scenarios have 6,500-7,100
#: cells.
MAX_WORKBOOK_CELLS = 100_000


def plural(count: int, noun: str) -> str:
    """ "1 contract", "250 contracts" (the nouns here all take an s)."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


@dataclass(frozen=True)
class Group:
    """Entities of one kind in a chart, to pick from."""

    noun: str
    """What one entity is ("contract", "maker", "origin")."""
    scores: pd.Series
    """Each entity's size (its total over the horizon), by name, in order of appearance."""
    file: str
    """The CSV file with every entity ("var_export.csv")."""


@dataclass(frozen=True)
class Picked:
    """Which entities of a group a chart draws one by one, and which it sums into one."""

    group: Group
    drawn: list[str]
    """Drawn one by one: all of them in order of appearance, or the largest, largest first."""
    summed: list[str]
    """Summed into one "other N ..." series (in order of appearance); empty when all fit."""
    alone: list[str] = field(default_factory=list)
    """Drawn (last) although not among the largest: the only one of its kind left over, not
    worth an "other 1 ..." series."""

    @property
    def count(self) -> int:
        return len(self.drawn) + len(self.summed)

    @property
    def other(self) -> str:
        """The label of the summed entities: "other 240 contracts"."""
        return "other " + plural(len(self.summed), self.group.noun)

    def total(self, wide: pd.DataFrame) -> np.ndarray:
        """The summed entities' values by year, from a table by year (`by_year`): NaN where
        none of them has a value (a gap in a line), missing entities counting as no value."""
        present = [n for n in self.summed if n in wide.columns]
        if not present:
            return np.full(len(wide.index), np.nan)
        return wide[present].sum(axis=1, min_count=1).to_numpy(dtype=float)


def pick(groups: Sequence[Group], limit: int = MAX_ENTITIES) -> list[Picked]:
    """Which entities a chart draws one by one: all when there are at most `limit` + 1 of
    them, else the `limit` largest scores over all groups (ties: in order of appearance),
    largest first within their group. A group's other entities are summed, unless only one
    is left, which is then drawn after the others."""
    sizes = [len(g.scores) for g in groups]
    if sum(sizes) <= limit + 1:
        return [Picked(g, [str(n) for n in g.scores.index], []) for g in groups]
    scores = np.concatenate(
        [np.nan_to_num(g.scores.to_numpy(dtype=float), nan=0.0) for g in groups]
    )
    owner = np.repeat(np.arange(len(groups)), sizes)
    # stable: equal scores keep their order (group by group, in order of appearance)
    order = np.argsort(-scores, kind="stable")
    chosen = np.zeros(len(scores), dtype=bool)
    chosen[order[:limit]] = True
    out = []
    start = 0
    for i, group in enumerate(groups):
        names = [str(n) for n in group.scores.index]
        mine = chosen[start : start + sizes[i]]
        ranked = [p - start for p in order if owner[p] == i and chosen[p]]
        drawn = [names[p] for p in ranked]
        summed = [n for n, keep in zip(names, mine, strict=True) if not keep]
        alone = [summed.pop()] if len(summed) == 1 else []
        out.append(Picked(group, drawn + alone, summed, alone))
        start += sizes[i]
    return out


def totals(wide: pd.DataFrame) -> pd.Series:
    """Each column's total over the years (NaN counting as nothing): an entity's score."""
    return wide.abs().sum(axis=0) if not wide.empty else pd.Series(dtype=float)


def chart_note(picked: Sequence[Picked], what: str = "", how: str = "") -> str:
    """What a capped chart leaves out, in words; "" when it draws every entity.

    `what` names the ranked things when there are several kinds ("destinations"), `how`
    what the ranking is by ("by deliveries and shortfalls"; default: their total over the
    horizon)."""
    capped = [p for p in picked if p.summed]
    if not capped:
        return ""
    by = how or "by their total over the horizon"
    files = _and(list(dict.fromkeys(p.group.file for p in picked)))
    if len(picked) == 1:
        (p,) = picked
        return (
            f"The {len(p.drawn)} largest of {plural(p.count, p.group.noun)} ({by}) are drawn"
            f" one by one, the other {len(p.summed):,} summed into one; all are in {files}."
        )
    largest = {id(p): len(p.drawn) - len(p.alone) for p in picked}
    shown = sum(largest.values())
    count = sum(p.count for p in picked)
    drawn = _and([plural(largest[id(p)], p.group.noun) for p in picked if largest[id(p)]])
    alone = _and([f"{p.group.noun} {name}" for p in picked for name in p.alone])
    also = f", as is {alone}, the only other of its kind" if alone else ""
    summed = _and(
        [
            f"the other {plural(len(p.summed), p.group.noun)}"
            if largest[id(p)]
            else f"all {plural(p.count, p.group.noun)}"
            for p in capped
        ]
    )
    return (
        f"The {shown} largest of {count:,} {what} ({by}) are drawn one by one ({drawn}){also};"
        f" {summed} are summed into one per kind. All are in {files}."
    )


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def largest_rows(
    frame: pd.DataFrame, values: pd.Series, limit: int = MAX_TABLE_ROWS
) -> pd.DataFrame:
    """At most `limit` rows of `frame`: all in their order if they fit, else those with the
    largest absolute `values` (aligned with the frame's rows), largest first (ties and NaN:
    in their order, NaN last)."""
    if len(frame) <= limit:
        return frame
    size = np.abs(values.to_numpy(dtype=float, na_value=np.nan))
    order = np.argsort(-np.nan_to_num(size, nan=-1.0), kind="stable")
    return frame.iloc[order[:limit]]


def more_rows(shown: int, total: int, what: str, which: str, file: str) -> str:
    """The line under a capped page table: "10,970 marginal values: the 50 largest (in
    absolute terms) are listed, and 10,920 more in marginal_values.csv"; "" when it lists
    every row. `what` names the rows (plural), `which` those listed."""
    if shown >= total:
        return ""
    return (
        f"{total:,} {what}: the {shown:,} {which} are listed, and {total - shown:,} more in {file}."
    )
