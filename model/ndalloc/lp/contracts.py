"""Export contracts: deliveries within a window, shortfalls below the minimum priced, and the
national ceiling on all exports of a year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData, key_frame, where
from ndalloc.lp.registry import ArrayRegistry


def add_contracts(lp: ArrayRegistry, data: ModelData) -> None:
    r"""Exports under each agreement, the shortfall against its minimum and the ceiling on
    the exports of a year.

    .. math::
        \mathit{export}_{k,y} \le \mathit{max\_t}_{k,y}\,(1 - \mathit{halted}_{k,y})
        \quad (k,y) \in KY
        \qquad \mathit{export}_{k,y} + \mathit{breach}_{k,y} \ge \mathit{min\_t}_{k,y}
        \quad (k,y) \in KY^{min}

        \sum_{k:(k,y) \in KY} \mathit{export}_{k,y} \le \mathit{export\_cap\_t}
        \quad y \in Y^{exp}\ (\text{only with } \mathit{export\_cap\_t})

    `breach` is charged `breach_penalty_usd_per_t` in the objective. Duals: `contract_max` is
    the value of the partner taking one more tonne (>= 0); `contract_min` is minus the cost of
    honouring one more tonne of commitment (<= 0); `export_cap` the value of letting one more
    tonne leave the country in the year (>= 0).
    """
    frame = data.contracts
    keys = key_frame(frame)
    minimum = frame["min_t"].to_numpy(dtype=float)
    committed, pos = where(frame, data.dense or minimum > 0)
    export = lp.add_variables("export", keys, "t oxide", "oxide delivered under the contract")
    breach = lp.add_variables(
        "breach", committed, "t oxide", "delivery short of the contract minimum"
    )
    # A halted year takes nothing, while its minimum (and so the breach penalty) still applies.
    halted = frame["halted"].to_numpy(dtype=bool)
    maximum = np.where(halted, 0.0, frame["max_t"].to_numpy(dtype=float))
    lp.add_constraints(
        "contract_max",
        keys,
        export <= maximum,
        "t oxide",
        "the partner taking one more tonne",
    )
    lp.add_constraints(
        "contract_min",
        committed,
        export[pos] + breach >= minimum[pos],
        "t oxide",
        "one more tonne of committed minimum delivery",
    )
    # Without a ceiling the family has no rows (like the route families without routes.csv).
    capped = export.column("year") if data.export_cap_t is not None else np.zeros(0, np.int64)
    years, row = np.unique(capped, return_inverse=True)
    lp.add_constraints(
        "export_cap",
        pd.DataFrame({"year": years.astype(np.int64)}),
        export.sum_by(row, len(years), np.arange(len(row))) <= (data.export_cap_t or 0.0),
        "t oxide",
        "one more tonne of oxide allowed to leave the country in the year",
    )
