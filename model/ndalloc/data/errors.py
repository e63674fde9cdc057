"""Validation problems, collected and reported together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in the input, located as precisely as the input allows.

    `line` is 1-based (the header is line 1 of a CSV); 0 means the whole file. `column` is the
    column (or TOML key) concerned, "-" when the problem is not in one column.
    """

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.column}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found in it."""

    def __init__(self, issues: Iterable[Issue], scenario: str = "") -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.scenario = scenario
        super().__init__(self.report())

    def report(self) -> str:
        head = f"{len(self.issues)} problem(s) in scenario {self.scenario}".rstrip()
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])
