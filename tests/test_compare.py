"""Scenario diff (`ndalloc diff`), run comparison (`ndalloc compare`) and `ndalloc runs`.

The tiny scenarios are solved by hand. One year, no discounting, no imports:

- source s: capacity 100 t (scenario "small") or 200 t ("large"), cost 1,000 USD/t;
- contract k: no minimum, at most 80 t, price 5,000 USD/t;
- contract k2: minimum 5 t, at most 10 t, price 500 USD/t, breach penalty 10,000 USD/t;
- maker m: 80 t magnets, 0.5 t oxide per t magnet, conversion 10,000 USD/t magnet;
- sector d: 100 t magnets, shortage penalty 100,000 USD/t;
- stockpile p: must hold 10 t at year end (max 20), holding cost 100 USD/t.

Oxide goes first to the maker (a magnet saves 100,000 - 10,000 USD), which runs at capacity: 40 t
oxide, 80 t magnets, 20 t short. The stockpile takes its 10 t and k2 its minimum of 5 t (each
tonne short would cost 10,000, delivering one costs the oxide's value less 500). The rest is
exported to k at 5,000 USD/t:

- small: output 100 t (capacity binds), k gets 45 t. Oxide is worth 5,000 USD/t (k's price),
  capacity 4,000 (price less cost), maker capacity 100,000 - 10,000 - 0.5 x 5,000 = 87,500,
  k2's minimum -(5,000 - 500) = -4,500. Objective 45 x 5,000 + 5 x 500 - 100 x 1,000
  - 80 x 10,000 - 20 x 100,000 - 10 x 100 = -2,673,500 USD.
- large: k takes its 80 t (its maximum binds), output 135 t. Oxide is worth its cost, 1,000;
  capacity 0; maker capacity 100,000 - 10,000 - 500 = 89,500; k2's minimum -500. Objective
  80 x 5,000 + 2,500 - 135,000 - 800,000 - 2,000,000 - 1,000 = -2,533,500 USD.

So large - small: objective +140,000 USD, exports +35 t (k: +35 t), everything else equal.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import ndalloc
import ndalloc.comparison as compare_module
import ndalloc.runs
from cli_helpers import assert_no_traceback, cli_env, describe, flat, run_many, run_ndalloc
from ndalloc.comparison import RunFolderError, read_run, wide
from ndalloc.data.bundled import bundled_path
from ndalloc.runs import write_run
from ndalloc.solver.status import SolveOptions
from scenario_factory import write_scenario

SMALL_OBJECTIVE = -2_673_500.0
LARGE_OBJECTIVE = -2_533_500.0


def tiny(folder: Path, name: str, capacity: float, inject: float = 20) -> Path:
    return write_scenario(
        folder,
        {"name": name},
        sources=[{"source": "s", "year": 2025, "capacity_t": capacity, "cost_usd_per_t": 1000}],
        contracts=[
            {
                "contract": "k",
                "partner": "p",
                "year": 2025,
                "min_t": 0,
                "max_t": 80,
                "price_usd_per_t": 5000,
            },
            {
                "contract": "k2",
                "partner": "q",
                "year": 2025,
                "min_t": 5,
                "max_t": 10,
                "price_usd_per_t": 500,
                "breach_penalty_usd_per_t": 10000,
            },
        ],
        makers=[
            {
                "maker": "m",
                "year": 2025,
                "capacity_t": 80,
                "oxide_per_t": 0.5,
                "conversion_cost_usd_per_t": 10000,
            }
        ],
        demand=[
            {"sector": "d", "year": 2025, "demand_t": 100, "shortage_penalty_usd_per_t": 100000}
        ],
        stockpiles=[
            {
                "stockpile": "p",
                "year": 2025,
                "min_t": 10,
                "max_t": 20,
                "max_inject_t": inject,
                "max_release_t": 20,
                "holding_cost_usd_per_t": 100,
            }
        ],
    )


def solve_into(scenario: Path, runs: Path, started: datetime) -> Path:
    sc = ndalloc.load_scenario(scenario)
    result = ndalloc.solve(sc)
    return write_run(result, sc, SolveOptions(), runs, started)


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Runs of small, large and an infeasible variant (the stockpile cannot reach 10 t),
    started a day apart in that order; and the folder holding them ("dir")."""
    root = tmp_path_factory.mktemp("compare")
    runs = root / "runs"
    out = {"dir": runs}
    for day, (name, capacity, inject) in enumerate(
        [("small", 100, 20), ("large", 200, 20), ("stuck", 100, 5)], start=1
    ):
        scenario = tiny(root / name, name, capacity, inject)
        out[name] = solve_into(scenario, runs, datetime(2025, 1, day, 12, tzinfo=UTC))
    return out


@pytest.fixture(scope="module")
def tables(tiny_runs) -> dict[str, pd.DataFrame]:
    return ndalloc.compare(tiny_runs["small"], tiny_runs["large"], tiny_runs["stuck"])


def values(frame: pd.DataFrame, column: str, **keys: object) -> list[float]:
    """`column` of the rows matching `keys`, in row (run) order."""
    mask = pd.Series(True, index=frame.index)
    for name, value in keys.items():
        mask &= frame[name] == value
    return frame.loc[mask, column].tolist()


def same(got: list[float], expected: list[float]) -> bool:
    """Equal, NaN matching NaN."""
    return len(got) == len(expected) and all(
        (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e, abs=1e-6)
        for g, e in zip(got, expected, strict=True)
    )


# --- compare: values computed by hand ------------------------------------------------------


def test_summary_objectives_and_status(tiny_runs, tables):
    summary = tables["summary"]
    ids = [tiny_runs[n].name for n in ("small", "large", "stuck")]
    assert summary["run"].tolist() == ids
    assert summary["scenario"].tolist() == ["small", "large", "stuck"]
    assert summary["status"].tolist() == ["optimal", "optimal", "infeasible"]
    assert same(
        summary["objective_musd"].tolist(), [SMALL_OBJECTIVE / 1e6, LARGE_OBJECTIVE / 1e6, math.nan]
    )
    assert same(summary["diff_vs_first_musd"].tolist(), [0.0, 0.14, math.nan])


def test_allocation_differences(tables):
    allocation = tables["allocation"]
    assert list(allocation.columns) == [
        "run",
        "quantity",
        "unit",
        "year",
        "value_t",
        "diff_vs_first_t",
    ]
    assert list(dict.fromkeys(allocation["quantity"])) == [
        "exports",
        "to_makers",
        "to_stock",
        "unallocated",
        "oxide_imports",
        "magnet_imports",
        "magnet_shortage",
    ]
    expected = {  # quantity: (small, large), the infeasible run empty
        "exports": (50, 85),
        "to_makers": (40, 40),
        "to_stock": (10, 10),
        "unallocated": (0, 0),
        "oxide_imports": (0, 0),
        "magnet_imports": (0, 0),
        "magnet_shortage": (20, 20),
    }
    for quantity, (small, large) in expected.items():
        got = values(allocation, "value_t", quantity=quantity, year=2025)
        assert same(got, [small, large, math.nan]), quantity
        diffs = values(allocation, "diff_vs_first_t", quantity=quantity, year=2025)
        assert same(diffs, [0, large - small, math.nan]), quantity
    assert set(values(allocation, "unit", quantity="magnet_shortage")) == {"t magnet"}
    assert set(values(allocation, "unit", quantity="exports")) == {"t oxide"}


def test_stockpile_and_contracts(tables):
    stockpile = tables["stockpile"]
    assert same(values(stockpile, "value_t", stockpile="p", year=2025), [10, 10, math.nan])
    assert same(values(stockpile, "diff_vs_first_t", stockpile="p"), [0, 0, math.nan])
    contracts = tables["contracts"]
    cases = {("k", "export"): (45, 80), ("k", "breach"): (0, 0), ("k2", "export"): (5, 5)}
    cases[("k2", "breach")] = (0, 0)
    for (contract, quantity), (small, large) in cases.items():
        got = values(contracts, "value_t", contract=contract, quantity=quantity, year=2025)
        assert same(got, [small, large, math.nan]), (contract, quantity)
        diffs = values(contracts, "diff_vs_first_t", contract=contract, quantity=quantity)
        assert same(diffs, [0, large - small, math.nan]), (contract, quantity)


def test_shadow_prices(tables):
    prices = tables["shadow_prices"]
    cases = {  # (constraint, entity): (small, large), USD/t of 2025
        ("oxide_balance", ""): (5000, 1000),
        ("source_capacity", "s"): (4000, 0),
        ("maker_capacity", "m"): (87500, 89500),
        ("contract_min", "k2"): (-4500, -500),
        ("contract_min", "k"): (0, 0),  # no minimum: no constraint, value 0
    }
    assert len(prices) == 3 * len(cases)
    for (constraint, entity), (small, large) in cases.items():
        keys = {"constraint": constraint, "entity": entity, "year": 2025}
        assert same(values(prices, "value_usd_per_t", **keys), [small, large, math.nan])
        diffs = values(prices, "diff_vs_first_usd_per_t", **keys)
        assert same(diffs, [0, large - small, math.nan]), (constraint, entity)


def test_wide_view(tiny_runs, tables):
    small, large, stuck = (tiny_runs[n].name for n in ("small", "large", "stuck"))
    view = wide(tables["allocation"])
    assert list(view.columns) == [
        "quantity",
        "unit",
        "year",
        small,
        large,
        stuck,
        f"{large} - {small}",
        f"{stuck} - {small}",
    ]
    exports = view[view["quantity"] == "exports"].iloc[0]
    assert (exports[small], exports[large], exports[f"{large} - {small}"]) == (50, 85, 35)
    assert math.isnan(exports[stuck])


def test_runs_by_id_and_a_run_given_twice(tiny_runs):
    small = tiny_runs["small"].name
    got = ndalloc.compare(small, small, runs_dir=tiny_runs["dir"])
    assert got["summary"]["run"].tolist() == [small, f"{small}#2"]
    assert (got["allocation"]["diff_vs_first_t"] == 0).all()


def test_first_run_not_optimal_gives_empty_differences(tiny_runs):
    got = ndalloc.compare(tiny_runs["stuck"], tiny_runs["small"])
    assert got["summary"]["diff_vs_first_musd"].isna().all()
    exports = got["allocation"][got["allocation"]["quantity"] == "exports"]
    assert same(exports["value_t"].tolist(), [math.nan, 50])
    assert exports["diff_vs_first_t"].isna().all()


def test_only_non_optimal_runs(tiny_runs):
    got = ndalloc.compare(tiny_runs["stuck"], tiny_runs["stuck"])
    assert got["summary"]["status"].tolist() == ["infeasible", "infeasible"]
    for name in ("allocation", "stockpile", "contracts", "shadow_prices"):
        assert got[name].empty, name


# --- bad run folders -----------------------------------------------------------------------


def broken_runs(tiny_runs, root: Path) -> dict[str, Path]:
    """Things that are not complete runs, each with the words its error must contain."""
    root.mkdir(exist_ok=True)
    incomplete = root / ".incomplete-0123abcd"
    shutil.copytree(tiny_runs["small"], incomplete)
    no_manifest = root / "notes"
    no_manifest.mkdir()
    (no_manifest / "allocation.csv").write_text("year\n", encoding="utf-8")
    bad_json = root / "bad-json"
    bad_json.mkdir()
    (bad_json / "manifest.json").write_text("{not json", encoding="utf-8")
    no_table = root / "no-table"
    shutil.copytree(tiny_runs["small"], no_table)
    (no_table / "allocation.csv").unlink()
    garbled = root / "garbled"
    shutil.copytree(tiny_runs["small"], garbled)
    text = (garbled / "allocation.csv").read_text(encoding="utf-8")
    (garbled / "allocation.csv").write_text(text.replace("2025,", "twenty,"), encoding="utf-8")
    a_file = root / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    return {
        "incomplete run": incomplete,
        "no manifest.json": no_manifest,
        "cannot read": bad_json,
        "no allocation.csv": no_table,
        "cannot be read": garbled,
        "not a folder": a_file,
        "no run": root / "missing",
    }


def test_bad_run_folders_raise_clear_errors(tiny_runs, tmp_path):
    for words, path in broken_runs(tiny_runs, tmp_path).items():
        with pytest.raises(RunFolderError, match=words):
            ndalloc.compare(tiny_runs["small"], path)


def test_unknown_run_id_names_the_folder_searched(tiny_runs):
    with pytest.raises(RunFolderError, match=r"no run '20990101T000000Z-nothing-000000' in .*/;"):
        read_run("20990101T000000Z-nothing-000000", tiny_runs["dir"])


# --- list_runs -----------------------------------------------------------------------------


def test_list_runs_newest_first_skipping_incomplete(tiny_runs, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(tiny_runs["dir"], runs)
    broken = broken_runs(tiny_runs, runs)  # .incomplete-*, no manifest, bad manifest, ...
    for copy in ("no allocation.csv", "cannot be read"):  # readable manifests: listed
        shutil.rmtree(broken[copy])
    listed = ndalloc.list_runs(runs)
    assert listed["run"].tolist() == [tiny_runs[n].name for n in ("stuck", "large", "small")]
    assert listed["status"].tolist() == ["infeasible", "optimal", "optimal"]
    assert same(
        listed["objective_musd"].tolist(), [math.nan, LARGE_OBJECTIVE / 1e6, SMALL_OBJECTIVE / 1e6]
    )
    assert listed["scenario"].tolist() == ["stuck", "large", "small"]
    assert listed["started_at"].iloc[0] == pd.Timestamp("2025-01-03T12:00", tz="UTC")
    assert (listed["solve_s"] >= 0).all()
    assert listed.attrs["unreadable"] == ["bad-json"]


def test_list_runs_of_a_missing_folder(tmp_path):
    with pytest.raises(RunFolderError, match="no folder of runs"):
        ndalloc.list_runs(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    assert ndalloc.list_runs(tmp_path / "empty").empty


# --- diff ----------------------------------------------------------------------------------

PATCHES = """
[[patch]]
table = "contracts"
key = "japan-2012"
year = 2026
column = "max_t"
value = 250

[[patch]]
table = "sources"
key = "irel"
years = "2030-2031"
column = "capacity_t"
scale = 1.2
"""


def patched_india(folder: Path) -> Path:
    folder.mkdir(parents=True)
    parent = bundled_path("india-base")
    head = f'name = "patched"\ndescription = "two patches"\ninherits = "{parent}"\n'
    (folder / "scenario.toml").write_text(head + PATCHES, encoding="utf-8")
    return folder


def test_diff_lists_exactly_the_patched_cells(tmp_path):
    base = ndalloc.load_scenario("india-base")
    irel = {r.year: r.capacity_t for r in base.records("sources") if r.source == "irel"}
    japan = {r.year: r.max_t for r in base.records("contracts") if r.contract == "japan-2012"}
    found = ndalloc.diff("india-base", patched_india(tmp_path / "patched"))
    assert list(found.columns) == [
        "table",
        "key",
        "year",
        "column",
        "value_a",
        "value_b",
        "change",
        "change_pct",
        "kind",
    ]
    settings = found[found["kind"] == "setting"]
    assert settings["column"].tolist() == ["name", "description"]
    assert settings["value_b"].tolist() == ["patched", "two patches"]
    cells = found[found["kind"] != "setting"]
    assert set(cells["kind"]) == {"changed"}
    got = [(r.table, r.key, r.year, r.column) for r in cells.itertuples()]
    assert got == [
        ("sources", "irel", 2030, "capacity_t"),
        ("sources", "irel", 2031, "capacity_t"),
        ("contracts", "japan-2012", 2026, "max_t"),
    ]
    old = [irel[2030], irel[2031], japan[2026]]
    new = [irel[2030] * 1.2, irel[2031] * 1.2, 250.0]
    assert cells["value_a"].tolist() == old
    assert cells["value_b"].tolist() == new
    assert cells["change"].tolist() == pytest.approx([b - a for a, b in zip(old, new, strict=True)])
    assert cells["change_pct"].tolist() == pytest.approx(
        [100 * (b - a) / a for a, b in zip(old, new, strict=True)]
    )
    assert cells["change_pct"].tolist() == pytest.approx(
        [20, 20, 100 * (250 - japan[2026]) / japan[2026]]
    )


def test_diff_of_a_scenario_with_itself_is_empty():
    sc = ndalloc.load_scenario("india-base")
    assert ndalloc.diff(sc, sc).empty
    assert ndalloc.diff("india-base", bundled_path("india-base"), citations=True).empty


def test_diff_rows_only_in_one_scenario_and_citations(tmp_path):
    a = tiny(tmp_path / "a", "a", 100)
    b = write_scenario(
        tmp_path / "b",
        {"name": "a", "first_year": 2025, "discount_rate": 0.05},
        sources=[
            {"source": "s", "year": 2025, "capacity_t": 100, "cost_usd_per_t": 1000},
            {"source": "t", "year": 2025, "capacity_t": 7, "cost_usd_per_t": 900},
        ],
        demand=[
            {
                "sector": "d",
                "year": 2025,
                "demand_t": 100,
                "shortage_penalty_usd_per_t": 100000,
                "citation": "a new source",
            }
        ],
    )
    found = ndalloc.diff(a, b)
    setting = found[found["kind"] == "setting"]
    assert setting[["column", "value_a", "value_b", "change"]].values.tolist() == [
        ["discount_rate", 0.0, 0.05, 0.05]
    ]
    only_b = found[found["kind"] == "only_in_b"]
    assert only_b[["table", "key", "year"]].values.tolist() == [["sources", "t", 2025]]
    assert only_b["value_b"].iat[0] == "capacity_t=7, min_output_t=0, cost_usd_per_t=900"
    assert pd.isna(only_b["column"].iat[0]) and pd.isna(only_b["value_a"].iat[0])
    only_a = found[found["kind"] == "only_in_a"]
    assert sorted(map(tuple, only_a[["table", "key"]].values.tolist())) == [
        ("contracts", "k"),
        ("contracts", "k2"),
        ("makers", "m"),
        ("stockpiles", "p"),
    ]
    assert "citation" not in set(found["column"].dropna())
    with_citations = ndalloc.diff(a, b, citations=True)
    cited = with_citations[with_citations["column"] == "citation"]
    assert cited[["table", "key", "value_a", "value_b"]].values.tolist() == [
        ["demand", "d", "", "a new source"]
    ]


def test_diff_of_an_invalid_scenario_raises(tmp_path):
    with pytest.raises(ndalloc.ScenarioError):
        ndalloc.diff("india-base", tmp_path / "nothing-here")


# --- import weight and the compare name ----------------------------------------------------


def test_compare_and_diff_do_not_load_pyomo():
    code = (
        "import sys, ndalloc.comparison, ndalloc.data.diff, ndalloc.cli\n"
        "heavy = [m for m in ('pyomo', 'highspy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_ndalloc_compare_is_the_function_after_importing_the_module(tiny_runs):
    """The module is `ndalloc.comparison`, so `ndalloc.compare` stays the function."""
    assert ndalloc.compare is compare_module.compare
    got = ndalloc.compare(tiny_runs["small"], tiny_runs["large"])
    assert set(got) == {
        "summary",
        "objective_terms",
        "explanation",
        "allocation",
        "stockpile",
        "contracts",
        "shadow_prices",
    }


def test_run_folder_constants_match_the_writer():
    assert compare_module.MANIFEST == ndalloc.runs.MANIFEST
    assert compare_module.INCOMPLETE_PREFIX == ndalloc.runs.INCOMPLETE_PREFIX


# --- the installed command -----------------------------------------------------------------


@pytest.fixture(scope="module")
def cli(tiny_runs, tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every command of these tests, run side by side (each starts a Python)."""
    cwd = tmp_path_factory.mktemp("cli")
    patched = patched_india(cwd / "patched")
    bad = write_scenario(cwd / "bad", sources=[{"source": "s", "year": 2025}])
    shutil.copytree(tiny_runs["dir"], cwd / "runs")
    broken = broken_runs(tiny_runs, cwd / "runs")
    small, large, stuck = (tiny_runs[n].name for n in ("small", "large", "stuck"))
    calls = {
        "diff_same": ["diff", "india-base", "india-base"],
        "diff_patched": ["diff", "india-base", patched],
        "diff_bad": ["diff", "india-base", bad],
        "compare": ["compare", small, large, stuck],
        "compare_changed": ["compare", small, large, "--changed"],
        "compare_incomplete": ["compare", small, broken["incomplete run"]],
        "compare_not_a_run": ["compare", small, broken["no manifest.json"]],
        "compare_missing": ["compare", small, "no-such-run"],
        "compare_garbled": ["compare", small, broken["cannot be read"]],
        "compare_one": ["compare", small],
        "runs": ["runs"],
        "runs_missing": ["runs", "--dir", cwd / "nothing"],
    }
    procs = run_many([(args, cwd) for args in calls.values()], workers=4)
    return dict(zip(calls, procs, strict=True))


def test_cli_diff(cli):
    same_proc = cli["diff_same"]
    assert same_proc.returncode == 0, describe(same_proc)
    assert "no differences" in same_proc.stdout
    proc = cli["diff_patched"]
    assert proc.returncode == 0, describe(proc)
    text = flat(proc.stdout)
    assert "contracts.csv: 1 changed cell(s)" in text
    assert "sources.csv: 2 changed cell(s)" in text
    assert "japan-2012 max_t 2026 265 250 -15 -5.7" in text
    assert "irel capacity_t 2030 1,200 1,440 +240 +20.0" in text
    assert "irel capacity_t 2031 1,260 1,512 +252 +20.0" in text
    assert "5 difference(s)" in text  # name, description and three cells


def test_cli_diff_of_an_invalid_scenario_exits_2(cli):
    proc = cli["diff_bad"]
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert "invalid scenario" in proc.stderr


def test_cli_compare(cli, tiny_runs):
    proc = cli["compare"]
    assert proc.returncode == 0, describe(proc)
    assert_no_traceback(proc)
    text = flat(proc.stdout)
    assert f"A {tiny_runs['small'].name} optimal -2.7 " in text
    assert f"B {tiny_runs['large'].name} optimal -2.5 +0.1" in text
    assert f"C {tiny_runs['stuck'].name} infeasible" in text
    assert "exports (t oxide) 2025 50 85 +35" in text
    assert "oxide 2025 5,000 1,000 -4,000" in text
    assert "maker capacity: m 2025 87,500 89,500 +2,000" in text
    assert "contract minimum: k2 2025 -4,500 -500 +4,000" in text
    assert "k export 2025 45 80 +35" in text


def test_cli_compare_changed_only(cli):
    proc = cli["compare_changed"]
    assert proc.returncode == 0, describe(proc)
    text = flat(proc.stdout)
    assert "exports (t oxide) 2025 50 85 +35" in text
    assert "to makers (t oxide) 2025" not in text
    assert "the same in every run: to makers (t oxide), to stock (t oxide)" in text


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("compare_incomplete", "incomplete run"),
        ("compare_not_a_run", "no manifest.json"),
        ("compare_missing", "no run 'no-such-run' in runs/; see `ndalloc runs`"),
        ("compare_garbled", "cannot be read"),
        ("compare_one", "at least two runs"),
        ("runs_missing", "no folder of runs"),
    ],
)
def test_cli_bad_runs_exit_2(cli, name, words):
    proc = cli[name]
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert words in flat(proc.stderr), describe(proc)


def test_cli_runs_lists_newest_first(cli, tiny_runs):
    proc = cli["runs"]
    assert proc.returncode == 0, describe(proc)
    ids = [tiny_runs[n].name for n in ("stuck", "large", "small")]
    positions = [proc.stdout.find(i) for i in ids]
    assert -1 not in positions and positions == sorted(positions), proc.stdout
    assert ".incomplete" not in proc.stdout and "notes" not in proc.stdout
    assert "-2.5" in proc.stdout and "2025-01-02 12:00" in proc.stdout
    assert "skipped" in proc.stderr and "bad-json" in proc.stderr


@pytest.mark.parametrize("name", ["diff_patched", "compare", "runs"])
def test_cli_tables_fit_100_columns(cli, name):
    """Piped output is laid out for 100 columns, without cutting any cell."""
    proc = cli[name]
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100, proc.stdout
    assert "…" not in proc.stdout, proc.stdout


def test_cli_help_lists_the_commands(tmp_path):
    proc = run_ndalloc("--help", cwd=tmp_path, env=cli_env())
    assert proc.returncode == 0, describe(proc)
    for word in ("diff", "compare", "runs"):
        assert word in proc.stdout


# --- the objective term by term ----------------------------------------------------------------


def test_compare_explains_the_difference_term_by_term(tmp_path):
    for name in ("india-base", "export-halt-2026"):
        proc = run_ndalloc("solve", name, "--no-reports", "--out", tmp_path / "runs", cwd=tmp_path)
        assert proc.returncode == 0, describe(proc)
    base, halt = sorted((tmp_path / "runs").iterdir(), key=lambda p: "halt" in p.name)
    tables = ndalloc.compare(base, halt)
    terms = tables["objective_terms"].set_index(["run", "term"])["diff_vs_first_musd"]
    # export-halt-2026 against india-base: 241 t a year breached 2026-2035 at 88,000 USD/t.
    assert terms[halt.name, "breach penalties"] == pytest.approx(-148.956, abs=1e-3)
    assert terms[halt.name].sum() == pytest.approx(
        tables["summary"]["diff_vs_first_musd"].iloc[1], abs=1e-6
    )
    (sentence,) = tables["explanation"]["sentence"]
    assert sentence.startswith("B (export-halt-2026) against A (india-base): -86.5 M USD in all:")
    assert "-149.0 M USD breach penalties" in sentence
    assert "-49.7 M USD export revenue lost" in sentence
    proc = run_ndalloc("compare", base, halt, cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert sentence in flat(proc.stdout)
    assert "breach penalties 0.0 -149.0 -149.0" in flat(proc.stdout)
