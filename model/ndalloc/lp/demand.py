"""Sector demand for magnets: met by domestic magnets, imports or a priced shortage."""

from __future__ import annotations

from ndalloc.lp.data import ModelData, key_frame, where
from ndalloc.lp.registry import ArrayRegistry


def add_demand(lp: ArrayRegistry, data: ModelData) -> None:
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
    keys = key_frame(frame)
    domestic = lp.add_variables(
        "deliver_domestic", keys, "t magnet", "domestic magnets delivered to the sector"
    )
    imported = lp.add_variables(
        "deliver_import", keys, "t magnet", "imported magnets delivered to the sector"
    )
    shortage = lp.add_variables("shortage", keys, "t magnet", "demand not met")
    demand = frame["demand_t"].to_numpy(dtype=float)
    share = frame["import_share_max"].to_numpy(dtype=float)
    lp.add_constraints(
        "demand_balance",
        keys,
        domestic + imported + shortage == demand,
        "t magnet",
        "one more tonne of the sector's demand",
    )
    capped, pos = where(frame, data.dense or share < 1)
    lp.add_constraints(
        "import_share",
        capped,
        imported[pos] <= share[pos] * demand[pos],
        "t magnet",
        "one more tonne of imported magnets allowed into the sector",
    )
