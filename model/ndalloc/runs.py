"""Run folders: `runs/<run-id>/` with a manifest and one CSV per result table.

A run is written into a hidden `.incomplete-*` folder and renamed into place only once every
file is on disk, so a folder named like a run is always a complete run, and no run ever
replaces another (the rename fails if the name is taken, and a new id is drawn).

A staging folder is named `.incomplete-<host>-<pid>-<random>` after the process writing it
(host: a short hash of the machine's name). A process killed outright (SIGKILL, a power cut)
cannot remove its own; the next run published into the same folder removes every staging folder
of this machine whose writing process is gone (`sweep_stale_staging`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ndalloc.data.csv_writer import write_csvs, write_parquets
from ndalloc.data.memory import release_memory
from ndalloc.data.scenario import INPUT_HASH_VERSION, Scenario
from ndalloc.results.tables import RunResult
from ndalloc.solver.status import SolveOptions

MANIFEST = "manifest.json"
#: The folder of a run's Parquet copies (`ndalloc solve --format parquet`).
PARQUET_DIR = "parquet"
INCOMPLETE_PREFIX = ".incomplete-"
_STAGING = re.compile(rf"^{re.escape(INCOMPLETE_PREFIX)}(?P<host>[0-9a-f]{{6}})-(?P<pid>\d+)-")
_PACKAGES = ("ndalloc", "pyomo", "highspy", "pandas", "numpy", "pydantic")


def new_run_id(scenario: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{scenario}-{secrets.token_hex(3)}"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    """The commit of the ndalloc source tree, when it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def manifest(
    result: RunResult,
    scenario: Scenario,
    options: SolveOptions,
    run_id: str,
    started_at: datetime,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "scenario": scenario.name,
        "scenario_origin": scenario.origin,
        "input_hash_sha256": scenario.input_hash,
        "input_hash_version": INPUT_HASH_VERSION,
        "scenario_inherits": scenario.meta.inherits,
        "status": str(result.status),
        "message": result.message,
        "objective_usd": result.objective,
        "objective_bound_usd": result.bound,
        "objective_meaning": "discounted net national benefit, USD of the first year",
        "counts": dict(result.counts),
        "conflict": list(result.conflict),
        "violations": list(result.violations),
        "timings_s": dict(result.timings_s),
        "options": asdict(options),
        "random_seed": options.random_seed,
        "warnings": list(result.warnings),
        "ties_checked": result.ties_checked,
        "solver": {"name": "HiGHS", "version": result.solver_version},
        "versions": package_versions(),
        "git_commit": git_commit(),
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "tables": sorted(f"{name}.csv" for name in result.tables()),
    }


def _host() -> str:
    return hashlib.sha256(platform.node().encode()).hexdigest()[:6]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def sweep_stale_staging(runs_dir: Path) -> list[Path]:
    """Remove the staging folders in `runs_dir` left by processes of this machine that are
    gone (killed while writing); return them. Folders of live processes, of other machines,
    or named otherwise are left alone."""
    removed: list[Path] = []
    try:
        entries = list(runs_dir.iterdir())
    except OSError:
        return removed
    host = _host()
    for entry in entries:
        match = _STAGING.match(entry.name)
        if match is None or match["host"] != host or not entry.is_dir():
            continue
        pid = int(match["pid"])
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def publish(
    runs_dir: Path,
    label: str,
    started_at: datetime,
    write_tables: Callable[[Path], None],
    make_manifest: Callable[[str], dict[str, Any]],
    *,
    reports: bool = False,
) -> Path:
    """Write a run-like folder atomically and return it.

    `write_tables(staging)` writes the data files into a hidden staging folder; then, for a
    fresh run id, `make_manifest(run_id)` is written and the folder renamed into place. With
    `reports`, the folder's reports are built from its files and the manifest first and listed
    in it under "reports" (`ndalloc.report.attach_reports`). A failure or interruption removes
    the staging folder; an existing folder is never replaced.
    """
    runs_dir.mkdir(parents=True, exist_ok=True)
    sweep_stale_staging(runs_dir)
    # mkdir (not mkdtemp, which makes a private 0700 folder) so the run follows the umask.
    staging = runs_dir / f"{INCOMPLETE_PREFIX}{_host()}-{os.getpid()}-{secrets.token_hex(8)}"
    staging.mkdir()
    try:
        write_tables(staging)
        for _attempt in range(100):
            run_id = new_run_id(label, started_at)
            data = make_manifest(run_id)
            if reports:
                from ndalloc.report import attach_reports

                attach_reports(staging, data)
            (staging / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            target = runs_dir / run_id
            if target.exists():
                continue
            try:
                os.rename(staging, target)
            except OSError:
                continue  # taken by a concurrent run between the check and the rename
            return target
        raise RuntimeError(f"could not find a free run id in {runs_dir}")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_run(
    result: RunResult,
    scenario: Scenario,
    options: SolveOptions,
    runs_dir: Path,
    started_at: datetime,
    *,
    reports: bool = True,
    parquet: bool = False,
) -> Path:
    """Write the run atomically and return its folder.

    With `reports` (the default), the folder also gets report.html and results.xlsx, built
    from its CSV tables and manifest (`ndalloc.report`) and listed in the manifest's "reports".
    With `parquet`, every table is also written as `parquet/<table>.parquet` (the same rows,
    columns and types; listed in the manifest's "parquet_tables"), for scripts that read
    large runs: the CSV files stay what planners open and what ndalloc reads back.
    """

    def write_tables(staging: Path) -> None:
        tables = result.tables()
        write_csvs({staging / f"{name}.csv": table for name, table in tables.items()})
        if parquet:
            (staging / PARQUET_DIR).mkdir()
            write_parquets({staging / PARQUET_DIR / f"{n}.parquet": t for n, t in tables.items()})
        release_memory()

    def make_manifest(run_id: str) -> dict[str, Any]:
        data = manifest(result, scenario, options, run_id, started_at)
        if parquet:
            data["parquet_tables"] = [f"{PARQUET_DIR}/{n}.parquet" for n in sorted(result.tables())]
        return data

    return publish(
        runs_dir, scenario.name, started_at, write_tables, make_manifest, reports=reports
    )
