"""Ties (alternative optima): found, named with their years, said in the summary and the report,
and not invented where the optimum is unique (ndalloc.results.ties, docs/formulation.md "Ties").

Hand-solved instances, discount rate 0:

- two identical makers (500 t magnet capacity, 0.5 t oxide per t, 5,000 USD/t) share 100 t of
  oxide a year (1,000 USD/t) for a sector that needs 1,000 t (shortage 100,000 USD/t): 200 t
  of magnets are made, split between the makers any way, and 800 t are short;
- one maker (100 t) serves two sectors of 100 t with the same shortage penalty (50,000 USD/t):
  which sector gets the 100 t, and which goes short, is a tie.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ndalloc
import ndalloc.results.ties
from cli_helpers import flat
from hand_solved import Y1, Y2, Y3, approx, horizon, maker, primal, sector, solve_optimal, source
from ndalloc.cli.commands import app
from ndalloc.report import report_html
from ndalloc.report.html import esc
from ndalloc.results.tie_words import COLUMNS, names_text, years_text
from scenario_factory import write_scenario

YEARS = (Y1, Y2, Y3)


def two_makers(cost_b: float = 5000.0) -> dict[str, list[dict]]:
    return {
        "sources": [source("irel", y, cap=100, cost=1000) for y in YEARS],
        "makers": [maker("a", y, cap=500, ratio=0.5, cost=5000) for y in YEARS]
        + [maker("b", y, cap=500, ratio=0.5, cost=cost_b) for y in YEARS],
        "demand": [sector("ev", y, demand=1000, penalty=100_000) for y in YEARS],
    }


def two_sectors(penalty_y: float = 50_000.0) -> dict[str, list[dict]]:
    years = (Y1, Y2)
    return {
        "sources": [source("irel", y, cap=1000, cost=100) for y in years],
        "makers": [maker("m", y, cap=100, ratio=0.5, cost=5000) for y in years],
        "demand": [sector("x", y, demand=100, penalty=50_000) for y in years]
        + [sector("y", y, demand=100, penalty=penalty_y) for y in years],
    }


#: Per year: 100 t oxide at 1,000, 200 t magnets at 5,000, 800 t short at 100,000.
MAKERS_OBJECTIVE = 3 * -(100 * 1000 + 200 * 5000 + 800 * 100_000)
#: Per year: 50 t oxide at 100, 100 t magnets at 5,000, 100 t short at 50,000.
SECTORS_OBJECTIVE = 2 * -(50 * 100 + 100 * 5000 + 100 * 50_000)


def test_identical_makers_are_reported_interchangeable_with_their_years(tmp_path):
    res = solve_optimal(tmp_path, two_makers(), horizon(3))
    assert res.objective == approx(MAKERS_OBJECTIVE)
    for y in YEARS:  # 200 t of magnets a year, split somehow
        made = primal(res, "make", maker="a", year=y) + primal(res, "make", maker="b", year=y)
        assert made == approx(200.0)
    ties = res.ties
    assert list(ties.columns) == COLUMNS
    assert len(ties) == 1, ties
    tie = ties.iloc[0]
    assert (tie["family"], tie["entities"], tie["years"]) == ("make", "a, b", "2025-2027")
    assert (tie["first_year"], tie["last_year"]) == (Y1, Y3)
    assert tie["kind"] == "interchangeable"
    assert bool(tie["confirmed"]) is True
    assert tie["reduced_cost_pv_usd_per_t"] == 0.0
    assert tie["sentence"].startswith(
        "Magnet making: a and b are interchangeable in 2025-2027 (the same cost per tonne"
    )
    assert "one of many with the same benefit" in tie["sentence"]
    assert res.ties_checked.startswith("a second solve in ")


def test_a_maker_one_dollar_cheaper_is_no_tie(tmp_path):
    res = solve_optimal(tmp_path, two_makers(cost_b=4999.0), horizon(3))
    # b makes all 200 t a year, 1 USD/t cheaper than before.
    assert res.objective == approx(MAKERS_OBJECTIVE + 3 * 200 * 1.0)
    for y in YEARS:
        assert primal(res, "make", maker="b", year=y) == approx(200.0)
        assert primal(res, "make", maker="a", year=y) == approx(0.0)
    assert res.ties.empty
    assert list(res.ties.columns) == COLUMNS
    assert "ties" in res.tables()  # written without rows: "no tie"


def test_a_difference_below_the_tolerance_is_a_tie(tmp_path):
    # The tolerance is 1e-7 x the largest |cost| (100,000 here): 0.01 USD/t. b is cheaper by
    # 0.001 USD/t, which changes the objective by at most 200 t x 0.001 USD/t a year.
    res = solve_optimal(tmp_path, two_makers(cost_b=5000.0 - 0.001), horizon(3))
    assert res.objective == pytest.approx(MAKERS_OBJECTIVE + 3 * 200 * 0.001, abs=1e-6)
    assert res.ties["entities"].tolist() == ["a, b"]


def test_sectors_with_the_same_penalty_competing_for_short_magnets(tmp_path):
    res = solve_optimal(tmp_path, two_sectors(), horizon(2))
    assert res.objective == approx(SECTORS_OBJECTIVE)
    for y in (Y1, Y2):
        got = [primal(res, "deliver_domestic", sector=s, year=y) for s in ("x", "y")]
        assert sum(got) == approx(100.0)
    ties = res.ties.set_index("family")
    assert list(ties.index) == ["deliver_domestic", "shortage"]
    for family in ties.index:
        assert ties.loc[family, "entities"] == "x, y"
        assert ties.loc[family, "years"] == "2025-2026"
        assert ties.loc[family, "kind"] == "interchangeable"
    assert ties.loc["deliver_domestic", "sentence"].startswith(
        "Domestic magnets: which of x and y receive them in 2025-2026"
    )
    assert ties.loc["shortage", "sentence"].startswith(
        "Magnet shortage: which of x and y goes short in 2025-2026 is not decided (the same"
        " shortage penalty)"
    )


def test_sectors_with_different_penalties_are_no_tie(tmp_path):
    res = solve_optimal(tmp_path, two_sectors(penalty_y=50_001.0), horizon(2))
    assert res.objective == approx(SECTORS_OBJECTIVE)  # y is served, x goes short at 50,000
    for y in (Y1, Y2):
        assert primal(res, "deliver_domestic", sector="y", year=y) == approx(100.0)
        assert primal(res, "shortage", sector="x", year=y) == approx(100.0)
    assert res.ties.empty


def test_the_plain_path_finds_the_same_ties(tmp_path):
    folder = write_scenario(tmp_path / "makers", horizon(3), **two_makers())
    fast, plain = ndalloc.solve(folder), ndalloc.solve(folder, plain=True)
    pd.testing.assert_frame_equal(fast.ties, plain.ties)
    assert fast.ties_checked == plain.ties_checked


def test_above_the_size_limit_ties_come_from_reduced_costs_unconfirmed(tmp_path, monkeypatch):
    monkeypatch.setattr(ndalloc.results.ties, "CHECK_MAX_SIZE", 0)
    res = solve_optimal(tmp_path, two_makers(), horizon(3))
    assert res.ties_checked.startswith("reduced costs only (the LP has ")
    assert res.ties[["family", "entities", "years"]].values.tolist() == [
        ["make", "a, b", "2025-2027"]
    ]
    assert not res.ties["confirmed"].any()
    assert res.ties["sentence"].iat[0].endswith("not confirmed by a second solve.")
    assert solve_optimal(tmp_path, two_makers(cost_b=4999.0), horizon(3)).ties.empty


@pytest.fixture(scope="module")
def india() -> ndalloc.RunResult:
    res = ndalloc.solve("india-base")
    assert res.optimal
    return res


def test_india_base_reports_midwest_and_repm_scheme_where_they_tie(india):
    make = india.variables["make"]
    midwest = make[make["maker"] == "midwest"].set_index("year")["value_t"]
    scheme = make[make["maker"] == "repm-scheme"].set_index("year")["value_t"]
    # The vertex HiGHS returns: from 2030 repm-scheme makes everything, midwest nothing.
    assert (midwest.loc[2030:] == 0).all() and (scheme.loc[2030:] > 0).all()
    # Both run from 2029 at the same costs (25,000 USD/t, 0.37 t oxide per t); before 2029
    # midwest is the only maker.
    ties = india.ties.set_index("family")
    assert ties.loc["make", "entities"] == "midwest, repm-scheme"
    assert ties.loc["make", "years"] == "2029-2035"
    assert ties.loc["make", "sentence"].startswith(
        "Magnet making: midwest and repm-scheme are interchangeable in 2029-2035"
    )
    # Imports fill every sector's demand, so which sectors get the domestic magnets is open
    # from 2026, the first year with a maker.
    assert ties.loc["deliver_domestic", "entities"] == "defence, electronics-industry, ev, wind"
    assert ties.loc["deliver_domestic", "years"] == "2026-2035"
    assert list(ties.index) == ["make", "deliver_domestic"]  # deliver_import mirrors it
    assert ties["confirmed"].all()


def test_run_folder_summary_and_report_say_the_ties(tmp_path, india):
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["solve", "india-base", "--out", str(runs)])
    assert result.exit_code == 0, result.output
    (folder,) = runs.iterdir()
    written = pd.read_csv(folder / "ties.csv")
    assert list(written.columns) == COLUMNS
    assert written["sentence"].tolist() == india.ties["sentence"].tolist()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "ties.csv" in manifest["tables"]
    assert manifest["ties_checked"] == india.ties_checked
    printed = flat(result.output)
    assert f"Alternative optima (checked by {india.ties_checked})" in printed
    for sentence in india.ties["sentence"]:
        assert flat(sentence) in printed
    page = (folder / "report.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="ties">') :]
    section = section[: section.index("</section>")]
    assert "<h2>Alternative optima</h2>" in section
    for sentence in india.ties["sentence"]:
        assert f"<li>{esc(sentence)}</li>" in section


def test_a_unique_optimum_is_said_unique(tmp_path):
    folder = write_scenario(tmp_path / "cheaper", horizon(3), **two_makers(cost_b=4999.0))
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["solve", str(folder), "--out", str(runs)])
    assert result.exit_code == 0, result.output
    assert "Alternative optima: none, the allocation is unique" in flat(result.output)
    (run,) = runs.iterdir()
    assert pd.read_csv(run / "ties.csv").empty
    assert "None: the allocation is the only best one" in (run / "report.html").read_text()
    (run / "ties.csv").unlink()  # a run from before ties were looked for: none listed
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["tables"] = [t for t in manifest["tables"] if t != "ties.csv"]
    (run / "manifest.json").write_text(json.dumps(manifest))
    assert "This run was not checked for ties" in report_html(run)


def test_years_and_names_in_words():
    assert years_text([2030, 2029, 2031, 2035]) == "2029-2031, 2035"
    assert years_text([2025]) == "2025"
    assert names_text(["a"]) == "a"
    assert names_text(["a", "b"]) == "a and b"
    assert names_text(["a", "b", "c"]) == "a, b and c"
    assert names_text([f"s{i}" for i in range(10)]) == "s0, s1, s2, s3, s4, s5 and 4 more"


def test_detection_is_vectorised_on_a_generated_scenario(tmp_path):
    """Above the size limit there is no second solve and no per-member Python: the generated
    S size with the limit at 0 takes well under a second (L, 880,000 columns and rows: about
    0.3 s)."""
    import time

    from ndalloc.data.generate import SIZES, generate
    from ndalloc.lp.build import build_lp
    from ndalloc.results.ties import find_ties
    from ndalloc.solver.highs import read_solution, solve_model

    built = build_lp(ndalloc.load_scenario(generate(SIZES["S"], 1, Path(tmp_path) / "s")))
    outcome = solve_model(built)
    solution = read_solution(outcome.highs)
    start = time.perf_counter()
    found = find_ties(built, outcome, solution, max_size=0)
    assert time.perf_counter() - start < 1.0
    assert found.checked.startswith("reduced costs only")
    checked = find_ties(built, outcome, solution)
    assert checked.checked.startswith("a second solve")
    # Here reduced costs alone find what the second solve confirms: the sectors' magnets.
    named = ["family", "entities", "years", "kind"]
    pd.testing.assert_frame_equal(found.table[named], checked.table[named])
    assert checked.table["family"].tolist() == ["deliver_domestic"]
