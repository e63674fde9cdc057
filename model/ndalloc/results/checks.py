"""Checks every optimal solve must pass before its numbers are shown to anyone."""

from __future__ import annotations

import pandas as pd

from ndalloc.results.tables import RunResult

#: Largest imbalance tolerated in a conservation check (t).
CONSERVATION_TOL_T = 1e-6


class ConservationError(RuntimeError):
    """Reported flows do not add up: the result must not be used."""


def check_conservation(result: RunResult, tol_t: float = CONSERVATION_TOL_T) -> None:
    """Oxide supplied equals oxide used each year, and each maker's feed matches its magnets.

    Raises ConservationError naming every year and maker that fails.
    """
    if not result.optimal:
        return
    a = result.allocation
    supplied = a["output_t"] + a["oxide_imports_t"] + a["stock_release_t"]
    used = a["exports_t"] + a["to_makers_t"] + a["stock_inject_t"] + a["unallocated_t"]
    gap = (supplied - used).abs()
    problems = [
        f"oxide {int(y)}: supplied {s:.6f} t, used {u:.6f} t"
        for y, s, u, g in zip(a["year"], supplied, used, gap, strict=True)
        if g > tol_t
    ]
    problems += _maker_problems(result, tol_t)
    if problems:
        raise ConservationError("conservation check failed:\n  " + "\n  ".join(problems))


def _maker_problems(result: RunResult, tol_t: float) -> list[str]:
    feed = result.variables["feed"].set_index(["maker", "year"])["value_t"]
    make = result.variables["make"].set_index(["maker", "year"])["value_t"]
    conversion = result.duals["maker_conversion"].set_index(["maker", "year"])
    if feed.empty:
        return []
    # oxide_per_t * make - feed = rhs (0): the activity column holds the left-hand side.
    gap = (conversion["activity_t"] - conversion["rhs_t"]).abs()
    bad = gap[gap > tol_t]
    out = [f"maker {m} {y}: oxide_per_t*make - feed = {g:.3g} t" for (m, y), g in bad.items()]
    out += [
        f"maker {m} {y}: negative flow"
        for (m, y), v in pd.concat([feed, make]).items()
        if v < -tol_t
    ]
    return out
