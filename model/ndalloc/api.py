"""The Python API: load a scenario, solve it, get one typed result."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

from ndalloc.data.loader import load_scenario
from ndalloc.data.scenario import Scenario
from ndalloc.lp.build import Built, ExtraConstraints, build_lp, build_model
from ndalloc.lp.scaling import scaling_warnings
from ndalloc.results.checks import ConservationError, check_solution
from ndalloc.results.tables import RunResult, extract_result
from ndalloc.results.ties import find_ties
from ndalloc.solver.explain import elastic_violations, irreducible_conflict
from ndalloc.solver.highs import detach, free_memory, read_solution, solve_model, write_mps
from ndalloc.solver.ranging import ranging_table, read_ranges
from ndalloc.solver.status import SolveOptions, Status


def solve(
    scenario: Scenario | str | Path,
    *,
    time_limit_s: float | None = None,
    options: SolveOptions | None = None,
    extra: ExtraConstraints | None = None,
    elastic: bool = False,
    plain: bool = False,
    mps: str | Path | None = None,
    mps_names: bool = True,
) -> RunResult:
    """Build and solve the allocation LP of a scenario (object, folder or bundled name).

    Always returns a RunResult; check `result.status` (or `result.optimal`) before reading
    tables. An optimal result has passed the post-solve checks (conservation, bounds, duals;
    `ndalloc.results.checks`), and `warnings` lists badly scaled data found before solving
    (`ndalloc.lp.scaling`). An infeasible result carries
    `conflict` (an irreducible infeasible subset in the scenario's names) and, with
    `elastic=True`, `violations` (the least changes of data limits that make it feasible).

    The LP is built as arrays and handed to HiGHS directly (`ndalloc.lp.build.build_lp`).
    `plain=True`, or `extra` constraints (a hook on the Pyomo registry), builds it with Pyomo
    instead and solves it through Pyomo's persistent HiGHS interface: slower, the same LP and
    the same answer. `mps` writes the LP that was solved to that file (MPS, HiGHS writeModel),
    with the families' names unless `mps_names` is false (`ndalloc.solver.highs.write_mps`).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if options is None:
        options = SolveOptions(time_limit_s=time_limit_s)
    elif time_limit_s is not None:
        raise ValueError("give time_limit_s either directly or in options, not both")
    t0 = time.perf_counter()
    pyomo = plain or extra is not None
    built = build_model(scenario, extra=extra) if pyomo else build_lp(scenario)
    t1 = time.perf_counter()
    if pyomo:  # Pyomo's interface reads the model while it solves: nothing alongside it
        warnings = scaling_warnings(built, scenario)
        outcome = solve_model(built, options)
    else:
        # HiGHS lets go of the GIL while it solves: the data checks, and the input hash the
        # run folder's manifest will need, are computed meanwhile on the other core.
        beside = _Beside(built, scenario)
        beside.start()
        outcome = solve_model(built, options)
        warnings = beside.result()  # not waited for when Ctrl-C stops the solve
    t2 = time.perf_counter()
    timings = {"build_s": t1 - t0, "solve_s": t2 - t1}
    if outcome.run_seconds is not None:
        timings["highs_run_s"] = outcome.run_seconds  # HiGHS's run() alone, within solve_s
    # Read everything needed from HiGHS, then free it before the tables are built.
    solution = ranges = ties = None
    if outcome.status is Status.OPTIMAL:
        solution = read_solution(outcome.highs)
        ranges = read_ranges(built, outcome, solution)
        ties = find_ties(built, outcome, solution)
    t3 = time.perf_counter()
    conflict: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    if outcome.status in (Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED):
        conflict = tuple(map(str, irreducible_conflict(built, outcome, scenario)))
        if elastic:
            found = tuple(map(str, elastic_violations(built, outcome, scenario)))
        timings["explain_s"] = time.perf_counter() - t3
    if mps is not None:
        write_mps(built, outcome, Path(mps), names=mps_names)
    size = sum(map(len, outcome.cols.values())) + sum(map(len, outcome.rows.values()))
    outcome = detach(outcome)
    free_memory(size)
    t4 = time.perf_counter()
    result = extract_result(built, outcome, scenario.name, timings, solution=solution)
    if outcome.status is Status.OPTIMAL:
        result = replace(result, ranging=ranging_table(built, outcome, scenario, ranges))
    timings["extract_s"] = (t3 - t2) + (time.perf_counter() - t4)
    result = replace(
        result,
        conflict=conflict,
        violations=found,
        timings_s=timings,
        warnings=tuple(warnings),
    )
    if ties is not None:
        result = replace(result, ties=ties.table, ties_checked=ties.checked)
    try:
        check_solution(result)
    except ConservationError as exc:
        if not warnings:
            raise
        said = "\n  ".join(f"warning: {w}" for w in warnings)
        raise type(exc)(f"{exc}\n  found before solving:\n  {said}") from exc
    return result


class _Beside(threading.Thread):
    """What can be done while HiGHS solves: the scaling warnings of the LP (they depend on the
    data only) and the scenario's input hash (cached on it for the run folder). A daemon
    thread, so that an interrupted solve (Ctrl-C) neither waits for it nor keeps the process
    alive at exit; its error, if any, is raised by `result`."""

    def __init__(self, built: Built, scenario: Scenario) -> None:
        super().__init__(name="ndalloc-beside-the-solve", daemon=True)
        self.built, self.scenario = built, scenario
        self.warnings: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.warnings = scaling_warnings(self.built, self.scenario)
            _ = self.scenario.input_hash
        except BaseException as exc:  # raised in the solving thread by `result`
            self.error = exc

    def result(self) -> list[str]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.warnings
