"""Runs are never lost, half-written or mixed up, using the installed `ndalloc` command.

- a solve killed midway (SIGKILL, SIGINT) leaves nothing that looks like a finished run;
- eight solves started at once into one runs/ folder give eight complete, distinct run folders
  with byte-identical tables;
- the manifest records what is needed to reproduce a run (input hash, versions, solver options
  and random seed, git commit);
- a solve stopped by its time limit writes no result tables and says what bound HiGHS had.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

import pytest

import ndalloc
import ndalloc.runs
from cli_helpers import TIMEOUT_S, cli_env, describe, ndalloc_executable, run_ndalloc
from ndalloc.cli.solve import _bound, _summary
from ndalloc.results.tables import RunResult
from ndalloc.runs import INCOMPLETE_PREFIX, MANIFEST, git_commit
from ndalloc.solver.highs import highs_version
from ndalloc.solver.status import SolveOptions, Status
from scenario_factory import write_scenario

CONCURRENT = 8


# --- a scenario slow enough to interrupt ----------------------------------------------------


def slow_scenario(folder: Path, years: int = 30, scale: int = 1) -> Path:
    """Many sources, contracts, makers, sectors, origins and stockpiles over `years` years:
    about 4,500 variables and 4,000 rows times `scale`, a second or more from start to run
    folder."""
    rng = random.Random(7)
    span = range(2025, 2025 + years)

    def rows(n: int, make) -> list[dict]:
        return [make(i, y) for i in range(n) for y in span]

    return write_scenario(
        folder,
        {"name": "slow", "first_year": 2025, "last_year": 2025 + years - 1, "discount_rate": 0.05},
        sources=rows(
            20 * scale,
            lambda i, y: {
                "source": f"s{i}",
                "year": y,
                "capacity_t": round(rng.uniform(50, 500), 1),
                "cost_usd_per_t": round(rng.uniform(20000, 80000)),
            },
        ),
        contracts=rows(
            10 * scale,
            lambda i, y: {
                "contract": f"k{i}",
                "partner": "p",
                "year": y,
                "min_t": 10,
                "max_t": round(rng.uniform(50, 300), 1),
                "price_usd_per_t": round(rng.uniform(30000, 90000)),
                "breach_penalty_usd_per_t": round(rng.uniform(0, 90000)),
            },
        ),
        makers=rows(
            20 * scale,
            lambda i, y: {
                "maker": f"m{i}",
                "year": y,
                "capacity_t": round(rng.uniform(100, 2000), 1),
                "oxide_per_t": round(rng.uniform(0.3, 0.4), 3),
                "conversion_cost_usd_per_t": round(rng.uniform(15000, 40000)),
            },
        ),
        demand=rows(
            15 * scale,
            lambda i, y: {
                "sector": f"d{i}",
                "year": y,
                "demand_t": round(rng.uniform(100, 3000), 1),
                "shortage_penalty_usd_per_t": round(rng.uniform(50000, 300000)),
                "import_share_max": rng.choice([0.0, 0.5, 1.0]),
            },
        ),
        imports=[
            {
                "origin": f"o{i}",
                "product": product,
                "year": y,
                "max_t": round(rng.uniform(100, 3000), 1),
                "price_usd_per_t": round(rng.uniform(40000, 120000)),
            }
            for i in range(5 * scale)
            for product in ("oxide", "magnet")
            for y in span
        ],
        stockpiles=rows(
            5 * scale,
            lambda i, y: {
                "stockpile": f"p{i}",
                "year": y,
                "max_t": round(rng.uniform(100, 2000), 1),
                "max_inject_t": 300,
                "max_release_t": 300,
                "holding_cost_usd_per_t": round(rng.uniform(1000, 8000)),
                "handling_cost_usd_per_t": round(rng.uniform(0, 1000)),
            },
        ),
    )


def start_solve(scenario: Path, runs: Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [ndalloc_executable(), "solve", str(scenario), "--out", str(runs)],
        cwd=cwd,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, proc: subprocess.Popen[str]) -> float:
    """Seconds until `path` exists (the CLI makes runs/ once the scenario is loaded)."""
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, "the solve ended before creating its runs folder"
        assert time.monotonic() - t0 < TIMEOUT_S
        time.sleep(0.005)
    return time.monotonic() - t0


def entries(runs: Path) -> list[str]:
    return sorted(p.name for p in runs.iterdir()) if runs.exists() else []


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The slow scenario and how long its solve takes after the scenario is loaded (s).

    The reference run must finish with one complete run folder; its timing places the kills
    below in the middle of building, solving, extracting and writing, whatever the machine.
    On a machine where it takes under a second, the scenario grows (4 times, then 16 times).
    """
    cwd = tmp_path_factory.mktemp("slow")
    for scale in (1, 4, 16):
        scenario = slow_scenario(cwd / f"slow{scale}", scale=scale)
        runs = cwd / f"runs{scale}"
        proc = start_solve(scenario, runs, cwd)
        t0 = time.monotonic()
        loaded = wait_for(runs, proc)
        out, errs = proc.communicate(timeout=TIMEOUT_S)
        rest = time.monotonic() - t0 - loaded
        assert proc.returncode == 0, f"{out}\n{errs}"
        (run,) = runs.iterdir()
        manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
        assert manifest["counts"]["variables"] > 4000 * scale
        if rest > 1.0:
            return scenario, rest
    raise AssertionError(f"the slow scenario solves in {rest:.2f} s: too fast to interrupt")


def interrupt(
    slow: tuple[Path, float], tmp_path: Path, fraction: float, sig: signal.Signals
) -> tuple[subprocess.Popen[str], str, str, Path]:
    """Start the slow solve, send `sig` `fraction` of the way through it, wait for the end.

    If the machine got faster since the reference run and the solve already ended, or had
    already published its run folder (the signal then came while it printed the summary or
    exited), try again sooner: a kill that comes too late tests nothing.
    """
    scenario, rest = slow
    for attempt in range(6):
        runs = tmp_path / f"runs{attempt}"
        proc = start_solve(scenario, runs, tmp_path)
        wait_for(runs, proc)
        time.sleep(fraction * rest / 2**attempt)
        if proc.poll() is None:
            proc.send_signal(sig)
            out, errs = proc.communicate(timeout=TIMEOUT_S)
            if not any(not n.startswith(INCOMPLETE_PREFIX) for n in entries(runs)):
                return proc, out, errs, runs
            continue
        proc.communicate(timeout=TIMEOUT_S)
    raise AssertionError("the slow solve always finished before it could be interrupted")


@pytest.mark.parametrize("fraction", [0.25, 0.6])
def test_sigkill_midway_leaves_no_run(slow, tmp_path, fraction):
    proc, _, _, runs = interrupt(slow, tmp_path, fraction, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    # A staging folder may remain; never a folder named like a run.
    left = entries(runs)
    assert all(name.startswith(INCOMPLETE_PREFIX) for name in left), left


@pytest.mark.parametrize("fraction", [0.25, 0.6])
def test_sigint_midway_leaves_nothing(slow, tmp_path, fraction):
    proc, out, errs, runs = interrupt(slow, tmp_path, fraction, signal.SIGINT)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{out}\n{errs}"
    assert "interrupted: no run folder was written" in errs
    assert "Traceback" not in out + errs
    assert entries(runs) == []


# --- eight at once -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def concurrent(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Eight `ndalloc solve india-base` started at once into the same runs/ folder."""
    cwd = tmp_path_factory.mktemp("concurrent")
    runs = cwd / "runs"
    procs = [start_solve(Path("india-base"), runs, cwd) for _ in range(CONCURRENT)]
    done = [(p, *p.communicate(timeout=TIMEOUT_S)) for p in procs]
    for proc, out, errs in done:
        assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{errs}"
    return sorted(runs.iterdir())


def test_concurrent_solves_give_distinct_complete_runs(concurrent):
    assert len(concurrent) == CONCURRENT, [p.name for p in concurrent]
    assert len({p.name for p in concurrent}) == CONCURRENT
    for folder in concurrent:
        assert not folder.name.startswith("."), folder.name  # no staging folder left behind
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        assert manifest["run_id"] == folder.name
        assert manifest["status"] == "optimal"
        assert "allocation.csv" in manifest["tables"]
        on_disk = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)
        assert on_disk == sorted(manifest["tables"] + manifest["reports"]), folder.name
        for name in manifest["tables"]:
            assert (folder / name).stat().st_size > 0, (folder.name, name)


def test_concurrent_solves_give_identical_tables(concurrent):
    first, *others = concurrent
    names = sorted(p.name for p in first.glob("*.csv"))
    for folder in others:
        assert sorted(p.name for p in folder.glob("*.csv")) == names
        for name in names:
            assert (folder / name).read_bytes() == (first / name).read_bytes(), (folder, name)


def test_manifest_records_what_reproduces_the_run(concurrent):
    manifests = [json.loads((f / MANIFEST).read_text(encoding="utf-8")) for f in concurrent]
    expected_commit = git_commit()
    package_dir = Path(ndalloc.__file__).resolve().parent
    in_git = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=package_dir, capture_output=True, text=True, check=False
    )
    assert expected_commit == (in_git.stdout.strip() if in_git.returncode == 0 else None)
    for m in manifests:
        assert m["input_hash_sha256"] == ndalloc.load_scenario("india-base").input_hash
        assert m["options"] == asdict(SolveOptions())
        assert m["random_seed"] == SolveOptions().random_seed == m["options"]["random_seed"]
        assert m["solver"] == {"name": "HiGHS", "version": highs_version()}
        versions = m["versions"]
        assert {"python", "ndalloc", "pyomo", "highspy", "pandas", "numpy", "pydantic"} <= set(
            versions
        )
        assert versions["ndalloc"] == ndalloc.__version__
        assert m["git_commit"] == expected_commit
        assert m["warnings"] == []
        for key in ("objective_usd", "counts", "tables", "versions", "options"):
            assert m[key] == manifests[0][key], key


@pytest.mark.parametrize("failure", ["no git", "not a checkout"])
def test_git_commit_is_none_without_a_checkout(monkeypatch, failure):
    def fake_run(*args, **kwargs):
        if failure == "no git":
            raise FileNotFoundError("git")
        return subprocess.CompletedProcess(args, 128, "", "fatal: not a git repository")

    monkeypatch.setattr(ndalloc.runs.subprocess, "run", fake_run)
    assert git_commit() is None


# --- time limit ----------------------------------------------------------------------------------


def test_time_limit_run_has_no_tables_and_says_there_is_no_bound(tmp_path):
    proc = run_ndalloc("solve", "india-base", "--time-limit", "0", "--out", "runs", cwd=tmp_path)
    assert proc.returncode == 5, describe(proc)
    lines = [" ".join(line.split()) for line in proc.stdout.splitlines()]
    assert "best bound no bound (HiGHS stopped before it had one)" in lines, proc.stdout
    assert "tables none written: the solve did not reach optimality" in lines, proc.stdout
    (run,) = (tmp_path / "runs").iterdir()
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
    # the manifest and the short report only, no tables
    assert sorted(p.name for p in run.iterdir()) == sorted([MANIFEST, *manifest["reports"]])
    assert manifest["status"] == "time_limit"
    assert manifest["tables"] == []
    assert manifest["objective_usd"] is None
    assert manifest["objective_bound_usd"] is None


def test_summary_prints_the_best_bound_when_highs_has_one(capsys):
    stopped = RunResult("x", Status.TIME_LIMIT, "stopped", None, -1.5e9)
    _summary(stopped)
    printed = " ".join(capsys.readouterr().out.split())
    assert "best bound -1,500.0 million USD (no allocation can do better)" in printed
    assert "tables none written" in printed


@pytest.mark.parametrize("bound", [None, float("inf"), float("-inf"), float("nan")])
def test_no_bound_is_said_so(bound):
    assert _bound(bound) == "no bound (HiGHS stopped before it had one)"


def test_optimal_summary_has_no_bound_line(capsys):
    res = RunResult("x", Status.OPTIMAL, "found", 1e6, 1e6)
    _summary(res)
    assert "best bound" not in capsys.readouterr().out
