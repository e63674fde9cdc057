"""Solve a scenario tree: the stochastic plan (RP) and the standard measures of uncertainty.

docs/formulation.md section 11.3: RP is the extensive form's optimum; WS solves every scenario
alone (perfect foresight); EV solves the expected-value scenario, and EEV is the extensive
form with the root's decisions fixed at EV's; then EVPI = WS - RP and VSS = RP - EEV. The
wait-and-see solves run on worker threads (HiGHS lets go of the GIL while it solves).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np

from ndalloc.data.tree import Tree
from ndalloc.data.tree_average import expected_scenario
from ndalloc.solver.highs import (
    cancelled_by_signals,
    configure,
    model_status,
    new_highs,
    read_solution,
)
from ndalloc.solver.status import SolveOptions, Status
from ndalloc.stochastic.extensive import Extensive, Risk, build_extensive, scenario_lps
from ndalloc.stochastic.parallel import Progress, Runner, Task, dask_runner, quiet, thread_runner


@dataclass(frozen=True)
class FormSolution:
    """How one solve of the extensive form ended, with its solution when optimal."""

    status: Status
    objective: float | None
    col_value: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    benefits: np.ndarray | None = None
    """B_s of every scenario (discounted USD)."""


def solve_form(
    form: Extensive,
    options: SolveOptions | None = None,
    fixed: tuple[np.ndarray, np.ndarray] | None = None,
) -> FormSolution:
    """Solve the extensive form; `fixed` = (columns, values) fixes those columns first."""
    options = options or SolveOptions()
    h = new_highs(options.log)
    form.load(h)
    configure(h, options)
    if fixed is not None and len(fixed[0]):
        cols, values = fixed
        h.changeColsBounds(len(cols), cols.astype(np.int32), values, values)
    with cancelled_by_signals(h):
        h.run()
    status = model_status(h)
    if status is not Status.OPTIMAL:
        return FormSolution(status, None)
    solution = read_solution(h)
    objective = float(h.getInfo().objective_function_value)
    benefits = form.benefits(solution.col_value)
    return FormSolution(status, objective, solution.col_value, solution.row_dual, benefits)


def ev_policy(
    form: Extensive, run: Runner, progress: Progress = quiet
) -> tuple[float | None, np.ndarray | None, FormSolution]:
    """EV, its values, and the expected result of the expected-value policy (EEV): stage by
    stage in order of year, each node's years decided by the optimum of the expected-value
    scenario of its scenarios, with its ancestors' decisions fixed (formulation 11.3); the
    nodes of a stage are solved side by side by `run`."""
    tree = form.tree
    years = np.array(tree.base.years)
    decided = np.zeros((len(form.arrays), form.n_col))
    node_ids = list(tree.nodes)
    ev: float | None = None
    ev_values = None
    for year in sorted({n.year for n in tree.nodes.values()}):
        stage = [i for i, nid in enumerate(node_ids) if tree.nodes[nid].year == year]
        members = [np.flatnonzero((form.node_of == i).any(axis=1)) for i in stage]
        before = np.flatnonzero(form.col_year < year)
        tasks = [
            Task(expected_scenario(tree, m.tolist()), fixed=(before, decided[m[0], before]))
            for m in members
        ]
        results = run(tasks, f"expected-value policy {year}", progress)
        for i, m, (status, objective, x) in zip(stage, members, results, strict=True):
            if x is None:
                return ev, ev_values, FormSolution(status, None)
            if tree.nodes[node_ids[i]].parent is None:
                ev, ev_values = objective, x
            own_years = years[form.node_of[m[0]] == i]
            mine = np.flatnonzero(np.isin(form.col_year, own_years))
            decided[np.ix_(m, mine)] = x[mine]
    benefits = np.einsum("ij,ij->i", form.costs, decided)
    eev = risk_value(benefits, form.probabilities, form.risk)
    return ev, ev_values, FormSolution(Status.OPTIMAL, eev, decided.ravel(), None, benefits)


def cvar(values: np.ndarray, probabilities: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of a discrete benefit: the mean over its worst 1 - alpha of probability."""
    tail = 1.0 - alpha
    order = np.argsort(values, kind="stable")
    v, p = np.asarray(values)[order], np.asarray(probabilities)[order]
    before = np.concatenate([[0.0], np.cumsum(p)[:-1]])
    mass = np.clip(tail - before, 0.0, p)
    return float(mass @ v / tail)


def risk_value(values: np.ndarray, probabilities: np.ndarray, risk: Risk) -> float:
    """F(B) = (1 - lambda) E[B] + lambda CVaR_alpha[B]."""
    mean = float(probabilities @ values)
    if risk.weight == 0:
        return mean
    return (1.0 - risk.weight) * mean + risk.weight * cvar(values, probabilities, risk.alpha)


@dataclass(frozen=True)
class TreeResult:
    """The stochastic plan of a tree and its measures (USD, discounted to the first year)."""

    tree: Tree
    form: Extensive
    risk: Risk
    status: Status
    rp: FormSolution
    ws_each: np.ndarray
    """z*_s: every scenario's own optimum (NaN where it has none)."""
    ev: float | None
    ev_values: np.ndarray | None
    eev: FormSolution | None
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def probabilities(self) -> np.ndarray:
        return self.form.probabilities

    @property
    def optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    def measures(self) -> dict[str, float | None]:
        """RP, WS, EVPI, EV, EEV, VSS, expected benefit and CVaR of the plan."""
        p = self.probabilities
        rp = self.rp.objective
        ws = risk_value(self.ws_each, p, self.risk) if np.isfinite(self.ws_each).all() else None
        eev = self.eev.objective if self.eev is not None else None
        b = self.rp.benefits
        return {
            "RP": rp,
            "WS": ws,
            "EVPI": None if ws is None or rp is None else ws - rp,
            "EV": self.ev,
            "EEV": eev,
            "VSS": None if eev is None or rp is None else rp - eev,
            "expected_benefit": None if b is None else float(p @ b),
            "CVaR": None if b is None else cvar(b, p, self.risk.alpha),
        }

    def regret(self) -> np.ndarray:
        """z*_s - B_s of the stochastic plan, per scenario."""
        assert self.rp.benefits is not None
        return self.ws_each - self.rp.benefits


def solve_each(
    form: Extensive,
    run: Runner,
    progress: Progress,
    fixed: list[tuple[np.ndarray, np.ndarray]] | None = None,
    what: str = "wait-and-see",
) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """Every scenario's optimum alone (NaN where it has none) and its column values;
    `fixed[s]` = (columns, values) fixes columns of scenario s first."""
    tasks = [
        Task(ts.scenario, a, None if fixed is None else fixed[s])
        for s, (ts, a) in enumerate(zip(form.tree.scenarios, form.arrays, strict=True))
    ]
    results = run(tasks, what, progress)
    objectives = np.array([np.nan if z is None else z for _, z, _ in results])
    return objectives, [x for _, _, x in results]


def runner(
    options: SolveOptions, workers: int = 2, dask: str | None = None
) -> AbstractContextManager[Runner]:
    """Threads of this process, or the Dask scheduler at `dask`."""
    if dask:
        return dask_runner(dask, options)
    return nullcontext(thread_runner(options, workers))


def solve_tree(
    tree: Tree,
    risk: Risk | None = None,
    options: SolveOptions | None = None,
    *,
    measures: bool = True,
    workers: int = 2,
    dask: str | None = None,
    progress: Progress = quiet,
) -> TreeResult:
    """The stochastic plan of `tree` (RP) and, with `measures`, WS, EV and EEV (on `workers`
    threads, or on the Dask scheduler at `dask`)."""
    risk = risk or Risk()
    options = options or SolveOptions()
    t0 = time.perf_counter()
    progress("build", 0, len(tree.scenarios))
    form = build_extensive(tree, risk, scenario_lps(tree))
    t1 = time.perf_counter()
    progress("stochastic plan", 0, 1)
    rp = solve_form(form, options)
    t2 = time.perf_counter()
    timings = {"build_s": t1 - t0, "rp_solve_s": t2 - t1}
    ws_each, ev, ev_values, eev = np.full(len(form.arrays), np.nan), None, None, None
    if measures and rp.status is Status.OPTIMAL:
        with runner(options, workers, dask) as run:
            ws_each, ev, ev_values, eev = uncertainty_measures(form, run, progress, timings)
    return TreeResult(tree, form, risk, rp.status, rp, ws_each, ev, ev_values, eev, timings)


def uncertainty_measures(
    form: Extensive, run: Runner, progress: Progress, timings: dict[str, float]
) -> tuple[np.ndarray, float | None, np.ndarray | None, FormSolution]:
    """WS of every scenario (z*_s), EV, its values and EEV; their times go to `timings`."""
    t0 = time.perf_counter()
    ws_each, _ = solve_each(form, run, progress)
    t1 = time.perf_counter()
    ev, ev_values, eev = ev_policy(form, run, progress)
    timings.update(ws_s=t1 - t0, ev_eev_s=time.perf_counter() - t1)
    return ws_each, ev, ev_values, eev
