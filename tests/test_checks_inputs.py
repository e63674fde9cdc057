"""Issue 18: a workbook whose used range is enormous, and an `inherits` path too long for the
file system, are refused with one clear line each (exit 2), before memory is spent."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import openpyxl
import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, flat, run_ndalloc
from ndalloc.data.excel import MAX_SHEET_CELLS, write_workbook

pytestmark = pytest.mark.hostile


@pytest.fixture(scope="module")
def far_cell(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """india-base as a workbook, with one value left in the last cell of the sources sheet."""
    folder = tmp_path_factory.mktemp("far")
    path = write_workbook(ndalloc.load_scenario("india-base"), folder / "far.xlsx")
    book = openpyxl.load_workbook(path)
    book["sources"]["XFD1048576"] = 1
    book.save(path)
    return path


def test_a_far_cell_is_refused_quickly(far_cell: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(ndalloc.ScenarioError) as caught:
        ndalloc.load_scenario(far_cell)
    assert time.monotonic() - started < 10
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"reading grew the process by {grown_mb:.0f} MB"
    (issue,) = caught.value.issues
    text = str(issue)
    assert text.startswith("far.xlsx[sources]: -:"), text
    assert "A1:XFD1048576 spans 1,048,576 rows x 16,384 columns" in text
    assert f"{MAX_SHEET_CELLS:,} cells" in text


def test_validate_a_far_cell(far_cell: Path, tmp_path: Path) -> None:
    proc = run_ndalloc("validate", far_cell, cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert "far.xlsx[sources]" in proc.stderr and "1,048,576 rows x 16,384 columns" in flat(
        proc.stderr
    )


@pytest.mark.parametrize(
    "parent",
    ["a" * 300, "a/" * 3000],  # one name past NAME_MAX; a path past PATH_MAX
    ids=["long-name", "long-path"],
)
def test_inherits_too_long_for_the_file_system(tmp_path: Path, parent: str) -> None:
    child = tmp_path / "child"
    child.mkdir()
    (child / "scenario.toml").write_text(f'name = "child"\ninherits = "{parent}"\n')
    proc = run_ndalloc("validate", child, cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    lines = [line for line in proc.stderr.splitlines() if "inherits:" in line]
    assert len(lines) == 1, describe(proc)
    assert lines[0].strip().startswith("scenario.toml:2: inherits: cannot use 'a"), lines[0]
    assert "File name too long" in lines[0]
    assert len(lines[0]) < 200
