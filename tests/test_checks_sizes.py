"""Issue 18: sizes, seeds, paths and clusters checked before any work; workers die with
their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from cli_helpers import (
    assert_no_traceback,
    cli_env,
    describe,
    flat,
    ndalloc_executable,
    run_ndalloc,
)

pytestmark = pytest.mark.hostile

PRICE = "contracts.price_usd_per_t[japan-2012]"


def _refused(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    text = flat(proc.stderr)
    for fragment in fragments:
        assert fragment in text, describe(proc)
    assert "internal error" not in proc.stderr, describe(proc)


def test_write_mps_into_a_missing_folder(tmp_path: Path) -> None:
    proc = run_ndalloc(
        "solve",
        "india-base",
        "--write-mps",
        tmp_path / "nope" / "m.mps",
        "--out",
        tmp_path,
        cwd=tmp_path,
    )
    _refused(proc, "--write-mps", "does not exist")
    assert "solving" not in proc.stdout and not list(tmp_path.glob("india-base*"))


def test_write_mps_to_a_folder(tmp_path: Path) -> None:
    proc = run_ndalloc(
        "solve", "india-base", "--write-mps", tmp_path, "--out", tmp_path, cwd=tmp_path
    )
    _refused(proc, "is a folder; give a file name")
    assert not list(tmp_path.glob("india-base*"))


@pytest.mark.parametrize("mode", [["--monte-carlo", "3"], ["--tornado"]], ids=["mc", "tornado"])
def test_negative_seed(tmp_path: Path, mode: list[str]) -> None:
    args = ("sweep", "india-base", *mode, "--seed", "-5", "--out", tmp_path)
    proc = run_ndalloc(*args, cwd=tmp_path)
    _refused(proc, "--seed must be >= 0 (got -5)")
    assert not any(tmp_path.iterdir())


def test_too_many_monte_carlo_draws(tmp_path: Path) -> None:
    proc = run_ndalloc(
        "sweep", "india-base", "--monte-carlo", "5000000", "--out", tmp_path, cwd=tmp_path
    )
    _refused(proc, "--monte-carlo 5,000,000 is more draws than a sweep may have (1,000,000)")


def test_too_large_a_grid(tmp_path: Path) -> None:
    proc = run_ndalloc(
        "sweep",
        "india-base",
        "--vary",
        f"{PRICE}=1:2:2000",
        "--vary",
        f"{PRICE}*=1:2:1000",
        "--out",
        tmp_path,
        cwd=tmp_path,
    )
    _refused(proc, "2,000 x 1,000 = 2,000,000 points", "(1,000,000)")


def test_too_many_values_in_one_vary(tmp_path: Path) -> None:
    proc = run_ndalloc(
        "sweep",
        "india-base",
        "--vary",
        f"{PRICE}=1:2:100000000000",
        "--out",
        tmp_path,
        cwd=tmp_path,
    )
    _refused(proc, "100,000,000,000 values is more than a sweep may have")


def test_unreachable_dask_scheduler(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = run_ndalloc(
        "sweep",
        "india-base",
        "--monte-carlo",
        "3",
        "--dask",
        "tcp://127.0.0.1:1",
        "--out",
        tmp_path,
        cwd=tmp_path,
    )
    _refused(proc, "cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'", "nothing was swept")
    assert time.monotonic() - started < 30
    assert len(proc.stderr.strip().splitlines()) == 1, describe(proc)


def test_generate_years_past_2200(tmp_path: Path) -> None:
    proc = run_ndalloc("generate", tmp_path / "g", "--years", "500", cwd=tmp_path)
    _refused(proc, "--years 500: at most 176", "2200")
    assert not (tmp_path / "g").exists()


def test_generate_the_longest_horizon_validates(tmp_path: Path) -> None:
    made = run_ndalloc(
        "generate",
        tmp_path / "g",
        "--years",
        "176",
        "--sources",
        "2",
        "--makers",
        "2",
        "--contracts",
        "2",
        "--sectors",
        "2",
        cwd=tmp_path,
    )
    assert made.returncode == 0, describe(made)
    checked = run_ndalloc("validate", tmp_path / "g", cwd=tmp_path)
    assert checked.returncode == 0, describe(checked)


def _workers(pid: int, want: int, within_s: float) -> list[psutil.Process]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            children = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        if len(children) >= want:
            return children
        time.sleep(0.1)
    return []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_sweep(tmp_path: Path, sig: signal.Signals) -> None:
    proc = subprocess.Popen(
        [
            ndalloc_executable(),
            "sweep",
            "india-base",
            "--monte-carlo",
            "400",
            "--workers",
            "2",
            "--seed",
            "1",
            "--out",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    workers: list[psutil.Process] = []
    try:
        workers = _workers(proc.pid, 2, within_s=60)
        assert workers, "the sweep started no workers"
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"workers still running after {sig.name}: {alive}"
        proc.communicate(timeout=10)  # the output pipe is closed: no worker holds it
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for worker in workers:  # a failed test leaves nothing running
            if worker.is_running():
                worker.kill()
