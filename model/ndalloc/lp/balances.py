"""Yearly balances that tie the families together: oxide, domestic and imported magnets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData, by_year
from ndalloc.lp.registry import ArrayRegistry, Registry, Terms, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "unallocated": ("t oxide", "oxide not used"),
    "oxide_balance": ("t oxide", "one more tonne of oxide in the year"),
    "magnet_balance_domestic": ("t magnet", "one more tonne of domestic magnets in the year"),
    "magnet_balance_import": ("t magnet", "one more tonne of imported magnets in the year"),
}


def _terms(var: Any, ks: list[Any]) -> Any:
    import pyomo.environ as pyo

    return pyo.quicksum(var[k] for k in ks)


def add_oxide_balance(reg: Registry, data: ModelData) -> None:
    r"""Oxide used each year equals oxide supplied; the rest is `unallocated`.

    .. math::
        \sum_k \mathit{export}_{k,y} + \sum_m \mathit{feed}_{m,y} + \sum_p \mathit{inject}_{p,y}
        + \mathit{unallocated}_y - \sum_s \mathit{output}_{s,y}
        - \sum_{o} \mathit{imports}_{o,\mathrm{oxide},y} - \sum_p \mathit{release}_{p,y} = 0
        \quad y \in Y

    Dual: the value of one more tonne of oxide in year y (>= 0).
    """
    v = reg.variables
    unallocated = reg.var(
        "unallocated", [(y,) for y in data.years], ("year",), *FAMILIES["unallocated"]
    )
    oxide_imports = [k for k in v["imports"].component if k[1] == "oxide"]
    uses = [by_year(v[n].component) for n in ("export", "feed", "inject")]
    supplies = [by_year(v[n].component) for n in ("output", "release")]
    supplies.append(by_year(oxide_imports))
    comps_use = [v[n].component for n in ("export", "feed", "inject")]
    comps_supply = [v[n].component for n in ("output", "release", "imports")]

    def rule(y: int) -> Any:
        used = sum(_terms(c, g.get(y, [])) for c, g in zip(comps_use, uses, strict=True))
        supplied = sum(_terms(c, g.get(y, [])) for c, g in zip(comps_supply, supplies, strict=True))
        return used + unallocated[y] - supplied == 0

    reg.constraint(
        "oxide_balance",
        [(y,) for y in data.years],
        rule,
        ("year",),
        *FAMILIES["oxide_balance"],
    )


def add_magnet_balances(reg: Registry, data: ModelData) -> None:
    r"""Magnets delivered to sectors come from domestic makers or from imports.

    .. math::
        \sum_d \mathit{deliver\_domestic}_{d,y} - \sum_m \mathit{make}_{m,y} = 0, \qquad
        \sum_d \mathit{deliver\_import}_{d,y} - \sum_o \mathit{imports}_{o,\mathrm{magnet},y} = 0

    for every year with a term. Duals: the value of one more tonne of domestic (imported)
    magnets in the year.
    """
    v = reg.variables
    made = v["make"].component
    imports = v["imports"].component
    _magnet_balance(
        reg,
        "magnet_balance_domestic",
        v["deliver_domestic"].component,
        made,
        list(made),
    )
    _magnet_balance(
        reg,
        "magnet_balance_import",
        v["deliver_import"].component,
        imports,
        [k for k in imports if k[1] == "magnet"],
    )


def _magnet_balance(
    reg: Registry, name: str, delivered: Any, supply: Any, supply_keys: list[Any]
) -> None:
    out = by_year(delivered)
    into = by_year(supply_keys)

    def rule(y: int) -> Any:
        return _terms(delivered, out.get(y, [])) - _terms(supply, into.get(y, [])) == 0

    reg.constraint(
        name,
        [(y,) for y in sorted(set(out) | set(into))],
        rule,
        ("year",),
        *FAMILIES[name],
    )


def _years_of(reg: ArrayRegistry, var: str) -> np.ndarray:
    return reg.keys(var)["year"].to_numpy(dtype=np.int64)


def emit_oxide_balance(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_oxide_balance` as arrays: the same variable and rows, in the same order."""
    years = pd.DataFrame({"year": data.years})
    reg.var("unallocated", years, *FAMILIES["unallocated"])
    products = reg.keys("imports")["product"].to_numpy()
    oxide = np.flatnonzero(products == "oxide")
    terms = [
        Terms(var, data.year_rows(_years_of(reg, var)), np.arange(reg.size(var)), 1.0)
        for var in ("export", "feed", "inject")
    ]
    terms.append(each_row("unallocated", None, len(years)))
    terms += [
        Terms(var, data.year_rows(_years_of(reg, var)), np.arange(reg.size(var)), -1.0)
        for var in ("output", "release")
    ]
    terms.append(Terms("imports", data.year_rows(_years_of(reg, "imports")[oxide]), oxide, -1.0))
    reg.constraint(
        "oxide_balance",
        years,
        "=",
        0.0,
        terms,
        *FAMILIES["oxide_balance"],
    )


def emit_magnet_balances(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_magnet_balances` as arrays: the same rows, in the same order."""
    del data
    made = np.arange(reg.size("make"))
    products = reg.keys("imports")["product"].to_numpy()
    imported = np.flatnonzero(products == "magnet")
    _emit_magnet_balance(reg, "magnet_balance_domestic", "deliver_domestic", "make", made)
    _emit_magnet_balance(reg, "magnet_balance_import", "deliver_import", "imports", imported)


def _emit_magnet_balance(
    reg: ArrayRegistry, name: str, delivered: str, supply: str, supply_pos: np.ndarray
) -> None:
    out = _years_of(reg, delivered)
    into = _years_of(reg, supply)[supply_pos]
    years = np.array(sorted(set(out.tolist()) | set(into.tolist())), dtype=np.int64)
    row_of = np.searchsorted(years, out), np.searchsorted(years, into)
    reg.constraint(
        name,
        pd.DataFrame({"year": years}),
        "=",
        0.0,
        [
            Terms(delivered, row_of[0], np.arange(len(out)), 1.0),
            Terms(supply, row_of[1], supply_pos, -1.0),
        ],
        *FAMILIES[name],
    )
