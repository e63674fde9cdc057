"""The installed `ndalloc` command, run in a subprocess as a user would run it."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest

from cli_helpers import assert_no_traceback, describe, flat, run_ndalloc, squeezed
from ndalloc.cli import EXIT_CODES, EXIT_OTHER
from ndalloc.solver.highs import Status
from scenario_factory import write_scenario

MANIFEST_KEYS = {
    "scenario",
    "input_hash_sha256",
    "versions",
    "options",
    "status",
    "objective_usd",
    "timings_s",
    "started_at",
    "solver",
    "tables",
}
TINY_SOURCES = [{"source": "a", "year": 2025, "capacity_t": 100, "cost_usd_per_t": 100}]
TINY_DEMAND = [{"sector": "d", "year": 2025, "demand_t": 0, "shortage_penalty_usd_per_t": 1000}]


def run_folders(runs: Path) -> list[Path]:
    return sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []


def only_run(runs: Path) -> Path:
    """The one run folder in `runs`; nothing half-written beside it."""
    entries = sorted(runs.iterdir())
    assert len(entries) == 1, entries
    assert not entries[0].name.startswith("."), entries
    return entries[0]


@pytest.fixture(scope="module")
def default_solve(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`ndalloc solve` with no scenario argument (india-base) from an empty folder."""
    cwd = tmp_path_factory.mktemp("solve_default")
    runs = cwd / "runs"
    return run_ndalloc("solve", "--out", runs, cwd=cwd), runs


def test_solve_without_argument_solves_india_base(default_solve):
    proc, runs = default_solve
    assert proc.returncode == 0, describe(proc)
    assert_no_traceback(proc)
    assert "optimal" in proc.stdout
    folder = only_run(runs)
    assert "run folder:" in proc.stdout
    assert str(folder) in squeezed(proc.stdout)  # rich may fold a long path over lines
    assert re.fullmatch(r"\d{8}T\d{6}Z-india-base-[0-9a-f]{6}", folder.name), folder.name

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= MANIFEST_KEYS, sorted(MANIFEST_KEYS - set(manifest))
    assert manifest["scenario"] == "india-base"
    assert manifest["status"] == "optimal"
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["input_hash_sha256"])
    assert isinstance(manifest["objective_usd"], float)
    assert manifest["solver"]["name"] == "HiGHS"
    assert {"python", "ndalloc", "pyomo", "highspy"} <= set(manifest["versions"])
    assert manifest["options"]["time_limit_s"] is None

    tables = manifest["tables"]
    assert "allocation.csv" in tables
    on_disk = {p.name for p in folder.iterdir()} - {"manifest.json", *manifest["reports"]}
    assert on_disk == set(tables)
    for name in tables:
        text = (folder / name).read_text(encoding="utf-8")
        assert text.strip(), f"{name} is empty"
        assert text.endswith("\n") and "," in text.splitlines()[0], f"{name} has no header"

    with (folder / "allocation.csv").open(newline="", encoding="utf-8") as fh:
        years = [int(row["year"]) for row in csv.DictReader(fh)]
    assert years == list(range(2025, 2036))


def test_run_folder_is_printed_on_one_line(default_solve):
    """The printed path can be copied: rich must not fold it at 80 columns."""
    proc, runs = default_solve
    folder = only_run(runs)
    assert len(f"run folder: {folder}") > 80  # long enough to be wrapped
    assert f"run folder: {folder}" in proc.stdout.splitlines(), proc.stdout


def test_allocation_table_is_not_truncated(default_solve):
    """Piped output is 80 columns wide; the tables must fit without cutting numbers."""
    proc, _ = default_solve
    assert "…" not in proc.stdout, proc.stdout


def test_scenarios_lists_india_base(tmp_path):
    proc = run_ndalloc("scenarios", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert "india-base" in proc.stdout
    assert "2025-2035" in proc.stdout


def test_validate_bundled_scenario(tmp_path):
    proc = run_ndalloc("validate", "india-base", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert "ok: scenario india-base, 2025-2035" in flat(proc.stdout)
    assert proc.stderr == ""


def test_infeasible_scenario_exits_3(tmp_path):
    """The stockpile must hold 10 t at the end of its first year, but only 5 t can go in."""
    folder = write_scenario(
        tmp_path / "s",
        sources=TINY_SOURCES,
        demand=TINY_DEMAND,
        stockpiles=[
            {
                "stockpile": "s",
                "year": 2025,
                "min_t": 10,
                "max_t": 20,
                "max_inject_t": 5,
                "max_release_t": 5,
            }
        ],
    )
    proc = run_ndalloc("solve", folder, "--out", tmp_path / "runs", cwd=tmp_path)
    assert proc.returncode == 3, describe(proc)
    assert_no_traceback(proc)
    assert "infeasible" in proc.stdout
    manifest = json.loads((only_run(tmp_path / "runs") / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "infeasible"
    assert manifest["objective_usd"] is None
    assert manifest["tables"] == []


def test_time_limit_zero_exits_5(tmp_path):
    """HiGHS stops at once with a zero time limit (kTimeLimit), even on the small india-base."""
    proc = run_ndalloc("solve", "india-base", "--time-limit", "0", "--out", "runs", cwd=tmp_path)
    assert proc.returncode == 5, describe(proc)
    assert_no_traceback(proc)
    assert "time_limit" in proc.stdout
    manifest = json.loads((only_run(tmp_path / "runs") / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "time_limit"
    assert manifest["options"]["time_limit_s"] == 0.0


def test_negative_time_limit_is_a_usage_error(tmp_path):
    proc = run_ndalloc("solve", "india-base", "--time-limit", "-1", cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert not (tmp_path / "runs").exists()


def test_exit_codes_of_solver_statuses():
    # Exit 4 (unbounded) cannot be produced from valid input: every variable that earns a
    # profit (exports, magnets, releases) is bounded by a capacity, a contract or a stock
    # level, so the LP is never unbounded. The mapping is checked here instead of faking it.
    assert EXIT_CODES[Status.UNBOUNDED] == 4
    assert EXIT_CODES[Status.OPTIMAL] == 0
    assert EXIT_CODES[Status.INFEASIBLE] == 3
    assert EXIT_CODES[Status.INFEASIBLE_OR_UNBOUNDED] == 3
    assert EXIT_OTHER == 5
    for status in (Status.TIME_LIMIT, Status.ITERATION_LIMIT, Status.ERROR, Status.UNKNOWN):
        assert EXIT_CODES.get(status, EXIT_OTHER) == 5


def test_unusable_out_folder_is_a_usage_error(tmp_path):
    """An --out that is a file is the user's mistake, not an internal error to report."""
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    proc = run_ndalloc("solve", "india-base", "--out", "taken", cwd=tmp_path)
    assert_no_traceback(proc)
    assert "please report it" not in proc.stderr, describe(proc)
    assert proc.returncode == 2, describe(proc)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ([], ["solve", "validate", "scenarios"]),
        (["solve"], ["--out", "--time-limit", "Solve a scenario"]),
        (["validate"], ["Check a scenario"]),
        (["scenarios"], ["List the bundled scenarios"]),
    ],
    ids=["main", "solve", "validate", "scenarios"],
)
def test_help(tmp_path, command, expected):
    proc = run_ndalloc(*command, "--help", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert "Usage" in proc.stdout
    for word in expected:
        assert word in proc.stdout, (word, proc.stdout)
    assert list(tmp_path.iterdir()) == []  # help writes nothing
