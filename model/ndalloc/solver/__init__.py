"""Solving a built LP with HiGHS. `status` is light; `highs` imports the solver."""

from ndalloc.solver.status import MEANING, SolveOptions, Status

__all__ = ["MEANING", "SolveOptions", "Status"]
