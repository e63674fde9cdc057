"""Issue 18: `ndalloc report` on a tampered run folder exits 2 naming the file; a staging
folder left by a killed writer is removed by the next run into the same folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_helpers import assert_no_traceback, describe, flat, run_ndalloc
from ndalloc.runs import INCOMPLETE_PREFIX, _host, sweep_stale_staging

pytestmark = pytest.mark.hostile


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    proc = run_ndalloc("solve", "india-base", "--out", root, "--no-reports", cwd=root)
    assert proc.returncode == 0, describe(proc)
    (run,) = [p for p in root.iterdir() if p.is_dir()]
    return run


def _manifest(field: str, value: object) -> Callable[[Path], None]:
    def change(run: Path) -> None:
        path = run / "manifest.json"
        data = json.loads(path.read_text())
        data[field] = value
        path.write_text(json.dumps(data))

    return change


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda run: (run / name).write_text(text)


def _remove(name: str) -> Callable[[Path], None]:
    return lambda run: (run / name).unlink()


def _spoil_line(name: str) -> Callable[[Path], None]:
    def change(run: Path) -> None:
        path = run / name
        lines = path.read_text().splitlines()
        first = lines[1].split(",")
        first[lines[0].split(",").index("year")] = "soon"
        lines[1] = ",".join(first)
        path.write_text("\n".join(lines) + "\n")

    return change


CASES = {
    "objective-as-text": (
        _manifest("objective_usd", "lots"),
        "manifest.json: objective_usd must be a number, not str 'lots'",
    ),
    "counts-as-number": (_manifest("counts", 5), "manifest.json: counts must be an object"),
    "tables-as-text": (_manifest("tables", "all"), "manifest.json: tables must be a list"),
    "export-missing": (_remove("var_export.csv"), "var_export.csv is missing: the manifest lists"),
    "allocation-missing": (_remove("allocation.csv"), "allocation.csv is missing"),
    "export-wrong-columns": (
        _write("var_export.csv", "a,b\n1,2\n"),
        "var_export.csv lacks column(s) year, value_t",
    ),
    "dual-wrong-columns": (
        _write("dual_oxide_balance.csv", "a,b\n1,2\n"),
        "dual_oxide_balance.csv lacks column(s) year",
    ),
    "marginal-wrong-columns": (
        _write("marginal_values.csv", "a,b\n1,2\n"),
        "marginal_values.csv lacks column(s) limit",
    ),
    "export-not-a-number": (
        _spoil_line("var_export.csv"),
        "var_export.csv cannot be read: column year holds 'soon', not a number (line 2)",
    ),
    "allocation-not-a-number": (
        _spoil_line("allocation.csv"),
        "allocation.csv cannot be read: column year holds 'soon', not a number (line 2)",
    ),
    "empty-ties": (_write("ties.csv", ""), "cannot read"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_on_a_tampered_run(solved: Path, tmp_path: Path, case: str) -> None:
    change, fragment = CASES[case]
    run = tmp_path / solved.name
    shutil.copytree(solved, run)
    change(run)
    proc = run_ndalloc("report", run, cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert fragment in flat(proc.stderr), describe(proc)
    assert "internal error" not in proc.stderr
    assert not (run / "report.html").exists()


def test_report_on_the_untouched_run(solved: Path, tmp_path: Path) -> None:
    run = tmp_path / solved.name
    shutil.copytree(solved, run)
    proc = run_ndalloc("report", run, cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert "no export contract" not in (run / "report.html").read_text()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert done.returncode == 0
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_staging_folders_are_swept(tmp_path: Path) -> None:
    dead = tmp_path / f"{INCOMPLETE_PREFIX}{_host()}-{_dead_pid()}-0123456789abcdef"
    live = tmp_path / f"{INCOMPLETE_PREFIX}{_host()}-{1}-0123456789abcdef"  # init never dies
    other_host = tmp_path / f"{INCOMPLETE_PREFIX}000000-{_dead_pid()}-0123456789abcdef"
    legacy = tmp_path / f"{INCOMPLETE_PREFIX}0123456789abcdef"
    for folder in (dead, live, other_host, legacy):
        folder.mkdir()
        (folder / "allocation.csv").write_text("year\n2025\n")
    proc = run_ndalloc("solve", "india-base", "--out", tmp_path, "--no-reports", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert not dead.exists()
    assert live.exists() and other_host.exists() and legacy.exists()
    runs = [p for p in tmp_path.iterdir() if not p.name.startswith(INCOMPLETE_PREFIX)]
    assert len(runs) == 1 and (runs[0] / "manifest.json").is_file()


def test_sweeping_a_missing_folder_is_harmless(tmp_path: Path) -> None:
    assert sweep_stale_staging(tmp_path / "nowhere") == []
