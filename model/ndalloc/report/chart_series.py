"""Which entities a chart draws one by one, and their values by year.

A chart draws at most `caps.MAX_ENTITIES` contracts, makers, sources, sectors or stockpiles one
by one (the largest over the horizon) and sums the others into one "other N ..." series, node
or subplot per kind (`caps.pick`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ndalloc.report.caps import Group, Picked, pick, totals
from ndalloc.report.chart_style import OTHER_COLOURS, shade


@dataclass(frozen=True)
class Kind:
    """One kind of entity in a chart: its table, what an entity is, how a series is named."""

    stem: str
    """The table ("var_export"), keyed by the entity and year."""
    kind: str
    """Its colours (`SHADES`, `OTHER_COLOURS`)."""
    noun: str
    label: str
    """A series' name, with "{}" for the entity ("maker {}")."""
    others: str
    """The name of the summed others, with "{}" for "other N makers" ("{}")."""


def picked_series(
    wides: list[pd.DataFrame], kinds: list[Kind], limit: int
) -> tuple[list[tuple[str, str, str, np.ndarray]], list[Picked]]:
    """(label, kind, colour, values by year) of the entities drawn one by one and of each
    kind's summed others, kind by kind; and what was picked."""
    groups = [Group(k.noun, totals(w), f"{k.stem}.csv") for w, k in zip(wides, kinds, strict=True)]
    picked = pick(groups, limit)
    out: list[tuple[str, str, str, np.ndarray]] = []
    for wide, k, p in zip(wides, kinds, picked, strict=True):
        for i, name in enumerate(p.drawn):
            out.append((k.label.format(name), k.kind, shade(k.kind, i), wide[name].to_numpy()))
        if p.summed:
            values = np.nan_to_num(p.total(wide), nan=0.0)
            out.append((k.others.format(p.other), k.kind, OTHER_COLOURS[k.kind], values))
    return out, picked


def entries(picked: Picked) -> list[tuple[str, list[str], bool]]:
    """(name, the entities it stands for, whether it is the summed others): each entity
    drawn one by one, then the others ("other 240 contracts") if any."""
    out = [(name, [name], False) for name in picked.drawn]
    if picked.summed:
        out.append((picked.other, picked.summed, True))
    return out


def values_of(wide: pd.DataFrame, members: list[str]) -> np.ndarray | None:
    """The values by year of `members` in a table by year (`by_year`), added up (NaN where
    none has a value); None when none of them is in the table."""
    present = [m for m in members if m in wide.columns]
    if not present:
        return None
    if len(present) == 1:
        return wide[present[0]].to_numpy()
    return wide[present].sum(axis=1, min_count=1).to_numpy(dtype=float)
