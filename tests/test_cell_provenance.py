"""Every value is traced to the file and line it comes from: an inherited row to the parent's
CSV line, a cell a `[[patch]]` set to that patch. An infeasible child scenario names them
(a patch on one cell of a row does not claim the row's other cells)."""

from __future__ import annotations

from pathlib import Path

import ndalloc
from cli_helpers import assert_no_traceback, describe, run_ndalloc

HEAD = 'name = "child"\ndescription = "reserve too large for the inject limit"\n'
HEAD += 'inherits = "india-base"\n'
#: Line 5 is the first [[patch]] (lines 1-3 are HEAD, line 4 is blank).
RESERVE = '\n[[patch]]\ntable = "stockpiles"\nkey = "national"\nyear = 2027\ncolumn = "min_t"\n'
RESERVE += "value = 450\n"
#: india-base/stockpiles.csv line 2 is national 2027 (max_inject_t 400).
INJECT = "india-base/stockpiles.csv:2: national 2027 max_inject_t 400"


def child(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "scenario.toml").write_text(text, encoding="utf-8")
    return folder


def test_inherited_value_names_the_parents_csv_line_not_the_childs_patch(tmp_path):
    res = ndalloc.solve(child(tmp_path / "child", HEAD + RESERVE), elastic=True)
    assert res.status is ndalloc.Status.INFEASIBLE
    assert f"{INJECT} (stockpile_inject_limit: <= 400 t)" in res.conflict, res.conflict
    assert "scenario.toml:5: national 2027 min_t 450 (stockpile_min: >= 450 t)" in res.conflict
    assert not any("scenario.toml:5: national 2027 max_inject_t" in c for c in res.conflict)


def test_cli_names_the_real_files(tmp_path):
    folder = child(tmp_path / "child", HEAD + RESERVE)
    proc = run_ndalloc("solve", folder, "--no-reports", "--out", tmp_path / "runs", cwd=tmp_path)
    assert proc.returncode == 3, describe(proc)
    assert_no_traceback(proc)
    lines = [line.strip() for line in proc.stdout.splitlines()]
    assert f"{INJECT} (stockpile_inject_limit: <= 400 t)" in lines, proc.stdout
    assert "scenario.toml:5: national 2027 min_t 450 (stockpile_min: >= 450 t)" in lines


def test_a_patched_limit_names_its_patch_and_each_patch_its_own_cell(tmp_path):
    inject = '\n[[patch]]\ntable = "stockpiles"\nkey = "national"\nyear = 2027\n'
    inject += 'column = "max_inject_t"\nvalue = 250\n'  # [[patch]] on line 12
    res = ndalloc.solve(child(tmp_path / "child", HEAD + RESERVE + inject))
    assert res.status is ndalloc.Status.INFEASIBLE
    assert sorted(c for c in res.conflict if "scenario.toml" in c) == [
        "scenario.toml:12: national 2027 max_inject_t 250 (stockpile_inject_limit: <= 250 t)",
        "scenario.toml:5: national 2027 min_t 450 (stockpile_min: >= 450 t)",
    ]


def test_a_grandchild_names_the_parents_patch_and_the_grandparents_csv(tmp_path):
    child(tmp_path / "parent", HEAD.replace('"child"', '"parent"') + RESERVE)
    grandchild = 'name = "grandchild"\ndescription = "x"\ninherits = "../parent"\n'
    sc = ndalloc.load_scenario(child(tmp_path / "grandchild", grandchild))
    stock = sc.table("stockpiles")
    row = stock.find(("national", 2027))
    assert row is not None
    assert stock.location(row, "min_t") == ("parent/scenario.toml", 5)
    assert stock.location(row, "max_inject_t") == ("parent/india-base/stockpiles.csv", 2)
    assert stock.location(row) == ("parent/india-base/stockpiles.csv", 2)


def test_a_cell_validation_error_names_the_patch_that_set_it(tmp_path):
    value = '\n[[patch]]\ntable = "stockpiles"\nkey = "national"\nyear = 2030\n'
    value += 'column = "terminal_value_usd_per_t"\nvalue = 5\n'
    folder = child(tmp_path / "child", HEAD + value)
    try:
        ndalloc.load_scenario(folder)
    except ndalloc.ScenarioError as exc:
        (issue,) = exc.issues
    else:
        raise AssertionError("a terminal value on 2030 is invalid")
    assert (issue.file, issue.line, issue.column) == (
        "scenario.toml",
        5,
        "terminal_value_usd_per_t",
    )
