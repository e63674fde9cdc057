"""Provenance and uncertainty of every input: `ndalloc sources` and the low/high checks."""

import pytest

import ndalloc
from cli_helpers import run_ndalloc
from ndalloc.data.provenance import provenance_rows
from scenario_factory import write_scenario


def test_india_base_rows_carry_sources_and_ranges():
    rows = provenance_rows(ndalloc.load_scenario("india-base"))
    assert all(r["source"] for r in rows), "every bundled row cites its source"
    irel_2030 = next(r for r in rows if r["table"] == "sources" and r["year"] == 2030)
    # parameters.md: separated NdPr oxide 2030 = 900 / 1,200 / 1,500 t
    assert (irel_2030["value"], irel_2030["low"], irel_2030["high"]) == (1200.0, 900.0, 1500.0)
    ranged = [r for r in rows if r["low"] is not None]
    assert len(ranged) > 100


def test_sources_command_lists_value_range_and_source(tmp_path):
    proc = run_ndalloc("sources", "india-base", "--csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "table,key,year,parameter,value,low,high,source"
    assert any(
        line.startswith("sources,irel,2030,capacity_t,1200.0,900.0,1500.0,") for line in lines
    )
    table = run_ndalloc("sources", "india-base", cwd=tmp_path)
    assert table.returncode == 0 and "capacity_t" in table.stdout


def test_range_must_contain_the_value(tmp_path):
    folder = write_scenario(
        tmp_path / "s",
        sources=[
            {
                "source": "a",
                "year": 2025,
                "capacity_t": 10,
                "cost_usd_per_t": 1,
                "low": 12,
                "high": 20,
            }
        ],
        demand=[{"sector": "d", "year": 2025, "demand_t": 1, "shortage_penalty_usd_per_t": 9}],
    )
    with pytest.raises(ndalloc.ScenarioError) as caught:
        ndalloc.load_scenario(folder)
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.column) == ("sources.csv", 2, "low")
    assert issue.message.startswith("low (12) is above capacity_t (10)")
