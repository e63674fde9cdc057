"""Oxide stockpiles: level carried year to year, within bounds and flow limits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData, key_frame, where
from ndalloc.lp.registry import ArrayRegistry


def add_stockpiles(lp: ArrayRegistry, data: ModelData) -> None:
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
    keys = key_frame(frame)
    n = len(frame)
    level = lp.add_variables("level", keys, "t oxide", "oxide in stock at the end of the year")
    inject = lp.add_variables("inject", keys, "t oxide", "oxide put into the stockpile")
    release = lp.add_variables("release", keys, "t oxide", "oxide taken out of the stockpile")
    first = frame["is_first"].to_numpy(dtype=bool)
    initial = frame["initial_t"].to_numpy(dtype=float)
    # level_{p,y-1}: in every row but a stockpile's first, the member one year earlier.
    later = np.flatnonzero(~first)
    earlier = pd.MultiIndex.from_arrays(
        [level.column("stockpile")[later], level.column("year")[later] - 1]
    )
    previous = frame.index.get_indexer(earlier)
    if (previous < 0).any():
        raise KeyError("a stockpile has a gap in its years (see stockpiles.csv)")
    lp.add_constraints(
        "stockpile_balance",
        keys,
        level - level.sum_by(later, n, previous) - inject + release
        == np.where(first, initial, 0.0),
        "t oxide",
        "one more tonne in stock at year end",
    )
    minimum = frame["min_t"].to_numpy(dtype=float)
    required, pos = where(frame, data.dense or minimum > 0)
    lp.add_constraints(
        "stockpile_min",
        required,
        level[pos] >= minimum[pos],
        "t oxide",
        "one more tonne of required reserve",
    )
    lp.add_constraints(
        "stockpile_max",
        keys,
        level <= frame["max_t"].to_numpy(dtype=float),
        "t oxide",
        "one more tonne of storage capacity",
    )
    lp.add_constraints(
        "stockpile_inject_limit",
        keys,
        inject <= frame["max_inject_t"].to_numpy(dtype=float),
        "t oxide",
        "one more tonne of injection capacity",
    )
    lp.add_constraints(
        "stockpile_release_limit",
        keys,
        release <= frame["max_release_t"].to_numpy(dtype=float),
        "t oxide",
        "one more tonne of release capacity",
    )
