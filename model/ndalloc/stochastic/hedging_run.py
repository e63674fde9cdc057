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
from ndalloc.stochastic.parallel import Progress, quiet
from ndalloc.stochastic.solve import (
    FormSolution,
    TreeResult,
    runner,
    solve_each,
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
    """The Lagrangian bound with PH's final W: no plan does better."""
    trivial_bound: float
    """WS (PH's iteration 0): the bound of perfect foresight."""
    history: np.ndarray
    """Per iteration: the primal and dual residuals (relative)."""
    log: str
    """mpi-sppy's log."""
    seconds: float

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
            info = {k: float(data[k]) for k in ("trivial_bound", "lagrangian_bound", "iterations")}
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
    form = build_extensive(tree, builts=scenario_lps(tree))
    ws_each, ev, ev_values, eev = np.full(len(form.builts), np.nan), None, None, None
    with runner(options, workers, dask) as run:
        benefits, values = solve_each(form, run, progress, fixed_policy(form, xbar), "PH plan")
        solved = bool(np.isfinite(benefits).all())
        timings = {"ph_s": t1 - t0, "ph_plan_s": time.perf_counter() - t1}
        if measures and solved:
            ws_each, ev, ev_values, eev = uncertainty_measures(form, run, progress, timings)
    if solved:
        x = np.concatenate([v for v in values if v is not None])
        inner = float(form.probabilities @ benefits)
        rp = FormSolution(Status.OPTIMAL, inner, x, None, benefits)
    else:
        inner, rp = None, FormSolution(Status.INFEASIBLE, None)
    summary = PhSummary(
        processes=processes,
        iterations=int(info["iterations"]),
        converged=bool(info["converged"]),
        inner_bound=inner,
        outer_bound=-info["lagrangian_bound"],  # the ranks minimise minus the benefit
        trivial_bound=-info["trivial_bound"],
        history=history,
        log=log,
        seconds=t1 - t0,
    )
    result = TreeResult(tree, form, form.risk, rp.status, rp, ws_each, ev, ev_values, eev, timings)
    return result, summary
