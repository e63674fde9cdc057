"""How the stochastic plan moves with a parameter of a Markov curb tree (`ndalloc tree-sweep`).

For each value of one of the chain's parameters (p_curb, p_end or severity; the others held),
the tree is generated (`ndalloc.data.tree_make.markov_tree_text`), solved with its measures
(`solve_tree`), and summed up in one row of `points.csv`: RP, WS, EV, EEV, VSS, EVPI, the
first year's injection into the stockpile, the expected year-end stock of every year and its
peak, and the expected magnet shortage. The folder (kind "tree-sweep") gets a report page.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ndalloc.data.csv_writer import write_csvs
from ndalloc.data.scenario import Scenario
from ndalloc.data.tree import load_tree
from ndalloc.data.tree_make import MarkovCurbs, markov_tree_text
from ndalloc.runs import git_commit, package_versions, publish
from ndalloc.solver.status import SolveOptions
from ndalloc.stochastic.solve import solve_tree
from ndalloc.stochastic.tables import distribution_table, here_and_now_table, policy_table

#: The chain's parameters a tree sweep can vary, as MarkovCurbs names them.
PARAMETERS = ("p_curb", "p_end", "severity")

#: Told after each point: (done, of how many).
PointProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class TreeSweep:
    """A sweep of one parameter of a Markov curb tree of `base_ref`."""

    base_ref: str
    spec: MarkovCurbs
    parameter: str
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.parameter not in PARAMETERS:
            raise ValueError(
                f"a tree sweep varies one of {', '.join(PARAMETERS)}, not {self.parameter!r}"
            )
        if not self.values:
            raise ValueError("a tree sweep needs at least one value")


def _point(
    sweep: TreeSweep, base: Scenario, value: float, folder: Path, workers: int
) -> dict[str, Any]:
    spec = replace(sweep.spec, **{sweep.parameter: value})  # type: ignore[arg-type]
    path = folder / f"tree-{len(list(folder.iterdir()))}.toml"
    name = f"markov-{sweep.parameter.replace('_', '-')}"
    path.write_text(markov_tree_text(spec, sweep.base_ref, base, name, "tree-sweep"), "utf-8")
    tree = load_tree(path)
    result = solve_tree(tree, workers=workers)
    row: dict[str, Any] = {
        sweep.parameter: value,
        "scenarios": len(tree.scenarios),
        "status": str(result.status),
    }
    measures = result.measures()
    for key in ("RP", "WS", "EV", "EEV", "VSS", "EVPI"):
        row[f"{key.lower()}_usd"] = measures[key]
    if not result.optimal:
        return row
    first = tree.base.years[0]
    here = here_and_now_table(policy_table(result), first)
    row["first_year_inject_t"] = float(here.loc[here["family"] == "inject", "value"].sum())
    dist = distribution_table(result)
    level = dist[dist["family"] == "level"].set_index("year")["mean"]
    shortage = dist[dist["family"] == "shortage"]["mean"]
    row["peak_stock_t"] = float(level.max()) if len(level) else 0.0
    row["peak_stock_year"] = int(level.idxmax()) if len(level) and level.max() > 0 else None
    row["expected_shortage_t"] = float(shortage.sum())
    for year, mean in level.items():
        row[f"stock_{year}_t"] = float(mean)
    return row


def run_tree_sweep(
    sweep: TreeSweep,
    base: Scenario,
    *,
    workers: int = 2,
    progress: PointProgress = lambda done, total: None,
) -> pd.DataFrame:
    """One row per value (see the module), in the order given."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="ndalloc-tree-sweep-") as tmp:
        for i, value in enumerate(sweep.values):
            rows.append(_point(sweep, base, value, Path(tmp), workers))
            progress(i + 1, len(sweep.values))
    return pd.DataFrame(rows)


def write_tree_sweep(
    sweep: TreeSweep,
    base: Scenario,
    points: pd.DataFrame,
    runs_dir: Path,
    started_at: datetime,
    options: SolveOptions | None = None,
) -> Path:
    """The sweep folder: points.csv, manifest.json (kind "tree-sweep") and report.html."""

    def write_tables(staging: Path) -> None:
        write_csvs({staging / "points.csv": points})

    def manifest(run_id: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "kind": "tree-sweep",
            "scenario": base.name,
            "scenario_origin": base.origin,
            "input_hash_sha256": base.input_hash,
            "status": "complete" if (points["status"] == "optimal").all() else "partial",
            "settings": {
                "parameter": sweep.parameter,
                "values": list(sweep.values),
                "tree": asdict(sweep.spec),
            },
            "points_total": len(sweep.values),
            "points_completed": int((points["status"] == "optimal").sum()),
            "options": asdict(options or SolveOptions()),
            "versions": package_versions(),
            "git_commit": git_commit(),
            "started_at": started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "tables": ["points.csv"],
        }

    name = f"{base.name}-tree-sweep"
    return publish(runs_dir, name, started_at, write_tables, manifest, reports=True)


def parse_values(text: str) -> Sequence[float]:
    """ "0,0.1,0.2" or "0:0.4:0.1" (first:last:step, last included)."""
    text = text.strip()
    if ":" in text:
        first, last, step = (float(v) for v in text.split(":"))
        if step <= 0 or last < first:
            raise ValueError(f"{text!r}: write FIRST:LAST:STEP with LAST >= FIRST and STEP > 0")
        n = round((last - first) / step) + 1
        return [round(first + i * step, 12) for i in range(n) if first + i * step <= last + 1e-12]
    return [float(v) for v in text.split(",") if v.strip()]
