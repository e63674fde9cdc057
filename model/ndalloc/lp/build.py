"""Build the allocation LP from a scenario, one family module at a time.

Each family is declared once, in its module (docs/formulation.md, section 6), on an
`ArrayRegistry`; `build_lp` (the default) hands HiGHS the assembled arrays, and `build_model`
derives from the same declarations a Pyomo model with one component per family
(`ndalloc.lp.pyomo_model`: the plain path, for `extra` constraint hooks written against Pyomo
and for tools that need a Pyomo model). Both give HiGHS the same columns, rows, coefficients,
bounds and costs in the same order (see `ndalloc.lp.registry`), so they give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ndalloc.data.scenario import Scenario
from ndalloc.lp.balances import add_magnet_balances, add_oxide_balance
from ndalloc.lp.contracts import add_contracts
from ndalloc.lp.data import ModelData
from ndalloc.lp.demand import add_demand
from ndalloc.lp.imports import add_imports
from ndalloc.lp.makers import add_makers
from ndalloc.lp.objective import objective_arrays
from ndalloc.lp.registry import ArrayRegistry, Family, LpArrays
from ndalloc.lp.routes import add_routes
from ndalloc.lp.sources import add_sources
from ndalloc.lp.stockpiles import add_stockpiles

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from ndalloc.lp.pyomo_model import Registry

#: A hook for extra constraints written against Pyomo: called with the Pyomo model's registry
#: and the data after every declared family, before the objective is set.
ExtraConstraints = Callable[["Registry", ModelData], None]

#: The families in build order: the order of the LP's rows. Balances and routes come last:
#: they tie the others together.
FAMILIES: tuple[Callable[[ArrayRegistry, ModelData], None], ...] = (
    add_sources,
    add_contracts,
    add_makers,
    add_imports,
    add_demand,
    add_stockpiles,
    add_oxide_balance,
    add_magnet_balances,
    add_routes,
)


@dataclass(frozen=True)
class BuiltModel:
    """A built Pyomo LP (plain path) with the map from families to components and the
    objective coefficients of each variable family in key order."""

    model: pyo.ConcreteModel
    data: ModelData
    variables: dict[str, Family]
    constraints: dict[str, Family]
    objective: dict[str, np.ndarray]


@dataclass(frozen=True)
class BuiltLp:
    """A built LP as arrays (fast path): the map from families to columns and rows, the
    objective coefficients of each variable family in key order, and the LP itself."""

    data: ModelData
    variables: dict[str, Family]
    constraints: dict[str, Family]
    objective: dict[str, np.ndarray]
    arrays: LpArrays


def build_lp(scenario: Scenario, *, dense: bool = False) -> BuiltLp:
    """The allocation LP of `scenario` as arrays for HiGHS (see docs/formulation.md); `dense`
    keeps inactive optional rows (see `ModelData.dense`)."""
    data = ModelData.from_scenario(scenario, dense=dense)
    lp = ArrayRegistry()
    for add in FAMILIES:
        add(lp, data)
    objective = objective_arrays(lp, data)
    arrays = lp.assemble(objective)
    return BuiltLp(data, lp.variables, lp.constraints, objective, arrays)


def build_model(
    scenario: Scenario, extra: ExtraConstraints | None = None, *, dense: bool = False
) -> BuiltModel:
    """The same LP as `build_lp`, as a Pyomo model with one component per family, plus the
    constraints of an `extra` hook."""
    from ndalloc.lp.pyomo_model import pyomo_model, set_objective

    built = build_lp(scenario, dense=dense)
    reg = pyomo_model(scenario.name, built.variables, built.constraints, built.arrays)
    if extra is not None:
        extra(reg, built.data)
    set_objective(reg, built.objective)
    return BuiltModel(reg.model, built.data, reg.variables, reg.constraints, built.objective)


#: Either built form; every consumer of a built LP accepts both.
Built = BuiltModel | BuiltLp
