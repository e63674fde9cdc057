"""The Python API: load a scenario, solve it, get one typed result."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from ndalloc.data.loader import load_scenario
from ndalloc.data.scenario import Scenario
from ndalloc.lp.build import ExtraConstraints, build_model
from ndalloc.lp.scaling import scaling_warnings
from ndalloc.results.checks import ConservationError, check_solution
from ndalloc.results.tables import RunResult, extract_result
from ndalloc.solver.explain import elastic_violations, irreducible_conflict
from ndalloc.solver.highs import solve_model
from ndalloc.solver.ranging import ranging_table
from ndalloc.solver.status import SolveOptions, Status


def solve(
    scenario: Scenario | str | Path,
    *,
    time_limit_s: float | None = None,
    options: SolveOptions | None = None,
    extra: ExtraConstraints | None = None,
    elastic: bool = False,
) -> RunResult:
    """Build and solve the allocation LP of a scenario (object, folder or bundled name).

    Always returns a RunResult; check `result.status` (or `result.optimal`) before reading
    tables. An optimal result has passed the post-solve checks (conservation, bounds, duals;
    `ndalloc.results.checks`), and `warnings` lists badly scaled data found before solving
    (`ndalloc.lp.scaling`). An infeasible result carries
    `conflict` (an irreducible infeasible subset in the scenario's names) and, with
    `elastic=True`, `violations` (the least changes of data limits that make it feasible).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if options is None:
        options = SolveOptions(time_limit_s=time_limit_s)
    elif time_limit_s is not None:
        raise ValueError("give time_limit_s either directly or in options, not both")
    t0 = time.perf_counter()
    built = build_model(scenario, extra=extra)
    warnings = scaling_warnings(built, scenario)
    t1 = time.perf_counter()
    outcome = solve_model(built, options)
    t2 = time.perf_counter()
    timings = {"build_s": t1 - t0, "solve_s": t2 - t1}
    result = extract_result(built, outcome, scenario.name, timings)
    if outcome.status is Status.OPTIMAL:
        result = replace(result, ranging=ranging_table(built, outcome.solver, scenario))
    timings["extract_s"] = time.perf_counter() - t2
    if outcome.status in (Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED):
        t3 = time.perf_counter()
        conflict = irreducible_conflict(built, outcome.solver, scenario)
        found = elastic_violations(built, outcome.solver, scenario) if elastic else []
        result = replace(
            result, conflict=tuple(map(str, conflict)), violations=tuple(map(str, found))
        )
        timings["explain_s"] = time.perf_counter() - t3
    result = replace(result, timings_s=timings, warnings=tuple(warnings))
    try:
        check_solution(result)
    except ConservationError as exc:
        if not warnings:
            raise
        said = "\n  ".join(f"warning: {w}" for w in warnings)
        raise type(exc)(f"{exc}\n  found before solving:\n  {said}") from exc
    return result
