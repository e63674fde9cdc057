"""Run progressive hedging (`ndalloc.stochastic.hedging`) on MPI and read back its plan.

docs/formulation.md section 11.6. The ranks run as a child process (`mpiexec -n NP python -m
ndalloc.stochastic.hedging ...`; one process needs no MPI) whose log goes to a file, never to
the user's terminal. From PH's consensus (x-bar at every node) the plan is made exactly
non-anticipative: every scenario is solved with the columns of its non-leaf nodes fixed at
their node's x-bar, on threads; the expected benefit of that plan is an inner bound (a plan
that can be carried out) and PH's Lagrangian bound with its final W an outer one; their
distance is the PH gap. The wait-and-see, EV and EEV measures are the extensive form's.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ndalloc.data.tree import Tree
from ndalloc.solver.status import SolveOptions, Status
from ndalloc.stochastic.extensive import Extensive, build_extensive, scenario_lps
from ndalloc.stochastic.hedging import PhSettings, ph_tree
from ndalloc.stochastic.parallel import Progress, Runner, quiet
from ndalloc.stochastic.solve import (
    FormSolution,
    TreeResult,
    runner,
    solve_each,
    solve_form,
    uncertainty_measures,
)


class HedgingError(RuntimeError):
    """Progressive hedging could not run (no MPI, no mpi-sppy) or its ranks failed."""


@dataclass(frozen=True)
class PhSummary:
    """How progressive hedging ended (benefits in discounted USD)."""

    processes: int
    iterations: int
    converged: bool
    inner_bound: float | None
    """Expected benefit of PH's plan, made non-anticipative (NaN-free only if every scenario
    solved with its nodes' x-bar fixed)."""
    outer_bound: float
    """The Lagrangian bound with PH's final W: no plan does better; when a subproblem of
    that bound did not solve (`bound_failures`), the bound of perfect foresight instead."""
    trivial_bound: float
    """WS (PH's iteration 0): the bound of perfect foresight."""
    bound_failures: int
    """Scenario subproblems of the Lagrangian bound that did not solve (unbounded with PH's
    W): then the Lagrangian bound is not known and `outer_bound` is WS."""
    history: np.ndarray
    """Per iteration: the primal and dual residuals (relative)."""
    log: str
    """mpi-sppy's log."""
    seconds: float
    plan: str = "every node's consensus"  # EVERY_NODE
    """How PH's plan was made: every non-leaf node's decisions fixed at its x-bar, or (when
    that cannot be carried out in every scenario: PH not converged) the root's only, the rest
    optimised on the extensive form."""

    @property
    def gap(self) -> float | None:
        """(outer - inner) / |outer|."""
        if self.inner_bound is None:
            return None
        gap = (self.outer_bound - self.inner_bound) / max(1.0, abs(self.outer_bound))
        return 0.0 if abs(gap) < 1e-12 else gap


def _command(tree_ref: str, out: Path, processes: int, settings: PhSettings) -> list[str]:
    ph_args = [
        sys.executable,
        "-m",
        "ndalloc.stochastic.hedging",
        tree_ref,
        str(out),
        f"--iterations={settings.iterations}",
        f"--rho={settings.rho!r}",
        f"--tolerance={settings.tolerance!r}",
    ]
    if processes == 1:
        return ph_args
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        raise HedgingError(
            f"progressive hedging on {processes} processes needs MPI's mpiexec, which is not "
            "on PATH (Debian: apt-get install openmpi-bin); --np 1 runs without MPI"
        )
    return [mpiexec, "-n", str(processes), *ph_args]


def _environment() -> dict[str, str]:
    """Open MPI refuses root and more ranks than cores unless told; one thread per rank."""
    env = dict(os.environ)
    env.update(
        OMPI_ALLOW_RUN_AS_ROOT="1",
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OMPI_MCA_rmaps_base_oversubscribe="1",
        OMP_NUM_THREADS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_ranks(
    tree_ref: str, processes: int, settings: PhSettings
) -> tuple[dict[str, np.ndarray], dict[str, float], np.ndarray, str]:
    """PH's x-bar per node id, its bounds and iterations, residual history and log."""
    if importlib.util.find_spec("mpisppy") is None or importlib.util.find_spec("mpi4py") is None:
        raise HedgingError(
            "progressive hedging needs mpi-sppy and mpi4py: pip install 'ndalloc[ph]'"
        )
    with tempfile.TemporaryDirectory(prefix="ndalloc-ph-") as tmp:
        out = Path(tmp) / "ph.npz"
        done = subprocess.run(
            _command(tree_ref, out, processes, settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_environment(),
            check=False,
        )
        log = done.stdout
        if done.returncode != 0 or not out.exists():
            tail = "\n".join(log.strip().splitlines()[-15:])
            raise HedgingError(f"progressive hedging failed (exit {done.returncode}):\n{tail}")
        with np.load(out, allow_pickle=False) as data:
            nodes = [str(n) for n in data["nodes"]]
            xbar = {n: data[f"xbar_{i}"] for i, n in enumerate(nodes)}
            keys = ("trivial_bound", "lagrangian_bound", "iterations", "bound_failures")
            info = {k: float(data[k]) for k in keys}
            info["converged"] = float(data["converged"])
            history = data["history"]
    return xbar, info, history, log


def fixed_policy(
    form: Extensive, xbar: dict[str, np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For every scenario: the columns of its non-leaf nodes and their x-bar values."""
    node_ids = list(form.tree.nodes)
    year_pos = form.col_year - form.tree.base.years[0]
    out = []
    for s, ts in enumerate(form.tree.scenarios):
        cols_parts, value_parts = [], []
        for nid in ts.path[:-1]:
            cols = np.flatnonzero(form.node_of[s, year_pos] == node_ids.index(nid))
            cols_parts.append(cols)
            value_parts.append(xbar[nid])
        out.append((np.concatenate(cols_parts), np.concatenate(value_parts)))
    return out


def root_fixed(form: Extensive, xbar: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The extensive form's columns of the root's years, in every scenario, and x-bar's
    values of the root for them."""
    root = next(n for n in form.tree.nodes.values() if n.parent is None)
    year_pos = form.col_year - form.tree.base.years[0]
    cols = np.flatnonzero(form.node_of[0, year_pos] == list(form.tree.nodes).index(root.id))
    n_s = len(form.arrays)
    every = (np.arange(n_s)[:, None] * form.n_col + cols[None, :]).ravel()
    return every, np.tile(xbar[root.id], n_s)


#: How a PH plan was made (`PhSummary.plan`).
EVERY_NODE = "every node's consensus"
ROOT_ONLY = "the root's consensus, the later decisions optimised on the extensive form"


def consensus_plan(
    form: Extensive,
    xbar: dict[str, np.ndarray],
    run: Runner,
    options: SolveOptions,
    progress: Progress = quiet,
) -> tuple[FormSolution, str]:
    """PH's plan from its consensus (section 11.6): every scenario solved with its non-leaf
    nodes' decisions at x-bar; if a scenario cannot carry that out, the extensive form with the
    root's decisions at x-bar (the root's x-bar is an average of plans that all meet the root's
    rows, the same in every scenario, so it meets them too)."""
    benefits, values = solve_each(form, run, progress, fixed_policy(form, xbar), "PH plan")
    if np.isfinite(benefits).all():
        x = np.concatenate([v for v in values if v is not None])
        plan = float(form.probabilities @ benefits)
        return FormSolution(Status.OPTIMAL, plan, x, None, benefits), EVERY_NODE
    rp = solve_form(form, options, root_fixed(form, xbar))
    return FormSolution(rp.status, rp.objective, rp.col_value, None, rp.benefits), ROOT_ONLY


def hedge_tree(
    tree: Tree,
    tree_ref: str,
    processes: int = 1,
    settings: PhSettings | None = None,
    options: SolveOptions | None = None,
    *,
    measures: bool = True,
    workers: int = 2,
    dask: str | None = None,
    progress: Progress = quiet,
) -> tuple[TreeResult, PhSummary]:
    """The plan of `tree` (loaded from `tree_ref`, which the ranks load again) by progressive
    hedging on `processes` MPI ranks, with the extensive form's measures (the solves after PH
    on `workers` threads or the Dask scheduler at `dask`)."""
    settings = settings or PhSettings()
    options = options or SolveOptions()
    ph_tree(tree)  # a tree PH cannot take fails here, before any process starts
    t0 = time.perf_counter()
    progress("progressive hedging", 0, 1)
    xbar, info, history, log = run_ranks(tree_ref, processes, settings)
    t1 = time.perf_counter()
    progress("build", 0, len(tree.scenarios))
    form = build_extensive(tree, lps=scenario_lps(tree))
    ws_each, ev, ev_values, eev = np.full(len(form.arrays), np.nan), None, None, None
    with runner(options, workers, dask) as run:
        rp, plan = consensus_plan(form, xbar, run, options, progress)
        solved = rp.status is Status.OPTIMAL
        timings = {"ph_s": t1 - t0, "ph_plan_s": time.perf_counter() - t1}
        if measures and solved:
            ws_each, ev, ev_values, eev = uncertainty_measures(form, run, progress, timings)
    inner = rp.objective if solved else None
    if rp.row_dual is not None:
        rp = FormSolution(rp.status, rp.objective, rp.col_value, None, rp.benefits)
    summary = PhSummary(
        processes=processes,
        iterations=int(info["iterations"]),
        converged=bool(info["converged"]),
        inner_bound=inner,
        # the ranks minimise minus the benefit
        outer_bound=-(
            info["trivial_bound"] if info["bound_failures"] else info["lagrangian_bound"]
        ),
        bound_failures=int(info["bound_failures"]),
        trivial_bound=-info["trivial_bound"],
        history=history,
        log=log,
        seconds=t1 - t0,
        plan=plan,
    )
    result = TreeResult(tree, form, form.risk, rp.status, rp, ws_each, ev, ev_values, eev, timings)
    return result, summary
