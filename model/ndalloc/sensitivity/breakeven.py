"""Break-even search: the value of one input at which scenario B's objective equals A's.

The input (a selector, `TABLE.COLUMN[KEY@YEARS]` or `scenario.discount_rate`) is set to the
same value v in both scenarios, and d(v) = objective_B(v) - objective_A(v) is searched for a
zero in [low, high]. Each scenario is built and solved once; every value is a re-solve in
place (`engine.SweepEngine`, warm-started from the scenario's basis).

For a price, cost, penalty or limit each optimal objective is piecewise linear in v, so d is
too; `crossing.Search` samples d and refines every change of sign, or edge of an interval
where B equals A, exactly on a linear piece. A coefficient (`makers.oxide_per_t`) or the
discount rate makes d nonlinear but continuous: the refinement converges in more steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ndalloc.data.errors import Issue
from ndalloc.data.loader import apply_patches, load_scenario
from ndalloc.data.ranges import cell_bounds
from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.selectors import SCENARIO, Selector, SelectorError, parse_selector
from ndalloc.sensitivity.crossing import (
    PHRASES,
    REL_TOL,
    Crossing,
    Evaluation,
    Search,
    tolerance,
)
from ndalloc.sensitivity.engine import SweepEngine, Variation

#: Values sampled across the range before refining, both ends included.
SAMPLES = 9

Progress = Callable[[int], None]


class BreakevenError(ValueError):
    """A break-even search that cannot start: a parameter naming no input or no row of a
    scenario, no range to search, or an end of the range the input cannot take."""


@dataclass(frozen=True)
class Breakeven:
    """The result of a break-even search. `value` is the first break-even in the range (None
    when there is none); `crossings` lists every one found; `points` every evaluation, in
    order of value."""

    scenario_a: str
    scenario_b: str
    parameter: str
    unit: str
    between: tuple[float, float]
    value: float | None
    objective_a: float | None
    objective_b: float | None
    bracket: tuple[float, float] | None
    crossings: tuple[Crossing, ...]
    points: tuple[Evaluation, ...]

    @property
    def found(self) -> bool:
        return self.value is not None

    def summary(self) -> str:
        """The answer in a sentence (one per break-even found)."""
        low, high = self.between
        span = f"[{number(low)}, {number(high)}] {self.unit}".rstrip()
        if self.crossings:
            return "\n".join(
                f"break-even at {self.parameter} = {number(c.value)} {self.unit}: objective"
                f" {self.scenario_a} {musd(c.objective_a)} M USD, {self.scenario_b}"
                f" {musd(c.objective_b)} M USD; below it B {PHRASES[c.below]}, above it B"
                f" {PHRASES[c.above]}"
                for c in self.crossings
            )
        diffs = [p.difference for p in self.points if p.difference is not None]
        if not diffs:
            return f"no break-even in {span}: no value gave optimal solves of both scenarios"
        atol = tolerance(self.points)
        if all(abs(d) <= atol for d in diffs):
            return f"no single break-even in {span}: B equals A throughout"
        worse = max(diffs) < 0
        sizes = sorted(abs(d) for d in diffs)
        return (
            f"no break-even in {span}: B is {'worse' if worse else 'better'} than A by"
            f" {musd(sizes[0])} to {musd(sizes[-1])} M USD throughout"
        )


def number(value: float) -> str:
    """A parameter value as the reports show it: thousands separated, 6 significant digits."""
    if abs(value) >= 1000:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.6g}"


def musd(value: float) -> str:
    return f"{value / 1e6:,.2f}"


# --- before any solve ----------------------------------------------------------------------


def check(
    a: Scenario, b: Scenario, param: str, between: tuple[float, float] | None = None
) -> tuple[Selector, tuple[float, float]]:
    """The parameter's selector and the range to search, or BreakevenError: the parameter
    must name rows of both scenarios, and the range must be given or known (from ranges.csv
    or the rows' low/high, of A, else of B) and hold values the input can take."""
    try:
        selector = parse_selector(param)
    except SelectorError as exc:
        raise BreakevenError(f"--param {param!r}: {exc}") from None
    for scenario in (a, b):
        if selector.table != SCENARIO and not len(selector.rows(scenario.table(selector.table))):
            raise BreakevenError(
                f"--param {param!r} matches no row of {scenario.table(selector.table).model.FILE}"
                f" in scenario {scenario.name}"
            )
    if between is None:
        between = _known_range(selector, a) or _known_range(selector, b)
        if between is None:
            raise BreakevenError(
                f"{selector.label} has no range in ranges.csv or in the rows' low/high of"
                f" {a.name} or {b.name}: give --between LOW:HIGH"
            )
    low, high = between
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise BreakevenError(f"--between {low:g}:{high:g}: give LOW:HIGH with LOW < HIGH")
    for scenario in (a, b):
        for value in (low, high):
            problem = _invalid(selector, scenario, value)
            if problem:
                raise BreakevenError(
                    f"{selector.label} = {value:g} is not a possible value in {scenario.name}:"
                    f" {problem}"
                )
    return selector, (float(low), float(high))


def _known_range(selector: Selector, scenario: Scenario) -> tuple[float, float] | None:
    if selector.table == SCENARIO:
        return None
    bounds = cell_bounds(scenario.tables, selector)
    if not bounds or any(lo is None or hi is None for lo, hi in bounds):
        return None
    return (min(lo for lo, _ in bounds), max(hi for _, hi in bounds))


def _invalid(selector: Selector, scenario: Scenario, value: float) -> str:
    if selector.table == SCENARIO:
        return "" if 0 <= value < 1 else "the discount rate must lie in [0, 1)"
    tables: dict[str, Table] = dict(scenario.tables)
    issues: list[Issue] = []
    patch = selector.patch(value)
    assert patch is not None
    apply_patches([(patch, ("--param", 0))], tables, issues)
    return issues[0].message.removeprefix("patch makes ") if issues else ""


# --- the search ----------------------------------------------------------------------------


def breakeven(
    a: Scenario | str | Path,
    b: Scenario | str | Path,
    param: str,
    between: tuple[float, float] | None = None,
    *,
    tol: float | None = None,
    samples: int = SAMPLES,
    progress: Progress | None = None,
) -> Breakeven:
    """The value of `param` at which scenario B's objective equals A's, searched in
    `between` (default: the parameter's range, see `check`).

    `tol` is the largest error accepted on the value where refinement has to bisect
    (default a billionth of the range); `samples` values are evaluated across the range
    before refining; `progress` is called with the number of values evaluated so far.
    """
    if samples < 2:
        raise BreakevenError("sample at least 2 values (the ends of the range)")
    a = a if isinstance(a, Scenario) else load_scenario(a)
    b = b if isinstance(b, Scenario) else load_scenario(b)
    selector, span = check(a, b, param, between)
    search = Search(_evaluator(a, b, selector, progress), span, tol)
    crossings, points = search.run(samples)
    first = crossings[0] if crossings else None
    return Breakeven(
        scenario_a=a.name,
        scenario_b=b.name,
        parameter=selector.label,
        unit=selector.unit,
        between=span,
        value=first.value if first else None,
        objective_a=first.objective_a if first else None,
        objective_b=first.objective_b if first else None,
        bracket=first.bracket if first else None,
        crossings=tuple(crossings),
        points=tuple(points),
    )


def _evaluator(
    a: Scenario, b: Scenario, selector: Selector, progress: Progress | None
) -> Callable[[float], Evaluation]:
    """Solve both scenarios in place with the parameter at a value (each built once)."""
    engines = (SweepEngine(a), SweepEngine(b))
    count = [0]

    def evaluate(value: float) -> Evaluation:
        patch = selector.patch(value)
        variation = Variation(discount_rate=value) if patch is None else Variation((patch,))
        out = [engine.evaluate(variation) for engine in engines]
        count[0] += 1
        if progress is not None:
            progress(count[0])
        return Evaluation(
            value,
            out[0].get("objective_usd"),
            out[1].get("objective_usd"),
            str(out[0]["status"]),
            str(out[1]["status"]),
        )

    return evaluate


__all__ = [
    "REL_TOL",
    "Breakeven",
    "BreakevenError",
    "Crossing",
    "Evaluation",
    "breakeven",
    "check",
]
