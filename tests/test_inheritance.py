"""Scenario inheritance, whole-table replacement and [[patch]] overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

import ndalloc
from cli_helpers import run_ndalloc
from scenario_factory import WORKED_CONTRACT, WORKED_DEMAND, WORKED_SOURCE, write_scenario

SOURCE, CONTRACT, DEMAND = WORKED_SOURCE, WORKED_CONTRACT, WORKED_DEMAND


def parent(tmp_path: Path, years: int = 1) -> Path:
    ys = range(2025, 2025 + years)
    return write_scenario(
        tmp_path / "parent",
        {"name": "parent", "last_year": 2024 + years},
        sources=[{**SOURCE, "year": y} for y in ys],
        contracts=[{**CONTRACT, "year": y} for y in ys],
        demand=[{**DEMAND, "year": y} for y in ys],
    )


def child(folder: Path, toml: str, **files: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def issues(path: Path) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ndalloc.ScenarioError) as caught:
        ndalloc.load_scenario(path)
    return [(i.file, i.line, i.column, i.message) for i in caught.value.issues]


HEAD = 'name = "child"\ndescription = "a child"\ninherits = "../parent"\n'


def test_child_without_changes_equals_parent(tmp_path):
    parent(tmp_path)
    c = child(tmp_path / "child", HEAD)
    sc, base = ndalloc.load_scenario(c), ndalloc.load_scenario(tmp_path / "parent")
    assert sc.name == "child" and sc.meta.inherits == "../parent"
    assert sc.input_hash != base.input_hash  # the name differs ...
    assert sc.records("contracts") == base.records("contracts")  # ... the tables do not
    assert ndalloc.solve(c).objective == ndalloc.solve(base).objective == 1200.0


def test_patch_value_and_scale(tmp_path):
    parent(tmp_path)
    c = child(
        tmp_path / "child",
        HEAD
        + '[[patch]]\ntable = "contracts"\nkey = "k"\ncolumn = "price_usd_per_t"\nvalue = 500\n'
        + '[[patch]]\ntable = "sources"\ncolumn = "capacity_t"\nscale = 0.5\n',
    )
    sc = ndalloc.load_scenario(c)
    assert sc.records("contracts")[0].price_usd_per_t == 500.0
    assert sc.records("sources")[0].capacity_t == 5.0
    # 5 t exported at 500 - 100; 1 t short of the 4 t minimum? no: 5 >= 4, no breach.
    assert ndalloc.solve(sc).objective == 5 * 400.0


def test_patch_year_range_hits_only_those_years(tmp_path):
    parent(tmp_path, years=3)
    c = child(
        tmp_path / "child",
        HEAD + '[[patch]]\ntable = "contracts"\nkey = "k"\nyears = "2026-2027"\n'
        'column = "halted"\nvalue = true\n',
    )
    halted = {r.year: r.halted for r in ndalloc.load_scenario(c).records("contracts")}
    assert halted == {2025: False, 2026: True, 2027: True}
    res = ndalloc.solve(c)
    # 2025: 6 t x 200 margin; 2026-27: nothing exported, 4 t breached at 50 each year
    assert res.objective == pytest.approx(1200.0 - 2 * 4 * 50.0)
    assert res.variables["breach"]["value_t"].tolist() == [0.0, 4.0, 4.0]


def test_table_in_child_replaces_parent_table_whole(tmp_path):
    parent(tmp_path)
    c = child(
        tmp_path / "child",
        HEAD,
        **{"sources.csv": "source,year,capacity_t,cost_usd_per_t\nb,2025,3,10\n"},
    )
    sc = ndalloc.load_scenario(c)
    assert [(r.source, r.capacity_t) for r in sc.records("sources")] == [("b", 3.0)]
    # 3 t exported at 300 - 10; 1 t short of the minimum at 50
    assert ndalloc.solve(sc).objective == 3 * 290.0 - 50.0


def test_chain_of_three_and_bundled_parent(tmp_path):
    parent(tmp_path)
    child(
        tmp_path / "child",
        HEAD + '[[patch]]\ntable = "contracts"\ncolumn = "max_t"\nvalue = 5\n',
    )
    grand = child(
        tmp_path / "grandchild",
        'name = "g"\ndescription = "g"\ninherits = "../child"\n'
        '[[patch]]\ntable = "contracts"\ncolumn = "price_usd_per_t"\nscale = 2\n',
    )
    record = ndalloc.load_scenario(grand).records("contracts")[0]
    assert (record.max_t, record.price_usd_per_t) == (5.0, 600.0)
    bundled = ndalloc.load_scenario("halt-and-curbs")  # halt-and-curbs -> export-halt -> base
    assert all(r.halted for r in bundled.records("contracts") if r.year >= 2026)


def test_cycle_is_an_error(tmp_path):
    child(tmp_path / "a", 'name = "a"\ndescription = "a"\ninherits = "../b"\n')
    child(tmp_path / "b", 'name = "b"\ndescription = "b"\ninherits = "../a"\n')
    (problem,) = issues(tmp_path / "a")
    assert problem[0] == "b/scenario.toml" and problem[1] == 3 and problem[2] == "inherits"
    assert problem[3] == "inheritance cycle: a -> b -> a"


def test_missing_parent_is_an_error(tmp_path):
    c = child(tmp_path / "child", HEAD)
    (problem,) = issues(c)
    assert problem[:3] == ("scenario.toml", 3, "inherits")
    assert "no such scenario folder, workbook or bundled scenario '../parent'" in problem[3]


def test_patches_that_hit_nothing_or_break_rows_are_errors(tmp_path):
    parent(tmp_path)
    c = child(
        tmp_path / "child",
        HEAD
        + '[[patch]]\ntable = "contracts"\nkey = "nope"\ncolumn = "max_t"\nvalue = 1\n'
        + '[[patch]]\ntable = "contracts"\nyear = 2031\ncolumn = "max_t"\nvalue = 1\n'
        + '[[patch]]\ntable = "contracts"\ncolumn = "min_t"\nvalue = 9\n'
        + '[[patch]]\ntable = "contracts"\ncolumn = "colour"\nvalue = 9\n'
        + '[[patch]]\ntable = "pies"\ncolumn = "max_t"\nvalue = 9\n'
        + '[[patch]]\ntable = "contracts"\ncolumn = "max_t"\n',
    )
    found = issues(c)
    assert found == [
        ("scenario.toml", 4, "key", "patch matches no row of contracts for key (nope)"),
        ("scenario.toml", 9, "key", "patch matches no row of contracts for any key in 2031-2031"),
        (
            "scenario.toml",
            14,
            "min_t",
            "patch makes row (k, 2025) invalid: min_t (9) is above max_t (6)",
        ),
        (
            "scenario.toml",
            18,
            "column",
            "patch: contracts has no changeable column 'colour'; one of ['partner', 'min_t',"
            " 'max_t', 'price_usd_per_t', 'breach_penalty_usd_per_t', 'halted', 'low', 'high',"
            " 'citation']",
        ),
        (
            "scenario.toml",
            22,
            "table",
            "patch: unknown table 'pies'; one of ['sources', 'contracts', 'makers', 'demand',"
            " 'imports', 'stockpiles', 'stockpile_initial', 'routes', 'ranges']",
        ),
        ("scenario.toml", 26, "value", "patch: give exactly one of value and scale"),
    ]


def test_invalid_parent_rows_are_reported_with_the_parent_file(tmp_path):
    p = parent(tmp_path)
    (p / "sources.csv").write_text("source,year,capacity_t,cost_usd_per_t\na,2025,-1,1\n")
    c = child(tmp_path / "child", HEAD)
    assert issues(c) == [
        (
            "parent/sources.csv",
            2,
            "capacity_t",
            "Input should be greater than or equal to 0, got '-1'",
        ),
    ]


def test_show_writes_the_resolved_child(tmp_path):
    parent(tmp_path)
    c = child(
        tmp_path / "child",
        HEAD + '[[patch]]\ntable = "contracts"\ncolumn = "max_t"\nvalue = 5\n',
    )
    out = tmp_path / "resolved"
    proc = run_ndalloc("show", str(c), "--to", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "inherits" not in (out / "scenario.toml").read_text()
    assert "k,p,2025,4.0,5.0,300.0,50.0,false,,," in (out / "contracts.csv").read_text()
    resolved, original = ndalloc.load_scenario(out), ndalloc.load_scenario(c)
    for name in ("sources", "contracts", "demand"):
        assert resolved.records(name) == original.records(name)
    printed = run_ndalloc("show", str(c), cwd=tmp_path)
    assert printed.returncode == 0 and "contracts.csv (1 rows)" in printed.stdout
