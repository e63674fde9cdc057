"""Ties: is the optimal allocation unique, and if not, which entities are interchangeable?

A simplex solve returns one vertex of the optimal face. When two makers (sources, sectors,
...) cost the same, the face is larger than that vertex, and the split HiGHS returns between
them is an accident of the column order, not a recommendation. This module finds such ties
(docs/formulation.md, section "Ties"):

1. Candidates (reduced costs, always): the optimal face is the set of feasible points that
   keep every column with a non-zero reduced cost at 0 and every row with a non-zero dual at
   its bound. A second optimum differs from the solution along an edge of that face, and
   along it a column at 0 with reduced cost 0 rises, or an inequality row at its bound with
   dual 0 leaves it. "Zero" is `|value| <= COST_TOL * max |cost|`.
2. The check (a second solve, LPs of at most `CHECK_MAX_SIZE` columns plus rows): the optimal
   face as an LP (those columns fixed at 0, those rows at their bound, so every point of it
   has the optimal objective exactly), maximising the sum of the candidates' rises. Every
   candidate that rises is confirmed; the next round maximises the sum over those not yet
   confirmed, until it is 0 (none of the rest can rise: certain) or `MAX_ROUNDS` are spent.
   The members of each variable family that move in any round are the tied entities.
3. Above `CHECK_MAX_SIZE` (no second solve): in each variable family and year, members at 0
   with reduced cost 0 that are free to rise are paired with positive members free to fall
   (`_unchecked`); these ties are reported as not confirmed.

Everything is read from HiGHS's arrays in one pass per family; nothing loops over members.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd

from ndalloc.lp.build import Built
from ndalloc.results.tie_words import CHECKED, GROUP_COLUMNS, tie_table
from ndalloc.solver.highs import Solution, lp_bounds, new_highs

#: A reduced cost or dual counts as zero below this times the largest |objective coefficient|.
COST_TOL = 1e-7
#: A column or row slack moves when it changes by more than this (t).
MOVE_TOL_T = 1e-5
#: The second solve is made for LPs of at most this many columns plus rows.
CHECK_MAX_SIZE = 20_000
#: At most this many rounds of the second solve, and this long for all of them (s); the
#: second solve uses ndalloc's solver settings (one thread, simplex, seed 0), presolve off.
MAX_ROUNDS = 20
CHECK_TIME_S = 30.0

#: Limits of a member of a variable family with the same keys: a member cannot rise while at
#: its upper limit, nor fall while at its lower limit (used without the second solve).
UPPER_LIMIT = {
    "output": "source_capacity",
    "export": "contract_max",
    "make": "maker_capacity",
    "imports": "import_limit",
    "deliver_import": "import_share",
    "level": "stockpile_max",
}
LOWER_LIMIT = {"output": "source_minimum", "level": "stockpile_min"}


@dataclass(frozen=True)
class Ties:
    """The ties of one solve: the table (`tie_words.COLUMNS`) and how they were found."""

    table: pd.DataFrame
    checked: str
    """How they were looked for, to follow "checked by": "a second solve in 3 rounds"."""


def find_ties(
    built: Built,
    outcome: Any,
    solution: Solution,
    *,
    max_size: int | None = None,
) -> Ties:
    """The ties of an optimal solve whose HiGHS object (`outcome.highs`) is still alive; the
    second solve is made for an LP of at most `max_size` (default `CHECK_MAX_SIZE`) columns
    plus rows."""
    max_size = CHECK_MAX_SIZE if max_size is None else max_size
    highs = outcome.highs
    costs, row_lower, row_upper = lp_bounds(built, highs)
    x, rc = solution.col_value, solution.col_dual
    act, dual = solution.row_value, solution.row_dual
    tol = COST_TOL * max(1.0, float(np.abs(costs).max(initial=0.0)))
    at_up = np.isfinite(row_upper) & (np.abs(row_upper - act) <= MOVE_TOL_T)
    at_lo = np.isfinite(row_lower) & (np.abs(act - row_lower) <= MOVE_TOL_T)
    free = np.abs(dual) <= tol
    cand_col = (np.abs(x) <= MOVE_TOL_T) & (np.abs(rc) <= tol)
    inequality = row_lower != row_upper
    cand_up = inequality & at_up & free  # a <= row at its bound: its activity may fall
    cand_lo = inequality & at_lo & ~at_up & free  # a >= row at its bound: it may rise
    size = len(x) + len(act)
    if not cand_col.any() and not (cand_up | cand_lo).any():
        note = "reduced costs (no column or limit is at a zero reduced cost)"
        return Ties(tie_table(_no_moves(), confirmed=True), note)
    if size > max_size:
        moves = _unchecked(built, outcome, x, rc, cand_col, at_up, at_lo, free)
        note = (
            f"reduced costs only (the LP has {size:,} columns and rows, above {max_size:,}:"
            " no second solve)"
        )
        return Ties(tie_table(moves, confirmed=False), note)
    face = _Face(highs, x, act, row_lower, row_upper, rc, dual, tol, at_up, at_lo)
    deltas, rounds, complete = face.rounds(cand_col, cand_up, cand_lo)
    moves = _checked_moves(built, outcome, deltas, x, rc)
    note = f"a second solve in {rounds} round{'s' if rounds != 1 else ''}"
    if not complete:
        note += "; it stopped early, so some candidates were not checked"
    return Ties(tie_table(moves, confirmed=True), note)


# --- the second solve: the optimal face as an LP --------------------------------------------


class _Face:
    """The optimal face of a solved LP, in a new highspy.Highs warm-started at the solution."""

    def __init__(
        self,
        highs: Any,
        x: np.ndarray,
        act: np.ndarray,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        rc: np.ndarray,
        dual: np.ndarray,
        tol: float,
        at_up: np.ndarray,
        at_lo: np.ndarray,
    ) -> None:
        lp = highs.getLp()
        n = len(x)
        bounds = np.abs(np.concatenate([row_lower, row_upper, x]))
        big = 1e3 * max(1.0, float(bounds[np.isfinite(bounds)].max(initial=0.0)))
        upper = np.minimum(np.asarray(lp.col_upper_, dtype=np.float64), big)
        upper[np.abs(rc) > tol] = 0.0  # priced out: stays at 0 on the face
        fixed = np.abs(dual) > tol  # a row with a value stays at its bound
        lower, top = row_lower.copy(), row_upper.copy()
        lower[fixed & at_up] = row_upper[fixed & at_up]
        top[fixed & at_lo & ~at_up] = row_lower[fixed & at_lo & ~at_up]
        lp.col_upper_, lp.row_lower_, lp.row_upper_ = upper, lower, top
        lp.col_cost_ = np.zeros(n)
        lp.offset_ = 0.0
        lp.sense_ = highspy.ObjSense.kMaximize
        a = lp.a_matrix_
        self.start = np.asarray(a.start_, dtype=np.int64)
        self.index = np.asarray(a.index_, dtype=np.int64)
        self.value = np.asarray(a.value_, dtype=np.float64)
        self.column = np.repeat(np.arange(n), np.diff(self.start))
        self.x, self.act = x, act
        self.h = new_highs()
        settings = (("threads", 1), ("presolve", "off"), ("solver", "simplex"), ("random_seed", 0))
        for key, val in settings:
            self.h.setOptionValue(key, val)
        self.h.passModel(lp)
        basis = highs.getBasis()
        if basis.valid:
            self.h.setBasis(basis)

    def rounds(
        self, cand_col: np.ndarray, cand_up: np.ndarray, cand_lo: np.ndarray
    ) -> tuple[list[np.ndarray], int, bool]:
        """Maximise the rise of the open candidates until none can rise. Returns each round's
        change of every column (x' - x), the rounds made, and whether the check finished."""
        n = len(self.x)
        open_col, open_up, open_lo = cand_col.copy(), cand_up.copy(), cand_lo.copy()
        cols = np.arange(n, dtype=np.int32)
        deltas: list[np.ndarray] = []
        deadline = time.perf_counter() + CHECK_TIME_S
        for done in range(MAX_ROUNDS):
            left = deadline - time.perf_counter()
            if left <= 0:
                return deltas, done, False
            self.h.setOptionValue("time_limit", left)
            weight = open_up * -1.0 + open_lo * 1.0  # slack of a <= row falls with A x
            cost = open_col.astype(np.float64)
            cost += np.bincount(self.column, weights=weight[self.index] * self.value, minlength=n)
            self.h.changeColsCost(n, cols, cost)
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return deltas, done + 1, False
            s = self.h.getSolution()
            x2 = np.asarray(s.col_value, dtype=np.float64)
            r2 = np.asarray(s.row_value, dtype=np.float64)
            rose_col = open_col & (x2 - self.x > MOVE_TOL_T)
            rose_up = open_up & (self.act - r2 > MOVE_TOL_T)
            rose_lo = open_lo & (r2 - self.act > MOVE_TOL_T)
            if not (rose_col.any() or rose_up.any() or rose_lo.any()):
                # The largest total rise bounds each one's: at most noise, none can move.
                total = self.h.getInfo().objective_function_value
                return deltas, done + 1, total <= MOVE_TOL_T
            deltas.append(x2 - self.x)
            open_col &= ~rose_col
            open_up &= ~rose_up
            open_lo &= ~rose_lo
            if not (open_col.any() or open_up.any() or open_lo.any()):
                return deltas, done + 1, True
        return deltas, MAX_ROUNDS, False


# --- from columns to entities ----------------------------------------------------------------


def _no_moves() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "family": pd.Series([], dtype=object),
            "group": pd.Series([], dtype=object),
            "year": pd.Series([], dtype=np.int64),
            "entity": pd.Series([], dtype=object),
            "order": pd.Series([], dtype=np.int64),
            "round": pd.Series([], dtype=np.int64),
            "sign": pd.Series([], dtype=np.int64),
            "rc": pd.Series([], dtype=np.float64),
            "value": pd.Series([], dtype=np.float64),
        }
    )


def _members(built: Built, family: str, at: np.ndarray) -> pd.DataFrame:
    """Family members at positions `at` (key order): group, year, entity and position."""
    keys = built.variables[family].key_frame().iloc[at]
    groups = GROUP_COLUMNS.get(family, ())
    names = [c for c in keys.columns if c != "year" and c not in groups]
    entity = keys[names[0]].astype(str)
    for c in names[1:]:
        entity = entity + " -> " + keys[c].astype(str)
    group = keys[groups[0]].astype(str) if groups else pd.Series("", index=keys.index)
    return pd.DataFrame(
        {
            "family": family,
            "group": group.to_numpy(dtype=object),
            "year": keys["year"].to_numpy(dtype=np.int64),
            "entity": entity.to_numpy(dtype=object),
            "order": np.asarray(at, dtype=np.int64),
        }
    )


def _columns(outcome: Any, family: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions in key order of the family's members that are in the LP, and their columns."""
    cols = np.asarray(outcome.cols[family], dtype=np.int64)
    at = np.flatnonzero(cols >= 0)
    return at, cols[at]


def _checked_moves(
    built: Built, outcome: Any, deltas: list[np.ndarray], x: np.ndarray, rc: np.ndarray
) -> pd.DataFrame:
    """One row per member of a checked family that moved in a round of the second solve."""
    parts = [_no_moves()]
    for family in CHECKED:
        if family not in outcome.cols:
            continue
        at, cols = _columns(outcome, family)
        for number, delta in enumerate(deltas):
            moved = np.abs(delta[cols]) > MOVE_TOL_T
            if not moved.any():
                continue
            frame = _members(built, family, at[moved])
            frame["round"] = number
            frame["sign"] = np.sign(delta[cols][moved]).astype(np.int64)
            frame["rc"] = np.abs(rc[cols][moved])
            frame["value"] = x[cols][moved]
            parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _limit_rows(built: Built, outcome: Any, family: str, limit: str, at: np.ndarray) -> np.ndarray:
    """For members at positions `at` of `family`, the row of their `limit` (-1 if none)."""
    found = built.constraints.get(limit)
    if found is None or not len(found.component):
        return np.full(len(at), -1, dtype=np.int64)
    theirs = np.asarray(outcome.rows[limit], dtype=np.int64)
    everyone = built.variables[family].key_frame()
    rows = found.key_frame()
    if len(rows) == len(everyone) and rows.equals(everyone[list(rows.columns)]):
        return theirs[at]  # one limit row per member, in the same order
    mine = everyone.iloc[at]
    index = pd.MultiIndex.from_frame(rows)
    where = index.get_indexer(pd.MultiIndex.from_frame(mine[list(rows.columns)]))
    out = np.full(len(at), -1, dtype=np.int64)
    hit = where >= 0
    out[hit] = theirs[where[hit]]
    return out


def _unchecked(
    built: Built,
    outcome: Any,
    x: np.ndarray,
    rc: np.ndarray,
    cand_col: np.ndarray,
    at_up: np.ndarray,
    at_lo: np.ndarray,
    free: np.ndarray,
) -> pd.DataFrame:
    """Without a second solve: in each family, group and year, members at 0 with reduced cost
    0 and not at an upper limit (free to rise) paired with positive members not at a lower
    limit nor at an upper limit with a value (free to fall)."""
    parts = [_no_moves()]
    for family in CHECKED:
        if family not in outcome.cols:
            continue
        at, cols = _columns(outcome, family)
        up = cand_col[cols].copy()
        down = x[cols] > MOVE_TOL_T
        if family in UPPER_LIMIT:
            row = _limit_rows(built, outcome, family, UPPER_LIMIT[family], at)
            has = row >= 0
            blocked = np.zeros(len(at), dtype=bool)
            blocked[has] = at_up[row[has]]
            priced = np.zeros(len(at), dtype=bool)
            priced[has] = at_up[row[has]] & ~free[row[has]]
            up &= ~blocked
            down &= ~priced
        if family in LOWER_LIMIT:
            row = _limit_rows(built, outcome, family, LOWER_LIMIT[family], at)
            has = row >= 0
            held = np.zeros(len(at), dtype=bool)
            held[has] = at_lo[row[has]]
            down &= ~held
        either = up | down
        if not up.any() or not down.any():
            continue
        frame = _members(built, family, at[either])
        frame["round"] = 0
        frame["sign"] = np.where(up[either], 1, -1).astype(np.int64)
        frame["rc"] = np.abs(rc[cols][either])
        frame["value"] = x[cols][either]
        key = [frame["group"], frame["year"]]
        both = frame.groupby(key)["sign"].transform("nunique").to_numpy() == 2
        parts.append(frame[both])
    return pd.concat(parts, ignore_index=True)
