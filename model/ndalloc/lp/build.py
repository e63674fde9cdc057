"""Build the allocation LP from a scenario, one constraint family at a time.

`build_lp` (the default) has each family module emit its rows as index/coefficient arrays and
hands HiGHS the assembled matrix; `build_model` builds the same LP as a Pyomo model (the plain
path: slower, kept for comparison and for `extra` constraint hooks written against Pyomo).
Both give HiGHS the same columns, rows, coefficients, bounds and costs in the same order (see
`ndalloc.lp.registry`), so they give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ndalloc.data.scenario import Scenario
from ndalloc.lp.balances import (
    add_magnet_balances,
    add_oxide_balance,
    emit_magnet_balances,
    emit_oxide_balance,
)
from ndalloc.lp.contracts import add_contracts, emit_contracts
from ndalloc.lp.data import ModelData
from ndalloc.lp.demand import add_demand, emit_demand
from ndalloc.lp.imports import add_imports, emit_imports
from ndalloc.lp.makers import add_makers, emit_makers
from ndalloc.lp.objective import add_objective, objective_arrays
from ndalloc.lp.registry import ArrayRegistry, Family, LpArrays, Registry
from ndalloc.lp.routes import add_routes, emit_routes
from ndalloc.lp.sources import add_sources, emit_sources
from ndalloc.lp.stockpiles import add_stockpiles, emit_stockpiles

if TYPE_CHECKING:
    import pyomo.environ as pyo

#: A hook for extra constraints: called with the registry and data after every family.
ExtraConstraints = Callable[[Registry, ModelData], None]

#: The families in build order. Balances and routes come last: they tie the others together.
FAMILIES: tuple[Callable[[Registry, ModelData], None], ...] = (
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

#: The same families as arrays, in the same order.
EMITTERS: tuple[Callable[[ArrayRegistry, ModelData], None], ...] = (
    emit_sources,
    emit_contracts,
    emit_makers,
    emit_imports,
    emit_demand,
    emit_stockpiles,
    emit_oxide_balance,
    emit_magnet_balances,
    emit_routes,
)


@dataclass(frozen=True)
class BuiltModel:
    """A built Pyomo LP (plain path) with the map from families to components and the
    objective coefficients."""

    model: pyo.ConcreteModel
    data: ModelData
    variables: dict[str, Family]
    constraints: dict[str, Family]
    objective: dict[str, dict[Any, float]]


@dataclass(frozen=True)
class BuiltLp:
    """A built LP as arrays (fast path): the map from families to columns and rows, the
    objective coefficients of each variable family in key order, and the LP itself."""

    data: ModelData
    variables: dict[str, Family]
    constraints: dict[str, Family]
    objective: dict[str, np.ndarray]
    arrays: LpArrays


def build_model(
    scenario: Scenario, extra: ExtraConstraints | None = None, *, dense: bool = False
) -> BuiltModel:
    """The allocation LP of `scenario` as a Pyomo model (see docs/formulation.md); `dense`
    keeps inactive optional rows (see `ModelData.dense`)."""
    import pyomo.environ as pyo

    data = ModelData.from_scenario(scenario, dense=dense)
    model = pyo.ConcreteModel(name=scenario.name)
    reg = Registry(model)
    for add in FAMILIES:
        add(reg, data)
    if extra is not None:
        extra(reg, data)
    objective = add_objective(reg, data)
    return BuiltModel(model, data, reg.variables, reg.constraints, objective)


def build_lp(scenario: Scenario, *, dense: bool = False) -> BuiltLp:
    """The allocation LP of `scenario` as arrays for HiGHS (see docs/formulation.md); the
    same LP as `build_model`, built without Pyomo."""
    data = ModelData.from_scenario(scenario, dense=dense)
    reg = ArrayRegistry()
    for emit in EMITTERS:
        emit(reg, data)
    objective = objective_arrays(reg, data)
    arrays = reg.assemble(objective)
    return BuiltLp(data, reg.variables, reg.constraints, objective, arrays)


#: Either built form; every consumer of a built LP accepts both.
Built = BuiltModel | BuiltLp
