"""Sources: oxide output within capacity and above any minimum output."""

from __future__ import annotations

import numpy as np

from ndalloc.lp.data import ModelData, column, key_frame, keys, members
from ndalloc.lp.registry import ArrayRegistry, Registry, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "output": ("t oxide", "oxide produced by the source"),
    "source_capacity": ("t oxide", "one more tonne of the source's capacity"),
    "source_minimum": ("t oxide", "one more tonne of the source's minimum output"),
}


def add_sources(reg: Registry, data: ModelData) -> None:
    r"""Output of each source and its limits.

    .. math::
        \mathit{output}_{s,y} \le \mathit{capacity\_t}_{s,y} \quad (s,y) \in SY
        \qquad \mathit{output}_{s,y} \ge \mathit{min\_output\_t}_{s,y} \quad (s,y) \in SY,\
        \mathit{min\_output\_t}_{s,y} > 0

    Duals: `source_capacity` is the value of one more tonne of capacity (>= 0);
    `source_minimum` the cost of one more tonne of forced output (<= 0).
    """
    frame = data.sources
    index = ("source", "year")
    ks = keys(frame)
    output = reg.var("output", ks, index, *FAMILIES["output"])
    capacity = column(frame, "capacity_t")
    reg.constraint(
        "source_capacity",
        ks,
        lambda s, y: output[s, y] <= capacity[s, y],
        index,
        *FAMILIES["source_capacity"],
    )
    minimum = column(frame, "min_output_t")
    reg.constraint(
        "source_minimum",
        [k for k in ks if data.dense or minimum[k] > 0],
        lambda s, y: output[s, y] >= minimum[s, y],
        index,
        *FAMILIES["source_minimum"],
    )


def emit_sources(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_sources` as arrays: the same variables and rows, in the same order."""
    frame = data.sources
    ks = key_frame(frame)
    n = len(frame)
    reg.var("output", ks, *FAMILIES["output"])
    reg.constraint(
        "source_capacity",
        ks,
        "<=",
        frame["capacity_t"].to_numpy(dtype=float),
        [each_row("output", None, n)],
        *FAMILIES["source_capacity"],
    )
    minimum = frame["min_output_t"].to_numpy(dtype=float)
    ks, pos = members(frame, np.full(n, True) if data.dense else minimum > 0)
    reg.constraint(
        "source_minimum",
        ks,
        ">=",
        minimum[pos],
        [each_row("output", pos, len(pos))],
        *FAMILIES["source_minimum"],
    )
