"""Export contracts: deliveries within a window, shortfalls below the minimum priced."""

from __future__ import annotations

import numpy as np

from ndalloc.lp.data import ModelData, column, key_frame, keys, members
from ndalloc.lp.registry import ArrayRegistry, Registry, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "export": ("t oxide", "oxide delivered under the contract"),
    "breach": ("t oxide", "delivery short of the contract minimum"),
    "contract_max": ("t oxide", "the partner taking one more tonne"),
    "contract_min": ("t oxide", "one more tonne of committed minimum delivery"),
}


def add_contracts(reg: Registry, data: ModelData) -> None:
    r"""Exports under each agreement and the shortfall against its minimum.

    .. math::
        \mathit{export}_{k,y} \le \mathit{max\_t}_{k,y}\,(1 - \mathit{halted}_{k,y})
        \quad (k,y) \in KY
        \qquad \mathit{export}_{k,y} + \mathit{breach}_{k,y} \ge \mathit{min\_t}_{k,y}
        \quad (k,y) \in KY,\ \mathit{min\_t}_{k,y} > 0

    `breach` is charged `breach_penalty_usd_per_t` in the objective. Duals: `contract_max` is
    the value of the partner taking one more tonne (>= 0); `contract_min` is minus the cost of
    honouring one more tonne of commitment (<= 0).
    """
    frame = data.contracts
    index = ("contract", "year")
    ks = keys(frame)
    minimum = column(frame, "min_t")
    committed = [k for k in ks if data.dense or minimum[k] > 0]
    export = reg.var("export", ks, index, *FAMILIES["export"])
    breach = reg.var("breach", committed, index, *FAMILIES["breach"])
    # A halted year takes nothing, while its minimum (and so the breach penalty) still applies.
    halted = dict(zip(ks, frame["halted"].to_numpy(dtype=bool), strict=True))
    maximum = {k: 0.0 if halted[k] else m for k, m in column(frame, "max_t").items()}
    reg.constraint(
        "contract_max",
        ks,
        lambda k, y: export[k, y] <= maximum[k, y],
        index,
        *FAMILIES["contract_max"],
    )
    reg.constraint(
        "contract_min",
        committed,
        lambda k, y: export[k, y] + breach[k, y] >= minimum[k, y],
        index,
        *FAMILIES["contract_min"],
    )


def emit_contracts(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_contracts` as arrays: the same variables and rows, in the same order."""
    frame = data.contracts
    ks = key_frame(frame)
    n = len(frame)
    minimum = frame["min_t"].to_numpy(dtype=float)
    committed, pos = members(frame, np.full(n, True) if data.dense else minimum > 0)
    reg.var("export", ks, *FAMILIES["export"])
    reg.var("breach", committed, *FAMILIES["breach"])
    # A halted year takes nothing, while its minimum (and so the breach penalty) still applies.
    halted = frame["halted"].to_numpy(dtype=bool)
    maximum = np.where(halted, 0.0, frame["max_t"].to_numpy(dtype=float))
    reg.constraint(
        "contract_max",
        ks,
        "<=",
        maximum,
        [each_row("export", None, n)],
        *FAMILIES["contract_max"],
    )
    reg.constraint(
        "contract_min",
        committed,
        ">=",
        minimum[pos],
        [each_row("export", pos, len(pos)), each_row("breach", None, len(pos))],
        *FAMILIES["contract_min"],
    )
