"""Reports (`ndalloc.report`): report.html and results.xlsx of runs, sweep and comparison pages.

No browser here (tests/test_report_browser.py opens the pages in Chromium). The folders are
made once per session by `report_folders` (also used by the browser tests): india-base and
export-halt-2026 solved by `ndalloc solve`, a tornado by `ndalloc sweep`, and from Python a
one-parameter sweep, a two-parameter grid, a Monte Carlo, an infeasible scenario, and two
generated scenarios with more contracts, makers, sources, sectors and stockpiles than a chart
draws one by one (`BIG`), with their comparison.
"""

from __future__ import annotations

import csv
import functools
import html
import json
import math
import re
import shutil
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, run_many, run_ndalloc
from ndalloc.data.generate import Size, generate
from ndalloc.report import REPORT, WORKBOOK, compare_report, report_html, write_compare_report
from ndalloc.report.pages import COMPARE_CHARTS, RUN_CHARTS
from ndalloc.report.words import parent_changes
from ndalloc.report.workbook import sheet_name
from scenario_factory import reserve_conflict

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
    big: Path  # a generated scenario larger than the caps (BIG, seed 1)
    big_b: Path  # BIG of seed 2
    big_compare: Path  # the comparison of big and big_b


def _only(folder: Path) -> Path:
    (found,) = [p for p in folder.iterdir() if p.is_dir()]
    return found


#: A generated scenario with more of every kind of entity than a chart draws one by one
#: (`caps.MAX_ENTITIES`), and more marginal values and binding limits than a page lists.
BIG = Size(sources=20, makers=20, contracts=20, sectors=30, years=4, origins=3, stockpiles=13)


def _big_run(base: Path, seed: int, now: datetime) -> Path:
    from ndalloc.runs import write_run

    scenario = ndalloc.load_scenario(generate(BIG, seed, base / f"big-{seed}"))
    result = ndalloc.solve(scenario)
    assert result.status.value == "optimal", result.status
    return write_run(result, scenario, ndalloc.SolveOptions(), base / "runs" / "big", now)


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
    scenario = ndalloc.load_scenario(reserve_conflict(base / "conflict"))
    result = ndalloc.solve(scenario)
    assert result.status.value.startswith("infeasible"), result.status
    write_run(result, scenario, ndalloc.SolveOptions(), base / "runs" / "conflict", now)
    run, halt = _only(base / "runs" / "base"), _only(base / "runs" / "halt")
    compare = write_compare_report([run, halt], base / "compare-report.html")
    big = [_big_run(base, seed, now) for seed in (1, 2)]
    big_compare = write_compare_report(big, base / "compare-big.html")
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
        big=big[0],
        big_b=big[1],
        big_compare=big_compare,
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
    assert any(n.startswith("exports to japan-2012: 241 t") for n in nodes), nodes
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
    assert contract["minimum"]["y"] == pytest.approx([241.0] * len(YEARS))
    assert contract["maximum"]["y"] == pytest.approx([265.0] * len(YEARS))


def test_contract_shortfall_shows_the_breach(folders):
    """export-halt-2026: Japan gets nothing from 2026, so each year it is 241 t short."""
    fig = figures(page(folders.halt / REPORT))["chart-contracts"]
    contract = {t["name"]: t for t in fig["data"]}
    assert contract["delivered"]["y"] == pytest.approx([265.0] + [0.0] * 10)
    assert contract["shortfall below the minimum (breach)"]["y"] == pytest.approx(
        [0.0] + [241.0] * 10
    )
    assert contract["maximum"]["y"] == pytest.approx([265.0] + [0.0] * 10)


def test_magnet_chart_facets_by_sector(folders):
    fig = figures(page(folders.run / REPORT))["chart-magnets"]
    sectors = {r["sector"] for r in csv_rows(folders.run / "var_shortage.csv")}
    titles = {a["text"] for a in fig["layout"]["annotations"]}
    assert titles == {f"sector: {s}" for s in sectors}
    legend = {t["name"] for t in fig["data"] if t.get("showlegend", True)}
    assert legend == {"made in India", "imported", "shortage (demand not met)", "demand"}
    # With China's licences granted no sector is short in india-base; 2025 ev demand 1,400 t
    # is all imported (no domestic maker yet).
    short = [t for t in fig["data"] if t["name"] == "shortage (demand not met)"]
    assert max(max(t["y"]) for t in short) == 0.0
    imported = [t for t in fig["data"] if t["name"] == "imported"]
    assert max(t["y"][0] for t in imported) == pytest.approx(2000.0)  # electronics, 2025


def test_headline_numbers_match_the_manifest(folders):
    text = page(folders.run / REPORT)
    data = manifest(folders.run)
    assert f"{data['objective_usd'] / 1e6:,.1f} million USD" in text
    assert "-2,558.6 million USD" in text  # as `ndalloc solve` prints it
    assert f"ndalloc run: {data['scenario']}" in text
    assert html.escape(data["run_id"]) in text
    assert f"{data['status']} ({data['message']})" in text
    totals = csv_rows(folders.run / "allocation.csv")
    exports = sum(float(r["exports_t"]) for r in totals)
    assert f"{exports:,.0f} t oxide" in text  # 2,699 t oxide over the horizon
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
        "900 to 1,500 t oxide",
        "47,973 USD per t oxide",
    ] in said
    assert any(s[0] == "magnet imports from china are at their availability limit" for s in said)
    # equalities (balances) are not limits
    assert "oxide_balance" not in binding.group(0)


def test_rebuilding_gives_the_same_file(folders, tmp_path):
    """`ndalloc report RUN` rebuilds report.html and results.xlsx from the folder: the same
    bytes (the workbook's creation time is the run's)."""
    import shutil

    copy = tmp_path / folders.run.name
    shutil.copytree(folders.run, copy)
    before = (copy / REPORT).read_bytes()
    (copy / REPORT).unlink()
    (copy / WORKBOOK).unlink()
    proc = run_ndalloc("report", copy, cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert (copy / REPORT).read_bytes() == before
    assert (copy / WORKBOOK).read_bytes() == (folders.run / WORKBOOK).read_bytes()
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


def test_parent_unknown_when_the_run_is_older_or_its_parent_changed(folders, tmp_path):
    """A run hashed by an older definition is not compared with the scenario now; a scenario
    whose scenario.toml names another parent than the run's (or none) has changed."""
    data = manifest(folders.halt)
    assert data["input_hash_version"] == 2 and data["scenario_inherits"] == "india-base"
    older = parent_changes({k: v for k, v in data.items() if k != "input_hash_version"})
    assert not older.known and "older ndalloc" in older.summary
    copy = Path(shutil.copytree(data["scenario_origin"], tmp_path / "halt"))
    toml = copy / "scenario.toml"
    toml.write_text(
        "\n".join(
            line
            for line in toml.read_text(encoding="utf-8").splitlines()
            if not line.startswith("inherits")
        ),
        encoding="utf-8",
    )
    moved = parent_changes({**data, "scenario_origin": str(copy)})
    assert not moved.known
    assert "changed since the run (it inherited from india-base, it now inherits from none)" in (
        moved.summary
    )


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
    assert allocation["A2"].value == 2025 and allocation["B2"].value == pytest.approx(265.0)
    assert allocation.column_dimensions["B"].width >= len("output_t")
    sentences = book["marginal_values"]
    width = sentences.column_dimensions[chr(ord("A") + 8)].width  # the sentence column (I)
    assert width > 40


def test_workbook_cells_keep_the_tables_values(folders):
    """Numbers with decimals show thousands separators, whole numbers and text do not; every
    sheet has a filter over its table; NaN is an empty cell, an unbounded limit "inf"."""
    from openpyxl import load_workbook

    book = load_workbook(folders.run / WORKBOOK)
    allocation = book["allocation"]
    assert allocation.auto_filter.ref == f"A1:L{len(YEARS) + 1}"
    assert allocation["B2"].number_format == "#,##0.00"  # output_t, a float column
    assert allocation["A2"].number_format == "General"  # year
    assert not allocation["B1"].number_format.startswith("#")  # the header is text
    marginal = book["marginal_values"]
    header = [c.value for c in marginal[1]]
    rows = csv_rows(folders.run / "marginal_values.csv")
    entity = header.index("entity") + 1
    for i, row in enumerate(rows, start=2):
        cell = marginal.cell(i, entity).value
        assert cell == (row["entity"] or None), i  # "" in the CSV: an empty cell
    ranging = book["ranging"]
    header = [c.value for c in ranging[1]]
    high = [r[header.index("high")] for r in ranging.iter_rows(min_row=2, values_only=True)]
    expected = [r["high"] for r in csv_rows(folders.run / "ranging.csv")]
    assert "inf" in expected
    assert [str(h) if h == "inf" else float(h) for h in high] == [
        e if e == "inf" else pytest.approx(float(e)) for e in expected
    ]
    binding = book["dual_source_capacity"]
    header = [c.value for c in binding[1]]
    assert {r[header.index("binding")] for r in binding.iter_rows(min_row=2, values_only=True)} <= {
        True,
        False,
    }


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


def test_by_year_pivots_a_table_as_pandas_would():
    import numpy as np
    import pandas as pd

    from ndalloc.report.folders import by_year

    frame = pd.DataFrame(
        {
            "origin": ["x", "y", "x", "x", "z"],
            "product": ["oxide"] * 5,
            "year": [2030, 2030, 2031, 2031, 2040],
            "value_t": [1.0, np.nan, 2.0, 3.0, 9.0],
        }
    )
    wide = by_year(frame, "value_t", [2030, 2031, 2032], fill=None)
    assert list(wide.columns) == ["x/oxide", "y/oxide", "z/oxide"]  # in order of appearance
    assert list(wide.index) == [2030, 2031, 2032]
    assert wide["x/oxide"].tolist()[:2] == [1.0, 5.0]  # two rows of 2031 added up
    assert wide.isna().sum().tolist() == [1, 3, 3]  # all NaN, or no row: NaN (a gap)
    filled = by_year(frame, "value_t", [2030, 2031, 2032])
    assert filled.to_numpy().tolist() == [[1.0, 0.0, 0.0], [5.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert list(by_year(frame.iloc[:0], "value_t", [2030]).index) == [2030]


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
    assert exports[0]["y"] == pytest.approx([0.0, -265.0] + [-241.0] * 9)
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


# --- figures: Plotly's schema, subplots, JSON -------------------------------------------------


def assert_valid_figure(figure: dict[str, Any], what: str) -> None:
    """The figure is valid in Plotly's schema: plotly.graph_objects.Figure raises on an unknown
    property or a bad value. The reports build figures as plain data and never validate them
    while writing a page, so this is where a wrong property name is caught."""
    import plotly.graph_objects as go

    try:
        go.Figure(figure)
    except (ValueError, TypeError) as exc:
        raise AssertionError(f"{what} is not a valid Plotly figure: {exc}") from exc


def test_every_figure_in_the_reports_is_valid_plotly(folders):
    pages = {
        "run": folders.run / REPORT,
        "halt": folders.halt / REPORT,
        "compare": folders.compare,
        "tornado": folders.tornado / REPORT,
        "vary": folders.vary / REPORT,
        "grid": folders.grid / REPORT,
        "monte_carlo": folders.monte_carlo / REPORT,
    }
    seen = 0
    for name, path in pages.items():
        found = figures(page(path))
        assert found, name
        for chart, figure in found.items():
            assert figure["layout"]["template"]["layout"], (name, chart)  # plotly_white
            assert_valid_figure(figure, f"{name} {chart}")
            seen += 1
    assert seen == 2 * len(RUN_CHARTS) + len(COMPARE_CHARTS) + 4


def _write_tables(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        if rows:  # no file: the run has no such table
            pd.DataFrame(rows).to_csv(folder / f"{stem}.csv", index=False)


def _synthetic_run(folder: Path, contracts: int, sectors: int, piles: int) -> Any:
    """A run folder's tables made up for the charts: several contracts, sectors and
    stockpiles (india-base has one contract and one stockpile), some limits missing."""
    from ndalloc.comparison import Run
    from ndalloc.report.folders import Folder

    years = [2030, 2031, 2032]
    names = {
        "contract": [f"c{i}" for i in range(contracts)],
        "sector": [f"s{i}" for i in range(sectors)],
        "stockpile": [f"p{i}" for i in range(piles)],
    }

    def var(key: str, value: float = 10.0) -> list[dict[str, Any]]:
        return [{key: n, "year": y, "value_t": value} for n in names[key] for y in years]

    def dual(key: str, rhs: float, skip_first: bool = False) -> list[dict[str, Any]]:
        chosen = names[key][1:] if skip_first else names[key]
        return [
            {key: n, "year": y, "activity_t": rhs, "rhs_t": rhs, "binding": True}
            for n in chosen
            for y in years
        ]

    tables = {
        "allocation": [
            {"year": y, "output_t": 100.0, "oxide_imports_t": 5.0, "stock_release_t": 0.0}
            for y in years
        ],
        "var_output": [{"source": "mine", "year": y, "value_t": 100.0} for y in years],
        "var_imports": [
            {"origin": "x", "product": p, "year": y, "value_t": 5.0}
            for p in ("oxide", "magnet")
            for y in years
        ],
        "var_release": var("stockpile", 0.0),
        "var_export": var("contract"),
        "var_breach": var("contract", 1.0),
        "var_feed": [{"maker": "m", "year": y, "value_t": 50.0} for y in years],
        "var_inject": var("stockpile", 2.0),
        "var_unallocated": [{"year": y, "value_t": 1.0} for y in years],
        "var_level": var("stockpile", 4.0),
        "dual_stockpile_max": dual("stockpile", 9.0),
        "dual_stockpile_min": dual("stockpile", 1.0, skip_first=True),
        "dual_contract_min": dual("contract", 8.0),
        "dual_contract_max": dual("contract", 12.0, skip_first=True),
        "var_deliver_domestic": var("sector", 3.0),
        "var_deliver_import": var("sector", 2.0)[1:],  # a row missing
        "var_shortage": var("sector", float("nan")),
        "dual_demand_balance": dual("sector", 5.0),
        "dual_oxide_balance": [{"year": y, "value_usd_per_t": 1000.0 + y} for y in years],
    }
    _write_tables(folder, tables)
    return Folder(Run(folder=folder, manifest={"status": "optimal", "scenario": "made-up"}))


@pytest.mark.parametrize(("contracts", "sectors", "piles"), [(1, 1, 1), (2, 3, 2), (3, 5, 0)])
def test_charts_of_any_shape_are_valid_plotly(tmp_path, contracts, sectors, piles):
    from ndalloc.report import charts, pages

    run = _synthetic_run(tmp_path / "a", contracts, sectors, piles)
    other = _synthetic_run(tmp_path / "b", 1, 2, 1)
    built = {
        "allocation": charts.allocation_figure(run),
        "flows": charts.sankey_figure([("A", run), ("B", other)]),
        "stockpile": charts.stockpile_figure(run),
        "contracts": charts.contracts_figure(run),
        "magnets": charts.magnets_figure(run),
        "oxide-value": charts.oxide_value_figure(run),
        "compare-stockpile": pages._stockpile_compare([("A", run), ("B", other)]),
        "compare-contracts": pages._contracts_compare([("A", run), ("B", other)]),
        "compare-magnets": pages._magnets_compare([("A", run), ("B", other)]),
    }
    for name, figure in built.items():
        if figure is None:
            assert name == "stockpile" and piles == 0
            continue
        assert_valid_figure(figure, name)
    contracts_fig = built["contracts"]
    assert contracts_fig is not None
    axes = {t["yaxis"] for t in contracts_fig["data"]}
    assert len(axes) == contracts  # one subplot per contract
    magnets = built["magnets"]
    assert magnets is not None
    assert len({t["xaxis"] for t in magnets["data"]}) == sectors


def test_sweep_panels_are_valid_plotly():
    import pandas as pd

    from ndalloc.report.sweeps import panels_figure

    points = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b*": [0.5, 1.0, 1.5], "c": [0, 1, 2], "objective_usd": [1e6] * 3}
    )
    figure = panels_figure(points, ["a", "b*", "c"])
    assert_valid_figure(figure, "panels")
    assert [t["yaxis"] for t in figure["data"]] == ["y", "y2", "y3"]


SUBPLOTS = [
    {"rows": 1, "cols": 1},
    {"rows": 1, "cols": 1, "shared_xaxes": True, "vertical_spacing": 0.12},
    {
        "rows": 3,
        "cols": 1,
        "shared_xaxes": True,
        "vertical_spacing": 0.04,
        "titles": ["a", "b", "c"],
    },
    {"rows": 2, "cols": 1, "shared_xaxes": True, "vertical_spacing": 0.08, "titles": ["a", "b"]},
    {
        "rows": 2,
        "cols": 2,
        "vertical_spacing": 0.16,
        "horizontal_spacing": 0.08,
        "titles": list("abcd"),
    },
    {
        "rows": 3,
        "cols": 2,
        "vertical_spacing": 0.08,
        "horizontal_spacing": 0.08,
        "titles": list("abcde"),
    },
    {"rows": 1, "cols": 1, "vertical_spacing": 0.1, "horizontal_spacing": 0.08, "titles": ["a"]},
    {
        "rows": 4,
        "cols": 2,
        "vertical_spacing": 0.075,
        "horizontal_spacing": 0.1,
        "titles": list("abcdefg"),
    },
    {"rows": 3, "cols": 1, "vertical_spacing": 0.04},
    {"rows": 2, "cols": 3},
    {"rows": 2, "cols": 3, "shared_xaxes": True, "titles": ["a", "", "c"]},
]


@pytest.mark.parametrize("grid", SUBPLOTS)
def test_subplots_are_laid_out_as_make_subplots_does(grid):
    """`Plot.grid` gives the layout (axis domains, anchors, shared axes, subplot titles) and
    the trace axes that plotly.subplots.make_subplots gives for the same arguments."""
    from plotly.subplots import make_subplots

    from ndalloc.report.figures import Plot

    options = {k: v for k, v in grid.items() if k != "titles"}
    plot = Plot.grid(**options, titles=grid.get("titles"))
    reference = make_subplots(**options, subplot_titles=grid.get("titles"))
    for r in range(1, grid["rows"] + 1):
        for c in range(1, grid["cols"] + 1):
            plot.add("scatter", x=[1], y=[1], row=r, col=c)
            reference.add_scatter(x=[1], y=[1], row=r, col=c)
    expected = reference.to_plotly_json()
    expected["layout"].pop("template", None)
    assert plot.figure()["layout"] == expected["layout"]
    assert [(t["xaxis"], t["yaxis"]) for t in plot.figure()["data"]] == [
        (t["xaxis"], t["yaxis"]) for t in expected["data"]
    ]


def test_figure_updates_merge_as_plotly_does():
    import plotly.graph_objects as go

    from ndalloc.report.figures import Plot

    plot = Plot()
    reference = go.Figure()
    plot.add("bar", x=[1, 2], y=[3, 4], marker={"color": "red"})
    reference.add_bar(x=[1, 2], y=[3, 4], marker={"color": "red"})
    plot.update(legend={"x": 0, "y": -0.1}, title={"text": "t"}, height=300)
    reference.update_layout(legend={"x": 0, "y": -0.1}, title={"text": "t"}, height=300)
    plot.update(legend={"y": -0.2}, yaxis={"title": {"text": "y"}})
    reference.update_layout(legend={"y": -0.2}, yaxis={"title": {"text": "y"}})
    plot.xaxes(tickformat="d")
    reference.update_xaxes(tickformat="d")
    plot.yaxes(tickformat=",", rangemode="tozero")
    reference.update_yaxes(tickformat=",", rangemode="tozero")
    expected = reference.to_plotly_json()
    expected["layout"].pop("template", None)
    assert plot.figure() == expected


def test_figure_json_is_safe_in_a_script_and_has_no_nan():
    import numpy as np

    from ndalloc.report.figures import to_json

    text = to_json({"y": np.array([1.0, np.nan, np.inf]), "n": np.int64(3), "t": "a</script><b>"})
    assert "<" not in text and ">" not in text and "/" not in text
    assert json.loads(text) == {"y": [1.0, None, None], "n": 3, "t": "a</script><b>"}
    with pytest.raises(TypeError):
        to_json({"when": datetime.now(UTC)})


def test_writing_a_report_loads_neither_plotly_objects_nor_openpyxl(folders, tmp_path):
    """Reports are cheap because they build plain figures and write the workbook with
    XlsxWriter: plotly.graph_objects (with its validators) and openpyxl stay unloaded."""
    import shutil
    import subprocess
    import sys

    copy = tmp_path / folders.run.name
    shutil.copytree(folders.run, copy)
    script = (
        "import sys\n"
        "from ndalloc.report import rebuild\n"
        f"rebuild({str(copy)!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'plotly')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1].replace("'", '"'))
    assert [m for m in loaded if m.startswith(("openpyxl", "plotly.graph_objs"))] == []
    assert (copy / REPORT).read_bytes() == (folders.run / REPORT).read_bytes()


# --- large runs: charts, page tables and the workbook are capped ------------------------------


def _wide(folder: Path, stem: str, column: str = "value_t", **only: str) -> Any:
    """A run's table as year x entity (joined key columns), added up; 0 where missing."""
    import pandas as pd

    from ndalloc.report.folders import entity

    frame = pd.read_csv(folder / f"{stem}.csv", dtype=str)
    for key, value in only.items():
        frame = frame[frame[key] == value].drop(columns=key)
    years = [int(r["year"]) for r in csv_rows(folder / "allocation.csv")]
    frame = frame.assign(entity=entity(frame), year=frame["year"].astype(int))
    frame[column] = frame[column].astype(float)
    wide = frame.pivot_table(index="year", columns="entity", values=column, aggfunc="sum")
    return wide.reindex(years).fillna(0.0)


def _y(trace: dict[str, Any]) -> list[float]:
    """A trace's values, a gap (null) as 0."""
    return [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in trace["y"]]


def _check_split(
    wide: Any,
    drawn: dict[str, list[float]],
    other: list[float] | None,
    summed: int,
    ranked_by: Any = None,
) -> None:
    """The entities drawn one by one are the table's largest over the horizon (or by
    `ranked_by`), each drawn as it is; the `summed` others add up to `other`; together they
    are every entity (conservation)."""
    import numpy as np

    totals = (wide if ranked_by is None else ranked_by).sum(axis=0)
    assert set(drawn) <= set(wide.columns)
    rest = [e for e in wide.columns if e not in drawn]
    assert len(rest) == summed
    assert min(totals[list(drawn)], default=math.inf) >= max(totals[rest], default=0.0) - 1e-6
    for name, values in drawn.items():
        assert values == pytest.approx(wide[name].tolist(), abs=1e-6), name
    assert other is not None
    assert other == pytest.approx(wide[rest].sum(axis=1).tolist(), abs=1e-6)
    everything = np.sum([*drawn.values(), other], axis=0)
    assert everything == pytest.approx(wide.sum(axis=1).tolist(), abs=1e-6)


def test_a_large_run_draws_the_largest_entities_and_sums_the_rest(folders):
    """BIG has 20 contracts and makers, 13 stockpiles, 30 sectors: each chart draws at most
    MAX_ENTITIES of them one by one and one "other N ..." per kind, which adds up the others,
    and says so in the page; the charts' totals are the CSV files' totals."""
    from ndalloc.report.caps import MAX_ENTITIES

    run = folders.big
    text = page(run / REPORT)
    found = figures(text)
    assert list(found) == [f"chart-{name}" for name in RUN_CHARTS]
    for name, figure in found.items():
        assert_valid_figure(figure, f"big {name}")

    # allocation: the 10 largest destinations, an "other" bar per kind, and unallocated
    bars = {t["name"]: _y(t) for t in found["chart-allocation"]["data"] if t["type"] == "bar"}
    kinds = {
        "var_export": (r"^exports to (?!other )(.+)$", "exports to other "),
        "var_feed": (r"^maker (.+)$", "other "),
        "var_inject": (r"^stockpile (.+) \(injection\)$", "other "),
    }
    one_by_one = 0
    for stem, (pattern, _) in kinds.items():
        wide = _wide(run, stem)
        drawn = {m.group(1): v for n, v in bars.items() if (m := re.match(pattern, n))}
        noun = {"var_export": "contract", "var_feed": "maker", "var_inject": "stockpile"}[stem]
        others = [(n, v) for n, v in bars.items() if re.search(rf"other \d+ {noun}s\b", n)]
        assert len(others) == 1, (stem, list(bars))  # BIG has more of each kind than fits
        (label, values) = others[0]
        summed = int(re.search(r"other (\d+)", label).group(1))  # type: ignore[union-attr]
        _check_split(wide, drawn, values, summed)
        one_by_one += len(drawn)
    assert one_by_one == MAX_ENTITIES
    assert len(bars) == MAX_ENTITIES + len(kinds) + 1  # and unallocated
    allocation = csv_rows(run / "allocation.csv")
    columns = ("exports_t", "to_makers_t", "stock_inject_t", "unallocated_t")
    totals = [sum(float(r[c]) for c in columns) for r in allocation]
    stacked = [sum(values) for values in zip(*bars.values(), strict=True)]
    assert stacked == pytest.approx(totals)
    assert "The 10 largest of 53 destinations" in text
    assert "All are in var_export.csv, var_feed.csv and var_inject.csv." in text

    # the Sankey: at most 10 flows one by one on each side, the hub balances, totals kept
    flows = found["chart-flows"]
    whole = flows["data"][0]
    labels = whole["node"]["label"]
    hub = next(i for i, n in enumerate(labels) if n.startswith("oxide in India"))
    ins, outs = labels[:hub], labels[hub + 1 :]
    for side in (ins, outs):
        others = [n for n in side if re.search(r"other \d+ \w+s\b", n)]
        one_by_one = [n for n in side if n not in others and not n.startswith("unallocated")]
        assert len(one_by_one) == MAX_ENTITIES, side
        assert 1 <= len(others) <= 3, side  # at most one per kind
    link = whole["link"]
    into = sum(v for v, t in zip(link["value"], link["target"], strict=True) if t == hub)
    out = sum(v for v, s in zip(link["value"], link["source"], strict=True) if s == hub)
    available = sum(
        float(r["output_t"]) + float(r["oxide_imports_t"]) + float(r["stock_release_t"])
        for r in allocation
    )
    assert into == pytest.approx(out) == pytest.approx(available)
    assert flows["layout"]["height"] > 470  # taller for its many nodes

    # contracts: a subplot for each of the 10 largest, and one for the other 10
    contracts = found["chart-contracts"]
    titles = [a["text"] for a in contracts["layout"]["annotations"]]
    assert len(titles) == MAX_ENTITIES + 1
    assert titles[-1] == "other 10 contracts (sum)"
    delivered = [t for t in contracts["data"] if t["name"] == "delivered"]
    assert len(delivered) == MAX_ENTITIES + 1
    axis = {t["yaxis"]: title for t, title in zip(delivered, titles, strict=True)}
    drawn = {
        axis[t["yaxis"]].removeprefix("contract "): _y(t)
        for t in delivered
        if not axis[t["yaxis"]].startswith("other")
    }
    export = _wide(run, "var_export")
    breach = _wide(run, "var_breach").reindex(columns=export.columns, fill_value=0.0)
    _check_split(export, drawn, _y(delivered[-1]), 10, ranked_by=export + breach)
    assert "The 10 largest of 20 contracts" in text and "all are in var_export.csv" in text

    # magnets: 10 sectors and the other 20, made in India adding up to the table's total
    magnets = found["chart-magnets"]
    titles = [a["text"] for a in magnets["layout"]["annotations"]]
    assert len(titles) == MAX_ENTITIES + 1 and titles[-1] == "other 20 sectors (sum)"
    made = [_y(t) for t in magnets["data"] if t["name"] == "made in India"]
    assert len(made) == MAX_ENTITIES + 1
    domestic = _wide(run, "var_deliver_domestic")
    assert [sum(v) for v in zip(*made, strict=True)] == pytest.approx(domestic.sum(axis=1).tolist())
    assert "The 10 largest of 30 sectors" in text

    # stockpiles: 10 levels and the other 3 added up
    levels = [t for t in found["chart-stockpile"]["data"] if "level at year end" in t["name"]]
    assert len(levels) == MAX_ENTITIES + 1
    assert levels[-1]["name"] == "other 3 stockpiles: level at year end (sum)"
    level = _wide(run, "var_level")
    drawn = {t["name"].split(":")[0]: _y(t) for t in levels[:-1]}
    _check_split(level, drawn, _y(levels[-1]), 3)
    assert "The 10 largest of 13 stockpiles" in text


def _table_rows(text: str, css_id: str) -> list[list[str]]:
    found = re.search(rf'<table id="{css_id}">.*?</table>', text, re.DOTALL)
    assert found is not None, css_id
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(0))
    return [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows[1:]]


def test_a_large_run_lists_the_largest_rows_and_says_how_many_more(folders):
    import pandas as pd

    from ndalloc.report.caps import MAX_TABLE_ROWS
    from ndalloc.report.words import BINDING

    run = folders.big
    text = page(run / REPORT)
    marginal = pd.read_csv(run / "marginal_values.csv")
    assert len(marginal) > MAX_TABLE_ROWS
    rows = _table_rows(text, "marginal-values-table")
    assert len(rows) == MAX_TABLE_ROWS
    more = len(marginal) - MAX_TABLE_ROWS
    assert (
        f"{len(marginal):,} marginal values: the {MAX_TABLE_ROWS} largest (in absolute terms) "
        f"are listed, and {more:,} more in marginal_values.csv."
    ) in text
    listed = [abs(float(r[3].replace(",", ""))) for r in rows]
    assert listed == sorted(listed, reverse=True)  # largest first
    ranked = marginal["value_usd_per_t"].abs().sort_values(ascending=False).round()
    assert listed == pytest.approx(ranked.head(MAX_TABLE_ROWS).tolist())

    limits = 0
    for family in BINDING:
        path = run / f"dual_{family}.csv"
        if path.is_file():
            frame = pd.read_csv(path, dtype=str)
            binding = frame[frame["binding"].str.lower() == "true"]
            keys = [c for c in frame.columns[: list(frame.columns).index("year")]]
            limits += len(binding.drop_duplicates(keys)) if keys else min(1, len(binding))
    rows = _table_rows(text, "binding-table")
    assert len(rows) == min(limits, MAX_TABLE_ROWS)
    assert limits > MAX_TABLE_ROWS
    assert f"{limits:,} binding limits: the {MAX_TABLE_ROWS} worth most per unit" in text
    assert f"and {limits - MAX_TABLE_ROWS:,} more in the dual_*.csv files" in text


def test_workbook_leaves_out_tables_over_its_cell_limit(folders, tmp_path):
    """With a limit of 2,000 cells, the allocation and the marginal values (if they fit), then
    the smallest tables are copied whole while they fit; the summary sheet lists each table
    left out with its rows and CSV file."""
    from openpyxl import load_workbook

    from ndalloc.report.folders import open_folder
    from ndalloc.report.workbook import result_stems, write_workbook

    run = folders.big
    limit = 2_000
    out = write_workbook(open_folder(run), tmp_path / "small.xlsx", max_cells=limit)
    book = load_workbook(out, read_only=True)
    size = {}
    for stem in result_stems(open_folder(run)):
        rows = csv_rows(run / f"{stem}.csv")
        with (run / f"{stem}.csv").open(encoding="utf-8") as fh:
            size[stem] = (len(rows), len(fh.readline().split(",")))
    copied = [name for name in book.sheetnames if name != "summary"]
    left_out = [s for s in size if sheet_name(s) not in copied]
    assert copied and left_out
    cells = {s: rows * columns for s, (rows, columns) in size.items()}
    assert sum(cells[s] for s in size if sheet_name(s) in copied) <= limit
    first = [s for s in ("allocation", "marginal_values") if sheet_name(s) in copied]
    assert first, "the allocation or the marginal values fit and come first"
    assert max(cells[s] for s in size if sheet_name(s) in copied and s not in first) <= min(
        cells[s] for s in left_out
    )  # then the smallest
    assert copied == [sheet_name(s) for s in size if s not in left_out]  # in the manifest's order
    for stem in copied:
        sheet = book[stem]
        assert sheet.max_row == size[stem][0] + 1, stem  # whole tables
    summary = {
        row[0]: (row[1], row[2]) for row in book["summary"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["tables left out"][0] == len(left_out)
    assert "at most 2,000 cells" in summary["tables left out"][1]
    for stem in left_out:
        assert summary[f"left out: {stem}"] == (size[stem][0], f"rows, all in {stem}.csv")
    # the run's own workbook (at the default limit) has every table of this small run
    full = load_workbook(run / WORKBOOK, read_only=True)
    assert full.sheetnames == ["summary", *(sheet_name(s) for s in size)]
    assert not any(
        str(r[0]).startswith("left out")
        for r in full["summary"].iter_rows(min_row=2, values_only=True)
    )


def test_chosen_tables_are_the_first_tables_then_the_smallest_that_fit():
    from ndalloc.report.workbook import chosen_tables

    sizes = {"a": (10, 5), "b": (1, 3), "c": (100, 2), "d": (20, 2), "e": (0, 4)}
    assert chosen_tables(sizes, 1_000) == (["a", "b", "c", "d", "e"], [])
    assert chosen_tables(sizes, 100) == (["a", "b", "d", "e"], ["c"])  # 3 + 40 + 50 = 93
    assert chosen_tables(sizes, 50) == (["b", "d", "e"], ["a", "c"])
    assert chosen_tables(sizes, 0) == (["e"], ["a", "b", "c", "d"])
    # The allocation and the marginal values come first whenever they fit.
    sizes = {"var_x": (1, 2), "marginal_values": (30, 3), "allocation": (11, 10), "dual_y": (5, 2)}
    assert chosen_tables(sizes, 122) == (["var_x", "allocation", "dual_y"], ["marginal_values"])
    assert chosen_tables(sizes, 200) == (["marginal_values", "allocation"], ["var_x", "dual_y"])


def test_comparison_of_large_runs_is_capped(folders):
    """Subplots per sector as in a run's page; the one-plot charts (every run's contracts or
    stockpiles with their limits) draw MAX_COMPARED entities one by one, the same in each run,
    and each run's others added up."""
    from ndalloc.report.caps import MAX_COMPARED, MAX_ENTITIES, MAX_TABLE_ROWS

    text = page(folders.big_compare)
    found = figures(text)
    assert list(found) == [f"chart-{name}" for name in COMPARE_CHARTS]
    for name, figure in found.items():
        assert_valid_figure(figure, f"big comparison {name}")
    delivered = [t for t in found["chart-contracts"]["data"] if " delivered" in t["name"]]
    names = [t["name"] for t in delivered]
    assert len(names) == 2 * (MAX_COMPARED + 1)
    assert {"A: other 16 contracts delivered (sum)", "B: other 16 contracts delivered (sum)"} < set(
        names
    )
    for run, folder in (("A", folders.big), ("B", folders.big_b)):
        export = _wide(folder, "var_export")
        bars = [_y(t) for t in delivered if t["name"].startswith(f"{run}: ")]
        assert [sum(v) for v in zip(*bars, strict=True)] == pytest.approx(
            export.sum(axis=1).tolist()
        )
    assert len({t["offsetgroup"] for t in delivered}) == len(names)  # side by side
    titles = [a["text"] for a in found["chart-magnets"]["layout"]["annotations"]]
    assert len(titles) == MAX_ENTITIES + 1 and titles[-1] == "other 20 sectors (sum)"
    levels = [t["name"] for t in found["chart-stockpile"]["data"] if " level" in t["name"]]
    assert len(levels) == 2 * (MAX_COMPARED + 1)
    assert "A: other 9 stockpiles level (sum)" in levels
    assert "A: The 10 largest of 53 destinations" in text
    assert "B: The 10 largest of 36 sources of oxide" in text
    assert "The 4 largest of 20 contracts" in text and "The 4 largest of 13 stockpiles" in text
    differences = _table_rows(text, "shadow-differences")
    assert len(differences) <= MAX_TABLE_ROWS
    if len(differences) == MAX_TABLE_ROWS:
        assert "more in the runs&#x27; dual_*.csv files" in text


def test_pick_draws_the_largest_and_sums_the_rest():
    import pandas as pd

    from ndalloc.report.caps import Group, chart_note, pick

    def group(noun: str, scores: dict[str, float]) -> Group:
        return Group(noun, pd.Series(scores, dtype=float), f"{noun}.csv")

    few = group("contract", {"a": 1.0, "b": 3.0, "c": 2.0})
    (all_of_them,) = pick([few], limit=2)  # at most limit + 1: all, in their order
    assert all_of_them.drawn == ["a", "b", "c"] and all_of_them.summed == []
    assert chart_note([all_of_them]) == ""
    many = group("contract", {"a": 1.0, "b": 3.0, "c": 2.0, "d": 3.0, "e": float("nan")})
    (capped,) = pick([many], limit=2)
    assert capped.drawn == ["b", "d"]  # largest first, ties in their order
    assert capped.summed == ["a", "c", "e"] and capped.other == "other 3 contracts"
    assert chart_note([capped]).startswith("The 2 largest of 5 contracts")
    # over several kinds: the largest of all; a kind's single left-out entity is drawn
    makers = group("maker", {"m1": 10.0, "m2": 0.5})
    contracts, makers_picked = pick([many, makers], limit=2)
    assert makers_picked.drawn == ["m1", "m2"] and makers_picked.summed == []
    assert makers_picked.alone == ["m2"]  # drawn, but not among the largest
    assert contracts.drawn == ["b"] and contracts.summed == ["a", "c", "d", "e"]
    note = chart_note([contracts, makers_picked], "destinations")
    assert note.startswith(
        "The 2 largest of 7 destinations (by their total over the horizon) are drawn one by one"
        " (1 contract and 1 maker), as is maker m2, the only other of its kind;"
    )
    assert "the other 4 contracts are summed" in note


def test_a_chart_never_gives_two_entities_of_a_kind_the_same_colour():
    from ndalloc.report.caps import MAX_ENTITIES
    from ndalloc.report.charts import SHADES, shade

    for kind in SHADES:
        drawn = [shade(kind, i) for i in range(MAX_ENTITIES + 1)]  # the most a kind draws
        assert len(set(drawn)) == len(drawn), kind


def test_tornado_draws_at_most_the_largest_swings():
    import pandas as pd

    from ndalloc.report.caps import MAX_TORNADO_BARS
    from ndalloc.report.sweeps import tornado_figure

    n = MAX_TORNADO_BARS + 5
    ranking = pd.DataFrame(
        {
            "parameter": [f"p{i}" for i in range(n)],
            "objective_usd_low": [-float(i) * 1e6 for i in range(n)],
            "objective_usd_high": [float(i) * 1e6 for i in range(n)],
            "objective_usd_swing": [2.0 * i * 1e6 for i in range(n)],
        }
    )
    figure = tornado_figure(ranking, 0.0)
    assert_valid_figure(figure, "tornado")
    names = figure["data"][0]["y"].tolist()
    assert len(names) == MAX_TORNADO_BARS
    assert names[-1] == f"p{n - 1}" and f"p{n - MAX_TORNADO_BARS - 1}" not in names


def test_parent_changes_loads_no_scenario_it_does_not_need(folders, monkeypatch):
    """A scenario.toml without `inherits` says "none" without loading the scenario; one whose
    inputs (with its parent's) are larger than MAX_DIFF_INPUT_BYTES is not loaded either."""
    import ndalloc.data.loader as loader
    import ndalloc.report.words as words

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the scenario was loaded")

    base, halt = manifest(folders.run), manifest(folders.halt)
    monkeypatch.setattr(loader, "load_scenario", refuse)
    none = parent_changes(base)
    assert none.known and none.summary == "none: the scenario does not inherit from another"
    monkeypatch.setattr(words, "MAX_DIFF_INPUT_BYTES", 1_000)
    big = parent_changes(halt)
    assert not big.known and big.rows == []
    assert big.summary.startswith("not listed: the scenario and india-base have")
    assert f"`ndalloc diff india-base {halt['scenario_origin']}`" in big.summary


# --- the objective term by term ----------------------------------------------------------------


def test_run_report_has_the_objective_waterfall(folders):
    text = page(folders.run / REPORT)
    (trace,) = figures(text)["chart-objective"]["data"]
    assert trace["type"] == "waterfall"
    assert trace["measure"][-1] == "total" and trace["x"][-1] == "objective"
    terms = {r["term"]: 0.0 for r in csv_rows(folders.run / "objective_terms.csv")}
    for r in csv_rows(folders.run / "objective_terms.csv"):
        terms[r["term"]] += float(r["value_pv_usd"])
    shown = {t: v / 1e6 for t, v in terms.items() if v != 0}
    assert trace["x"][:-1] == list(shown)
    assert trace["y"][:-1] == pytest.approx(list(shown.values()), abs=1e-3)
    objective = manifest(folders.run)["objective_usd"] / 1e6
    assert trace["y"][-1] == pytest.approx(objective)
    assert sum(trace["y"][:-1]) == pytest.approx(objective, abs=0.01)
    assert "magnet imports" in trace["x"] and "breach penalties" not in trace["x"]
    assert '<table id="objective-terms-table">' in text


def test_compare_report_says_why_the_objectives_differ(folders):
    text = page(folders.compare)
    assert "B (export-halt-2026) against A (india-base): -86.5 M USD in all:" in text
    assert "-149.0 M USD breach penalties" in text
    assert "+205.0 M USD magnet imports avoided" in text
    assert '<table id="terms-table">' in text


def test_jinja2_is_imported_only_to_render_a_page():
    """`import ndalloc` and the report package do not load jinja2; rendering a page does, once
    (one cached Environment)."""
    import subprocess
    import sys

    code = (
        "import sys, ndalloc, ndalloc.report, ndalloc.report.html as h\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported before rendering'\n"
        "from ndalloc.report.templating import environment\n"
        "h.para('a <b> & \\\"c\\\"')\n"
        "assert 'jinja2' in sys.modules and environment() is environment()\n"
        "assert h.para('<b>') == '<p>&lt;b&gt;</p>'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
