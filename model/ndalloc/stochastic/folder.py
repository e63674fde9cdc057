"""A tree run's folder: its tables as CSV, a manifest, and the measures in words."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ndalloc.data.csv_writer import write_csvs
from ndalloc.data.scenario import INPUT_HASH_VERSION
from ndalloc.runs import git_commit, package_versions, publish
from ndalloc.solver.highs import highs_version
from ndalloc.solver.status import SolveOptions
from ndalloc.stochastic.hedging_run import ROOT_ONLY, PhSummary
from ndalloc.stochastic.solve import TreeResult


def _musd(usd: float) -> str:
    """Millions with one decimal; below 0.1 M USD, whole dollars."""
    usd = 0.0 if abs(usd) < 0.5 else usd  # no "-0 USD"
    if abs(usd) < 1e5:
        return f"{usd:,.0f} USD"
    return f"{usd / 1e6:,.1f} M USD"


def summary_lines(result: TreeResult, tables: dict[str, pd.DataFrame]) -> list[str]:
    """The measures and the stockpile's answer in words."""
    m = result.measures()
    tree = result.tree
    out = [
        f"{len(tree.scenarios)} scenarios on {len(tree.nodes)} nodes of tree {tree.name} "
        f"(base {tree.base.name}); objective: "
        + (
            "expected discounted net benefit"
            if result.risk.weight == 0
            else f"{1 - result.risk.weight:g} x expected + {result.risk.weight:g} x CVaR at "
            f"alpha {result.risk.alpha:g} of the discounted net benefit"
        )
    ]
    if m["RP"] is None:
        return [*out, f"no stochastic plan: {result.status}"]
    out.append(f"stochastic plan (RP): {_musd(m['RP'])}")
    if m["VSS"] is not None:
        out.append(
            f"planning for the uncertainty is worth {_musd(m['VSS'])} over planning for the "
            f"average (VSS = RP - EEV; EEV {_musd(m['EEV'] or 0.0)}, EV {_musd(m['EV'] or 0.0)})"
        )
    elif result.eev is not None:
        out.append(f"the average plan's first decisions cannot be carried out: {result.eev.status}")
    if m["EVPI"] is not None:
        out.append(
            f"knowing the future would be worth a further {_musd(m['EVPI'])} (EVPI = WS - RP; "
            f"WS {_musd(m['WS'] or 0.0)})"
        )
    if "distribution" in tables:
        dist = tables["distribution"]
        level = dist[dist["family"] == "level"]
        if not level.empty and level["max"].max() > 0:
            held = ", ".join(
                f"{y} {r.mean:,.0f} t ({r.min:,.0f}-{r.max:,.0f})"
                for y, r in zip(level["year"], level.itertuples(), strict=True)
                if r.max > 0
            )
            out.append(f"oxide in stock at year end, expected (range over scenarios): {held}")
    if result.rp.benefits is not None and np.isfinite(result.ws_each).all():
        regret = result.regret()
        worst = int(np.nanargmax(regret))
        out.append(
            f"largest regret: {tree.scenarios[worst].name} ({_musd(float(regret[worst]))} "
            "below what it would have done knowing its future)"
        )
    return out


def ph_lines(ph: PhSummary | None) -> list[str]:
    """How progressive hedging ended, in words (nothing without it)."""
    if ph is None:
        return []
    ended = (
        f"converged in {ph.iterations} iterations"
        if ph.converged
        else f"stopped at its limit of {ph.iterations} iterations, not converged"
    )
    out = [
        f"progressive hedging on {ph.processes} process{'es' if ph.processes > 1 else ''} "
        f"{ended} ({ph.seconds:,.1f} s)"
    ]
    if ph.inner_bound is None:
        return [*out, "its consensus cannot be carried out in every scenario: no plan"]
    bound = "Lagrangian bound"
    if ph.bound_failures:
        bound = "bound of perfect foresight"
        out.append(
            f"{ph.bound_failures} scenario subproblem(s) of PH's Lagrangian bound did not "
            "solve (unbounded with PH's weights): that bound is not known"
        )
    if ph.plan == ROOT_ONLY:
        out.append(
            "its consensus below the root cannot be carried out in every scenario: its plan "
            f"is {ph.plan}"
        )
    out.append(
        f"its plan's expected benefit {_musd(ph.inner_bound)} is within {100 * (ph.gap or 0):.4f} "
        f"% of the {bound} {_musd(ph.outer_bound)} (no plan does better)"
    )
    return out


def ph_table(ph: PhSummary) -> pd.DataFrame:
    """The residuals of every PH iteration."""
    return pd.DataFrame(
        {
            "iteration": np.arange(1, len(ph.history) + 1),
            "primal_residual": ph.history[:, 0] if len(ph.history) else [],
            "dual_residual": ph.history[:, 1] if len(ph.history) else [],
        }
    )


def write_tree_run(
    result: TreeResult,
    tables: dict[str, pd.DataFrame],
    options: SolveOptions,
    runs_dir: Path,
    started_at: datetime,
    ph: PhSummary | None = None,
) -> Path:
    """Write the tree run atomically (`ndalloc.runs.publish`) and return its folder; with
    `ph`, also ph.csv (residuals per iteration) and ph.log (mpi-sppy's log)."""
    tree = result.tree
    tables = dict(tables) if ph is None else {**tables, "ph": ph_table(ph)}

    def write_tables(staging: Path) -> None:
        write_csvs({staging / f"{name}.csv": table for name, table in tables.items()})
        lines = summary_lines(result, tables) + ph_lines(ph)
        (staging / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if ph is not None:
            (staging / "ph.log").write_text(ph.log, encoding="utf-8")

    method: dict[str, Any] = {"method": "extensive form"}
    if ph is not None:
        method = {
            "method": "progressive hedging",
            "ph": {
                "processes": ph.processes,
                "iterations": ph.iterations,
                "converged": ph.converged,
                "inner_bound_usd": ph.inner_bound,
                "outer_bound_usd": ph.outer_bound,
                "gap": ph.gap,
                "plan": ph.plan,
                "bound_failures": ph.bound_failures,
                "seconds": ph.seconds,
            },
        }

    def manifest(run_id: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "kind": "tree",
            "tree": tree.name,
            "tree_origin": tree.origin,
            "scenario": tree.base.name,
            "scenario_origin": tree.base.origin,
            "input_hash_sha256": tree.base.input_hash,
            "input_hash_version": INPUT_HASH_VERSION,
            "status": str(result.status),
            "scenarios": len(tree.scenarios),
            "nodes": len(tree.nodes),
            "risk": asdict(result.risk),
            **method,
            "measures_usd": result.measures(),
            "objective_meaning": "discounted net national benefit, USD of the first year",
            "timings_s": dict(result.timings_s),
            "options": asdict(options),
            "solver": {"name": "HiGHS", "version": highs_version()},
            "versions": package_versions(),
            "git_commit": git_commit(),
            "started_at": started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "tables": [
                *sorted(f"{name}.csv" for name in tables),
                "summary.txt",
                *(["ph.log"] if ph is not None else []),
            ],
        }

    return publish(runs_dir, f"{tree.name}-tree", started_at, write_tables, manifest, reports=True)
