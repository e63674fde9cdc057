"""ranges.csv: a plausible range of any numeric input, validated like every input, inherited
like every table, and moved by the tornado and Monte Carlo beside the rows' own low/high.

The hand-solved instance (one year, no discounting): source a makes up to 1,000 t of oxide at
100 USD/t (range 800-1,200 t); maker m turns 1 t of oxide into 1 t of magnet at no cost, up to
1,000 t; sector d needs 1,000 t of magnets, 1,000 USD/t short; contract k (min 400 t, max 600 t,
price 300 USD/t, breach penalty 1,000 USD/t) is halted. So every tonne goes to the maker, no
magnet is short, and the 400 t minimum is breached: objective -100,000 - 400 x 1,000 = -500,000.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, run_ndalloc
from hand_solved import Y1, Y2, Y3, contract, maker, sector, source
from ndalloc.data.provenance import provenance_rows
from ndalloc.sensitivity import run_sweep
from scenario_factory import Expect, write_scenario

PENALTY = "contracts.breach_penalty_usd_per_t[k]"
OXIDE = "makers.oxide_per_t"
CAPACITY = "sources.capacity_t[a]"


def halted(folder: Path, ranges: list[dict[str, Any]], years: tuple[int, ...] = (Y1,)) -> Path:
    """The instance above, over `years` (each year the same), with `ranges` as ranges.csv."""
    tables: dict[str, list[dict[str, Any]]] = {
        "sources": [{**source("a", y, 1000, 100), "low": 800, "high": 1200} for y in years],
        "contracts": [
            {**contract("k", y, 600, 300, min_t=400, penalty=1000), "halted": "true"} for y in years
        ],
        "makers": [maker("m", y, 1000, 1.0, 0) for y in years],
        "demand": [sector("d", y, 1000, 1000) for y in years],
    }
    if ranges:
        tables["ranges"] = ranges
    return write_scenario(folder, {"last_year": years[-1]}, **tables)


def rng(parameter: str, low: Any, high: Any, citation: str = "test") -> dict[str, Any]:
    return {"parameter": parameter, "low": low, "high": high, "citation": citation}


# --- tornado and Monte Carlo ---------------------------------------------------------------


def test_tornado_moves_ranges_of_any_column_by_hand(tmp_path):
    folder = halted(tmp_path / "s", [rng(PENALTY, 500, 1500), rng(OXIDE, 0.5, 2)])
    result = run_sweep(folder, tornado_on=True)
    base = result.table.set_index("side").loc["base", "objective_usd"]
    assert base == -500_000.0
    ranked = result.ranking.set_index("parameter")
    # The penalty on the 400 t breached: 400 x 500 or 400 x 1,500, plus 100,000 of output.
    penalty = ranked.loc[PENALTY]
    assert (penalty["objective_usd_low"], penalty["objective_usd_high"]) == (-300_000, -700_000)
    assert penalty["objective_usd_swing"] == 400_000
    # 0.5 t of oxide per t: 500 t of oxide make the 1,000 t of magnets (output 50,000);
    # 2 t per t: 1,000 t of oxide make 500 t, 500 t short (100,000 + 500,000).
    oxide = ranked.loc[OXIDE]
    assert (oxide["objective_usd_low"], oxide["objective_usd_high"]) == (-450_000, -1_000_000)
    # The rows' own low/high still count: 800 t of oxide leave 200 t of magnets short.
    capacity = ranked.loc[CAPACITY]
    assert (capacity["objective_usd_low"], capacity["objective_usd_high"]) == (-680_000, -500_000)
    assert ranked.index.tolist() == [OXIDE, PENALTY, CAPACITY]


def test_tornado_by_percent_moves_ranged_columns_too(tmp_path):
    folder = halted(tmp_path / "s", [rng(PENALTY, 500, 1500)])
    ranked = run_sweep(folder, tornado_on=True, tornado_pct=10).ranking.set_index("parameter")
    penalty = ranked.loc[PENALTY]
    assert (penalty["objective_usd_low"], penalty["objective_usd_high"]) == (-460_000, -540_000)
    assert "demand.demand_t[d]" in ranked.index  # every main value, ranged or not


def test_monte_carlo_draws_explicit_ranges_triangular(tmp_path):
    def triangular(u: float, low: float, mode: float, high: float) -> float:
        split = (mode - low) / (high - low)
        if u < split:
            return low + ((u * (high - low) * (mode - low)) ** 0.5)
        return high - (((1 - u) * (high - low) * (high - mode)) ** 0.5)

    folder = halted(tmp_path / "s", [rng(PENALTY, 500, 1500)], years=(Y1, Y2))
    table = ndalloc.sweep(folder, monte_carlo_n=10, seed=5)
    for _, draw in table.iterrows():
        penalty = triangular(draw[f"u:{PENALTY}"], 500, 1000, 1500)
        # the rows' own ranges are drawn as well: capacity 800-1,200 t around 1,000 t
        capacity = triangular(draw[f"u:{CAPACITY}"], 800, 1000, 1200)
        year = -100 * min(capacity, 1000) - 1000 * max(0, 1000 - capacity) - 400 * penalty
        # both years move together: one quantile per parameter
        assert draw["objective_usd"] == pytest.approx(2 * year, rel=1e-9)


def test_india_base_ranges_the_decisive_assumptions():
    sc = ndalloc.load_scenario("india-base")
    ranges = {r["parameter"]: r for r in sc.table("ranges").frame().to_dict("records")}
    assert set(ranges) == {
        "contracts.breach_penalty_usd_per_t[japan-2012]",
        "demand.shortage_penalty_usd_per_t[ev]",
        "demand.shortage_penalty_usd_per_t[wind]",
        "demand.shortage_penalty_usd_per_t[electronics-industry]",
        "demand.shortage_penalty_usd_per_t[defence]",
        "makers.oxide_per_t",
    }
    # parameters.md: oxide needed per tonne of finished magnet 0.33 / 0.37 / 0.45
    assert (ranges["makers.oxide_per_t"]["low"], ranges["makers.oxide_per_t"]["high"]) == (
        0.33,
        0.45,
    )
    assert all(r["citation"] for r in ranges.values())
    assert "estimate" in ranges["contracts.breach_penalty_usd_per_t[japan-2012]"]["citation"]
    from ndalloc.sensitivity.points import tornado

    labels = {p.inputs["parameter"] for p in tornado(sc)}
    assert set(ranges) <= labels
    listed = [r for r in provenance_rows(sc) if r["parameter"] == "oxide_per_t"]
    assert [(r["value"], r["low"], r["high"]) for r in listed] == [(0.37, 0.33, 0.45)]


# --- validation ----------------------------------------------------------------------------

BAD_RANGES = [
    rng("pies.x", 1, 2),
    rng("contracts.partner[k]", 1, 2),
    rng("contracts.breach_penalty_usd_per_t[nope]", 0, 2000),
    rng(OXIDE, 2, 1),
    rng("demand.shortage_penalty_usd_per_t[d]", 2000, 3000),
    rng(CAPACITY, 500, 1500),
    rng("demand.shortage_penalty_usd_per_t", 0, 5000),
    rng("makers.oxide_per_t[m]", 0, 2),
    rng("makers.conversion_cost_usd_per_t", "abc", 2),
    rng("stockpile_initial.initial_t[x@2025]", 0, 1),
    rng("contracts.breach_penalty_usd_per_t[k/extra]", 0, 1),
]
BAD_EXPECT = [
    Expect("ranges.csv", 2, "parameter", "unknown table 'pies'"),
    Expect("ranges.csv", 3, "parameter", "contracts has no numeric input 'partner'"),
    Expect("ranges.csv", 4, "parameter", "matches no row of contracts.csv for key nope"),
    Expect("ranges.csv", 5, "low", "low (2) is above high (1)"),
    Expect(
        "ranges.csv",
        6,
        "low",
        "shortage_penalty_usd_per_t lies below the range's low (2000): (d, 2025) is 1000"
        " (demand.csv:2)",
    ),
    Expect("ranges.csv", 7, "parameter", "whose rows carry their own low/high (sources.csv:2)"),
    Expect("ranges.csv", 8, "parameter", "names cells that the range on line 6 names too"),
    Expect("ranges.csv", 9, "low", "low 0 cannot be a oxide_per_t: Input should be greater than 0"),
    Expect("ranges.csv", 10, "low", "got 'abc'"),
    Expect("ranges.csv", 11, "parameter", "stockpile_initial has no year column"),
    Expect("ranges.csv", 12, "parameter", "contracts rows are keyed by contract"),
]


def test_every_bad_range_is_reported_at_once(tmp_path):
    folder = halted(tmp_path / "s", BAD_RANGES)
    with pytest.raises(ndalloc.ScenarioError) as caught:
        ndalloc.load_scenario(folder)
    found = list(caught.value.issues)
    for expect in BAD_EXPECT:
        assert any(expect.matches(i) for i in found), (expect, found)
    assert len(found) == len(BAD_EXPECT), found
    proc = run_ndalloc("validate", folder, cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert "ranges.csv:6: low: shortage_penalty_usd_per_t lies below" in proc.stderr


def test_a_range_that_holds_its_cells_is_valid(tmp_path):
    folder = halted(tmp_path / "s", [rng(PENALTY, 1000, 1000), rng(OXIDE, 0.37, 1.2)])
    sc = ndalloc.load_scenario(folder)
    assert sc.table("ranges").values("parameter") == [PENALTY, OXIDE]


# --- inheritance ---------------------------------------------------------------------------

CHILD = 'name = "child"\ndescription = "a child"\ninherits = "../parent"\n'


def child(folder: Path, toml: str = "", **files: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "scenario.toml").write_text(CHILD + toml, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


PATCH_2026 = """
[[patch]]
table = "contracts"
key = "k"
year = 2026
column = "breach_penalty_usd_per_t"
value = 0
"""


def test_a_patch_moving_a_cell_outside_its_range_leaves_it_out(tmp_path):
    halted(tmp_path / "parent", [rng(PENALTY, 500, 1500)], years=(Y1, Y2, Y3))
    folder = child(tmp_path / "child", PATCH_2026)
    sc = ndalloc.load_scenario(folder)
    ranges = sc.table("ranges")
    assert ranges.values("parameter") == [
        "contracts.breach_penalty_usd_per_t[k@2025]",
        "contracts.breach_penalty_usd_per_t[k@2027]",
    ]
    assert ranges.locations == (("parent/ranges.csv", 2), ("parent/ranges.csv", 2))
    # The resolved child, written out, reads back the same (its ranges hold their cells).
    proc = run_ndalloc("show", folder, "--to", tmp_path / "resolved", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    again = ndalloc.load_scenario(tmp_path / "resolved")
    assert again.table("ranges").values("parameter") == ranges.values("parameter")


def test_an_inherited_range_checks_the_childs_own_table(tmp_path):
    halted(tmp_path / "parent", [rng(PENALTY, 500, 1500)])
    contracts = (
        "contract,partner,year,min_t,max_t,price_usd_per_t,breach_penalty_usd_per_t\n"
        "k,p,2025,400,600,300,0\n"
    )
    with pytest.raises(ndalloc.ScenarioError) as caught:
        ndalloc.load_scenario(child(tmp_path / "child", **{"contracts.csv": contracts}))
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.column) == ("parent/ranges.csv", 2, "low")
    assert "(k, 2025) is 0 (contracts.csv:2)" in issue.message
    # A ranges.csv of the child's own replaces the parent's whole.
    own = "parameter,low,high,citation\ncontracts.breach_penalty_usd_per_t[k],0,100,child\n"
    files = {"contracts.csv": contracts, "ranges.csv": own}
    sc = ndalloc.load_scenario(child(tmp_path / "child2", **files))
    assert sc.table("ranges").values("citation") == ["child"]
