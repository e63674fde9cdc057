"""Reports (`ndalloc.report`): report.html and results.xlsx of runs, sweep and comparison pages.

No browser here (tests/test_report_browser.py opens the pages in Chromium). The folders are
made once per session by `report_folders` (also used by the browser tests): india-base and
export-halt-2026 solved by `ndalloc solve`, a tornado by `ndalloc sweep`, and from Python a
one-parameter sweep, a two-parameter grid, a Monte Carlo and an infeasible scenario.
"""

from __future__ import annotations

import csv
import functools
import html
import json
import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, run_many, run_ndalloc
from ndalloc.report import REPORT, WORKBOOK, compare_report, report_html, write_compare_report
from ndalloc.report.pages import COMPARE_CHARTS, RUN_CHARTS
from ndalloc.report.words import parent_changes
from ndalloc.report.workbook import sheet_name
from scenario_factory import write_scenario

YEARS = list(range(2025, 2036))


# --- the folders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Folders:
    base: Path
    run: Path  # india-base
    halt: Path  # export-halt-2026 (inherits from india-base)
    infeasible: Path
    tornado: Path
    vary: Path  # one parameter
    grid: Path  # two parameters
    monte_carlo: Path
    compare: Path  # compare-report.html of run and halt


def _only(folder: Path) -> Path:
    (found,) = [p for p in folder.iterdir() if p.is_dir()]
    return found


def _infeasible_scenario(folder: Path) -> Path:
    """IREL makes 900 t a year, and a 1,000 t reserve is due by the end of 2026 in a stockpile
    that starts empty while Japan takes 1,000 t a year: the reserve cannot be filled."""
    years = (2025, 2026)
    return write_scenario(
        folder,
        {"name": "conflict", "last_year": 2026},
        sources=[
            {"source": "irel", "year": y, "capacity_t": 900, "cost_usd_per_t": 1} for y in years
        ],
        contracts=[
            {
                "contract": "japan",
                "partner": "jp",
                "year": y,
                "min_t": 1000,
                "max_t": 1000,
                "price_usd_per_t": 1,
            }
            for y in years
        ],
        stockpiles=[
            {
                "stockpile": "national",
                "year": 2026,
                "min_t": 1000,
                "max_t": 1400,
                "max_inject_t": 1500,
                "max_release_t": 0,
            }
        ],
        demand=[{"sector": "d", "year": 2025, "demand_t": 0, "shortage_penalty_usd_per_t": 9}],
    )


@functools.cache
def report_folders(base: Path) -> Folders:
    """Solve and sweep once for every report test of the session (both modules)."""
    from ndalloc.runs import write_run
    from ndalloc.sensitivity import run_sweep, write_sweep

    base.mkdir(parents=True, exist_ok=True)
    procs = run_many(
        [
            (["solve", "india-base", "--out", "runs/base"], base),
            (["solve", "export-halt-2026", "--out", "runs/halt"], base),
            (["sweep", "india-base", "--tornado", "--out", "sweeps/tornado"], base),
        ],
        workers=3,
    )
    for proc in procs:
        assert proc.returncode == 0, describe(proc)
    now = datetime.now(UTC)
    sweeps = {
        "vary": {"vary": ["contracts.price_usd_per_t[japan-2012]=20000:100000:3"]},
        "grid": {
            "vary": [
                "sources.capacity_t[irel@2028-2030]*=0.5:1.5:3",
                "scenario.discount_rate=0.03,0.07",
            ]
        },
        "monte_carlo": {"monte_carlo_n": 12, "seed": 1},
    }
    for name, options in sweeps.items():
        write_sweep(run_sweep("india-base", **options), base / "sweeps" / name, now)
    scenario = ndalloc.load_scenario(_infeasible_scenario(base / "conflict"))
    result = ndalloc.solve(scenario)
    assert result.status.value.startswith("infeasible"), result.status
    write_run(result, scenario, ndalloc.SolveOptions(), base / "runs" / "conflict", now)
    run, halt = _only(base / "runs" / "base"), _only(base / "runs" / "halt")
    compare = write_compare_report([run, halt], base / "compare-report.html")
    return Folders(
        base=base,
        run=run,
        halt=halt,
        infeasible=_only(base / "runs" / "conflict"),
        tornado=_only(base / "sweeps" / "tornado"),
        vary=_only(base / "sweeps" / "vary"),
        grid=_only(base / "sweeps" / "grid"),
        monte_carlo=_only(base / "sweeps" / "monte_carlo"),
        compare=compare,
    )


@pytest.fixture(scope="session")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Folders:
    return report_folders(tmp_path_factory.getbasetemp() / "reports")


# --- reading a page ---------------------------------------------------------------------------


def page(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def decoded(value: Any) -> Any:
    """Plotly's JSON with its typed arrays ({"dtype", "bdata", "shape"}) turned into lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    return value


def figures(text: str) -> dict[str, dict[str, Any]]:
    """The figures of a page by chart id: {"data": [...], "layout": {...}} as Plotly gets them."""
    decoder = json.JSONDecoder()
    out = {}
    for match in re.finditer(r'Plotly\.newPlot\(\s*"(chart-[\w-]+)",\s*', text):
        data, pos = decoder.raw_decode(text, match.end())
        pos = text.index(",", pos) + 1
        while text[pos].isspace():
            pos += 1
        layout, _ = decoder.raw_decode(text, pos)
        out[match.group(1)] = {"data": decoded(data), "layout": decoded(layout)}
    return out


def chart_ids(text: str) -> list[str]:
    return re.findall(r'<div id="(chart-[\w-]+)"', text)


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def plotly_js_head() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()[:300]


# --- run report -------------------------------------------------------------------------------


def test_solve_writes_report_and_workbook_listed_in_the_manifest(folders):
    data = manifest(folders.run)
    assert data["reports"] == [REPORT, WORKBOOK]
    for name in data["reports"]:
        assert (folders.run / name).stat().st_size > 0
    assert data["status"] == "optimal"


def test_report_is_self_contained(folders):
    from plotly.offline import get_plotlyjs

    text = page(folders.run / REPORT)
    assert text.startswith("<!DOCTYPE html>")
    assert text.count(plotly_js_head()) == 1  # plotly.js embedded exactly once
    assert text.count("plotly.js v") == 1
    # the page around the library loads nothing from anywhere (plotly.js itself holds links
    # for map tiles and its logo, which these charts never use)
    rest = text.replace(get_plotlyjs(), "")
    assert len(rest) < len(text) - 1_000_000
    assert not re.search(r"<script[^>]*\bsrc=", rest, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href=[\"']?(https?:)?//", rest, re.IGNORECASE)
    assert not re.search(r"\b(src|href)=[\"']?(https?:)?//", rest, re.IGNORECASE)
    assert "http://" not in rest and "https://" not in rest
    assert "Content-Security-Policy" in text and "default-src 'none'" in text


def test_run_report_has_one_chart_div_per_chart(folders):
    text = page(folders.run / REPORT)
    assert chart_ids(text) == [f"chart-{name}" for name in RUN_CHARTS]
    found = figures(text)
    assert list(found) == [f"chart-{name}" for name in RUN_CHARTS]
    types = {name: {t["type"] for t in fig["data"]} for name, fig in found.items()}
    assert types["chart-allocation"] == {"bar", "scatter"}
    assert types["chart-flows"] == {"sankey"}
    assert types["chart-stockpile"] == {"scatter"}
    assert types["chart-contracts"] == {"bar", "scatter"}
    assert types["chart-magnets"] == {"bar", "scatter"}


def test_allocation_chart_stacks_every_destination(folders):
    fig = figures(page(folders.run / REPORT))["chart-allocation"]
    assert fig["layout"]["barmode"] == "stack"
    bars = {t["name"]: t["y"] for t in fig["data"] if t["type"] == "bar"}
    assert set(bars) == {
        "exports to japan-2012",
        "maker midwest",
        "maker repm-scheme",
        "stockpile national (injection)",
        "unallocated",
    }
    allocation = csv_rows(folders.run / "allocation.csv")
    exports = [float(r["exports_t"]) for r in allocation]
    assert bars["exports to japan-2012"] == pytest.approx(exports)
    makers = [a + b for a, b in zip(bars["maker midwest"], bars["maker repm-scheme"], strict=True)]
    assert makers == pytest.approx([float(r["to_makers_t"]) for r in allocation])


def test_sankey_has_a_year_selector(folders):
    fig = figures(page(folders.run / REPORT))["chart-flows"]
    (menu,) = fig["layout"]["updatemenus"]
    labels = [b["label"] for b in menu["buttons"]]
    assert labels == ["2025-2035 total", *map(str, YEARS)]
    assert len(fig["data"]) == len(labels)  # one Sankey per choice
    for i, button in enumerate(menu["buttons"]):
        assert button["args"][0]["visible"] == [j == i for j in range(len(labels))]
    assert [t.get("visible", True) for t in fig["data"]] == [True] + [False] * len(YEARS)
    # 2030: IREL's output in, exports, the two makers out; flows balance at the hub
    year = fig["data"][labels.index("2030")]
    nodes = year["node"]["label"]
    assert any(n.startswith("irel output: 1,200 t") for n in nodes), nodes
    assert any(n.startswith("exports to japan-2012: 185 t") for n in nodes), nodes
    hub = next(i for i, n in enumerate(nodes) if n.startswith("oxide in India"))
    link = year["link"]
    into = sum(v for v, t in zip(link["value"], link["target"], strict=True) if t == hub)
    out = sum(v for v, s in zip(link["value"], link["source"], strict=True) if s == hub)
    assert into == pytest.approx(out) == pytest.approx(1200)


def test_stockpile_and_contract_charts_draw_their_limits(folders):
    found = figures(page(folders.run / REPORT))
    names = {t["name"] for t in found["chart-stockpile"]["data"]}
    assert names == {"national: level at year end", "national: maximum"}  # no minimum in base
    maximum = next(t for t in found["chart-stockpile"]["data"] if t["name"] == "national: maximum")
    rhs = {
        int(r["year"]): float(r["rhs_t"]) for r in csv_rows(folders.run / "dual_stockpile_max.csv")
    }
    drawn = [y for y in maximum["y"] if y is not None and not math.isnan(y)]
    assert drawn == pytest.approx(list(rhs.values()))  # 2027-2035: the facility's years
    contract = {t["name"]: t for t in found["chart-contracts"]["data"]}
    assert set(contract) == {
        "delivered",
        "shortfall below the minimum (breach)",
        "minimum",
        "maximum",
    }
    assert contract["minimum"]["y"] == pytest.approx([185.0] * len(YEARS))
    assert contract["maximum"]["y"] == pytest.approx([200.0] * len(YEARS))


def test_contract_shortfall_shows_the_breach(folders):
    """export-halt-2026: Japan gets nothing from 2026, so each year it is 185 t short."""
    fig = figures(page(folders.halt / REPORT))["chart-contracts"]
    contract = {t["name"]: t for t in fig["data"]}
    assert contract["delivered"]["y"] == pytest.approx([185.0] + [0.0] * 10)
    assert contract["shortfall below the minimum (breach)"]["y"] == pytest.approx(
        [0.0] + [185.0] * 10
    )
    assert contract["maximum"]["y"] == pytest.approx([200.0] + [0.0] * 10)


def test_magnet_chart_facets_by_sector(folders):
    fig = figures(page(folders.run / REPORT))["chart-magnets"]
    sectors = {r["sector"] for r in csv_rows(folders.run / "var_shortage.csv")}
    titles = {a["text"] for a in fig["layout"]["annotations"]}
    assert titles == {f"sector: {s}" for s in sectors}
    legend = {t["name"] for t in fig["data"] if t.get("showlegend", True)}
    assert legend == {"made in India", "imported", "shortage (demand not met)", "demand"}
    # 2025 electronics: 280 t short (the CLI's magnet table says so too)
    short = [t for t in fig["data"] if t["name"] == "shortage (demand not met)"]
    assert max(max(t["y"]) for t in short) == pytest.approx(280.0)


def test_headline_numbers_match_the_manifest(folders):
    text = page(folders.run / REPORT)
    data = manifest(folders.run)
    assert f"{data['objective_usd'] / 1e6:,.1f} million USD" in text
    assert "-2,678.7 million USD" in text  # as `ndalloc solve` prints it
    assert f"ndalloc run: {data['scenario']}" in text
    assert html.escape(data["run_id"]) in text
    assert f"{data['status']} ({data['message']})" in text
    totals = csv_rows(folders.run / "allocation.csv")
    exports = sum(float(r["exports_t"]) for r in totals)
    assert f"{exports:,.0f} t oxide" in text  # 2,035 t oxide over the horizon
    assert "none: the scenario does not inherit from another" in text


def test_headline_lists_the_changes_against_the_parent(folders):
    text = page(folders.halt / REPORT)
    assert "differ from india-base" in text
    row = re.search(r'<table id="parent-changes">.*?</table>', text, re.DOTALL)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0))
    assert cells == ["contracts", "japan-2012", "halted", "2026-2035", "false", "true"]


def test_marginal_values_and_binding_limits_in_words(folders):
    text = page(folders.run / REPORT)
    for row in csv_rows(folders.run / "marginal_values.csv"):
        assert html.escape(row["sentence"]) in text, row["sentence"]
    binding = re.search(r'<table id="binding-table">.*?</table>', text, re.DOTALL)
    assert binding is not None
    rows = re.findall(r"<tr>(.*?)</tr>", binding.group(0))
    said = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows[1:]]
    assert [
        "irel produces at its full capacity",
        "2027-2035",
        "600 to 1,500 t oxide",
        "32,973 USD per t oxide",
    ] in said
    assert any(s[0] == "magnet imports from china are at their availability limit" for s in said)
    # equalities (balances) are not limits
    assert "oxide_balance" not in binding.group(0)


def test_rebuilding_gives_the_same_file(folders, tmp_path):
    """`ndalloc report RUN` rebuilds report.html from the folder: the same bytes."""
    import shutil

    copy = tmp_path / folders.run.name
    shutil.copytree(folders.run, copy)
    before = (copy / REPORT).read_bytes()
    (copy / REPORT).unlink()
    (copy / WORKBOOK).unlink()
    proc = run_ndalloc("report", copy, cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert (copy / REPORT).read_bytes() == before
    assert (copy / WORKBOOK).is_file()
    assert f"wrote {copy / REPORT}" in " ".join(proc.stdout.split())
    # a run id under --dir works too
    proc = run_ndalloc("report", copy.name, "--dir", tmp_path, "--out", "x.html", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert (tmp_path / "x.html").read_bytes() == before


def test_report_of_an_infeasible_run_says_why(folders):
    text = page(folders.infeasible / REPORT)
    data = manifest(folders.infeasible)
    assert data["status"].startswith("infeasible")
    assert data["reports"] == [REPORT, WORKBOOK]
    assert "Why there is no allocation" in text
    assert data["conflict"]
    for line in data["conflict"]:
        assert html.escape(line) in text
    assert chart_ids(text) == []
    assert plotly_js_head() not in text  # nothing to draw: no plotly.js


def test_parent_unknown_when_the_scenario_cannot_be_loaded(folders, tmp_path):
    data = manifest(folders.halt)
    assert parent_changes(data).known
    gone = parent_changes({**data, "scenario_origin": str(tmp_path / "gone")})
    assert not gone.known and gone.summary.startswith("unknown")
    changed = parent_changes({**data, "input_hash_sha256": "0" * 64})
    assert not changed.known and "changed since the run" in changed.summary
    missing = parent_changes({k: v for k, v in data.items() if k != "scenario_origin"})
    assert not missing.known


# --- workbook ---------------------------------------------------------------------------------


def test_workbook_has_every_table_with_frozen_headers(folders):
    from openpyxl import load_workbook

    data = manifest(folders.run)
    book = load_workbook(folders.run / WORKBOOK, read_only=False)
    stems = [name.removesuffix(".csv") for name in data["tables"]]
    assert book.sheetnames == ["summary", *(sheet_name(s) for s in stems)]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(len(sheet.title) <= 31 for sheet in book.worksheets)
    for stem in stems:
        sheet = book[sheet_name(stem)]
        rows = csv_rows(folders.run / f"{stem}.csv")
        header = [c.value for c in sheet[1]]
        with (folders.run / f"{stem}.csv").open(encoding="utf-8") as fh:
            assert header == fh.readline().strip().split(",")
        assert sheet.max_row == len(rows) + 1, stem
        assert sheet[1][0].font.b
    allocation = book["allocation"]
    assert [c.value for c in allocation[1]][:3] == ["year", "output_t", "oxide_imports_t"]
    assert allocation["A2"].value == 2025 and allocation["B2"].value == pytest.approx(185.0)
    assert allocation.column_dimensions["B"].width >= len("output_t")
    sentences = book["marginal_values"]
    width = sentences.column_dimensions[chr(ord("A") + 8)].width  # the sentence column (I)
    assert width > 40


def test_workbook_summary_values(folders):
    from openpyxl import load_workbook

    data = manifest(folders.run)
    summary = {
        row[0]: row[1]
        for row in load_workbook(folders.run / WORKBOOK)["summary"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert summary["scenario"] == "india-base"
    assert summary["status"] == "optimal"
    assert summary["objective (USD)"] == pytest.approx(data["objective_usd"])
    assert summary["objective (million USD)"] == pytest.approx(data["objective_usd"] / 1e6)
    assert summary["input hash (SHA-256)"] == data["input_hash_sha256"]
    assert summary["run id"] == data["run_id"]
    assert summary["version: ndalloc"] == data["versions"]["ndalloc"]
    assert summary["solver"] == f"HiGHS {data['solver']['version']}"
    conflict = load_workbook(folders.infeasible / WORKBOOK)
    assert conflict.sheetnames == ["summary"]
    lines = [
        r[1] for r in conflict["summary"].iter_rows(values_only=True) if r[0] == "conflicting limit"
    ]
    assert lines == manifest(folders.infeasible)["conflict"]


def test_sheet_names_are_shortened_deterministically():
    assert sheet_name("dual_stockpile_release_limit") == "dual_stockpile_release_limit"
    long_a = "dual_a_very_long_constraint_family_name_one"
    long_b = "dual_a_very_long_constraint_family_name_two"
    assert len(sheet_name(long_a)) == 31
    assert sheet_name(long_a) == sheet_name(long_a)
    assert sheet_name(long_a) != sheet_name(long_b)
    assert sheet_name(long_a).startswith(long_a[:26])
    assert sheet_name("a/b[c]") == "a_b_c_"


# --- report failure does not cost the run ------------------------------------------------------


def test_a_failing_report_leaves_the_run_complete(tmp_path, monkeypatch):
    import ndalloc.report as report
    from ndalloc.runs import write_run

    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise ValueError("no chart today")

    scenario = ndalloc.load_scenario("india-base")
    result = ndalloc.solve(scenario)
    monkeypatch.delenv("NDALLOC_DEBUG", raising=False)
    monkeypatch.setattr(report, "report_html", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder = write_run(result, scenario, ndalloc.SolveOptions(), tmp_path, datetime.now(UTC))
    assert any("no chart today" in str(w.message) for w in caught)
    assert manifest(folder)["reports"] == []
    assert not (folder / REPORT).exists() and not (folder / WORKBOOK).exists()
    assert (folder / "allocation.csv").is_file()
    monkeypatch.setenv("NDALLOC_DEBUG", "1")
    with pytest.raises(ValueError, match="no chart today"):
        write_run(result, scenario, ndalloc.SolveOptions(), tmp_path, datetime.now(UTC))
    assert len(list(tmp_path.iterdir())) == 1  # the failed run left nothing behind


# --- comparison -------------------------------------------------------------------------------


def test_compare_report_charts_and_differences(folders):
    text = page(folders.compare)
    assert chart_ids(text) == [f"chart-{name}" for name in COMPARE_CHARTS]
    assert text.count(plotly_js_head()) == 1
    base, halt = manifest(folders.run), manifest(folders.halt)
    diff = (halt["objective_usd"] - base["objective_usd"]) / 1e6
    assert f"{diff:+,.1f} million USD" in text
    assert base["run_id"] in text and halt["run_id"] in text
    found = figures(text)
    (menu,) = found["chart-flows"]["layout"]["updatemenus"]
    assert len(found["chart-flows"]["data"]) == 2 * len(menu["buttons"])  # a Sankey per run
    exports = [
        t for t in found["chart-allocation-diff"]["data"] if t["name"] == "exports (t oxide)"
    ]
    assert exports[0]["y"] == pytest.approx([0.0] + [-185.0] * 10)
    x = found["chart-allocation"]["data"][0]["x"]
    assert x[0][:2] == ["2025", "2025"] and x[1][:2] == ["A", "B"]  # years, then runs


def test_compare_cli_writes_and_refuses_to_overwrite(folders, tmp_path):
    args = ("report", "--compare", folders.run, folders.halt)
    first = run_ndalloc(*args, cwd=tmp_path)
    assert first.returncode == 0, describe(first)
    out = tmp_path / "compare-report.html"
    assert out.is_file()
    before = out.read_bytes()
    again = run_ndalloc(*args, cwd=tmp_path)
    assert again.returncode == 2, describe(again)
    assert "exists; give --force" in again.stderr
    assert_no_traceback(again)
    assert out.read_bytes() == before
    forced = run_ndalloc(*args, "--force", "--out", out, cwd=tmp_path)
    assert forced.returncode == 0, describe(forced)
    assert out.read_bytes() == before  # the same runs give the same page
    one = run_ndalloc("report", "--compare", folders.run, cwd=tmp_path)
    assert one.returncode == 2 and "at least two runs" in one.stderr


def test_report_refuses_what_is_not_a_run(tmp_path):
    proc = run_ndalloc("report", tmp_path, cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert "not a run" in proc.stderr
    assert_no_traceback(proc)


def test_compare_report_from_python_matches_the_file(folders):
    assert compare_report(folders.run, folders.halt) == page(folders.compare)


# --- sweeps -----------------------------------------------------------------------------------


def sweep_figures(folder: Path) -> dict[str, dict[str, Any]]:
    data = manifest(folder)
    assert data["reports"] == [REPORT]
    text = page(folder / REPORT)
    assert text.count(plotly_js_head()) == 1
    return figures(text)


def test_one_parameter_sweep_draws_a_response_curve(folders):
    found = sweep_figures(folders.vary)
    assert list(found) == ["chart-response"]
    traces = found["chart-response"]["data"]
    assert {t["type"] for t in traces} == {"scatter"}
    objective = next(t for t in traces if t["name"] == "objective (million USD)")
    assert objective["x"] == [20000.0, 60000.0, 100000.0]
    points = csv_rows(folders.vary / "points.csv")
    assert objective["y"] == pytest.approx([float(p["objective_usd"]) / 1e6 for p in points])
    assert (
        "contracts.price_usd_per_t[japan-2012]"
        in found["chart-response"]["layout"]["title"]["text"]
    )


def test_grid_sweep_draws_a_heat_map(folders):
    found = sweep_figures(folders.grid)
    assert list(found) == ["chart-heatmap"]
    fig = found["chart-heatmap"]
    assert {t["type"] for t in fig["data"]} == {"heatmap"}
    objective = fig["data"][0]
    assert objective["x"] == ["0.5", "1.0", "1.5"] and objective["y"] == ["0.03", "0.07"]
    assert len(objective["z"]) == 2 and len(objective["z"][0]) == 3
    (menu,) = fig["layout"]["updatemenus"]
    assert menu["buttons"][0]["label"] == "objective (million USD)"
    assert "(scale factor)" in fig["layout"]["xaxis"]["title"]["text"]


def test_tornado_sweep_draws_horizontal_bars(folders):
    found = sweep_figures(folders.tornado)
    assert list(found) == ["chart-tornado"]
    bars = found["chart-tornado"]["data"]
    assert {t["type"] for t in bars} == {"bar"}
    assert {t["orientation"] for t in bars} == {"h"}
    ranking = csv_rows(folders.tornado / "tornado.csv")
    assert bars[0]["y"][-1] == ranking[0]["parameter"]  # the largest swing on top
    assert len(bars[0]["y"]) == len(ranking)


def test_monte_carlo_sweep_draws_histograms(folders):
    found = sweep_figures(folders.monte_carlo)
    assert list(found) == ["chart-histograms"]
    traces = found["chart-histograms"]["data"]
    assert {t["type"] for t in traces} == {"histogram"}
    assert len(traces[0]["x"]) == 12
    text = page(folders.monte_carlo / REPORT)
    assert "Monte Carlo, 12 draws, seed 1" in text


def test_sweep_report_rebuilds_identically(folders, tmp_path):
    import shutil

    copy = tmp_path / folders.grid.name
    shutil.copytree(folders.grid, copy)
    before = (copy / REPORT).read_bytes()
    (copy / REPORT).unlink()
    proc = run_ndalloc("report", copy, cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert (copy / REPORT).read_bytes() == before
    assert report_html(copy) == before.decode("utf-8")
    assert not (copy / WORKBOOK).exists()  # sweeps get a page, not a workbook
