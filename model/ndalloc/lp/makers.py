"""Domestic magnet makers: capacity and the oxide each tonne of magnet consumes."""

from __future__ import annotations

from ndalloc.lp.data import ModelData, key_frame
from ndalloc.lp.registry import ArrayRegistry


def add_makers(lp: ArrayRegistry, data: ModelData) -> None:
    r"""Magnets made by each maker and the oxide fed to it.

    .. math::
        \mathit{make}_{m,y} \le \mathit{capacity\_t}_{m,y} \quad (m,y) \in MY
        \qquad \mathit{oxide\_per\_t}_{m,y}\,\mathit{make}_{m,y} - \mathit{feed}_{m,y} = 0
        \quad (m,y) \in MY

    Duals: `maker_capacity` is the value of one more tonne of magnet capacity (>= 0, USD per
    t magnet); `maker_conversion` the value of one more tonne of oxide arriving at the maker.
    """
    frame = data.makers
    keys = key_frame(frame)
    feed = lp.add_variables("feed", keys, "t oxide", "oxide delivered to the maker")
    make = lp.add_variables("make", keys, "t magnet", "magnets made by the maker")
    capacity = frame["capacity_t"].to_numpy(dtype=float)
    ratio = frame["oxide_per_t"].to_numpy(dtype=float)
    lp.add_constraints(
        "maker_capacity",
        keys,
        make <= capacity,
        "t magnet",
        "one more tonne of the maker's magnet capacity",
    )
    lp.add_constraints(
        "maker_conversion",
        keys,
        ratio * make - feed == 0.0,
        "t oxide",
        "one more tonne of oxide arriving at the maker",
    )
