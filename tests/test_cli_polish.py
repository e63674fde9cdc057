"""Small command-line fixes: horizons of inherited scenarios, --version, -h, metavars, and
usage errors said in one line."""

from __future__ import annotations

import re
from importlib.metadata import version

import typer.main

from cli_helpers import assert_no_traceback, describe, run_many, run_ndalloc
from ndalloc.cli.commands import app
from ndalloc.cli.help import plain_metavar

#: What Typer 0.29 shows as a metavar by default: <bool>, <list[str]>, <float range>, ...
TYPE_LABEL = re.compile(r"<[a-z][a-z\[\]| ]*>")


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


def test_version_prints_the_package_version(tmp_path):
    proc = run_ndalloc("--version", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout == f"ndalloc {version('ndalloc')}\n"
    assert proc.stdout == "ndalloc 0.1.0\n"


def test_h_is_help_on_every_command_with_plain_metavars(tmp_path):
    commands = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"solve", "sweep", "compare", "runs", "show", "scenarios"} <= set(commands)
    calls = [(["-h"], tmp_path), (["--help"], tmp_path)]
    calls += [([name, "-h"], tmp_path) for name in commands]
    calls += [([name, "--help"], tmp_path) for name in ("solve", "sweep", "compare")]
    done = run_many(calls)
    for (args, _), proc in zip(calls, done, strict=True):
        assert proc.returncode == 0, (args, describe(proc))
        assert "Usage: ndalloc" in proc.stdout, (args, proc.stdout)
        assert not TYPE_LABEL.search(proc.stdout), (args, proc.stdout)
        assert re.search(r"--help\s+-h\s+Show this message", proc.stdout), args
    by_args = {tuple(args): proc.stdout for (args, _), proc in zip(calls, done, strict=True)}
    for name in ("solve", "sweep", "compare"):
        assert by_args[(name, "-h")] == by_args[(name, "--help")], name
    sweep = by_args[("sweep", "-h")]
    assert re.search(r"--vary\s+SPEC\s", sweep)
    assert re.search(r"--param\s+PREFIX\s", sweep)
    assert re.search(r"--pct\s+FLOAT \[0\.0<=x<=100\.0\]", sweep)
    assert re.search(r"--tornado\s+Move each", sweep), "a flag takes no metavar"
    assert re.search(r"scenario\s+TEXT\s", sweep)
    assert "demand.demand_t[ev]" in " ".join(sweep.split())
    solve = by_args[("solve", "-h")]
    assert re.search(r"--out\s+PATH\s", solve)
    assert re.search(r"--elastic\s+If infeasible", solve)
    assert re.search(r"--version\s+Print the version and exit", by_args[("-h",)])


def test_plain_metavar_names():
    assert [
        plain_metavar(label)
        for label in ("<str>", "<list[str]>", "<int>", "<float range>", "<path>", "<a|b>", None)
    ] == ["TEXT", "TEXT", "INTEGER", "FLOAT", "PATH", "[a|b]", "TEXT"]
