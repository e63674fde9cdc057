"""The objective: discounted net national benefit, in USD of the first year."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ndalloc.lp.data import ModelData
from ndalloc.lp.registry import ArrayRegistry, Registry


def objective_coefficients(reg: Registry, data: ModelData) -> dict[str, dict[Any, float]]:
    r"""The objective coefficient (discounted USD per unit) of every priced variable.

    .. math::
        \max \sum_y \delta_y \Big[
          \sum_k \mathit{price\_usd\_per\_t}_{k,y}\,\mathit{export}_{k,y}
        - \sum_k \mathit{breach\_penalty\_usd\_per\_t}_{k,y}\,\mathit{breach}_{k,y}
        - \sum_s \mathit{cost\_usd\_per\_t}_{s,y}\,\mathit{output}_{s,y}
        - \sum_m \mathit{conversion\_cost\_usd\_per\_t}_{m,y}\,\mathit{make}_{m,y}
        - \sum_{o,\pi} \mathit{price\_usd\_per\_t}_{o,\pi,y}\,\mathit{imports}_{o,\pi,y}
        - \sum_p \mathit{holding\_cost\_usd\_per\_t}_{p,y}\,\mathit{level}_{p,y}
        - \sum_p \mathit{handling\_cost\_usd\_per\_t}_{p,y}
          (\mathit{inject}_{p,y} + \mathit{release}_{p,y})
        - \sum_d \mathit{shortage\_penalty\_usd\_per\_t}_{d,y}\,\mathit{shortage}_{d,y}
        - \sum_{(o,t) \in R} \mathit{cost\_usd\_per\_t}_{o,t}\,\mathit{flow}_{o,t,y} \Big]

    with :math:`\delta_y = (1+\rho)^{-(y-y_0)}`. Variables not listed carry no money.
    """
    coef = {
        "export": data.discounted(data.contracts, "price_usd_per_t"),
        "breach": data.discounted(data.contracts, "breach_penalty_usd_per_t"),
        "output": data.discounted(data.sources, "cost_usd_per_t"),
        "make": data.discounted(data.makers, "conversion_cost_usd_per_t"),
        "imports": data.discounted(data.imports, "price_usd_per_t"),
        "level": data.discounted(data.stockpiles, "holding_cost_usd_per_t"),
        "inject": data.discounted(data.stockpiles, "handling_cost_usd_per_t"),
        "release": data.discounted(data.stockpiles, "handling_cost_usd_per_t"),
        "shortage": data.discounted(data.demand, "shortage_penalty_usd_per_t"),
    }
    sign = {"export": 1.0}
    out = {
        name: {k: sign.get(name, -1.0) * c for k, c in values.items()}
        for name, values in coef.items()
    }
    out["breach"] = {k: out["breach"][k] for k in reg.variables["breach"].component}
    if data.has_routes:
        cost = data.routes["cost_usd_per_t"].to_dict()
        out["flow"] = {
            (o, t, y): -cost[o, t] * data.discount[y] for o, t, y in reg.variables["flow"].component
        }
    return out


def add_objective(reg: Registry, data: ModelData) -> dict[str, dict[Any, float]]:
    """Set the objective on the model and return its coefficients by variable family."""
    import pyomo.environ as pyo

    coefficients = objective_coefficients(reg, data)
    terms = (
        c * reg.variables[name].component[k]
        for name, values in coefficients.items()
        for k, c in values.items()
        if c != 0
    )
    reg.model.objective = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.maximize)
    return coefficients


def objective_arrays(reg: ArrayRegistry, data: ModelData) -> dict[str, np.ndarray]:
    """`objective_coefficients` as arrays in each family's key order (the same products)."""
    penalty = -data.discounted_array(data.contracts, "breach_penalty_usd_per_t")
    committed = pd.MultiIndex.from_frame(reg.keys("breach"))
    at = data.contracts.index.get_indexer(committed) if len(committed) else np.zeros(0, int)
    out = {  # in the order of objective_coefficients: the objective's terms are read in it
        "export": data.discounted_array(data.contracts, "price_usd_per_t"),
        "breach": penalty[at],
        "output": -data.discounted_array(data.sources, "cost_usd_per_t"),
        "make": -data.discounted_array(data.makers, "conversion_cost_usd_per_t"),
        "imports": -data.discounted_array(data.imports, "price_usd_per_t"),
        "level": -data.discounted_array(data.stockpiles, "holding_cost_usd_per_t"),
        "inject": -data.discounted_array(data.stockpiles, "handling_cost_usd_per_t"),
        "release": -data.discounted_array(data.stockpiles, "handling_cost_usd_per_t"),
        "shortage": -data.discounted_array(data.demand, "shortage_penalty_usd_per_t"),
    }
    if data.has_routes:
        flows = reg.keys("flow")
        cost = data.routes["cost_usd_per_t"]
        pairs = pd.MultiIndex.from_arrays([flows["origin"], flows["destination"]])
        route_cost = cost.to_numpy(dtype=float)[cost.index.get_indexer(pairs)]
        factor = flows["year"].map(data.discount).to_numpy(dtype=float)
        out["flow"] = -route_cost * factor
    return out
