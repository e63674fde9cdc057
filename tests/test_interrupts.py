"""SIGINT and SIGTERM stop a solve cleanly: HiGHS is cancelled, nothing is published, and the
command exits 130 (SIGINT) or 143 (SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import ndalloc
from cli_helpers import cli_env, describe, ndalloc_executable
from ndalloc.data.generate import Size, generate
from ndalloc.data.loader import load_scenario
from ndalloc.lp.build import build_lp
from ndalloc.solver.highs import cancelled_by_signals, configure, load_lp
from ndalloc.solver.status import Interrupted, SolveOptions

#: Cases of the hostile-input corpus (counted: 'bad inputs: N handled').
pytestmark = pytest.mark.hostile

#: About 60,000 columns: HiGHS needs a few seconds, so a signal after 0.3 s finds it running.
MID = Size(sources=800, makers=800, contracts=800, sectors=1600, years=15)


@pytest.fixture(scope="module")
def mid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(MID, 1, tmp_path_factory.mktemp("mid") / "scenario")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_cancels_highs_and_is_raised_after(mid, sig):
    import highspy

    h = load_lp(build_lp(load_scenario(mid)))
    configure(h, SolveOptions())  # as every ndalloc solve: HiGHS's thread pool is process-wide
    timer = threading.Timer(0.3, os.kill, (os.getpid(), sig))
    started = time.perf_counter()
    with pytest.raises(Interrupted) as info, cancelled_by_signals(h):
        timer.start()
        h.run()
    assert info.value.signum == sig
    assert info.value.exit_code == 128 + sig
    assert h.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert time.perf_counter() - started < 3.0  # cancelled, not solved to the end
    # The handlers are put back: the process's own SIGINT handling is Python's again, and the
    # next solve of the process is not affected.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert ndalloc.solve("india-base").optimal


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
@pytest.mark.parametrize("after_s", [0.5, 2.5])
def test_a_stopped_solve_publishes_nothing(mid, tmp_path, sig, code, after_s):
    """Whatever the command is doing when the signal comes (loading, building, solving,
    writing), it exits 128 + signal and leaves no run folder, complete or staged."""
    out = tmp_path / "runs"
    args = [ndalloc_executable(), "solve", str(mid), "--out", str(out), "--no-reports"]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env()
    )
    time.sleep(after_s)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    done = subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)
    assert proc.returncode == code, describe(done)
    assert "interrupted" in stderr and "Traceback" not in stderr, describe(done)
    assert not out.exists() or list(out.iterdir()) == [], describe(done)
