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
from ndalloc.stochastic.solve import TreeResult


def _musd(usd: float) -> str:
    """Millions with one decimal; below 0.1 M USD, whole dollars."""
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
    if result.rp.benefits is not None:
        regret = result.regret()
        worst = int(np.nanargmax(regret))
        out.append(
            f"largest regret: {tree.scenarios[worst].name} ({_musd(float(regret[worst]))} "
            "below what it would have done knowing its future)"
        )
    return out


def write_tree_run(
    result: TreeResult,
    tables: dict[str, pd.DataFrame],
    options: SolveOptions,
    runs_dir: Path,
    started_at: datetime,
) -> Path:
    """Write the tree run atomically (`ndalloc.runs.publish`) and return its folder."""
    tree = result.tree

    def write_tables(staging: Path) -> None:
        write_csvs({staging / f"{name}.csv": table for name, table in tables.items()})
        lines = summary_lines(result, tables)
        (staging / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

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
            "measures_usd": result.measures(),
            "objective_meaning": "discounted net national benefit, USD of the first year",
            "timings_s": dict(result.timings_s),
            "options": asdict(options),
            "solver": {"name": "HiGHS", "version": highs_version()},
            "versions": package_versions(),
            "git_commit": git_commit(),
            "started_at": started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "tables": [*sorted(f"{name}.csv" for name in tables), "summary.txt"],
        }

    return publish(runs_dir, f"{tree.name}-tree", started_at, write_tables, manifest)
