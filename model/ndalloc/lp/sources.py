"""Sources: oxide output within capacity and above any minimum output."""

from __future__ import annotations

from ndalloc.lp.data import ModelData, key_frame, where
from ndalloc.lp.registry import ArrayRegistry


def add_sources(lp: ArrayRegistry, data: ModelData) -> None:
    r"""Output of each source and its limits.

    .. math::
        \mathit{output}_{s,y} \le \mathit{capacity\_t}_{s,y} \quad (s,y) \in SY
        \qquad \mathit{output}_{s,y} \ge \mathit{min\_output\_t}_{s,y} \quad (s,y) \in SY,\
        \mathit{min\_output\_t}_{s,y} > 0

    Duals: `source_capacity` is the value of one more tonne of capacity (>= 0);
    `source_minimum` the cost of one more tonne of forced output (<= 0).
    """
    frame = data.sources
    keys = key_frame(frame)
    output = lp.add_variables("output", keys, "t oxide", "oxide produced by the source")
    capacity = frame["capacity_t"].to_numpy(dtype=float)
    lp.add_constraints(
        "source_capacity",
        keys,
        output <= capacity,
        "t oxide",
        "one more tonne of the source's capacity",
    )
    minimum = frame["min_output_t"].to_numpy(dtype=float)
    forced, pos = where(frame, data.dense or minimum > 0)
    lp.add_constraints(
        "source_minimum",
        forced,
        output[pos] >= minimum[pos],
        "t oxide",
        "one more tonne of the source's minimum output",
    )
