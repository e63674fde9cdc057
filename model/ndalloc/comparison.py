"""Compare solved runs side by side, reading only their run folders (json and pandas).

A run folder (`runs/<run-id>/`, see `ndalloc.runs`) holds `manifest.json` and one CSV per
result table. This module reads them back without Pyomo or HiGHS, so runs can be compared on a
machine that cannot solve, and long after the solve.

Shape of every comparison table (`compare`): tidy (long), one row per run and key, with

- `run`: the run id (folder name; made unique with "#2", "#3" ... if a run is given twice);
- the key columns of the table (e.g. `quantity`, `year`);
- one value column, named with its unit (`value_t`, `value_usd_per_t`, `objective_musd`);
- one difference column `diff_vs_first_<unit>`: the run's value minus the first run's value
  for the same key (0 for the first run itself; differences within 1e-9 relative are 0).

Every run has a row for every key found in any run, so the table is rectangular: a value is
empty (NaN) where a run has no such row (another horizon or entity, or a run that is not
optimal and so has no tables), and so is its difference. `wide(table)` pivots a table to one
row per key with a column per run and a `<run> - <first run>` column per later run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ndalloc.comparison_terms import explanations, term_table, term_totals_of
from ndalloc.run_folder import Run, read_run
from ndalloc.run_lookup import (
    DEFAULT_RUNS_DIR,
    INCOMPLETE_PREFIX,
    MANIFEST,
    RunFolderError,
)

#: Allocation quantities compared: allocation.csv column -> (quantity, unit).
ALLOCATION: dict[str, tuple[str, str]] = {
    "exports_t": ("exports", "t oxide"),
    "to_makers_t": ("to_makers", "t oxide"),
    "stock_inject_t": ("to_stock", "t oxide"),
    "unallocated_t": ("unallocated", "t oxide"),
    "oxide_imports_t": ("oxide_imports", "t oxide"),
    "magnet_imports_t": ("magnet_imports", "t magnet"),
    "magnet_shortage_t": ("magnet_shortage", "t magnet"),
}
#: Constraint families whose shadow prices are compared -> their entity column ("" = none).
SHADOW_PRICES: dict[str, str] = {
    "oxide_balance": "",
    "source_capacity": "source",
    "maker_capacity": "maker",
    "contract_min": "contract",
}
#: Relative tolerance below which a difference is reported as 0 (solver round-off).
DIFF_RTOL = 1e-9


# --- list_runs -----------------------------------------------------------------------------

#: Columns of `list_runs`.
RUN_COLUMNS = ("run", "scenario", "status", "objective_musd", "solve_s", "started_at", "folder")


def list_runs(path: str | Path = "runs") -> pd.DataFrame:
    """The runs in a folder, newest first (by `started_at`, then run id).

    Columns: run (id), scenario, status, objective_musd (discounted net benefit, million USD;
    empty unless optimal), solve_s (solver time, s), started_at (UTC timestamp), folder.
    `.incomplete-*` folders and folders without a readable manifest are left out; the names
    of those with an unreadable manifest are in `frame.attrs["unreadable"]`.
    """
    root = Path(path)
    if not root.is_dir():
        raise RunFolderError(f"no folder of runs {root}")
    rows, unreadable = [], []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith(INCOMPLETE_PREFIX):
            continue
        if not (folder / MANIFEST).is_file():
            continue
        try:
            run = read_run(folder)
        except RunFolderError:
            unreadable.append(folder.name)
            continue
        objective = run.objective_usd if run.optimal else None
        rows.append(
            {
                "run": run.run_id,
                "scenario": run.scenario,
                "status": run.status,
                "objective_musd": None if objective is None else objective / 1e6,
                "solve_s": run.solve_s,
                "started_at": run.manifest.get("started_at"),
                "folder": str(folder),
            }
        )
    frame = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True, errors="coerce")
    frame = frame.astype({"objective_musd": float, "solve_s": float})
    frame = frame.sort_values(
        ["started_at", "run"], ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)
    frame.attrs["unreadable"] = unreadable
    return frame


# --- compare -------------------------------------------------------------------------------

#: Keys of the dict returned by `compare`, in order.
SECTIONS = ("summary", "allocation", "stockpile", "contracts", "shadow_prices")


def compare(
    *runs: str | Path | Run, runs_dir: str | Path | None = DEFAULT_RUNS_DIR
) -> dict[str, pd.DataFrame]:
    """Compare runs side by side, with differences against the first run.

    Each run is a run folder, a run id (or the start of one) in `runs_dir` (`runs/` unless
    told otherwise, as `ndalloc compare`), or a `Run`. Raises
    `RunFolderError` for anything that is not a complete run folder, or an optimal run whose
    tables are missing or unreadable. Returns tidy tables (see the module docstring):

    - "summary": run, scenario, status, message, objective_musd (discounted net benefit,
      million USD of the first year), diff_vs_first_musd, solve_s (solver time, s),
      started_at (UTC timestamp), folder
    - "objective_terms": run, term, value_musd (discounted), diff_vs_first_musd, for every
      term of the objective (`ndalloc.lp.objective.TERMS`), and "explanation": run, sentence,
      why each later run's objective differs from the first's, term by term
    - "allocation": run, quantity, unit, year, value_t, diff_vs_first_t, for the quantities
      exports, to_makers, to_stock, unallocated, oxide_imports (t oxide), magnet_imports and
      magnet_shortage (t magnet), by year, from allocation.csv
    - "stockpile": run, stockpile, year, value_t (level at the end of the year, t oxide),
      diff_vs_first_t
    - "contracts": run, contract, quantity ("export" or "breach"), year, value_t (t oxide),
      diff_vs_first_t; breach is 0 where the contract has no minimum
    - "shadow_prices": run, constraint, entity, year, value_usd_per_t (dual in USD of the
      constraint's year, sign as in `ndalloc.results.tables`), diff_vs_first_usd_per_t, for
      oxide_balance (entity ""), source_capacity, maker_capacity and contract_min; a contract
      with no minimum in a year has no contract_min row and its value is 0

    Runs that are not optimal have no tables: their summary row shows the status, and their
    values elsewhere are empty.
    """
    if not runs:
        raise ValueError("compare needs at least one run")
    read = [read_run(r, runs_dir) for r in runs]
    labels = unique_labels([r.run_id for r in read])
    totals = [term_totals_of(run) for run in read]
    terms = term_table(totals, labels)
    return {
        "summary": _summary(read, labels),
        "objective_terms": terms,
        "explanation": explanations([r.scenario for r in read], totals, labels, terms),
        "allocation": _section(read, labels, _allocation, ["quantity", "unit", "year"], "t"),
        "stockpile": _section(read, labels, _stockpile, ["stockpile", "year"], "t"),
        "contracts": _section(read, labels, _contracts, ["contract", "quantity", "year"], "t"),
        "shadow_prices": _section(
            read, labels, _shadow_prices, ["constraint", "entity", "year"], "usd_per_t"
        ),
    }


def unique_labels(ids: list[str]) -> list[str]:
    """The run ids, with "#2", "#3" ... appended to repeats."""
    seen: dict[str, int] = {}
    out = []
    for run_id in ids:
        seen[run_id] = seen.get(run_id, 0) + 1
        out.append(run_id if seen[run_id] == 1 else f"{run_id}#{seen[run_id]}")
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= DIFF_RTOL * max(1.0, abs(a), abs(b))


def _diff(values: pd.Series, first: pd.Series) -> pd.Series:
    """values - first, NaN where either is NaN, 0 where they differ only by round-off."""
    out = values - first
    both = values.notna() & first.notna()
    same = [
        bool(b) and _close(float(v), float(f)) for v, f, b in zip(values, first, both, strict=True)
    ]
    return out.mask(pd.Series(same, index=out.index), 0.0)


def _summary(read: list[Run], labels: list[str]) -> pd.DataFrame:
    rows = []
    for run, label in zip(read, labels, strict=True):
        objective = run.objective_usd if run.optimal else None
        rows.append(
            {
                "run": label,
                "scenario": run.scenario,
                "status": run.status,
                "message": str(run.manifest.get("message", "")),
                "objective_musd": math.nan if objective is None else objective / 1e6,
                "solve_s": run.solve_s,
                "started_at": run.manifest.get("started_at"),
                "folder": str(run.folder),
            }
        )
    frame = pd.DataFrame(rows).astype({"objective_musd": float, "solve_s": float})
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True, errors="coerce")
    first = pd.Series(frame["objective_musd"].iat[0], index=frame.index)
    frame.insert(5, "diff_vs_first_musd", _diff(frame["objective_musd"], first))
    return frame


def _allocation(run: Run) -> pd.DataFrame:
    table = run.table("allocation", ["year", *ALLOCATION])
    parts = [
        pd.DataFrame(
            {"quantity": quantity, "unit": unit, "year": table["year"], "value": table[column]}
        )
        for column, (quantity, unit) in ALLOCATION.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _stockpile(run: Run) -> pd.DataFrame:
    table = run.table("var_level", ["stockpile", "year", "value_t"])
    return table[["stockpile", "year", "value_t"]].rename(columns={"value_t": "value"})


def _contracts(run: Run) -> pd.DataFrame:
    export = run.table("var_export", ["contract", "year", "value_t"])[
        ["contract", "year", "value_t"]
    ]
    breach = run.table("var_breach", ["contract", "year", "value_t"])[
        ["contract", "year", "value_t"]
    ]
    breach = export[["contract", "year"]].merge(breach, on=["contract", "year"], how="left")
    breach["value_t"] = breach["value_t"].fillna(0.0)  # no minimum: no breach variable
    parts = [
        frame.assign(quantity=quantity).rename(columns={"value_t": "value"})
        for quantity, frame in (("export", export), ("breach", breach))
    ]
    out = pd.concat(parts, ignore_index=True)
    return out[["contract", "quantity", "year", "value"]]


def _shadow_prices(run: Run) -> pd.DataFrame:
    parts = []
    for constraint, entity in SHADOW_PRICES.items():
        keys = [entity, "year"] if entity else ["year"]
        dual = run.table(f"dual_{constraint}", [*keys, "value_usd_per_t"])[
            [*keys, "value_usd_per_t"]
        ]
        if constraint == "contract_min":
            # Built only where min_t > 0 (docs/formulation.md, section 2): read its value as 0
            # in every other year the contract exists.
            exists = run.table("var_export", ["contract", "year"])[["contract", "year"]]
            dual = exists.merge(dual, on=keys, how="left").fillna({"value_usd_per_t": 0.0})
        frame = pd.DataFrame(
            {
                "constraint": constraint,
                "entity": dual[entity] if entity else "",
                "year": dual["year"],
                "value": dual["value_usd_per_t"],
            }
        )
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _section(
    read: list[Run],
    labels: list[str],
    extract: Callable[[Run], pd.DataFrame],
    keys: list[str],
    unit: str,
) -> pd.DataFrame:
    """One tidy table: every run x every key found in any optimal run, plus the differences."""
    value, diff = f"value_{unit}", f"diff_vs_first_{unit}"
    parts = []
    for run, label in zip(read, labels, strict=True):
        if run.optimal:
            try:
                frame = extract(run)
                frame["year"] = frame["year"].astype("int64")
                frame["value"] = frame["value"].astype(float)
            except (KeyError, TypeError, ValueError) as exc:
                raise RunFolderError(
                    f"{run.folder} holds a table that cannot be read: {exc}"
                ) from None
            parts.append(frame.assign(run=label))
    if not parts:
        return pd.DataFrame(columns=["run", *keys, value, diff])
    found = pd.concat(parts, ignore_index=True)
    all_keys = found[keys].drop_duplicates(ignore_index=True)
    # Names in order of first appearance (first run first), years in increasing order.
    ranks = {
        c: {name: i for i, name in enumerate(dict.fromkeys(found[c]))} for c in keys if c != "year"
    }
    all_keys = all_keys.sort_values(
        keys, key=lambda col: col.map(ranks[str(col.name)]) if col.name in ranks else col
    )
    grid = pd.DataFrame({"run": labels}).merge(all_keys, how="cross")
    grid = grid.merge(found, on=["run", *keys], how="left").rename(columns={"value": value})
    first = grid.loc[grid["run"] == labels[0], [*keys, value]].rename(columns={value: "_first"})
    grid = grid.merge(first, on=keys, how="left")
    grid[diff] = _diff(grid[value], grid["_first"])
    return grid.drop(columns="_first").reset_index(drop=True)


def value_column(frame: pd.DataFrame) -> str:
    """The value column of a comparison table (`value_t`, `value_usd_per_t`, ...)."""
    return next(c for c in frame.columns if c.startswith(("value_", "objective_")))


def diff_column(frame: pd.DataFrame) -> str:
    return next(c for c in frame.columns if c.startswith("diff_vs_first_"))


def key_columns(frame: pd.DataFrame) -> list[str]:
    value, diff = value_column(frame), diff_column(frame)
    return [c for c in frame.columns if c not in ("run", value, diff)]


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    """A comparison table with one row per key: a value column per run (named by run), then a
    `<run> - <first run>` difference column per later run. The summary is returned as is."""
    if "objective_musd" in frame.columns:
        return frame.copy()
    value, diff = value_column(frame), diff_column(frame)
    keys = key_columns(frame)
    runs = list(dict.fromkeys(frame["run"]))
    if not runs:
        return pd.DataFrame(columns=keys)
    first = frame[frame["run"] == runs[0]]
    out = first[keys].reset_index(drop=True)
    for run in runs:
        out[run] = frame.loc[frame["run"] == run, value].to_numpy()
    for run in runs[1:]:
        out[f"{run} - {runs[0]}"] = frame.loc[frame["run"] == run, diff].to_numpy()
    return out
