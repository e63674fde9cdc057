"""The explicit map from each variable and constraint family to its Pyomo component.

Results are read through this map, never by looking components up by name, so every table
carries the index names, unit and meaning its family declared.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Family:
    """A variable or constraint family: its component, index column names, unit and meaning."""

    name: str
    component: Any
    index: tuple[str, ...]
    unit: str
    meaning: str


@dataclass
class Registry:
    """Collects the families while `build_model` runs."""

    model: pyo.ConcreteModel
    variables: dict[str, Family] = field(default_factory=dict)
    constraints: dict[str, Family] = field(default_factory=dict)

    def var(
        self, name: str, keys: Sequence[Key], index: tuple[str, ...], unit: str, meaning: str
    ) -> Any:
        """Add a non-negative variable family indexed by `keys` and return it."""
        index_set = _index_set(keys, index)
        self.model.add_component(f"{name}_index", index_set)
        component = pyo.Var(index_set, within=pyo.NonNegativeReals)
        self.model.add_component(name, component)
        self.variables[name] = Family(name, component, index, unit, meaning)
        return component

    def constraint(
        self,
        name: str,
        keys: Iterable[Key],
        rule: Any,
        index: tuple[str, ...],
        unit: str,
        meaning: str,
    ) -> Any:
        """Add a constraint family: `rule(*key)` returns the relational expression of one row."""
        index_set = _index_set(keys, index)
        self.model.add_component(f"{name}_index", index_set)
        component = pyo.Constraint(index_set, rule=lambda _m, *k: rule(*k))
        self.model.add_component(name, component)
        self.constraints[name] = Family(name, component, index, unit, meaning)
        return component


def _index_set(keys: Iterable[Key], index: tuple[str, ...]) -> pyo.Set:
    """An ordered Pyomo set; one-column keys are stored as scalars, as Pyomo expects."""
    members: list[Any] = [k[0] for k in keys] if len(index) == 1 else list(keys)
    return pyo.Set(initialize=members, dimen=len(index), ordered=True)
