"""Progressive hedging of a scenario tree with mpi-sppy, on the Pyomo form of each scenario.

docs/formulation.md section 11.6. Every MPI rank loads the tree, builds the Pyomo model of
its own scenarios from the one declaration of each family (`ndalloc.lp.build.build_model`,
with every optional row) and names, node by node, the columns of the node's years as that
node's non-anticipative decisions (the same ties as the extensive form's `nonanticipativity`
rows). mpi-sppy's PH drives the scenario solves (HiGHS through Pyomo's APPSI interface); at
the end the ranks solve once more without the proximal term (the Lagrangian bound with the
final W) and gather every scenario's column values on rank 0, which writes them with the
root's consensus decisions (x-bar) to one `.npz` file for `ndalloc.stochastic.hedging_run`.

Run on MPI as `python -m ndalloc.stochastic.hedging TREE OUT.npz [--iterations N --rho R
--tolerance T]`; mpi-sppy prints its log to this process's stdout, which the launcher keeps
in the run folder instead of the user's terminal.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ndalloc.data.tree import Tree, load_tree
from ndalloc.lp.build import build_lp
from ndalloc.stochastic.extensive import column_years, node_matrix

#: The Pyomo solver of every scenario subproblem: HiGHS (pyomo.contrib.solver), which solves
#: the proximal term as a QP.
SUBPROBLEM_SOLVER = "highs"
#: HiGHS's active-set QP cycles on these subproblems (degenerate, with a Hessian on the
#: non-anticipative columns only) unless it regularises; 1e-3 does not move the optimum
#: measurably (the test against the extensive form checks it).
QP_OPTIONS = {"qp_regularization_value": 1e-3}


@dataclass(frozen=True)
class PhTree:
    """A tree in mpi-sppy's terms: node names ROOT, ROOT_0, ROOT_0_1, ... (a child's number is
    its place among its siblings in the file), scenarios in leaf order."""

    names: dict[str, str]
    """mpi-sppy's name of each node id."""
    stage: dict[str, int]
    """The stage of each node id (the root is 1)."""
    all_nodenames: list[str] | None
    """Every node's name, leaves included; None for a two-stage tree."""


class NotHedgeableError(ValueError):
    """A tree that progressive hedging (as mpi-sppy runs it) cannot take."""


def ph_tree(tree: Tree) -> PhTree:
    """mpi-sppy's names and stages of `tree`'s nodes; every leaf must be at one depth."""
    children: dict[str | None, list[str]] = {}
    for node in tree.nodes.values():
        children.setdefault(node.parent, []).append(node.id)
    names: dict[str, str] = {}
    stage: dict[str, int] = {}
    root = children[None][0]
    stack = [(root, "ROOT", 1)]
    while stack:
        nid, name, depth = stack.pop()
        names[nid], stage[nid] = name, depth
        stack.extend((k, f"{name}_{i}", depth + 1) for i, k in enumerate(children.get(nid, [])))
    depths = {len(s.path) for s in tree.scenarios}
    if len(depths) > 1:
        raise NotHedgeableError(
            f"tree {tree.name} has leaves at {len(depths)} depths ({sorted(depths)} nodes "
            "from the root); progressive hedging needs every scenario to pass through the "
            "same number of stages (solve it as the extensive form instead)"
        )
    two_stage = depths == {2}
    return PhTree(names, stage, None if two_stage else [names[n] for n in tree.nodes])


def scenario_creator(scenario_name: str, tree: Tree, ph: PhTree) -> Any:
    """The Pyomo model of one scenario, its tree nodes and non-anticipative columns attached
    (mpi-sppy's `scenario_creator`)."""
    import pyomo.environ as pyo
    from mpisppy.scenario_tree import ScenarioNode

    from ndalloc.lp.pyomo_model import pyomo_model, set_objective  # Pyomo: on ranks only

    s = next(i for i, ts in enumerate(tree.scenarios) if ts.name == scenario_name)
    ts = tree.scenarios[s]
    built = build_lp(ts.scenario, dense=True)
    reg = pyomo_model(ts.scenario.name, built.variables, built.constraints, built.arrays)
    set_objective(reg, built.objective)
    model = reg.model
    # mpi-sppy minimises: the cost is minus the benefit.
    benefit = model.objective.expr
    model.del_component(model.objective)
    model.objective = pyo.Objective(expr=-benefit, sense=pyo.minimize)
    column_var = np.empty(built.arrays.num_col, dtype=object)
    for fam in built.variables:
        column_var[built.arrays.cols[fam]] = list(reg.variables[fam].component.values())
    cost = built.arrays.col_cost
    model._ndalloc_columns = column_var
    model._ndalloc_cost = cost
    years = column_years(built)
    node_of = node_matrix(tree)[s]
    node_ids = list(tree.nodes)
    year_pos = years - tree.base.years[0]
    nodes = []
    for nid in ts.path[:-1]:
        cols = np.flatnonzero(node_of[year_pos] == node_ids.index(nid))
        stage_cost = pyo.quicksum(-float(cost[j]) * column_var[j] for j in cols if cost[j] != 0)
        node = tree.nodes[nid]
        parent = None if node.parent is None else ph.names[node.parent]
        nodes.append(
            ScenarioNode(
                ph.names[nid],
                node.probability,
                ph.stage[nid],
                stage_cost,
                list(column_var[cols]),
                model,
                parent_name=parent,
            )
        )
    model._mpisppy_node_list = nodes
    model._mpisppy_probability = ts.probability
    return model


@dataclass(frozen=True)
class PhSettings:
    """Progressive hedging's settings."""

    iterations: int = 200
    """PHIterLimit: the most PH iterations."""
    rho: float = 0.01
    """Each decision's penalty is rho times its objective coefficient's magnitude (USD per
    unit), or rho times the mean magnitude over the scenario's priced columns if it has none."""
    tolerance: float = 1e-6
    """convthresh: PH stops when the mean distance of the decisions from x-bar falls below."""


def rho_setter(model: Any, rho: float = 1.0) -> list[tuple[int, float]]:
    """Cost-proportional penalties (Watson and Woodruff 2011): rho |c_j| per decision."""
    cost = np.abs(model._ndalloc_cost)
    fallback = float(cost[cost > 0].mean()) if (cost > 0).any() else 1.0
    scale = np.where(cost > 0, cost, fallback) * rho
    out = []
    index = {id(v): j for j, v in enumerate(model._ndalloc_columns)}
    for node in model._mpisppy_node_list:
        for var in node.nonant_vardata_list:
            out.append((id(var), float(scale[index[id(var)]])))
    return out


def _converger(tolerance: float) -> type:
    """mpi-sppy's converger for PH on an LP: stop when both the primal residual (the
    probability-weighted distance of the decisions from x-bar) and the dual residual (how far
    x-bar moved in the iteration) are below `tolerance`, relative to the size of x-bar. On an
    LP the decisions of every scenario often agree long before x-bar stops moving (the
    proximal term holds them together while W still pulls), so the primal residual alone, mpi-sppy's
    default, stops too early."""
    from mpisppy import MPI
    from mpisppy.convergers.converger import Converger

    class Residuals(Converger):  # type: ignore[misc]
        def __init__(self, ph: Any) -> None:
            self.ph = ph
            self.previous: dict[Any, float] = {}
            self.history: list[tuple[float, float]] = []

        def is_converged(self) -> bool:
            local = np.zeros(3)
            for model in self.ph.local_scenarios.values():
                data, m = model._mpisppy_data, model._mpisppy_model
                for node in model._mpisppy_node_list:
                    n = node.name
                    x = np.array([v._value for v in node.nonant_vardata_list], dtype=float)
                    xbar = np.array([m.xbars[(n, i)]._value for i in range(len(x))])
                    before = np.array([self.previous.get((n, i), np.nan) for i in range(len(x))])
                    p = float(model._mpisppy_probability)
                    local[0] += p * np.abs(x - xbar).sum()
                    local[1] += p * np.abs(np.nan_to_num(xbar - before, nan=np.inf)).sum()
                    local[2] += p * np.abs(xbar).sum()
                    self.previous.update({(n, i): float(v) for i, v in enumerate(xbar)})
                del data
            total = np.zeros(3)
            self.ph.comms["ROOT"].Allreduce(local, total, op=MPI.SUM)
            scale = max(1.0, total[2])
            primal, dual = total[0] / scale, total[1] / scale
            self.history.append((primal, dual))
            return bool(max(primal, dual) <= tolerance)

    return Residuals


def run_ph(tree_path: Path, out: Path, settings: PhSettings) -> None:
    """Progressive hedging of the tree at `tree_path` on this MPI world; rank 0 writes `out`."""
    from mpisppy import MPI
    from mpisppy.opt.ph import PH

    tree = load_tree(tree_path)
    ph_names = ph_tree(tree)
    options = {
        "solver_name": SUBPROBLEM_SOLVER,
        "PHIterLimit": settings.iterations,
        "defaultPHrho": settings.rho,
        "convthresh": -1.0,  # never: the residuals converger decides
        "verbose": False,
        "display_timing": False,
        "display_progress": True,
        "iter0_solver_options": None,
        "iterk_solver_options": QP_OPTIONS,
        "rho_setter_kwargs": {"rho": settings.rho},
    }
    ph = PH(
        options,
        [s.name for s in tree.scenarios],
        scenario_creator,
        all_nodenames=ph_names.all_nodenames,
        scenario_creator_kwargs={"tree": tree, "ph": ph_names},
        rho_setter=rho_setter,
        ph_converger=_converger(settings.tolerance),
    )
    _, _, trivial_bound = ph.ph_main(finalize=False)
    iterations = int(ph._PHIter)
    history = np.array(ph.convobject.history, dtype=float).reshape(-1, 2)
    converged = bool(len(history) and history[-1].max() <= settings.tolerance)
    xbar: dict[str, list[float]] = {}
    for model in ph.local_scenarios.values():
        for node in model._mpisppy_node_list:
            xbar[node.name] = [
                float(model._mpisppy_model.xbars[(node.name, i)]._value)
                for i in range(len(node.nonant_vardata_list))
            ]
    outer = ph.post_solve_bound()
    comm = MPI.COMM_WORLD
    # A subproblem that did not solve (unbounded with PH's W) leaves the bound without its
    # term: it is then no bound at all.
    failed = sum(
        not getattr(m._mpisppy_data, "solution_available", True)
        for m in ph.local_scenarios.values()
    )
    failed = comm.allreduce(failed)
    if failed:
        outer = float("nan")
    merged = comm.gather(xbar, root=0)
    if comm.Get_rank() != 0:
        return
    names = {v: k for k, v in ph_names.names.items()}
    consensus = {names[n]: np.array(v) for part in merged for n, v in part.items()}
    arrays: dict[str, Any] = {f"xbar_{i}": consensus[n] for i, n in enumerate(consensus)}
    arrays.update(
        nodes=np.array(list(consensus), dtype=str),
        converged=converged,
        history=history,
        trivial_bound=trivial_bound,
        lagrangian_bound=outer,
        bound_failures=failed,
        iterations=iterations,
    )
    np.savez(out, **arrays)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="ndalloc's progressive hedging on MPI")
    parser.add_argument("tree", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--iterations", type=int, default=PhSettings.iterations)
    parser.add_argument("--rho", type=float, default=PhSettings.rho)
    parser.add_argument("--tolerance", type=float, default=PhSettings.tolerance)
    args = parser.parse_args(argv)
    run_ph(args.tree, args.out, PhSettings(args.iterations, args.rho, args.tolerance))


if __name__ == "__main__":
    main()
