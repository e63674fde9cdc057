"""Runs are found by run id, or by the start of one, in runs/ (or --dir), from the command line
and from Python alike; a run that is not there is said in one line."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, flat, run_many
from ndalloc.comparison import RunFolderError
from ndalloc.run_lookup import RunNotFoundError, find_run
from ndalloc.runs import write_run
from ndalloc.solver.status import SolveOptions
from scenario_factory import write_scenario


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A folder holding runs/ with two runs of a tiny scenario, started a day apart."""
    root = tmp_path_factory.mktemp("lookup")
    folder = write_scenario(
        root / "tiny",
        sources=[{"source": "a", "year": 2025, "capacity_t": 100, "cost_usd_per_t": 100}],
        demand=[{"sector": "d", "year": 2025, "demand_t": 0, "shortage_penalty_usd_per_t": 1000}],
    )
    sc = ndalloc.load_scenario(folder)
    result = ndalloc.solve(sc)
    ids = [
        write_run(result, sc, SolveOptions(), root / "runs", started, reports=False).name
        for started in (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    ]
    return root, ids


def test_find_run_by_id_prefix_or_path(runs, monkeypatch):
    root, (first, second) = runs
    monkeypatch.chdir(root)
    assert find_run(first) == Path("runs") / first
    assert find_run(first[:10]) == Path("runs") / first  # 20250101T0: one run starts so
    assert find_run(root / "runs" / second) == root / "runs" / second
    with pytest.raises(RunNotFoundError) as caught:
        find_run("2025")
    assert str(caught.value).startswith("run id '2025' is the start of 2 runs in runs/ (")
    with pytest.raises(RunNotFoundError) as caught:
        find_run("nothing-like-it")
    assert str(caught.value) == "no run 'nothing-like-it' in runs/; see `ndalloc runs`"
    with pytest.raises(RunNotFoundError) as caught:
        find_run("nothing-like-it", root / "elsewhere")
    assert str(caught.value) == (
        f"no run 'nothing-like-it' in {(root / 'elsewhere').as_posix()}/;"
        f" see `ndalloc runs --dir {root / 'elsewhere'}`"
    )


def test_python_compare_finds_run_ids_in_runs(runs, monkeypatch):
    root, (first, second) = runs
    monkeypatch.chdir(root)
    tables = ndalloc.compare(first, second[:12])
    assert tables["summary"]["run"].tolist() == [first, second]
    assert tables["summary"]["diff_vs_first_musd"].tolist() == [0.0, 0.0]
    with pytest.raises(RunFolderError, match=r"^no run 'nope' in runs/; see `ndalloc runs`$"):
        ndalloc.compare(first, "nope")


def test_cli_compare_finds_run_ids_and_prefixes(runs, tmp_path):
    root, (first, second) = runs
    shutil.copytree(root / "runs", tmp_path / "runs")
    done = run_many(
        [
            (["compare", first, second], tmp_path),
            (["compare", first[:10], second[:10]], tmp_path),
            (["compare", first, "nope"], tmp_path),
            (["compare", first, "2025"], tmp_path),
        ]
    )
    for proc in done[:2]:
        assert proc.returncode == 0, describe(proc)
        text = flat(proc.stdout)
        assert f"A {first} optimal" in text and f"B {second} optimal" in text
    missing, ambiguous = done[2:]
    for proc in (missing, ambiguous):
        assert proc.returncode == 2, describe(proc)
        assert_no_traceback(proc)
        assert proc.stdout == ""
    assert missing.stderr == "no run 'nope' in runs/; see `ndalloc runs`\n"
    assert ambiguous.stderr.startswith("run id '2025' is the start of 2 runs in runs/ ")
    assert len(ambiguous.stderr.splitlines()) == 1
