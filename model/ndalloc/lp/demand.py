"""Sector demand for magnets: met by domestic magnets, imports or a priced shortage."""

from __future__ import annotations

import numpy as np

from ndalloc.lp.data import ModelData, column, key_frame, keys, members
from ndalloc.lp.registry import ArrayRegistry, Registry, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "deliver_domestic": ("t magnet", "domestic magnets delivered to the sector"),
    "deliver_import": ("t magnet", "imported magnets delivered to the sector"),
    "shortage": ("t magnet", "demand not met"),
    "demand_balance": ("t magnet", "one more tonne of the sector's demand"),
    "import_share": ("t magnet", "one more tonne of imported magnets allowed into the sector"),
}


def add_demand(reg: Registry, data: ModelData) -> None:
    r"""Deliveries to each sector, its shortage and the cap on imported magnets.

    .. math::
        \mathit{deliver\_domestic}_{d,y} + \mathit{deliver\_import}_{d,y} + \mathit{shortage}_{d,y}
        = \mathit{demand\_t}_{d,y} \quad (d,y) \in DY

        \mathit{deliver\_import}_{d,y}
        \le \mathit{import\_share\_max}_{d,y}\,\mathit{demand\_t}_{d,y}
        \quad (d,y) \in DY,\ \mathit{import\_share\_max}_{d,y} < 1

    Duals: `demand_balance` is the change in benefit per extra tonne of demand (<= 0);
    `import_share` the value of letting one more tonne of imports into the sector (>= 0).
    """
    frame = data.demand
    index = ("sector", "year")
    ks = keys(frame)
    domestic = reg.var("deliver_domestic", ks, index, *FAMILIES["deliver_domestic"])
    imported = reg.var("deliver_import", ks, index, *FAMILIES["deliver_import"])
    shortage = reg.var("shortage", ks, index, *FAMILIES["shortage"])
    demand = column(frame, "demand_t")
    share = column(frame, "import_share_max")
    reg.constraint(
        "demand_balance",
        ks,
        lambda d, y: domestic[d, y] + imported[d, y] + shortage[d, y] == demand[d, y],
        index,
        *FAMILIES["demand_balance"],
    )
    reg.constraint(
        "import_share",
        [k for k in ks if data.dense or share[k] < 1],
        lambda d, y: imported[d, y] <= share[d, y] * demand[d, y],
        index,
        *FAMILIES["import_share"],
    )


def emit_demand(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_demand` as arrays: the same variables and rows, in the same order."""
    frame = data.demand
    n = len(frame)
    ks = key_frame(frame)
    reg.var("deliver_domestic", ks, *FAMILIES["deliver_domestic"])
    reg.var("deliver_import", ks, *FAMILIES["deliver_import"])
    reg.var("shortage", ks, *FAMILIES["shortage"])
    demand = frame["demand_t"].to_numpy(dtype=float)
    share = frame["import_share_max"].to_numpy(dtype=float)
    reg.constraint(
        "demand_balance",
        ks,
        "=",
        demand,
        [
            each_row("deliver_domestic", None, n),
            each_row("deliver_import", None, n),
            each_row("shortage", None, n),
        ],
        *FAMILIES["demand_balance"],
    )
    capped, pos = members(frame, np.full(n, True) if data.dense else share < 1)
    reg.constraint(
        "import_share",
        capped,
        "<=",
        share[pos] * demand[pos],
        [each_row("deliver_import", pos, len(pos))],
        *FAMILIES["import_share"],
    )
