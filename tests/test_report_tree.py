"""The report of a tree run (`ndalloc.report.trees`): fan charts, the measures in words, the
first year's decisions; rebuilt from the folder alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from ndalloc.data.tree import load_tree
from ndalloc.report import report_html
from ndalloc.report.folders import open_folder
from ndalloc.report.trees import fan_figure, fan_words, measure_words, residuals_figure
from ndalloc.solver.status import SolveOptions
from ndalloc.stochastic.folder import write_tree_run
from ndalloc.stochastic.solve import solve_tree
from ndalloc.stochastic.tables import tree_tables
from tree_factory import two_scenario_tree


@pytest.fixture(scope="module")
def hand_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tree-report")
    result = solve_tree(load_tree(two_scenario_tree(folder)))
    return write_tree_run(
        result, tree_tables(result), SolveOptions(), folder / "runs", datetime.now(UTC)
    )


def _valid(figure):
    import plotly.graph_objects as go

    go.Figure(figure)  # raises on a property or value outside Plotly's schema
    return figure


def test_the_tree_run_gets_its_report_and_rebuilds_it_byte_for_byte(hand_run):
    page = (hand_run / "report.html").read_text(encoding="utf-8")
    assert page == report_html(hand_run)
    assert "ndalloc tree: hand-tree" in page
    for ident in ("fan-level", "fan-shortage", "here-and-now-table", "scenarios-table"):
        assert ident in page
    assert "https://" not in page.split("<script", 1)[0]  # no request from the head
    assert not (hand_run / "results.xlsx").exists()


def test_the_fan_of_the_hand_tree(hand_run):
    dist = open_folder(hand_run).table("distribution")
    level = _valid(fan_figure(dist, "level", "t oxide"))
    expected = next(t for t in level["data"] if t.get("name") == "expected")
    # 11.4: 80 t stocked in 2026 in both scenarios, released in 2027
    assert dict(zip(expected["x"], expected["y"], strict=True)) == {2026: 80.0, 2027: 0.0}
    shortage = _valid(fan_figure(dist, "shortage", "t magnet"))
    band = [t for t in shortage["data"] if t.get("fill") == "tonexty"]
    assert [t["name"] for t in band] == ["range", "10-90 %"]
    # shortage 2027: open 0 t (p 0.6), curb 20 t (p 0.4): mean 8, range 0-20
    mean = next(t for t in shortage["data"] if t.get("name") == "expected")
    assert mean["y"][-1] == pytest.approx(8.0)
    assert "Expected at most 8 t magnet in 2027 (from 0 to 20 t magnet" in fan_words(
        dist, "shortage", "t magnet"
    )
    assert fan_figure(dist, "export", "t oxide") is None  # nothing exported: no chart


def test_the_measures_in_words():
    words = measure_words({"RP": -2.64e9, "VSS": 5.6e8, "EEV": -3.2e9, "EVPI": 2.4e8, "WS": -2.4e9})
    assert words[1].startswith("Planning for the uncertainty is worth 560.0 million USD")
    assert "EVPI = WS - RP; WS -2,400.0 million USD" in words[2]


def test_the_residuals_chart():
    ph = pd.DataFrame(
        {
            "iteration": [1, 2, 3],
            "primal_residual": [1.0, 0.1, 0.0],
            "dual_residual": [0.5, 1e-3, 1e-7],
        }
    )
    figure = _valid(residuals_figure(ph))
    primal = figure["data"][0]
    assert primal["x"] == [1, 2] and figure["layout"]["yaxis"]["type"] == "log"
