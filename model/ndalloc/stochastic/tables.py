"""The tables of a tree run: measures, scenarios, the policy per node, duals per node, the value
of information, and the distribution of outcomes (docs/formulation.md section 11).

Money is discounted USD of the first year (`_pv_`) unless a column says otherwise; quantities
are in the unit of their family (`unit`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ndalloc.lp.build import BuiltLp
from ndalloc.lp.registry import Family
from ndalloc.stochastic.solve import TreeResult

#: Below this magnitude a value or dual is written as 0 (no -0.0 or 1e-13 in the tables).
ZERO = 1e-9


def clean(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < ZERO, 0.0, values)


#: What each measure is, in a planner's words.
MEANINGS: dict[str, str] = {
    "RP": "the stochastic plan's objective: expected (or risk-weighted) discounted benefit",
    "WS": "wait and see: the same with perfect foresight, each scenario planned alone",
    "EVPI": "expected value of perfect information: WS - RP",
    "EV": "the plan for the average scenario, judged in the average scenario",
    "EEV": "the plan for the average scenario's first decisions, judged over the tree",
    "VSS": "value of the stochastic solution: RP - EEV",
    "expected_benefit": "expected discounted benefit of the stochastic plan",
    "CVaR": "mean benefit of the stochastic plan over its worst 1 - alpha of probability",
}

#: The families whose yearly totals the distribution table (and the fan charts) show.
FAN_FAMILIES = ("level", "inject", "release", "export", "shortage", "imports")


def _layout(families: dict[str, Family], index: dict[str, np.ndarray], kind: str) -> pd.DataFrame:
    """One row per member of every family: family, entity, year, unit and its column/row."""
    parts = []
    for name, family in families.items():
        keys = family.key_frame()
        if not len(keys):
            continue
        names = [c for c in keys.columns if c != "year"]
        entity = keys[names].astype(str).agg("/".join, axis=1) if names else ""
        parts.append(
            pd.DataFrame(
                {
                    kind: name,
                    "entity": entity,
                    "year": keys["year"].to_numpy() if "year" in keys else 0,
                    "unit": family.unit,
                    "at": index[name],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def columns_layout(built: BuiltLp) -> pd.DataFrame:
    return _layout(built.variables, built.arrays.cols, "family")


def rows_layout(built: BuiltLp) -> pd.DataFrame:
    return _layout(built.constraints, built.arrays.rows, "constraint")


def measures_table(result: TreeResult) -> pd.DataFrame:
    rows = [
        {"measure": k, "value_usd": v, "meaning": MEANINGS[k]} for k, v in result.measures().items()
    ]
    return pd.DataFrame(rows)


def scenarios_table(result: TreeResult) -> pd.DataFrame:
    tree = result.tree
    rp = result.rp.benefits
    eev = (
        result.eev.benefits if result.eev is not None and result.eev.benefits is not None else None
    )
    return pd.DataFrame(
        {
            "scenario": [s.name for s in tree.scenarios],
            "path": [" > ".join(s.path) for s in tree.scenarios],
            "probability": result.probabilities,
            "benefit_usd": rp,
            "perfect_foresight_usd": result.ws_each,
            "regret_usd": result.regret(),
            "eev_benefit_usd": eev if eev is not None else np.nan,
        }
    )


def _values(result: TreeResult) -> np.ndarray:
    form, x = result.form, result.rp.col_value
    assert x is not None
    return x[: len(form.arrays) * form.n_col].reshape(len(form.arrays), form.n_col)


def _representatives(result: TreeResult) -> np.ndarray:
    """rep[s, year position]: the first scenario through s's node that year."""
    node_of = result.form.node_of
    first = np.full(node_of.max() + 1, -1, dtype=np.int64)
    for s in range(len(node_of) - 1, -1, -1):
        first[node_of[s]] = s
    return first[node_of]


def policy_table(result: TreeResult) -> pd.DataFrame:
    """Every decision once per node: the value of each member of each family in each year, at
    the node that decides it."""
    form = result.form
    layout = columns_layout(form.head)
    x = _values(result)
    rep = _representatives(result)
    pos = layout["year"].to_numpy() - result.tree.base.years[0]
    node_ids = np.array(list(result.tree.nodes), dtype=object)
    s, j = np.nonzero(rep[:, pos] == np.arange(len(form.arrays))[:, None])  # own decisions
    out = layout.iloc[j].reset_index(drop=True)
    out.insert(0, "node", node_ids[form.node_of[s, pos[j]]].tolist())
    out["value"] = clean(x[s, out["at"].to_numpy()])
    out["node_probability"] = out["node"].map(
        {k: n.path_probability for k, n in result.tree.nodes.items()}
    )
    cols = ["node", "node_probability", "family", "entity", "year", "value", "unit"]
    return (
        out[cols]
        .sort_values(["year", "node", "family", "entity"], kind="stable")
        .reset_index(drop=True)
    )


def here_and_now_table(policy: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """What to do in the first year: the root's decisions of that year."""
    return (
        policy[policy["year"] == first_year]
        .drop(columns=["node_probability"])
        .reset_index(drop=True)
    )


def node_duals_table(result: TreeResult) -> pd.DataFrame:
    """Each constraint member's dual per node: summed over the node's scenarios (expected,
    discounted) and given the node, in the year's money (section 11.2)."""
    form = result.form
    dual = result.rp.row_dual
    assert dual is not None
    layout = rows_layout(form.head)
    n_s = len(form.arrays)
    d = dual[: n_s * form.n_row].reshape(n_s, form.n_row)[:, layout["at"].to_numpy()]
    pos = layout["year"].to_numpy() - result.tree.base.years[0]
    nodes = form.node_of[:, pos]  # [scenario, member]
    member = np.broadcast_to(np.arange(len(layout)), nodes.shape)
    summed = pd.DataFrame({"node": nodes.ravel(), "member": member.ravel(), "dual": d.ravel()})
    summed = summed.groupby(["member", "node"], sort=True, as_index=False)["dual"].sum()
    out = layout.iloc[summed["member"].to_numpy()].reset_index(drop=True)
    node_ids = list(result.tree.nodes)
    prob = np.array([result.tree.nodes[n].path_probability for n in node_ids])
    delta = result.form.head.data.discount
    out.insert(0, "node", [node_ids[n] for n in summed["node"]])
    out["value_pv_usd_per_t"] = clean(summed["dual"].to_numpy())
    out["conditional_value_usd_per_t"] = out["value_pv_usd_per_t"] / (
        prob[summed["node"].to_numpy()] * out["year"].map(delta).to_numpy()
    )
    out["unit"] = "USD per " + out["unit"]
    return out.drop(columns=["at"])


def information_table(result: TreeResult) -> pd.DataFrame:
    """The dual of every nonanticipativity row (non-zero ones): what the scenario would gain
    from one unit more of that decision than its node's, if it could see its own future."""
    form = result.form
    dual = result.rp.row_dual
    assert dual is not None
    mu = dual[form.na_rows]
    keep = np.abs(mu) > ZERO
    layout = columns_layout(form.head).set_index("at")
    cols = form.na_col[keep]
    out = layout.loc[cols].reset_index(drop=True)
    names = [s.name for s in result.tree.scenarios]
    out.insert(0, "scenario", [names[s] for s in form.na_scenario[keep]])
    out["information_value_pv_usd_per_t"] = mu[keep]
    out["unit"] = "USD per " + out["unit"]
    return out


def distribution_table(result: TreeResult) -> pd.DataFrame:
    """Per family of FAN_FAMILIES and year: the yearly total's mean and quantiles over the
    scenarios (weighted by probability), for fan charts."""
    layout = columns_layout(result.form.head)
    layout = layout[layout["family"].isin(FAN_FAMILIES)]
    x = _values(result)
    p = result.probabilities
    rows = []
    for (family, year, unit), group in layout.groupby(["family", "year", "unit"], sort=True):
        totals = x[:, group["at"].to_numpy()].sum(axis=1)
        order = np.argsort(totals, kind="stable")
        cum = np.cumsum(p[order])

        def quantile(q: float, t: np.ndarray = totals[order], c: np.ndarray = cum) -> float:
            at = min(int(np.searchsorted(c, q - 1e-12)), len(t) - 1)
            return float(t[at])

        rows.append(
            {
                "family": family,
                "year": year,
                "unit": unit,
                "mean": float(clean(np.array(p @ totals))),
                "min": float(totals.min()),
                "p10": quantile(0.1),
                "p50": quantile(0.5),
                "p90": quantile(0.9),
                "max": float(totals.max()),
            }
        )
    return pd.DataFrame(rows)


def tree_tables(result: TreeResult) -> dict[str, pd.DataFrame]:
    """Every table of a tree run, by name (empty but the measures and scenarios when the plan
    is not optimal)."""
    out = {"measures": measures_table(result)}
    if not result.optimal:
        return out
    policy = policy_table(result)
    out.update(
        scenarios=scenarios_table(result),
        here_and_now=here_and_now_table(policy, result.tree.base.years[0]),
        policy=policy,
        distribution=distribution_table(result),
    )
    if result.rp.row_dual is not None:  # progressive hedging's plan has no duals
        out.update(node_duals=node_duals_table(result), information_value=information_table(result))
    return out
