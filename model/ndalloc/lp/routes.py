"""Routes: when routes.csv is present, oxide moves only along the listed routes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ndalloc.lp.data import Key, ModelData
from ndalloc.lp.registry import ArrayRegistry, Registry, Terms

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "flow": ("t oxide", "oxide moved on the route"),
    "route_origin": ("t oxide", "one more tonne available at the origin"),
    "route_destination": (
        "t oxide",
        "one more tonne delivered to the destination from outside the routes",
    ),
}


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
    import pyomo.environ as pyo

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
    flow = reg.var("flow", flow_keys, ("origin", "destination", "year"), *FAMILIES["flow"])
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
        *FAMILIES["route_origin"],
    )
    reg.constraint(
        "route_destination",
        sorted(use, key=str),
        destination_rule,
        ("destination", "year"),
        *FAMILIES["route_destination"],
    )


#: Route origins: variable families that supply oxide, in the order `add_routes` lists them.
_SUPPLY = ("output", "release", "imports")
#: Route destinations: variable families that use oxide.
_USE = ("export", "feed", "inject")


def emit_routes(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_routes` as arrays: the same variable and rows, in the same order."""
    supply: dict[Key, list[tuple[str, int]]] = defaultdict(list)
    use: dict[Key, tuple[str, int]] = {}
    if data.has_routes:
        for name in _SUPPLY:
            for pos, k in enumerate(reg.variables[name].key_tuples()):
                if name != "imports":
                    supply[k[0], k[1]].append((name, pos))
                elif k[1] == "oxide":
                    supply[k[0], k[2]].append((name, pos))
        for name in _USE:
            for pos, k in enumerate(reg.variables[name].key_tuples()):
                use[k[0], k[1]] = (name, pos)

    pairs = [(o, t) for o, t in data.routes.index] if data.has_routes else []
    flow_keys = [
        (o, t, y) for o, t in pairs for y in data.years if (o, y) in supply and (t, y) in use
    ]
    index = ["origin", "destination", "year"]
    reg.var("flow", _frame(flow_keys, index), *FAMILIES["flow"])
    leaving: dict[Key, list[int]] = defaultdict(list)
    arriving: dict[Key, list[int]] = defaultdict(list)
    for pos, (o, t, y) in enumerate(flow_keys):
        leaving[o, y].append(pos)
        arriving[t, y].append(pos)

    origins = sorted(leaving, key=str)
    terms: dict[str, tuple[list[int], list[int]]] = {n: ([], []) for n in ("flow", *_SUPPLY)}
    for row, key in enumerate(origins):
        _extend(terms["flow"], row, leaving[key])
        for name, pos in supply[key]:
            _extend(terms[name], row, [pos])
    reg.constraint(
        "route_origin",
        _frame(origins, ["origin", "year"]),
        "<=",
        0.0,
        [Terms(n, *_arrays(terms[n]), 1.0 if n == "flow" else -1.0) for n in terms],
        *FAMILIES["route_origin"],
    )

    destinations = sorted(use, key=str)
    terms = {n: ([], []) for n in (*_USE, "flow")}
    for row, key in enumerate(destinations):
        name, pos = use[key]
        _extend(terms[name], row, [pos])
        _extend(terms["flow"], row, arriving[key])
    reg.constraint(
        "route_destination",
        _frame(destinations, ["destination", "year"]),
        "=",
        0.0,
        [Terms(n, *_arrays(terms[n]), -1.0 if n == "flow" else 1.0) for n in terms],
        *FAMILIES["route_destination"],
    )


def _frame(keys: Sequence[Key], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(keys, columns=columns)


def _extend(into: tuple[list[int], list[int]], row: int, positions: list[int]) -> None:
    into[0].extend([row] * len(positions))
    into[1].extend(positions)


def _arrays(terms: tuple[list[int], list[int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(terms[0], dtype=np.int64), np.asarray(terms[1], dtype=np.int64)
