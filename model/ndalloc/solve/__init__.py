"""Solving a built LP with HiGHS."""

from ndalloc.solve.highs import SolveOptions, SolveOutcome, Status, solve_model

__all__ = ["SolveOptions", "SolveOutcome", "Status", "solve_model"]
