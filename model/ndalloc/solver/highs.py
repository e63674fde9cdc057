"""Solve a built model with HiGHS through Pyomo's persistent HiGHS interface (highspy).

Every HiGHS model status maps to one `Status`; nothing downstream reads solver objects.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
from pyomo.contrib.solver.solvers.highs import Highs

from ndalloc.lp.build import BuiltModel
from ndalloc.solver.status import MEANING, SolveOptions, Status

_MS = highspy.HighsModelStatus
_STATUS: dict[Any, Status] = {
    _MS.kOptimal: Status.OPTIMAL,
    _MS.kInfeasible: Status.INFEASIBLE,
    _MS.kUnbounded: Status.UNBOUNDED,
    _MS.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED,
    _MS.kTimeLimit: Status.TIME_LIMIT,
    _MS.kIterationLimit: Status.ITERATION_LIMIT,
    _MS.kLoadError: Status.ERROR,
    _MS.kModelError: Status.ERROR,
    _MS.kPresolveError: Status.ERROR,
    _MS.kSolveError: Status.ERROR,
    _MS.kPostsolveError: Status.ERROR,
    _MS.kModelEmpty: Status.OPTIMAL,
    _MS.kObjectiveBound: Status.UNKNOWN,
    _MS.kObjectiveTarget: Status.UNKNOWN,
    _MS.kNotset: Status.UNKNOWN,
    _MS.kUnknown: Status.UNKNOWN,
}
if hasattr(_MS, "kInterrupt"):
    _STATUS[_MS.kInterrupt] = Status.INTERRUPTED
if hasattr(_MS, "kSolutionLimit"):
    _STATUS[_MS.kSolutionLimit] = Status.ITERATION_LIMIT


@dataclass(frozen=True)
class SolveOutcome:
    """How one solve ended; `solver` is the persistent interface, for reading the solution."""

    status: Status
    objective: float | None
    bound: float | None
    seconds: float
    solver_version: str
    highs_status: str
    solver: Any = field(repr=False)
    results: Any = field(repr=False)

    @property
    def message(self) -> str:
        return MEANING[self.status]


def highs_version() -> str:
    h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def solve_model(built: BuiltModel, options: SolveOptions | None = None) -> SolveOutcome:
    """Solve `built` with HiGHS; never raises for a non-optimal end, it reports it."""
    options = options or SolveOptions()
    solver = Highs()
    start = time.perf_counter()
    results = solver.solve(
        built.model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=options.time_limit_s,
        threads=options.threads,
        solver_options=options.highs_options(),
    )
    seconds = time.perf_counter() - start
    highs = solver._solver_model  # the highspy.Highs instance behind the interface
    model_status = highs.getModelStatus()
    status = _STATUS.get(model_status, Status.UNKNOWN)
    return SolveOutcome(
        status=status,
        objective=results.incumbent_objective,
        bound=results.objective_bound,
        seconds=seconds,
        solver_version=highs_version(),
        highs_status=highs.modelStatusToString(model_status),
        solver=solver,
        results=results,
    )
