"""Yearly balances that tie the families together: oxide, domestic and imported magnets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ndalloc.lp.algebra import Expr, Variables
from ndalloc.lp.data import ModelData
from ndalloc.lp.registry import ArrayRegistry


def add_oxide_balance(lp: ArrayRegistry, data: ModelData) -> None:
    r"""Oxide used each year equals oxide supplied; the rest is `unallocated`.

    .. math::
        \sum_k \mathit{export}_{k,y} + \sum_m \mathit{feed}_{m,y} + \sum_p \mathit{inject}_{p,y}
        + \mathit{unallocated}_y - \sum_s \mathit{output}_{s,y}
        - \sum_{o} \mathit{imports}_{o,\mathrm{oxide},y} - \sum_p \mathit{release}_{p,y} = 0
        \quad y \in Y

    Dual: the value of one more tonne of oxide in year y (>= 0).
    """
    years = pd.DataFrame({"year": data.years})
    n = len(years)
    unallocated = lp.add_variables("unallocated", years, "t oxide", "oxide not used")
    imports = lp["imports"]
    oxide = np.flatnonzero(imports.column("product") == "oxide")

    def per_year(var: Variables, pos: np.ndarray | None = None) -> Expr:
        at = np.arange(len(var)) if pos is None else pos
        return var.sum_by(data.year_rows(var.column("year")[at]), n, at)

    used = per_year(lp["export"]) + per_year(lp["feed"]) + per_year(lp["inject"])
    supplied = per_year(lp["output"]) + per_year(lp["release"]) + per_year(imports, oxide)
    lp.add_constraints(
        "oxide_balance",
        years,
        used + unallocated - supplied == 0.0,
        "t oxide",
        "one more tonne of oxide in the year",
    )


def add_magnet_balances(lp: ArrayRegistry, data: ModelData) -> None:
    r"""Magnets delivered to sectors come from domestic makers or from imports.

    .. math::
        \sum_d \mathit{deliver\_domestic}_{d,y} - \sum_m \mathit{make}_{m,y} = 0, \qquad
        \sum_d \mathit{deliver\_import}_{d,y} - \sum_o \mathit{imports}_{o,\mathrm{magnet},y} = 0

    for every year with a term. Duals: the value of one more tonne of domestic (imported)
    magnets in the year.
    """
    del data
    make, imports = lp["make"], lp["imports"]
    magnets = np.flatnonzero(imports.column("product") == "magnet")
    _magnet_balance(
        lp,
        "magnet_balance_domestic",
        lp["deliver_domestic"],
        make,
        np.arange(len(make)),
        "one more tonne of domestic magnets in the year",
    )
    _magnet_balance(
        lp,
        "magnet_balance_import",
        lp["deliver_import"],
        imports,
        magnets,
        "one more tonne of imported magnets in the year",
    )


def _magnet_balance(
    lp: ArrayRegistry,
    name: str,
    delivered: Variables,
    supply: Variables,
    supply_pos: np.ndarray,
    meaning: str,
) -> None:
    out = delivered.column("year").astype(np.int64)
    into = supply.column("year")[supply_pos].astype(np.int64)
    years = np.union1d(out, into)  # the years with a term
    n = len(years)
    lp.add_constraints(
        name,
        pd.DataFrame({"year": years}),
        delivered.sum_by(np.searchsorted(years, out), n)
        - supply.sum_by(np.searchsorted(years, into), n, supply_pos)
        == 0.0,
        "t magnet",
        meaning,
    )
