"""Solve statuses and options: light enough to import without Pyomo or HiGHS."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Interrupted(KeyboardInterrupt):
    """A solve (or a command) stopped by SIGINT or SIGTERM; `signum` says which. The command
    cleans up as for Ctrl-C and exits 128 + signum (130 for SIGINT, 143 for SIGTERM)."""

    def __init__(self, signum: int = 2) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class Status(StrEnum):
    """How a solve ended, in planners' terms."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    INTERRUPTED = "interrupted"
    ERROR = "error"
    UNKNOWN = "unknown"


#: What each status means for the planner, printed with it.
MEANING: dict[Status, str] = {
    Status.OPTIMAL: "the best allocation was found",
    Status.INFEASIBLE: "no allocation satisfies every constraint of the scenario",
    Status.UNBOUNDED: "the benefit can grow without limit: a price or limit is missing",
    Status.INFEASIBLE_OR_UNBOUNDED: "the scenario is infeasible or unbounded",
    Status.TIME_LIMIT: "the time limit ended the solve before optimality was proven",
    Status.ITERATION_LIMIT: "the iteration limit ended the solve before optimality was proven",
    Status.INTERRUPTED: "the solve was interrupted",
    Status.ERROR: "HiGHS reported an error",
    Status.UNKNOWN: "HiGHS ended without a definite answer",
}


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings recorded in every run's manifest."""

    time_limit_s: float | None = None
    threads: int = 1
    random_seed: int = 0
    presolve: str = "choose"
    solver: str = "simplex"
    log: bool = False
    """Let HiGHS print its log (and its banner) on standard output (`--solver-log`); off by
    default: no solver output reaches the user's terminal unless asked for."""

    def highs_options(self) -> dict[str, Any]:
        return {
            "random_seed": self.random_seed,
            "presolve": self.presolve,
            "solver": self.solver,
            "output_flag": self.log,
        }
