"""Oxide stockpiles: level carried year to year, within bounds and flow limits."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData, column, key_frame, keys, members
from ndalloc.lp.registry import ArrayRegistry, Registry, Terms, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "level": ("t oxide", "oxide in stock at the end of the year"),
    "inject": ("t oxide", "oxide put into the stockpile"),
    "release": ("t oxide", "oxide taken out of the stockpile"),
    "stockpile_balance": ("t oxide", "one more tonne in stock at year end"),
    "stockpile_min": ("t oxide", "one more tonne of required reserve"),
    "stockpile_max": ("t oxide", "one more tonne of storage capacity"),
    "stockpile_inject_limit": ("t oxide", "one more tonne of injection capacity"),
    "stockpile_release_limit": ("t oxide", "one more tonne of release capacity"),
}


def add_stockpiles(reg: Registry, data: ModelData) -> None:
    r"""Stockpile levels, injections and releases.

    .. math::
        \mathit{level}_{p,y} - \mathit{level}_{p,y-1} - \mathit{inject}_{p,y}
        + \mathit{release}_{p,y} = \begin{cases}\mathit{initial\_t}_p & y = y^0_p\\
        0 & \text{otherwise}\end{cases} \quad (p,y) \in PY

        \mathit{level}_{p,y} \ge \mathit{min\_t}_{p,y}\ (\mathit{min\_t} > 0), \quad
        \mathit{level}_{p,y} \le \mathit{max\_t}_{p,y}, \quad
        \mathit{inject}_{p,y} \le \mathit{max\_inject\_t}_{p,y}, \quad
        \mathit{release}_{p,y} \le \mathit{max\_release\_t}_{p,y}

    The level term of the year before is dropped in a stockpile's first year y^0_p. Duals:
    `stockpile_balance` is the value of one more tonne in stock at the end of year y;
    `stockpile_min` (<= 0) the cost of a tonne more reserve; `stockpile_max`,
    `stockpile_inject_limit`, `stockpile_release_limit` (>= 0) the value of relaxing them.
    """
    frame = data.stockpiles
    index = ("stockpile", "year")
    ks = keys(frame)
    level = reg.var("level", ks, index, *FAMILIES["level"])
    inject = reg.var("inject", ks, index, *FAMILIES["inject"])
    release = reg.var("release", ks, index, *FAMILIES["release"])
    first = dict(zip(ks, frame["is_first"].to_numpy(dtype=bool), strict=True))
    initial = column(frame, "initial_t")

    def balance(p: str, y: int) -> Any:
        before = 0 if first[p, y] else level[p, y - 1]
        rhs = initial[p, y] if first[p, y] else 0.0
        return level[p, y] - before - inject[p, y] + release[p, y] == rhs

    reg.constraint("stockpile_balance", ks, balance, index, *FAMILIES["stockpile_balance"])
    minimum = column(frame, "min_t")
    maximum = column(frame, "max_t")
    max_inject = column(frame, "max_inject_t")
    max_release = column(frame, "max_release_t")
    reg.constraint(
        "stockpile_min",
        [k for k in ks if data.dense or minimum[k] > 0],
        lambda p, y: level[p, y] >= minimum[p, y],
        index,
        *FAMILIES["stockpile_min"],
    )
    reg.constraint(
        "stockpile_max",
        ks,
        lambda p, y: level[p, y] <= maximum[p, y],
        index,
        *FAMILIES["stockpile_max"],
    )
    reg.constraint(
        "stockpile_inject_limit",
        ks,
        lambda p, y: inject[p, y] <= max_inject[p, y],
        index,
        *FAMILIES["stockpile_inject_limit"],
    )
    reg.constraint(
        "stockpile_release_limit",
        ks,
        lambda p, y: release[p, y] <= max_release[p, y],
        index,
        *FAMILIES["stockpile_release_limit"],
    )


def emit_stockpiles(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_stockpiles` as arrays: the same variables and rows, in the same order."""
    frame = data.stockpiles
    n = len(frame)
    ks = key_frame(frame)
    reg.var("level", ks, *FAMILIES["level"])
    reg.var("inject", ks, *FAMILIES["inject"])
    reg.var("release", ks, *FAMILIES["release"])
    first = frame["is_first"].to_numpy(dtype=bool)
    initial = frame["initial_t"].to_numpy(dtype=float)
    later = np.flatnonzero(~first)
    before = pd.MultiIndex.from_arrays(
        [ks["stockpile"].to_numpy()[later], ks["year"].to_numpy()[later] - 1]
    )
    previous = frame.index.get_indexer(before)  # the level of (p, y - 1)
    if (previous < 0).any():
        raise KeyError("a stockpile has a gap in its years (see stockpiles.csv)")
    reg.constraint(
        "stockpile_balance",
        ks,
        "=",
        np.where(first, initial, 0.0),
        [
            each_row("level", None, n),
            Terms("level", later, previous, -1.0),
            each_row("inject", None, n, -1.0),
            each_row("release", None, n, 1.0),
        ],
        *FAMILIES["stockpile_balance"],
    )
    minimum = frame["min_t"].to_numpy(dtype=float)
    required, pos = members(frame, np.full(n, True) if data.dense else minimum > 0)
    reg.constraint(
        "stockpile_min",
        required,
        ">=",
        minimum[pos],
        [each_row("level", pos, len(pos))],
        *FAMILIES["stockpile_min"],
    )
    for name, var, col in (
        ("stockpile_max", "level", "max_t"),
        ("stockpile_inject_limit", "inject", "max_inject_t"),
        ("stockpile_release_limit", "release", "max_release_t"),
    ):
        reg.constraint(
            name,
            ks,
            "<=",
            frame[col].to_numpy(dtype=float),
            [each_row(var, None, n)],
            *FAMILIES[name],
        )
