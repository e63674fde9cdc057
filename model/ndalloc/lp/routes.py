"""Routes: when routes.csv is present, oxide moves only along the listed routes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ndalloc.lp.algebra import Expr, zero
from ndalloc.lp.data import ModelData
from ndalloc.lp.registry import ArrayRegistry

#: Route origins: the variable families that supply oxide, with the key column naming the origin.
_SUPPLY = (("output", "source"), ("release", "stockpile"), ("imports", "origin"))
#: Route destinations: the variable families that use oxide, with the key column naming them.
_USE = (("export", "contract"), ("feed", "maker"), ("inject", "stockpile"))
#: Unit and meaning of the flow variables and of one more unit of each row's right-hand side.
_FLOW = ("t oxide", "oxide moved on the route")
_MEANING = {
    "route_origin": ("t oxide", "one more tonne available at the origin"),
    "route_destination": (
        "t oxide",
        "one more tonne delivered to the destination from outside the routes",
    ),
}


def add_routes(lp: ArrayRegistry, data: ModelData) -> None:
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
    if not data.has_routes:  # the three families, without rows
        keys = {"origin": pd.Series(dtype=str), "destination": pd.Series(dtype=str)}
        flow = lp.add_variables(
            "flow", pd.DataFrame({**keys, "year": pd.Series(dtype=np.int64)}), *_FLOW
        )
        for name, side in (("route_origin", "origin"), ("route_destination", "destination")):
            rows = pd.DataFrame({side: keys[side], "year": pd.Series(dtype=np.int64)})
            lp.add_constraints(name, rows, zero(0) == 0.0, *_MEANING[name])
        return
    supply = _members(lp, _SUPPLY)
    supply = supply[(supply["family"] != "imports") | (supply["product"] == "oxide")]
    # A name used by two destination families in a year: the later family is the destination.
    use = _members(lp, _USE).drop_duplicates(["node", "year"], keep="last")

    # RY: every route in every year where its origin supplies and its destination uses oxide.
    pairs = data.routes.index.to_frame(index=False)
    flows = pairs.merge(pd.DataFrame({"year": data.years}), how="cross")
    flows = flows[
        _isin(flows, "origin", supply.drop_duplicates(["node", "year"]))
        & _isin(flows, "destination", use)
    ].reset_index(drop=True)
    flow = lp.add_variables("flow", flows, *_FLOW)

    origins = _rows(flows.rename(columns={"origin": "node"}))
    supplied = supply.assign(row=origins.get_indexer(_pair(supply, "node")))
    lp.add_constraints(
        "route_origin",
        _keys(origins, "origin"),
        flow.sum_by(origins.get_indexer(_pair(flows, "origin")), len(origins))
        - _sum(lp, supplied[supplied["row"] >= 0], len(origins), [n for n, _ in _SUPPLY])
        <= 0.0,
        *_MEANING["route_origin"],
    )

    destinations = _rows(use)
    used = use.assign(row=destinations.get_indexer(_pair(use, "node")))
    lp.add_constraints(
        "route_destination",
        _keys(destinations, "destination"),
        _sum(lp, used, len(destinations), [n for n, _ in _USE])
        - flow.sum_by(destinations.get_indexer(_pair(flows, "destination")), len(destinations))
        == 0.0,
        *_MEANING["route_destination"],
    )


def _members(lp: ArrayRegistry, families: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The members of `families` as (family, pos, node, year, product) rows, family by family."""
    frames = []
    for name, node in families:
        keys = lp.keys(name)
        frames.append(
            pd.DataFrame(
                {
                    "family": name,
                    "pos": np.arange(len(keys)),
                    "node": keys[node].to_numpy(),
                    "year": keys["year"].to_numpy(dtype=np.int64),
                    "product": keys["product"].to_numpy() if "product" in keys else "",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _pair(frame: pd.DataFrame, column: str) -> pd.MultiIndex:
    """The (`column`, year) pair of every row of `frame`."""
    return pd.MultiIndex.from_arrays([frame[column], frame["year"]], names=["node", "year"])


def _isin(flows: pd.DataFrame, column: str, members: pd.DataFrame) -> np.ndarray:
    """Rows of `flows` whose (`column`, year) is the (node, year) of some member."""
    return _pair(flows, column).isin(_pair(members, "node"))


def _rows(members: pd.DataFrame) -> pd.MultiIndex:
    """The distinct (node, year) pairs of `members`, one constraint row each, in the order of
    `str((node, year))` (the order of the route families since their first version)."""
    pairs = members[["node", "year"]].drop_duplicates()
    label = "('" + pairs["node"].astype(str) + "', " + pairs["year"].astype(str) + ")"
    pairs = pairs.iloc[np.argsort(label.to_numpy(dtype=object), kind="stable")]
    return pd.MultiIndex.from_frame(pairs)


def _keys(rows: pd.MultiIndex, name: str) -> pd.DataFrame:
    keys = rows.to_frame(index=False).rename(columns={"node": name})
    return keys.astype({"year": np.int64})


def _sum(lp: ArrayRegistry, members: pd.DataFrame, n: int, families: list[str]) -> Expr:
    """The members of each family added into their rows, family by family."""
    total = zero(n)
    for name in families:
        mine = members[members["family"] == name]
        total = total + lp[name].sum_by(mine["row"].to_numpy(), n, mine["pos"].to_numpy())
    return total
