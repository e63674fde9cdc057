"""The stochastic program on a scenario tree: the hand-solved tree of docs/formulation.md
section 11.4 (exact RP, WS, EV, EEV, VSS, EVPI, regret and the duals that price them), a tree
of one scenario against the deterministic solve, scenario order, risk aversion, bad trees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ndalloc
from ndalloc.data.errors import ScenarioError
from ndalloc.data.tree import load_tree
from ndalloc.stochastic.extensive import Risk
from ndalloc.stochastic.solve import cvar, solve_tree
from ndalloc.stochastic.tables import tree_tables
from tree_factory import node, two_scenario_tree

INDIA_BASE = -2558564361.4752564


def _measures(path: Path, **kw) -> dict:
    result = solve_tree(load_tree(path), **kw)
    assert result.optimal
    return result.measures()


def test_hand_solved_tree_measures(tmp_path):
    result = solve_tree(load_tree(two_scenario_tree(tmp_path)))
    m = result.measures()
    assert m["RP"] == pytest.approx(-2640.0, abs=1e-9)
    assert m["WS"] == pytest.approx(-2400.0, abs=1e-9)
    assert m["EVPI"] == pytest.approx(240.0, abs=1e-9)
    assert m["EV"] == pytest.approx(-2000.0, abs=1e-9)
    assert m["EEV"] == pytest.approx(-3200.0, abs=1e-9)
    assert m["VSS"] == pytest.approx(560.0, abs=1e-9)
    np.testing.assert_allclose(result.rp.benefits, [-2400.0, -3000.0], atol=1e-9)
    np.testing.assert_allclose(result.regret(), [400.0, 0.0], atol=1e-9)
    assert m["EVPI"] >= 0 and m["VSS"] >= 0


def test_hand_solved_tree_decisions_and_duals(tmp_path):
    tables = tree_tables(solve_tree(load_tree(two_scenario_tree(tmp_path))))
    now = tables["here_and_now"].set_index(["family", "entity"])["value"]
    assert now[("output", "mine")] == pytest.approx(80.0)
    assert now[("inject", "reserve")] == pytest.approx(80.0)
    duals = tables["node_duals"].set_index(["node", "constraint", "entity", "year"])
    # One more tonne of 2026 capacity: 0.6 x 20 + 0.4 x 50 - 25 = 7 USD.
    cap = duals.loc[("root", "source_capacity", "mine", 2026)]
    assert cap["value_pv_usd_per_t"] == pytest.approx(7.0, abs=1e-9)
    # One more tonne of 2027 demand: an import (20) given open, a shortage (50) given curb.
    open_ = duals.loc[("open", "demand_balance", "ev", 2027)]
    curb = duals.loc[("curb", "demand_balance", "ev", 2027)]
    assert open_["conditional_value_usd_per_t"] == pytest.approx(-20.0, abs=1e-9)
    assert open_["value_pv_usd_per_t"] == pytest.approx(-12.0, abs=1e-9)
    assert curb["conditional_value_usd_per_t"] == pytest.approx(-50.0, abs=1e-9)
    scen = tables["scenarios"].set_index("scenario")
    assert scen.loc["curb", "eev_benefit_usd"] == pytest.approx(-5000.0)
    policy = tables["policy"]
    assert set(policy["node"]) == {"root", "open", "curb"}
    assert not policy.duplicated(["node", "family", "entity", "year"]).any()


def test_scenario_order_changes_nothing(tmp_path):
    a = _measures(two_scenario_tree(tmp_path / "a"))
    b = _measures(two_scenario_tree(tmp_path / "b", curb_first=True))
    assert a == pytest.approx(b, abs=1e-9)


def test_one_scenario_tree_is_the_deterministic_solve(tmp_path):
    path = tmp_path / "tree.toml"
    path.write_text('base = "india-base"\nname = "one"\n' + node("root", 2025), encoding="utf-8")
    m = _measures(path)
    assert m["RP"] == pytest.approx(INDIA_BASE, rel=1e-12)
    assert ndalloc.solve("india-base").objective == pytest.approx(INDIA_BASE, rel=1e-12)
    for key in ("WS", "EV", "EEV"):
        assert m[key] == pytest.approx(m["RP"], rel=1e-12)
    assert m["VSS"] == pytest.approx(0.0, abs=1e-3)
    assert m["EVPI"] == pytest.approx(0.0, abs=1e-3)


def test_risk_aversion_buys_the_stock_the_mean_does_not(tmp_path):
    # At 35 USD/t stocking loses 3 USD/t on average (32 - 35): the risk-neutral plan stocks
    # nothing (RP -3200). CVaR at alpha 0.5 is 0.8 B_curb + 0.2 B_open = -4400 + 9 s, so with
    # weight 0.5 the objective is 0.5 (-3200 - 3 s) + 0.5 (-4400 + 9 s) = -3800 + 3 s: s = 80.
    tree = load_tree(two_scenario_tree(tmp_path, cost=35.0))
    neutral = solve_tree(tree, measures=False)
    averse = solve_tree(tree, Risk(weight=0.5, alpha=0.5))
    assert neutral.rp.objective == pytest.approx(-3200.0, abs=1e-9)
    assert averse.rp.objective == pytest.approx(-3560.0, abs=1e-9)
    now = tree_tables(averse)["here_and_now"].set_index(["family", "entity"])["value"]
    assert now[("output", "mine")] == pytest.approx(80.0)
    m = averse.measures()
    assert m["EVPI"] >= -1e-9 and m["VSS"] >= -1e-9
    assert m["CVaR"] == pytest.approx(-3680.0, abs=1e-9)  # 0.8 (-3800) + 0.2 (-3200)


def test_cvar_of_a_discrete_benefit():
    p = np.array([0.6, 0.4])
    assert cvar(np.array([-2400.0, -3000.0]), p, 0.5) == pytest.approx(-2880.0)
    assert cvar(np.array([-2400.0, -3000.0]), p, 0.0) == pytest.approx(-2640.0)
    assert cvar(np.array([-2400.0, -3000.0]), p, 0.9) == pytest.approx(-3000.0)
    with pytest.raises(ValueError, match="alpha"):
        Risk(weight=0.5, alpha=1.0)


def test_probabilities_that_do_not_add_to_one_are_rejected(tmp_path):
    path = two_scenario_tree(tmp_path, p_open=0.6, p_curb=0.3)
    with pytest.raises(ScenarioError) as exc:
        load_tree(path)
    (issue,) = exc.value.issues
    assert issue.file == "tree.toml" and issue.line == 8 and issue.column == "probability"
    assert "children of 'root' add to 0.9, not 1 (open 0.6, curb 0.3)" in issue.message


def test_every_problem_of_a_tree_at_once(tmp_path):
    two_scenario_tree(tmp_path)  # writes the base
    text = (
        'base = "base"\nname = "bad"\n'
        + node("root", 2026)
        + node("a", 2027, "root", 0.5)
        + '\n[[node.patch]]\ntable = "imports"\nkey = ["mars", "magnet"]\ncolumn = "max_t"\n'
        + "value = 0.0\n"
        + node("b", 2027, "nowhere", 0.5)
        + node("c", 2028, "root", 0.5)
        + '\n[[node]]\nid = "d"\nyear = 2027\nparent = "root"\ncolour = "red"\n'
    )
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_tree(path)
    said = {(i.line, i.column, i.message) for i in exc.value.issues}
    assert (20, "parent", "no node 'nowhere'") in said
    assert (26, "year", "2028 is after the base's last year 2027") in said
    assert (32, "colour", "unknown key") in said
    assert any(line == 14 and "matches no row of imports" in m for line, _, m in said)
    assert any("must share one year" in m for _, _, m in said)
