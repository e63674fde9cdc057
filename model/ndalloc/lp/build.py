"""Build the allocation LP from a scenario, one constraint family at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from ndalloc.data.scenario import Scenario
from ndalloc.lp.balances import add_magnet_balances, add_oxide_balance
from ndalloc.lp.contracts import add_contracts
from ndalloc.lp.data import ModelData
from ndalloc.lp.demand import add_demand
from ndalloc.lp.imports import add_imports
from ndalloc.lp.makers import add_makers
from ndalloc.lp.objective import add_objective
from ndalloc.lp.registry import Family, Registry
from ndalloc.lp.routes import add_routes
from ndalloc.lp.sources import add_sources
from ndalloc.lp.stockpiles import add_stockpiles

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


@dataclass(frozen=True)
class BuiltModel:
    """A built LP with the map from families to components and the objective coefficients."""

    model: pyo.ConcreteModel
    data: ModelData
    variables: dict[str, Family]
    constraints: dict[str, Family]
    objective: dict[str, dict[Any, float]]


def build_model(
    scenario: Scenario, extra: ExtraConstraints | None = None, *, dense: bool = False
) -> BuiltModel:
    """The allocation LP of `scenario` (see docs/formulation.md); `dense` keeps inactive
    optional rows (see `ModelData.dense`)."""
    data = ModelData.from_scenario(scenario, dense=dense)
    model = pyo.ConcreteModel(name=scenario.name)
    reg = Registry(model)
    for add in FAMILIES:
        add(reg, data)
    if extra is not None:
        extra(reg, data)
    objective = add_objective(reg, data)
    return BuiltModel(model, data, reg.variables, reg.constraints, objective)
