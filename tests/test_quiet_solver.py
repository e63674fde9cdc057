"""No solver output reaches the user's terminal unless asked for (`--solver-log`).

highspy 1.16 prints a banner on the process's standard output (from C, file descriptor 1)
when the first `Highs` of a process is made; `ndalloc.solver.highs.new_highs` swallows it.
These tests run real processes, so that output written below Python is seen too.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.cli_helpers import run_ndalloc

#: Words of HiGHS's banner and log, none of which ndalloc itself prints.
SOLVER_WORDS = ("Running HiGHS", "Copyright", "THIRD_PARTY", "Presolving", "HiGHS run time")


def _assert_quiet(text: str) -> None:
    for word in SOLVER_WORDS:
        assert word not in text, f"solver output reached the terminal: {word!r} in\n{text}"


@pytest.mark.parametrize("plain", [False, True], ids=["arrays", "pyomo"])
def test_a_script_that_solves_prints_nothing(plain):
    code = (
        "import ndalloc; from ndalloc.solver.highs import highs_version; highs_version();"
        f" r = ndalloc.solve('india-base', plain={plain}); assert r.optimal;"
        " ndalloc.solve('tests/../data/china-curbs')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    _assert_quiet(done.stderr)


def test_solve_and_a_two_worker_sweep_show_no_banner(tmp_path):
    solved = run_ndalloc("solve", "india-base", "--out", tmp_path, "--no-reports", cwd=tmp_path)
    assert solved.returncode == 0, solved.stderr
    _assert_quiet(solved.stdout + solved.stderr)
    swept = run_ndalloc(
        "sweep",
        "india-base",
        "--vary",
        "contracts.price_usd_per_t[japan-2012]=20000:60000:4",
        "--workers",
        "2",
        "--out",
        tmp_path,
        cwd=tmp_path,
    )
    assert swept.returncode == 0, swept.stderr
    _assert_quiet(swept.stdout + swept.stderr)


def test_solver_log_shows_the_log_when_asked(tmp_path):
    done = run_ndalloc(
        "solve", "india-base", "--out", tmp_path, "--no-reports", "--solver-log", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Presolving" in done.stdout or "HiGHS run time" in done.stdout
