"""Domestic magnet makers: capacity and the oxide each tonne of magnet consumes."""

from __future__ import annotations

from ndalloc.lp.data import ModelData, column, key_frame, keys
from ndalloc.lp.registry import ArrayRegistry, Registry, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "feed": ("t oxide", "oxide delivered to the maker"),
    "make": ("t magnet", "magnets made by the maker"),
    "maker_capacity": ("t magnet", "one more tonne of the maker's magnet capacity"),
    "maker_conversion": ("t oxide", "one more tonne of oxide arriving at the maker"),
}


def add_makers(reg: Registry, data: ModelData) -> None:
    r"""Magnets made by each maker and the oxide fed to it.

    .. math::
        \mathit{make}_{m,y} \le \mathit{capacity\_t}_{m,y} \quad (m,y) \in MY
        \qquad \mathit{oxide\_per\_t}_{m,y}\,\mathit{make}_{m,y} - \mathit{feed}_{m,y} = 0
        \quad (m,y) \in MY

    Duals: `maker_capacity` is the value of one more tonne of magnet capacity (>= 0, USD per
    t magnet); `maker_conversion` the value of one more tonne of oxide arriving at the maker.
    """
    frame = data.makers
    index = ("maker", "year")
    ks = keys(frame)
    feed = reg.var("feed", ks, index, *FAMILIES["feed"])
    make = reg.var("make", ks, index, *FAMILIES["make"])
    capacity = column(frame, "capacity_t")
    ratio = column(frame, "oxide_per_t")
    reg.constraint(
        "maker_capacity",
        ks,
        lambda m, y: make[m, y] <= capacity[m, y],
        index,
        *FAMILIES["maker_capacity"],
    )
    reg.constraint(
        "maker_conversion",
        ks,
        lambda m, y: ratio[m, y] * make[m, y] - feed[m, y] == 0,
        index,
        *FAMILIES["maker_conversion"],
    )


def emit_makers(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_makers` as arrays: the same variables and rows, in the same order."""
    frame = data.makers
    ks = key_frame(frame)
    n = len(frame)
    reg.var("feed", ks, *FAMILIES["feed"])
    reg.var("make", ks, *FAMILIES["make"])
    reg.constraint(
        "maker_capacity",
        ks,
        "<=",
        frame["capacity_t"].to_numpy(dtype=float),
        [each_row("make", None, n)],
        *FAMILIES["maker_capacity"],
    )
    ratio = frame["oxide_per_t"].to_numpy(dtype=float)
    reg.constraint(
        "maker_conversion",
        ks,
        "=",
        0.0,
        [each_row("make", None, n, ratio), each_row("feed", None, n, -1.0)],
        *FAMILIES["maker_conversion"],
    )
