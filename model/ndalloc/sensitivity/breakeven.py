"""Break-even search: the value of one input at which scenario B's objective equals A's.

The input (a selector, `TABLE.COLUMN[KEY@YEARS]` or `scenario.discount_rate`) is set to the
same value v in both scenarios, and d(v) = objective_B(v) - objective_A(v) is searched for a
zero in [low, high]. Each scenario is built and solved once; every value is a re-solve in
place (`engine.SweepEngine`, warm-started from the scenario's basis).

For a price, cost, penalty or limit each optimal objective is piecewise linear in v, so d is
too: the search samples d at evenly spaced values (both ends included), and refines every
change of sign between neighbours by regula falsi (Illinois), which is exact in one step
when both ends lie on the same linear piece. Where d is zero over an interval (B's extra
restriction does not bind there, say), the search finds the edge of that interval: the
nonzero side's linear piece is extended to zero, and the point found is checked (equal
objectives there, unequal just beyond). Objectives count as equal within `REL_TOL` of
their size. A coefficient (`makers.oxide_per_t`) or the discount rate makes d nonlinear
but continuous; the same refinement converges, in more steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ndalloc.data.errors import Issue
from ndalloc.data.loader import apply_patches, load_scenario
from ndalloc.data.ranges import cell_bounds
from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.selectors import SCENARIO, Selector, SelectorError, parse_selector
from ndalloc.sensitivity.engine import SweepEngine, Variation

#: Objectives within this fraction of their size (at least 1 USD's worth) count as equal.
REL_TOL = 1e-9
#: Values sampled across the range before refining, both ends included.
SAMPLES = 9
#: Most re-solves of both scenarios one refinement may take.
MAX_STEPS = 100

Progress = Callable[[int], None]


class BreakevenError(ValueError):
    """A break-even search that cannot start: a parameter naming no input or no row of a
    scenario, no range to search, or an end of the range the input cannot take."""


@dataclass(frozen=True)
class Evaluation:
    """Both scenarios solved with the parameter at `value` (objectives in USD; None when a
    solve is not optimal, with its status)."""

    value: float
    objective_a: float | None
    objective_b: float | None
    status_a: str = "optimal"
    status_b: str = "optimal"

    @property
    def difference(self) -> float | None:
        """objective_b - objective_a, USD (None unless both are optimal)."""
        if self.objective_a is None or self.objective_b is None:
            return None
        return self.objective_b - self.objective_a


@dataclass(frozen=True)
class Crossing:
    """A break-even value, its objectives, the tightest interval known to hold it, and how B
    compares with A just below and just above it ("worse", "better" or "equal")."""

    value: float
    objective_a: float
    objective_b: float
    bracket: tuple[float, float]
    below: str
    above: str


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
        atol = _tolerance(self.points)
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


def _tolerance(points: Any) -> float:
    sizes = [abs(x) for p in points for x in (p.objective_a, p.objective_b) if x is not None]
    return REL_TOL * max([1.0, *sizes])


def _class(point: Evaluation, atol: float) -> int | None:
    d = point.difference
    if d is None:
        return None
    return 0 if abs(d) <= atol else (1 if d > 0 else -1)


_WORDS = {-1: "worse", 0: "equal", 1: "better"}
#: How B compares with A, by `Crossing.below` / `above`.
PHRASES = {"worse": "is worse than A", "equal": "equals A", "better": "is better than A"}


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
    selector, (low, high) = check(a, b, param, between)
    return _Search(a, b, selector, (low, high), tol, progress).run(samples)


class _Search:
    def __init__(
        self,
        a: Scenario,
        b: Scenario,
        selector: Selector,
        between: tuple[float, float],
        tol: float | None,
        progress: Progress | None,
    ) -> None:
        self.names = (a.name, b.name)
        self.selector = selector
        self.between = between
        self.tol = tol if tol is not None else (between[1] - between[0]) * 1e-9
        self.progress = progress
        self.engines = (SweepEngine(a), SweepEngine(b))
        self.seen: dict[float, Evaluation] = {}
        self.atol = REL_TOL

    def at(self, value: float) -> Evaluation:
        found = self.seen.get(value)
        if found is None:
            patch = self.selector.patch(value)
            variation = Variation(discount_rate=value) if patch is None else Variation((patch,))
            out = [engine.evaluate(variation) for engine in self.engines]
            found = Evaluation(
                value,
                out[0].get("objective_usd"),
                out[1].get("objective_usd"),
                str(out[0]["status"]),
                str(out[1]["status"]),
            )
            self.seen[value] = found
            if self.progress is not None:
                self.progress(len(self.seen))
        return found

    def d(self, value: float) -> float:
        found = self.at(value).difference
        if found is None:
            raise _NotOptimalError(value)
        return found

    def cls(self, value: float) -> int:
        d = self.d(value)
        return 0 if abs(d) <= self.atol else (1 if d > 0 else -1)

    def run(self, samples: int) -> Breakeven:
        low, high = self.between
        xs = [float(x) for x in np.linspace(low, high, samples)]
        points = [self.at(x) for x in xs]
        self.atol = _tolerance(points)
        classes = [_class(p, self.atol) for p in points]
        crossings: list[Crossing] = []
        for i in range(len(xs) - 1):
            left, right = classes[i], classes[i + 1]
            if left is None or right is None or left == right:
                continue
            beyond = xs[i + 2] if i + 2 < len(xs) and classes[i + 2] == right else None
            before = xs[i - 1] if i >= 1 and classes[i - 1] == left else None
            try:
                found = self.refine(xs[i], xs[i + 1], left, right, before, beyond)
            except _NotOptimalError:
                continue
            if not any(abs(found.value - c.value) <= max(self.tol, 1e-12) for c in crossings):
                crossings.append(found)
        first = crossings[0] if crossings else None
        return Breakeven(
            scenario_a=self.names[0],
            scenario_b=self.names[1],
            parameter=self.selector.label,
            unit=self.selector.unit,
            between=self.between,
            value=first.value if first else None,
            objective_a=first.objective_a if first else None,
            objective_b=first.objective_b if first else None,
            bracket=first.bracket if first else None,
            crossings=tuple(crossings),
            points=tuple(self.seen[v] for v in sorted(self.seen)),
        )

    def refine(
        self,
        x0: float,
        x1: float,
        c0: int,
        c1: int,
        before: float | None,
        beyond: float | None,
    ) -> Crossing:
        """The break-even between neighbouring samples x0 < x1 of different classes."""
        if c0 != 0 and c1 != 0:
            value, bracket = self.root(x0, x1)
        elif c0 == 0:
            value, bracket = self.edge(x0, x1, beyond)
        else:
            value, bracket = self.edge(x1, x0, before)
        point = self.at(value)
        assert point.objective_a is not None and point.objective_b is not None
        return Crossing(
            value, point.objective_a, point.objective_b, bracket, _WORDS[c0], _WORDS[c1]
        )

    def root(self, a: float, b: float) -> tuple[float, tuple[float, float]]:
        """A zero of d between a and b where d changes sign (Illinois regula falsi)."""
        fa, fb = self.d(a), self.d(b)
        side = 0
        for _ in range(MAX_STEPS):
            x = (a * fb - b * fa) / (fb - fa)
            if not a < x < b:
                x = (a + b) / 2
            fx = self.d(x)
            if abs(fx) <= self.atol:
                return x, (a, b)
            if (fx > 0) == (fb > 0):
                b, fb = x, fx
                if side == -1:
                    fa /= 2
                side = -1
            else:
                a, fa = x, fx
                if side == 1:
                    fb /= 2
                side = 1
            if b - a <= self.tol:
                break
        return (a if abs(self.d(a)) <= abs(self.d(b)) else b), (a, b)

    def edge(
        self, zero: float, other: float, further: float | None
    ) -> tuple[float, tuple[float, float]]:
        """The edge of an interval where d is zero: `zero` is in it, `other` (d nonzero)
        is not; `further`, if given, is another nonzero point beyond `other`. Returns a point
        where d is zero and d just beyond (towards `other`) is not."""
        sign = self.cls(other)
        n, n2 = other, further
        z = zero
        for _ in range(MAX_STEPS):
            if abs(n - z) <= self.tol:
                break
            x = None
            slope = None
            if n2 is not None and self.d(n) != self.d(n2):
                slope = (self.d(n) - self.d(n2)) / (n - n2)
                x = n - self.d(n) / slope
            if x is None or not min(z, n) < x < max(z, n):
                x = (z + n) / 2
            c = self.cls(x)
            if c == 0:
                z = x
                step = self.tol if slope is None else max(self.tol, 10 * self.atol / abs(slope))
                probe = x + math.copysign(min(step, abs(n - x)), n - x)
                if probe == n or self.cls(probe) != 0:
                    return x, (min(x, probe), max(x, probe))
                z = probe
            elif c == sign:
                n, n2 = x, n
            else:  # d changes sign between x and n: a crossing, not an edge
                low, high = sorted((x, n))
                return self.root(low, high)
        return z, (min(z, n), max(z, n))


class _NotOptimalError(Exception):
    def __init__(self, value: float) -> None:
        super().__init__(f"a solve at {value:g} is not optimal")
        self.value = value


__all__ = [
    "REL_TOL",
    "Breakeven",
    "BreakevenError",
    "Crossing",
    "Evaluation",
    "breakeven",
    "check",
]
