"""The declared LP as a Pyomo model: one indexed `Var` or `Constraint` per family.

Nothing here states a family again: every component is read from the declarations that the
array path hands HiGHS (`ndalloc.lp.registry.ArrayRegistry` and its assembled `LpArrays`), row
by row with each row's terms in formula order, so Pyomo's persistent HiGHS interface builds the
same LP in the same order. The model is for `--plain`, for `extra` constraint hooks written
against Pyomo (`Registry`), and for tools that take a Pyomo model (mpi-sppy, writers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from ndalloc.lp.registry import Family, Key, LpArrays


@dataclass
class Registry:
    """The families of a Pyomo model, for `extra` constraint hooks: `var` and `constraint`
    add a family as a Pyomo component and register it, so that its values and duals reach the
    result tables like every declared family's."""

    model: pyo.ConcreteModel
    variables: dict[str, Family] = field(default_factory=dict)
    constraints: dict[str, Family] = field(default_factory=dict)

    def var(
        self, name: str, keys: Sequence[Key], index: tuple[str, ...], unit: str, meaning: str
    ) -> Any:
        """Add a non-negative variable family indexed by `keys` and return it."""
        component = pyo.Var(_index_set(self.model, name, keys, index), within=pyo.NonNegativeReals)
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
        component = pyo.Constraint(
            _index_set(self.model, name, keys, index), rule=lambda _m, *k: rule(*k)
        )
        self.model.add_component(name, component)
        sense = ""
        for data in component.values():
            sense = "=" if data.equality else ("<=" if data.has_ub() else ">=")
            break
        self.constraints[name] = Family(name, component, index, unit, meaning, sense)
        return component


def _index_set(
    model: pyo.ConcreteModel, name: str, keys: Iterable[Key], index: tuple[str, ...]
) -> Any:
    """An ordered Pyomo set named `{name}_index`; one-column keys are scalars, as Pyomo
    expects."""
    members: list[Any] = [k[0] for k in keys] if len(index) == 1 else list(keys)
    index_set = pyo.Set(initialize=members, dimen=len(index), ordered=True)
    model.add_component(f"{name}_index", index_set)
    return index_set


def pyomo_model(
    name: str, variables: dict[str, Family], constraints: dict[str, Family], arrays: LpArrays
) -> Registry:
    """The declared families (as the array path registered them, with their assembled
    `arrays`) as components of a new Pyomo model (see the module)."""
    reg = Registry(pyo.ConcreteModel(name=name))
    column_var = np.empty(arrays.num_col, dtype=object)
    for fam, family in variables.items():
        var = reg.var(fam, family.key_tuples(), family.index, family.unit, family.meaning)
        column_var[arrays.cols[fam]] = list(var.values())

    ends = np.searchsorted(arrays.term_row, np.arange(arrays.num_row + 1))
    for fam, family in constraints.items():
        relations = [
            _relation(family.sense, column_var, arrays, int(r), ends) for r in arrays.rows[fam]
        ]
        by_key = dict(zip(_scalar_keys(family), relations, strict=True))
        reg.constraint(
            fam,
            family.key_tuples(),
            lambda *k, by_key=by_key: by_key[k[0] if len(k) == 1 else k],
            family.index,
            family.unit,
            family.meaning,
        )
    return reg


def _scalar_keys(family: Family) -> list[Any]:
    return [k[0] if len(k) == 1 else k for k in family.key_tuples()]


def _relation(
    sense: str, column_var: np.ndarray, arrays: LpArrays, row: int, ends: np.ndarray
) -> Any:
    """Row `row` of the LP as a Pyomo relational expression, its terms in formula order."""
    at = slice(int(ends[row]), int(ends[row + 1]))
    body = LinearExpression(
        constant=0.0,
        linear_coefs=arrays.term_value[at].tolist(),
        linear_vars=column_var[arrays.term_col[at]].tolist(),
    )
    if sense == "<=":
        return body <= float(arrays.row_upper[row])
    if sense == ">=":
        return body >= float(arrays.row_lower[row])
    return body == float(arrays.row_lower[row])


def set_objective(reg: Registry, costs: dict[str, np.ndarray]) -> None:
    """Maximise the objective: `costs[family][i]` on member i of each priced family."""
    terms = (
        c * var
        for fam, cost in costs.items()
        for c, var in zip(cost.tolist(), reg.variables[fam].component.values(), strict=True)
        if c != 0
    )
    reg.model.objective = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.maximize)
