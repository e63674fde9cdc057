"""Small command-line fixes: horizons of inherited scenarios, --version, -h, metavars, and
usage errors said in one line."""

from __future__ import annotations

import re

from cli_helpers import assert_no_traceback, describe, run_ndalloc


def test_scenarios_shows_the_resolved_horizon_of_inherited_scenarios(tmp_path):
    proc = run_ndalloc("scenarios", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert "?-?" not in proc.stdout
    for name in ("india-base", "export-halt-2026", "stockpile-2-months", "phased-exit-stockpile"):
        row = next(line for line in proc.stdout.splitlines() if f" {name} " in line)
        assert re.search(rf"{name}\s+│\s+2025-2035\s+│", row), row


def test_sweep_with_two_modes_says_give_only_one(tmp_path):
    proc = run_ndalloc(
        "sweep", "india-base", "--tornado", "--monte-carlo", "5", "--out", "runs", cwd=tmp_path
    )
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert proc.stderr.strip() == (
        "invalid sweep: give only one of --tornado, --monte-carlo, --vary"
        " (got --tornado and --monte-carlo)"
    )
    assert not (tmp_path / "runs").exists()
    three = run_ndalloc(
        "sweep", "india-base", "--tornado", "--monte-carlo", "2",
        "--vary", "contracts.price_usd_per_t=1:2:2", "--out", "runs", cwd=tmp_path,
    )  # fmt: skip
    assert three.returncode == 2, describe(three)
    assert "(got --tornado, --monte-carlo and --vary)" in three.stderr
    none = run_ndalloc("sweep", "india-base", cwd=tmp_path)
    assert none.returncode == 2, describe(none)
    assert "give one of --vary (one or more), --tornado or --monte-carlo" in none.stderr
