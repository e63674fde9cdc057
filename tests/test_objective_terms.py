"""The objective term by term: hand-solved values, the terminal value of stock, and the terms
adding up to the objective of every bundled scenario (both build paths)."""

from __future__ import annotations

import pytest

import ndalloc
from hand_solved import (
    Y1,
    Y2,
    Tables,
    approx,
    contract,
    dual,
    dual_pv,
    horizon,
    maker,
    objective_change,
    offer,
    primal,
    sector,
    solve_optimal,
    source,
    stockpile,
)
from ndalloc.lp.objective import TERM_NAMES
from ndalloc.results.terms import TERM_COLUMNS, term_totals

#: One year in which every priced family but stock moves. Magnets: demand 10, maker m makes at
#: most 8 (1 t oxide each, conversion 50), 1 t can be imported at 900, so 1 t is short at 1000
#: and a magnet is worth 1000. Oxide: 10 t from a at 100 and 2 t imported at 150. The contract
#: asks for 6 t at 300, each tonne short costing 200: a tonne exported is worth 500, a tonne
#: to m 950, a tonne stocked 400 - 10 - 5 = 385. So m gets 8 t, k gets 4 t (2 t breached).
EVERY_TERM: Tables = {
    "sources": [source("a", Y1, cap=10, cost=100)],
    "contracts": [contract("k", Y1, min_t=6, max_t=6, price=300, penalty=200)],
    "makers": [maker("m", Y1, cap=8, ratio=1.0, cost=50)],
    "demand": [sector("d", Y1, demand=10, penalty=1000)],
    "imports": [offer("x", "oxide", Y1, max_t=2, price=150), offer("c", "magnet", Y1, 1, 900)],
    "stockpiles": [stockpile("s", Y1, holding=10, handling=5, terminal=400)],
}

EVERY_TERM_TOTALS = {
    "export revenue": 4 * 300.0,
    "breach penalties": -2 * 200.0,
    "production cost": -10 * 100.0,
    "conversion cost": -8 * 50.0,
    "oxide imports": -2 * 150.0,
    "magnet imports": -1 * 900.0,
    "holding cost": 0.0,
    "terminal value of stock": 0.0,
    "handling cost": 0.0,
    "shortage cost": -1 * 1000.0,
    "route cost": 0.0,
}


@pytest.mark.family("contract_min", "oxide_balance")
def test_every_term_of_a_hand_solved_year(tmp_path):
    res = solve_optimal(tmp_path, EVERY_TERM, horizon(1))
    assert res.objective == approx(-2800.0)
    assert term_totals(res.objective_terms).to_dict() == approx(EVERY_TERM_TOTALS)
    assert list(res.objective_terms.columns) == list(TERM_COLUMNS)
    # breach(2025) = 2 inside (0, 6): -200 = cmin.  export = 4 inside (0, 6): 300 = lam + cmin,
    # so lam = 500: a tonne of oxide is worth what exporting it earns and saves.
    assert dual(res, "contract_min", contract="k", year=Y1) == approx(-200.0)
    assert dual(res, "oxide_balance", year=Y1) == approx(500.0)
    # Each row says who and how much: 2 t breached, 1 t of magnets short in sector d.
    rows = res.objective_terms.set_index("term")
    assert rows.loc["breach penalties", "quantity_t"] == approx(2.0)
    assert rows.loc["shortage cost", "entity"] == "d"
    assert rows.loc["magnet imports", "entity"] == "c"
    assert "objective_terms" in res.tables()


#: Two years at 10 %: 20 t of oxide in 2025 at 100 with nothing to sell it to; the stockpile
#: holds it (holding 10 a year, handling 5 in) and each tonne left at the end of 2026 is worth
#: 400 in 2026 money.
TERMINAL: Tables = {
    "sources": [source("a", Y1, cap=20, cost=100)],
    "contracts": [contract("k", Y1, max_t=0, price=0)],
    "demand": [sector("none", Y1, 0, 1000)],
    "stockpiles": [
        stockpile("s", Y1, holding=10, handling=5),
        stockpile("s", Y2, holding=10, handling=5, terminal=400),
    ],
}


@pytest.mark.family("stockpile_balance", "source_capacity")
def test_terminal_value_keeps_the_stock(tmp_path):
    meta = horizon(2, rate=0.1)
    res = solve_optimal(tmp_path, TERMINAL, meta)
    # Per tonne, 2025 money: -100 - 5 - 10 + (400 - 10) / 1.1 = 239.5454...
    per_t = -115.0 + 390.0 / 1.1
    assert res.objective == approx(20 * per_t)
    assert primal(res, "level", stockpile="s", year=Y2) == approx(20.0)
    # level(2026) = 20 > 0: (400 - 10) / 1.1 = mu_2026 (pv); mu_2026 = 390 in 2026 money.
    assert dual_pv(res, "stockpile_balance", stockpile="s", year=Y2) == approx(390.0 / 1.1)
    assert dual(res, "stockpile_balance", stockpile="s", year=Y2) == approx(390.0)
    # level(2025): -10 = mu_2025 - mu_2026  =>  mu_2025 = 390 / 1.1 - 10;
    # inject: -5 = lam_2025 - mu_2025; output at capacity: kap = lam_2025 - 100 = per_t.
    assert dual(res, "stockpile_balance", stockpile="s", year=Y1) == approx(390.0 / 1.1 - 10)
    assert dual(res, "source_capacity", source="a", year=Y1) == approx(per_t)
    change = objective_change(
        tmp_path, res, TERMINAL, meta, "stockpiles", "terminal_value_usd_per_t", year=Y2
    )
    assert change == approx(20 / 1.1)
    totals = term_totals(res.objective_terms)
    assert totals["terminal value of stock"] == approx(20 * 400 / 1.1)
    assert totals["holding cost"] == approx(-20 * 10 - 20 * 10 / 1.1)
    terminal = res.objective_terms[res.objective_terms["term"] == "terminal value of stock"]
    assert terminal[["year", "quantity_t", "value_usd"]].values.tolist() == [[Y2, 20.0, 8000.0]]
    # Without a terminal value the oxide is not worth stocking: it is left unproduced.
    plain = solve_optimal(
        tmp_path,
        {**TERMINAL, "stockpiles": [stockpile("s", y, holding=10, handling=5) for y in (Y1, Y2)]},
        meta,
    )
    assert plain.objective == approx(0.0)


@pytest.mark.parametrize("name", ndalloc.bundled_names())
@pytest.mark.parametrize("plain", [False, True], ids=["arrays", "pyomo"])
def test_terms_add_up_to_the_objective(name, plain):
    res = ndalloc.solve(name, plain=plain)
    assert res.optimal
    terms = res.objective_terms
    assert terms["value_pv_usd"].sum() == pytest.approx(res.objective, rel=1e-9, abs=1e-3)
    assert set(terms["term"]) <= set(TERM_NAMES)
    # Benefits are positive, costs negative.
    benefits = terms["term"].isin(["export revenue", "terminal value of stock"])
    assert (terms.loc[benefits, "value_usd"] >= 0).all()
    assert (terms.loc[~benefits, "value_usd"] <= 0).all()
