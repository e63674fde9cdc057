"""Routes: when routes.csv is present, oxide moves only along the listed routes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyomo.environ as pyo

from ndalloc.lp.data import Key, ModelData
from ndalloc.lp.registry import Registry


def add_routes(reg: Registry, data: ModelData) -> None:
    r"""Route flows from origins (sources, oxide imports, stockpile releases) to destinations
    (contracts, makers, stockpile injections).

    .. math::
        \sum_{t:(o,t)\in R} \mathit{flow}_{o,t,y} - \mathit{supply}_{o,y} \le 0, \qquad
        \mathit{use}_{t,y} - \sum_{o:(o,t)\in R} \mathit{flow}_{o,t,y} = 0

    with supply = output, oxide imports or release, and use = export, feed or inject. Every
    destination is constrained, so one without a route gets no oxide. Without routes.csv the
    families are empty and oxide moves freely through the national pool (`oxide_balance`).
    Duals: `route_origin` the value of one more tonne at the origin (>= 0), `route_destination`
    the value of one more tonne delivered to the destination.
    """
    v = reg.variables
    supply: dict[Key, list[tuple[Any, Key]]] = defaultdict(list)
    use: dict[Key, tuple[Any, Key]] = {}
    if data.has_routes:
        for name in ("output", "release"):
            for k in v[name].component:
                supply[k[0], k[1]].append((v[name].component, k))
        for k in v["imports"].component:
            if k[1] == "oxide":
                supply[k[0], k[2]].append((v["imports"].component, k))
        for name in ("export", "feed", "inject"):
            for k in v[name].component:
                use[k[0], k[1]] = (v[name].component, k)

    pairs = [(o, t) for o, t in data.routes.index] if data.has_routes else []
    flow_keys = [
        (o, t, y) for o, t in pairs for y in data.years if (o, y) in supply and (t, y) in use
    ]
    flow = reg.var(
        "flow", flow_keys, ("origin", "destination", "year"), "t oxide", "oxide moved on the route"
    )
    leaving: dict[Key, list[Key]] = defaultdict(list)
    arriving: dict[Key, list[Key]] = defaultdict(list)
    for o, t, y in flow_keys:
        leaving[o, y].append((o, t, y))
        arriving[t, y].append((o, t, y))

    def origin_rule(o: str, y: int) -> Any:
        out = pyo.quicksum(flow[k] for k in leaving[o, y])
        return out - pyo.quicksum((c[k] for c, k in supply[o, y])) <= 0

    def destination_rule(t: str, y: int) -> Any:
        component, key = use[t, y]
        inflow = pyo.quicksum(flow[k] for k in arriving[t, y])
        return component[key] - inflow == 0

    reg.constraint(
        "route_origin",
        sorted(leaving, key=str),
        origin_rule,
        ("origin", "year"),
        "t oxide",
        "one more tonne available at the origin",
    )
    reg.constraint(
        "route_destination",
        sorted(use, key=str),
        destination_rule,
        ("destination", "year"),
        "t oxide",
        "one more tonne delivered to the destination from outside the routes",
    )
