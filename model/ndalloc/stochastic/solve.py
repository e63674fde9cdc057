"""Solve a scenario tree: the stochastic plan (RP) and the standard measures of uncertainty.

docs/formulation.md section 11.3: RP is the extensive form's optimum; WS solves every scenario
alone (perfect foresight); EV solves the expected-value scenario, and EEV is the extensive
form with the root's decisions fixed at EV's; then EVPI = WS - RP and VSS = RP - EEV. The
wait-and-see solves run on worker threads (HiGHS lets go of the GIL while it solves).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ndalloc.data.tree import Tree
from ndalloc.data.tree_average import expected_scenario
from ndalloc.lp.build import BuiltLp, build_lp
from ndalloc.solver.highs import (
    cancelled_by_signals,
    configure,
    model_status,
    new_highs,
    read_solution,
    solve_model,
)
from ndalloc.solver.status import SolveOptions, Status
from ndalloc.stochastic.extensive import Extensive, Risk, build_extensive, scenario_lps

#: Told of each step of a long tree solve: (what, done, of how many).
Progress = Callable[[str, int, int], None]


def _quiet(what: str, done: int, total: int) -> None:
    return None


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
    """Solve the extensive form; `fixed` = (columns of one scenario's LP, values) fixes those
    decisions in every scenario (EEV)."""
    options = options or SolveOptions()
    h = new_highs(options.log)
    form.load(h)
    configure(h, options)
    if fixed is not None:
        cols, values = fixed
        n_s = len(form.builts)
        every = (np.arange(n_s)[:, None] * form.n_col + cols[None, :]).ravel()
        v = np.tile(values, n_s)
        h.changeColsBounds(len(every), every.astype(np.int32), v, v)
    with cancelled_by_signals(h):
        h.run()
    status = model_status(h)
    if status is not Status.OPTIMAL:
        return FormSolution(status, None)
    solution = read_solution(h)
    objective = float(h.getInfo().objective_function_value)
    benefits = form.benefits(solution.col_value)
    return FormSolution(status, objective, solution.col_value, solution.row_dual, benefits)


def deterministic_optimum(
    built: BuiltLp, options: SolveOptions
) -> tuple[Status, float | None, np.ndarray | None]:
    """A scenario's own optimum and its column values."""
    outcome = solve_model(built, options)
    if outcome.status is not Status.OPTIMAL:
        return outcome.status, None, None
    return outcome.status, outcome.objective, read_solution(outcome.highs).col_value


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


def _solve_each(
    builts: Sequence[BuiltLp], options: SolveOptions, workers: int, progress: Progress
) -> np.ndarray:
    out = np.full(len(builts), np.nan)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(deterministic_optimum, b, options) for b in builts]
        for i, future in enumerate(futures):
            _, objective, _ = future.result()
            if objective is not None:
                out[i] = objective
            progress("wait-and-see", i + 1, len(builts))
    return out


def solve_tree(
    tree: Tree,
    risk: Risk | None = None,
    options: SolveOptions | None = None,
    *,
    measures: bool = True,
    workers: int = 2,
    progress: Progress = _quiet,
) -> TreeResult:
    """The stochastic plan of `tree` (RP) and, with `measures`, WS, EV and EEV."""
    risk = risk or Risk()
    options = options or SolveOptions()
    t0 = time.perf_counter()
    progress("build", 0, len(tree.scenarios))
    builts = scenario_lps(tree)
    form = build_extensive(tree, risk, builts)
    t1 = time.perf_counter()
    progress("stochastic plan", 0, 1)
    rp = solve_form(form, options)
    t2 = time.perf_counter()
    timings = {"build_s": t1 - t0, "rp_solve_s": t2 - t1}
    ws_each = np.full(len(builts), np.nan)
    ev = ev_values = eev = None
    if measures and rp.status is Status.OPTIMAL:
        ws_each = _solve_each(builts, options, workers, progress)
        t3 = time.perf_counter()
        progress("expected value", 0, 1)
        _, ev, ev_values = deterministic_optimum(
            build_lp(expected_scenario(tree), dense=True), options
        )
        if ev_values is not None:
            root = form.root_cols()
            eev = solve_form(form, options, fixed=(root, ev_values[root]))
        timings.update(ws_s=t3 - t2, ev_eev_s=time.perf_counter() - t3)
    return TreeResult(tree, form, risk, rp.status, rp, ws_each, ev, ev_values, eev, timings)
