"""Run folders (ndalloc.runs): reproducible tables, atomic writing, never overwritten."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ndalloc
import ndalloc.runs
from ndalloc.cli.commands import app
from ndalloc.data import csv_writer
from ndalloc.runs import INCOMPLETE_PREFIX, MANIFEST, write_run
from ndalloc.solver.highs import SolveOptions

FRESH_ID = "20990101T000000Z-india-base-fresh0"


@pytest.fixture(scope="module")
def solved() -> tuple[ndalloc.Scenario, ndalloc.RunResult]:
    sc = ndalloc.load_scenario("india-base")
    res = ndalloc.solve(sc)
    assert res.status is ndalloc.Status.OPTIMAL
    return sc, res


def write(solved, runs: Path) -> Path:
    sc, res = solved
    return write_run(res, sc, SolveOptions(), runs, datetime.now(UTC))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a folder: its bytes and modification time (ns)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def fail_on_call(monkeypatch, number: int, exc: BaseException) -> list[int]:
    """Make the `number`th table written to the run folder raise `exc` (earlier ones are
    written as usual)."""
    real = csv_writer.write_csv
    calls: list[int] = []

    def flaky(frame, path):
        calls.append(1)
        if len(calls) == number:
            raise exc
        return real(frame, path)

    monkeypatch.setattr(csv_writer, "write_csv", flaky)
    return calls


def test_two_solves_write_identical_tables(tmp_path):
    runs = tmp_path / "runs"
    folders = []
    for _ in range(2):
        sc = ndalloc.load_scenario("india-base")
        res = ndalloc.solve(sc)
        folders.append(write_run(res, sc, SolveOptions(), runs, datetime.now(UTC)))
    first, second = folders
    assert first != second
    assert sorted(p.name for p in runs.iterdir()) == sorted([first.name, second.name])
    csvs = sorted(p.name for p in first.glob("*.csv"))
    assert csvs == sorted(p.name for p in second.glob("*.csv"))
    assert "allocation.csv" in csvs
    for name in csvs:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    m1, m2 = (json.loads((f / MANIFEST).read_text(encoding="utf-8")) for f in folders)
    assert m1["input_hash_sha256"] == m2["input_hash_sha256"]
    assert m1["objective_usd"] == m2["objective_usd"]
    assert m1["run_id"] == first.name and m2["run_id"] == second.name


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()], ids=repr)
def test_failure_while_writing_leaves_nothing(solved, tmp_path, monkeypatch, exc):
    runs = tmp_path / "runs"
    calls = fail_on_call(monkeypatch, 3, exc)  # two tables are on disk when the third fails
    with pytest.raises(type(exc)):
        write(solved, runs)
    assert len(calls) == 3
    assert list(runs.iterdir()) == []  # no run folder, no .incomplete-* staging folder


def test_failure_while_writing_manifest_leaves_nothing(solved, tmp_path, monkeypatch):
    runs = tmp_path / "runs"

    def broken(*args, **kwargs):
        raise RuntimeError("manifest failed")

    monkeypatch.setattr(ndalloc.runs, "manifest", broken)
    with pytest.raises(RuntimeError, match="manifest failed"):
        write(solved, runs)
    assert list(runs.iterdir()) == []


def test_cli_failure_while_writing_exits_1_and_leaves_nothing(tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    monkeypatch.delenv("NDALLOC_DEBUG", raising=False)
    fail_on_call(monkeypatch, 3, OSError("disk full"))
    result = CliRunner().invoke(app, ["solve", "india-base", "--out", str(runs)])
    printed = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 1, printed
    assert "internal error" in printed and "disk full" in printed
    assert "Traceback" not in printed
    assert list(runs.iterdir()) == []


def test_existing_run_folder_is_never_overwritten(solved, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    existing = write(solved, runs)
    before = snapshot(existing)
    ids = iter([existing.name, FRESH_ID])
    drawn: list[str] = []

    def next_id(*args, **kwargs):
        drawn.append(next(ids))
        return drawn[-1]

    monkeypatch.setattr(ndalloc.runs, "new_run_id", next_id)
    new = write(solved, runs)
    assert drawn == [existing.name, FRESH_ID]
    assert new == runs / FRESH_ID
    assert snapshot(existing) == before
    assert json.loads((existing / MANIFEST).read_text(encoding="utf-8"))["run_id"] == existing.name
    assert json.loads((new / MANIFEST).read_text(encoding="utf-8"))["run_id"] == FRESH_ID
    assert sorted(p.name for p in runs.iterdir()) == sorted([existing.name, FRESH_ID])


@pytest.mark.parametrize("kind", ["empty folder", "file"])
def test_name_taken_by_something_else_is_skipped(solved, tmp_path, monkeypatch, kind):
    """A name already used by an empty folder (which os.rename would replace) or a file."""
    runs = tmp_path / "runs"
    runs.mkdir()
    taken = runs / "20990101T000000Z-india-base-taken0"
    if kind == "file":
        taken.write_text("mine", encoding="utf-8")
    else:
        taken.mkdir()
    ids = iter([taken.name, FRESH_ID])
    monkeypatch.setattr(ndalloc.runs, "new_run_id", lambda *a, **k: next(ids))
    new = write(solved, runs)
    assert new.name == FRESH_ID
    if kind == "file":
        assert taken.read_text(encoding="utf-8") == "mine"
    else:
        assert list(taken.iterdir()) == []
    assert not [p for p in runs.iterdir() if p.name.startswith(INCOMPLETE_PREFIX)]


def test_run_folder_permissions_follow_the_umask(solved, tmp_path):
    """Not mkdtemp's private 0700: a run folder is as readable as the files inside it."""
    umask = os.umask(0o022)
    os.umask(umask)
    folder = write(solved, tmp_path / "runs")
    expected = 0o777 & ~umask
    assert stat.S_IMODE((folder / "allocation.csv").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(folder.stat().st_mode) == expected, oct(folder.stat().st_mode)
