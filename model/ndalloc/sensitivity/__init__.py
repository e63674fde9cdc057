"""Sensitivity analysis: sweeps, tornado and Monte Carlo, re-solving one model in place.

For scripts::

    import ndalloc
    spec = "contracts.price_usd_per_t[japan-2012]=20000:80000:7"
    table = ndalloc.sweep("india-base", vary=[spec])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ndalloc.data.csv_writer import write_csv
from ndalloc.data.loader import load_scenario
from ndalloc.data.scenario import INPUT_HASH_VERSION, Scenario
from ndalloc.sensitivity.check import check_varies
from ndalloc.sensitivity.points import Point, grid, monte_carlo, ranking, tornado
from ndalloc.sensitivity.run import Progress, SweepOutcome, run_points
from ndalloc.sensitivity.spec import MAX_POINTS, SpecError, parse_vary

#: Outputs a tornado is ranked on (by the first), with their swings reported.
RANKED_OUTPUTS = ("objective_usd", "exports_t", "to_makers_t", "magnet_shortage_t")

__all__ = ["SpecError", "SweepResult", "plan", "run_sweep", "sweep", "write_sweep"]


@dataclass(frozen=True)
class SweepResult:
    """A finished (or stopped) sweep: its table, the tornado ranking, and how it was run."""

    scenario: Scenario
    mode: str
    table: pd.DataFrame
    partial: bool
    completed: int
    total: int
    settings: dict[str, Any] = field(default_factory=dict)
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


def plan(
    scenario: Scenario,
    vary: Sequence[str] = (),
    tornado_pct: float | None = None,
    tornado_on: bool = False,
    monte_carlo_n: int | None = None,
    seed: int = 0,
    tornado_params: Sequence[str] = (),
) -> tuple[str, list[Point]]:
    """The mode and points of a sweep; exactly one of vary, tornado, Monte Carlo."""
    given = [
        flag
        for flag, on in (
            ("--tornado", tornado_on),
            ("--monte-carlo", monte_carlo_n is not None),
            ("--vary", bool(vary)),
        )
        if on
    ]
    if len(given) > 1:
        got = f"{', '.join(given[:-1])} and {given[-1]}"
        raise SpecError(f"give only one of --tornado, --monte-carlo, --vary (got {got})")
    if not given:
        raise SpecError("give one of --vary (one or more), --tornado or --monte-carlo")
    if seed < 0:  # whatever the mode: a negative seed is a mistake, not a choice
        raise SpecError(f"--seed must be >= 0 (got {seed})")
    if vary:
        varies = [parse_vary(v) for v in vary]
        size = math.prod(len(v.values) for v in varies)
        if size > MAX_POINTS:
            counts = " x ".join(f"{len(v.values):,}" for v in varies)
            raise SpecError(
                f"the --vary grid has {counts} = {size:,} points, more than a sweep may have"
                f" ({MAX_POINTS:,}); give fewer values"
            )
        check_varies(scenario, varies, vary)  # no point runs for a spec that matches nothing
        return "grid", grid(varies)
    if tornado_on:
        points = tornado(scenario, tornado_pct, tornado_params)
        if len(points) == 1:
            raise SpecError(
                "no parameter to move: none has a range (low/high) or matches --param;"
                " give --pct to move every parameter by a percentage"
            )
        return "tornado", points
    assert monte_carlo_n is not None
    if monte_carlo_n < 1:
        raise SpecError("--monte-carlo needs at least one draw")
    if monte_carlo_n > MAX_POINTS:
        raise SpecError(
            f"--monte-carlo {monte_carlo_n:,} is more draws than a sweep may have ({MAX_POINTS:,})"
        )
    return "monte_carlo", monte_carlo(scenario, monte_carlo_n, seed)


def run_sweep(
    scenario: Scenario | str | Path,
    *,
    vary: Sequence[str] = (),
    tornado_pct: float | None = None,
    tornado_on: bool = False,
    monte_carlo_n: int | None = None,
    seed: int = 0,
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
    tornado_params: Sequence[str] = (),
) -> SweepResult:
    """Plan and run a sweep; see `sweep` for the short form."""
    import time

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    mode, points = plan(
        scenario, vary, tornado_pct, tornado_on, monte_carlo_n, seed, tornado_params
    )
    start = time.perf_counter()
    outcome: SweepOutcome = run_points(
        scenario, points, workers=workers, dask=dask, progress=progress
    )
    seconds = time.perf_counter() - start
    settings = {
        "mode": mode,
        "vary": list(vary),
        "tornado_pct": tornado_pct,
        "monte_carlo": monte_carlo_n,
        "seed": seed,
        "workers": workers,
        "dask": dask,
        "tornado_params": list(tornado_params),
    }
    ranked = (
        ranking(outcome.table, RANKED_OUTPUTS)
        if mode == "tornado" and not outcome.table.empty
        else None
    )
    return SweepResult(
        scenario=scenario,
        mode=mode,
        table=outcome.table,
        partial=outcome.partial,
        completed=outcome.completed,
        total=outcome.total,
        settings=settings,
        ranking=ranked if ranked is not None else pd.DataFrame(),
        seconds=seconds,
    )


def sweep(
    scenario: Scenario | str | Path,
    vary: Sequence[str] | str = (),
    workers: int = 1,
    **options: Any,
) -> pd.DataFrame:
    """The sweep's table as a DataFrame: one row per point, inputs then outputs.

    `vary` takes the CLI's --vary strings; `tornado_on=True` (with `tornado_pct`),
    `monte_carlo_n=N` (with `seed`) and `dask="tcp://..."` are the other options.
    """
    if isinstance(vary, str):
        vary = [vary]
    return run_sweep(scenario, vary=vary, workers=workers, **options).table


def write_sweep(result: SweepResult, runs_dir: Path, started_at: datetime) -> Path:
    """Write the sweep folder (points.csv, points.parquet, tornado.csv, manifest.json, and
    report.html: `ndalloc.report`)."""
    from ndalloc.runs import git_commit, package_versions, publish

    def write_tables(staging: Path) -> None:
        write_csv(result.table, staging / "points.csv")
        result.table.to_parquet(staging / "points.parquet", index=False)
        if not result.ranking.empty:
            write_csv(result.ranking, staging / "tornado.csv")

    def manifest(run_id: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "kind": "sweep",
            "scenario": result.scenario.name,
            "scenario_origin": result.scenario.origin,
            "input_hash_sha256": result.scenario.input_hash,
            "input_hash_version": INPUT_HASH_VERSION,
            "status": "partial" if result.partial else "complete",
            "points_total": result.total,
            "points_completed": result.completed,
            "settings": result.settings,
            "timings_s": {"sweep_s": result.seconds},
            "versions": package_versions(),
            "git_commit": git_commit(),
            "started_at": started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "tables": ["points.csv", "points.parquet"]
            + (["tornado.csv"] if not result.ranking.empty else []),
        }

    name = f"{result.scenario.name}-sweep"
    return publish(runs_dir, name, started_at, write_tables, manifest, reports=True)
