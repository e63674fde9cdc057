"""Find where d(v) = objective_B(v) - objective_A(v) is zero over [low, high], given a
function that solves both scenarios at v (`breakeven.py` gives one that re-solves in place).

d is sampled at evenly spaced values (both ends included), and every change between
neighbours is refined: a change of sign by regula falsi (Illinois), exact in one step when
both ends lie on one linear piece of d; the edge of an interval where d is zero by extending
the nonzero side's linear piece to zero, then checking d is zero there and not just beyond.
Objectives count as equal within `REL_TOL` of their size.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Objectives within this fraction of their size (at least 1 USD's worth) count as equal.
REL_TOL = 1e-9
#: Most evaluations one refinement may take.
MAX_STEPS = 100


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


def tolerance(points: Any) -> float:
    sizes = [abs(x) for p in points for x in (p.objective_a, p.objective_b) if x is not None]
    return REL_TOL * max([1.0, *sizes])


def classify(point: Evaluation, atol: float) -> int | None:
    d = point.difference
    if d is None:
        return None
    return 0 if abs(d) <= atol else (1 if d > 0 else -1)


_WORDS = {-1: "worse", 0: "equal", 1: "better"}
#: How B compares with A, by `Crossing.below` / `above`.
PHRASES = {"worse": "is worse than A", "equal": "equals A", "better": "is better than A"}


class NotOptimalError(Exception):
    """A value at which a solve is not optimal: the refinement around it stops."""

    def __init__(self, value: float) -> None:
        super().__init__(f"a solve at {value:g} is not optimal")
        self.value = value


class Search:
    """The search over [low, high] of `between`, with `evaluate` solving both scenarios."""

    def __init__(
        self,
        evaluate: Callable[[float], Evaluation],
        between: tuple[float, float],
        tol: float | None = None,
    ) -> None:
        self.evaluate = evaluate
        self.between = between
        self.tol = tol if tol is not None else (between[1] - between[0]) * 1e-9
        self.seen: dict[float, Evaluation] = {}
        self.atol = REL_TOL

    def at(self, value: float) -> Evaluation:
        found = self.seen.get(value)
        if found is None:
            found = self.seen[value] = self.evaluate(value)
        return found

    def d(self, value: float) -> float:
        found = self.at(value).difference
        if found is None:
            raise NotOptimalError(value)
        return found

    def cls(self, value: float) -> int:
        d = self.d(value)
        return 0 if abs(d) <= self.atol else (1 if d > 0 else -1)

    def run(self, samples: int) -> tuple[list[Crossing], list[Evaluation]]:
        """Every break-even found, in order of value, and every evaluation, in order of value."""
        low, high = self.between
        xs = [float(x) for x in np.linspace(low, high, samples)]
        points = [self.at(x) for x in xs]
        self.atol = tolerance(points)
        classes = [classify(p, self.atol) for p in points]
        crossings: list[Crossing] = []
        for i in range(len(xs) - 1):
            left, right = classes[i], classes[i + 1]
            if left is None or right is None or left == right:
                continue
            beyond = xs[i + 2] if i + 2 < len(xs) and classes[i + 2] == right else None
            before = xs[i - 1] if i >= 1 and classes[i - 1] == left else None
            try:
                found = self.refine(xs[i], xs[i + 1], left, right, before, beyond)
            except NotOptimalError:
                continue
            if not any(abs(found.value - c.value) <= max(self.tol, 1e-12) for c in crossings):
                crossings.append(found)
        return crossings, [self.seen[v] for v in sorted(self.seen)]

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
