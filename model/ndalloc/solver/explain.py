"""Explain an infeasible scenario in its own names.

Two views, both from HiGHS:
- `irreducible_conflict`: an irreducible infeasible subset (IIS, highspy `getIis`) of the rows,
  mapped back to the table, key, year and column each row's limit comes from;
- `elastic_violations`: the LP solved again with a priced slack on every limit that comes from
  the data, minimising the total violation; the slacks that remain are the smallest changes
  (in tonnes, summed) that would make the scenario feasible.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from ndalloc.data.scenario import Scenario
from ndalloc.data.schema import TABLES
from ndalloc.lp.build import Built
from ndalloc.solver.highs import new_highs

#: Where each constraint family's right-hand side comes from: (table, column), or None for a
#: structural balance. Kept explicit (not derived from names) so that a new family must say.
FAMILY_SOURCE: dict[str, tuple[str, str] | None] = {
    "oxide_balance": None,
    "source_capacity": ("sources", "capacity_t"),
    "source_minimum": ("sources", "min_output_t"),
    "contract_max": ("contracts", "max_t"),
    "contract_min": ("contracts", "min_t"),
    "export_cap": None,  # scenario.toml; never the cause: exports can always be 0
    "maker_capacity": ("makers", "capacity_t"),
    "maker_conversion": None,
    "magnet_balance_domestic": None,
    "magnet_balance_import": None,
    "demand_balance": ("demand", "demand_t"),
    "import_share": ("demand", "import_share_max"),
    "import_limit": ("imports", "max_t"),
    "stockpile_balance": ("stockpile_initial", "initial_t"),
    "stockpile_min": ("stockpiles", "min_t"),
    "stockpile_max": ("stockpiles", "max_t"),
    "stockpile_inject_limit": ("stockpiles", "max_inject_t"),
    "stockpile_release_limit": ("stockpiles", "max_release_t"),
    "route_origin": None,
    "route_destination": None,
}

#: Plain words for the rows whose right-hand side is no single input row (balances, ceilings).
_STRUCTURAL = {
    "oxide_balance": "oxide used = oxide supplied",
    "export_cap": "exports of the year <= export_cap_t of scenario.toml",
    "maker_conversion": "oxide fed = oxide_per_t x magnets made",
    "magnet_balance_domestic": "domestic magnets delivered = made",
    "magnet_balance_import": "imported magnets delivered = imported",
    "stockpile_balance": "stock carried from year to year",
    "route_origin": "oxide shipped on routes <= supplied at the origin",
    "route_destination": "oxide used = oxide arriving on routes",
}

_IIS_STRATEGY = 2 | 4  # kIisStrategyFromLp | kIisStrategyIrreducible


@dataclass(frozen=True)
class Limit:
    """One constraint row, in the scenario's names."""

    family: str
    key: tuple[Hashable, ...]
    text: str
    file: str | None
    line: int | None
    rhs: float
    sense: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: " if self.file else ""
        return f"{where}{self.text}"


@dataclass(frozen=True)
class Violation:
    """A limit of the data that must move by `change_t` for the scenario to be feasible."""

    limit: Limit
    change_t: float

    def __str__(self) -> str:
        direction = "raise" if self.change_t > 0 else "lower"
        return f"{self.limit}: {direction} by {abs(self.change_t):,.6g} t"


@dataclass(frozen=True)
class Bounds:
    """The limits of one constraint row as HiGHS holds them (infinite: no limit)."""

    lower: float
    upper: float

    def has_ub(self) -> bool:
        return math.isfinite(self.upper)

    @property
    def equality(self) -> bool:
        return self.lower == self.upper


class RowNames:
    """HiGHS row index -> (family, key, bounds), read through the family map."""

    def __init__(self, built: Built, outcome: Any) -> None:
        lp = outcome.highs.getLp()
        self.lower = np.asarray(lp.row_lower_, dtype=np.float64)
        self.upper = np.asarray(lp.row_upper_, dtype=np.float64)
        self.family: dict[int, tuple[str, int]] = {}
        self.built = built
        for name in built.constraints:
            for pos, row in enumerate(outcome.rows[name].tolist()):
                self.family[row] = (name, pos)
        self._keys: dict[str, list[tuple[Hashable, ...]]] = {}

    def __getitem__(self, row: int) -> tuple[str, tuple[Hashable, ...], Bounds]:
        name, pos = self.family[row]
        if name not in self._keys:
            self._keys[name] = self.built.constraints[name].key_tuples()
        return name, self._keys[name][pos], Bounds(float(self.lower[row]), float(self.upper[row]))

    def __iter__(self) -> Any:
        return iter(sorted(self.family))


def _location(
    scenario: Scenario, table: str, key: tuple[Any, ...], column: str
) -> tuple[str, int] | None:
    """File and line the value of `column` in the input row with this key comes from (the
    row's CSV line, or the `[[patch]]` that set it), or None when there is no such row."""
    t = scenario.table(table)
    index = t.find(key)
    return None if index is None else t.location(index, column)


def describe(
    family: str, key: tuple[Hashable, ...], data: Bounds, scenario: Scenario, sense: str = ""
) -> Limit:
    """A constraint row (its `Bounds`) as the scenario's file, line, key and column."""
    rhs = float(data.upper if data.has_ub() else data.lower)
    if not sense:
        sense = "=" if data.equality else ("<=" if data.has_ub() else ">=")
    source = FAMILY_SOURCE.get(family)
    names = " ".join(str(k) for k in key)
    if source is None or (family == "stockpile_balance" and not _first_year(scenario, key)):
        return Limit(
            family, key, f"{family} {names} ({_STRUCTURAL[family]})", None, None, rhs, sense
        )
    table, column = source
    if data.equality:
        sense = "="
    lookup_key = key[:1] if table == "stockpile_initial" else key
    file, line = _location(scenario, table, tuple(lookup_key), column) or (None, None)
    text = f"{names} {column} {rhs:,.6g} ({family}: {sense} {rhs:,.6g} t)"
    if table == "demand" and column == "import_share_max":
        text = f"{names} import_share_max ({family}: imported magnets <= {rhs:,.6g} t)"
    if file is None:
        file = TABLES[table].FILE
        if table == "stockpile_initial":
            text = f"{key[0]} initial_t {rhs:,.6g} (no row: the stockpile starts empty)"
    return Limit(family, key, text, file, line, rhs, sense)


def _first_year(scenario: Scenario, key: tuple[Hashable, ...]) -> bool:
    stock = scenario.table("stockpiles")
    years = stock.column("year")[stock.column("stockpile") == key[0]]
    return bool(len(years)) and key[1] == years.min()


def irreducible_conflict(built: Built, outcome: Any, scenario: Scenario) -> list[Limit]:
    """The rows of an irreducible infeasible subset computed by HiGHS, in scenario names."""
    highs = outcome.highs
    highs.setOptionValue("iis_strategy", _IIS_STRATEGY)
    status, iis = highs.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return []
    rows = RowNames(built, outcome)
    sense_of = {2: ">=", 3: "<=", 4: "="}
    out = []
    for row, bound in zip(iis.row_index_, iis.row_bound_, strict=True):
        family, key, data = rows[row]
        out.append(describe(family, key, data, scenario, sense_of.get(int(bound), "")))
    return out


def elastic_violations(
    built: Built, outcome: Any, scenario: Scenario, tol_t: float = 1e-7
) -> list[Violation]:
    """The least total change of data limits that makes the scenario feasible.

    Every row whose limit comes from the data gets a slack column (two for an equality) costed
    1 per tonne; the economic objective is dropped and the total slack minimised. Structural
    balances stay hard: they are the model, not the data.
    """
    lp = outcome.highs.getLp()
    highs = new_highs()
    lp.col_cost_ = np.zeros(lp.num_col_)
    lp.sense_ = highspy.ObjSense.kMinimize
    highs.passModel(lp)
    rows = RowNames(built, outcome)
    slacks: list[tuple[int, float]] = []  # (row, sign of the limit change the slack stands for)
    first = built.data.stockpiles["is_first"].to_dict()
    for row in rows:
        family, key, data = rows[row]
        if FAMILY_SOURCE.get(family) is None:
            continue
        if family == "stockpile_balance" and not first[key]:
            continue  # only a stockpile's first year has data (its initial level) on the right
        signs = [1.0, -1.0] if data.equality else ([1.0] if data.has_ub() else [-1.0])
        # row: lower <= a x <= upper. A slack s >= 0 entering as -sign*s lets a x exceed
        # the upper limit (sign +1) or fall below the lower limit (sign -1) by s.
        slacks += [(row, sign) for sign in signs]
    n = len(slacks)
    if n:
        highs.addCols(
            n,
            np.ones(n),
            np.zeros(n),
            np.full(n, highspy.kHighsInf),
            n,
            np.arange(n, dtype=np.int32),
            np.array([r for r, _ in slacks], dtype=np.int32),
            np.array([-s for _, s in slacks], dtype=np.float64),
        )
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = highs.getSolution().col_value[lp.num_col_ :]
    out = []
    for (row, sign), value in zip(slacks, values, strict=True):
        if value > tol_t:
            family, key, data = rows[row]
            out.append(Violation(describe(family, key, data, scenario), sign * value))
    return sorted(out, key=lambda v: -abs(v.change_t))
