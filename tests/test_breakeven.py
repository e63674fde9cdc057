"""Break-even search (`ndalloc breakeven`, `ndalloc.breakeven`): the value of one input at
which scenario B's objective equals A's, on hand-solved pairs and on the bundled scenarios.

The hand-solved instances (one year, no discounting): source a makes up to 1,000 t of oxide at
100 USD/t; contract k takes 400 to 600 t at 300 USD/t, each tonne below 400 t costing the
breach penalty P; sector d needs 1,000 t of magnets, 1,000 USD/t short.

- "export": no magnet maker. 600 t are exported (margin 200), all 1,000 t of magnets are
  short: objective 120,000 - 1,000,000 = -880,000, whatever P.
- "halt": the contract is halted and maker m turns 1 t of oxide into 1 t of magnet (no cost,
  up to 1,000 t): 1,000 t of oxide make every magnet, 400 t are breached: -100,000 - 400 P.
  B = halt against A = export breaks even where -100,000 - 400 P = -880,000: P = 1,950.
- "keep": as halt, but the contract is in force. Delivering a tonne of the minimum gives
  300 and saves P but loses a magnet worth 1,000: for P > 700 the 400 t are delivered
  (objective -380,000), below 700 none (-100,000 - 400 P, as halt). B = halt against
  A = keep is equal up to P = 700 and worse above: the break-even is the edge, 700.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, flat, run_many
from hand_solved import Y1, contract, maker, sector, source
from ndalloc.data.loader import apply_patch
from ndalloc.data.scenario import Scenario
from ndalloc.data.selectors import parse_selector
from ndalloc.sensitivity import breakeven as module
from ndalloc.sensitivity.breakeven import REL_TOL, BreakevenError, check
from scenario_factory import write_scenario

PENALTY = "contracts.breach_penalty_usd_per_t[k]"
BUNDLED_PENALTY = "contracts.breach_penalty_usd_per_t[japan-2012]"


def instance(folder: Path, kind: str, ranges: list[dict[str, Any]] | None = None) -> Path:
    row = contract("k", Y1, 600, 300, min_t=400, penalty=1000)
    tables: dict[str, list[dict[str, Any]]] = {
        "sources": [source("a", Y1, 1000, 100)],
        "contracts": [{**row, "halted": "true" if kind == "halt" else "false"}],
        "demand": [sector("d", Y1, 1000, 1000)],
    }
    if kind != "export":
        tables["makers"] = [maker("m", Y1, 1000, 1.0, 0)]
    if ranges:
        tables["ranges"] = ranges
    return write_scenario(folder, {"name": kind}, **tables)


@pytest.fixture
def pair(tmp_path: Path) -> dict[str, Path]:
    return {kind: instance(tmp_path / kind, kind) for kind in ("export", "halt", "keep")}


def test_break_even_penalty_by_hand(pair):
    found = ndalloc.breakeven(pair["export"], pair["halt"], PENALTY, between=(0, 5000))
    assert isinstance(found, ndalloc.Breakeven)
    assert found.value == pytest.approx(1950, abs=1e-6)
    assert found.objective_a == pytest.approx(-880_000, abs=1e-6)
    assert found.objective_b == pytest.approx(-880_000, abs=1e-6)
    low, high = found.bracket
    assert low <= found.value <= high
    (crossing,) = found.crossings
    assert (crossing.below, crossing.above) == ("better", "worse")
    ends = {p.value: p for p in found.points}
    assert ends[0].difference == 780_000 and ends[5000].difference == -1_220_000
    assert found.between == (0, 5000) and found.unit == "USD/t oxide"
    assert found.summary() == (
        "break-even at contracts.breach_penalty_usd_per_t[k] = 1,950 USD/t oxide: objective"
        " export -0.88 M USD, halt -0.88 M USD; below it B is better than A, above it B is"
        " worse than A"
    )


def test_break_even_at_the_edge_of_equality_by_hand(pair):
    found = ndalloc.breakeven(pair["keep"], pair["halt"], PENALTY, between=(0, 2000))
    assert found.value == pytest.approx(700, abs=1e-6)
    assert found.objective_a == pytest.approx(-100_000 - 400 * 700, abs=1e-6)
    assert found.objective_b == pytest.approx(found.objective_a, abs=1e-6)
    (crossing,) = found.crossings
    assert (crossing.below, crossing.above) == ("equal", "worse")


def test_no_break_even_is_said_plainly(pair):
    found = ndalloc.breakeven(pair["keep"], pair["halt"], PENALTY, between=(800, 2000))
    assert not found.found and found.value is None and found.crossings == ()
    # B - A = 280,000 - 400 P: -40,000 at 800, -520,000 at 2,000.
    assert found.summary() == (
        "no break-even in [800, 2,000] USD/t oxide: B is worse than A by 0.04 to 0.52 M USD"
        " throughout"
    )


def test_the_range_defaults_to_the_parameters_range(tmp_path, pair):
    ranges = [{"parameter": PENALTY, "low": 500, "high": 1500, "citation": "test"}]
    keep = instance(tmp_path / "ranged", "keep", ranges)
    found = ndalloc.breakeven(keep, pair["halt"], PENALTY)
    assert found.between == (500, 1500)
    assert found.value == pytest.approx(700, abs=1e-6)


def test_a_bad_parameter_is_refused_before_any_solve(pair, monkeypatch):
    def no_solve(*_: Any) -> None:
        raise AssertionError("solved before the parameter was checked")

    monkeypatch.setattr(module, "SweepEngine", no_solve)
    cases = {
        "pies.x": "unknown table 'pies'",
        "contracts.partner[k]": "contracts has no numeric input 'partner'",
        "contracts.breach_penalty_usd_per_t[nope]": "matches no row of contracts.csv",
        "makers.oxide_per_t": "matches no row of makers.csv in scenario export",
        PENALTY: "give --between LOW:HIGH",
    }
    for param, message in cases.items():
        with pytest.raises(BreakevenError, match=re.escape(message)):
            ndalloc.breakeven(pair["export"], pair["halt"], param)
    with pytest.raises(BreakevenError, match="not a possible value"):
        ndalloc.breakeven(pair["export"], pair["halt"], PENALTY, between=(-5, 10))
    with pytest.raises(BreakevenError, match="LOW < HIGH"):
        ndalloc.breakeven(pair["export"], pair["halt"], PENALTY, between=(10, 10))


def test_cli_breakeven(pair, tmp_path):
    a, b = pair["export"], pair["halt"]
    calls = [
        (["breakeven", a, b, "--param", PENALTY, "--between", "0:5000", "--points"], tmp_path),
        (["breakeven", pair["keep"], b, "--param", PENALTY, "--between", "800:2000"], tmp_path),
        (["breakeven", a, b, "--param", "pies.x", "--between", "0:1"], tmp_path),
        (["breakeven", a, b, "--param", PENALTY], tmp_path),
        (["breakeven", a, b, "--param", PENALTY, "--between", "zero:1"], tmp_path),
        (["breakeven", a, tmp_path / "missing", "--param", PENALTY], tmp_path),
    ]
    found, none, unknown, no_range, bad_between, missing = run_many(calls)
    for proc in (found, none):
        assert proc.returncode == 0, describe(proc)
    text = flat(found.stdout)
    assert "break-even of contracts.breach_penalty_usd_per_t[k] between A = export and" in text
    assert "break-even at contracts.breach_penalty_usd_per_t[k] = 1,950 USD/t oxide" in text
    assert "objective export -0.88 M USD, halt -0.88 M USD" in text
    assert "B - A" in text  # --points: the table of the values solved
    assert (
        "no break-even in [800, 2,000] USD/t oxide: B is worse than A by 0.04 to 0.52 M USD"
        " throughout" in flat(none.stdout)
    )
    for proc, message in (
        (unknown, "unknown table 'pies'"),
        (no_range, "give --between LOW:HIGH"),
        (bad_between, "write LOW:HIGH"),
        (missing, "no such scenario folder"),
    ):
        assert proc.returncode == 2, describe(proc)
        assert message in flat(proc.stderr), describe(proc)
        assert_no_traceback(proc)
    for proc in (found, none, unknown, no_range, bad_between, missing):
        assert "HiGHS" not in proc.stdout + proc.stderr  # no solver output on the terminal


# --- bundled scenarios ---------------------------------------------------------------------


def rebuilt(scenario: Scenario, value: float) -> float:
    """The objective with the Japan breach penalty set to `value`, rebuilt and solved anew."""
    tables = dict(scenario.tables)
    issues: list = []
    patch = parse_selector(BUNDLED_PENALTY).patch(value)
    apply_patch(patch, ("test", 0), tables, issues)
    assert not issues
    result = ndalloc.solve(Scenario(meta=scenario.meta, tables=tables))
    assert result.objective is not None
    return result.objective


def test_bundled_halt_never_beats_the_base_it_restricts():
    """export-halt-2026 only restricts india-base (which may itself breach the contract when
    that pays), so B is never better than A, whatever the penalty. In the penalty's range
    (50,000-140,000 USD/t, ranges.csv) halting costs more throughout; from 0 the search finds
    where it starts to cost more (2,200 USD/t with the current data: below it
    india-base breaches anyway), if india-base breaches at a low penalty at all."""
    a, b = ndalloc.load_scenario("india-base"), ndalloc.load_scenario("export-halt-2026")
    ranged = ndalloc.breakeven(a, b, BUNDLED_PENALTY)
    assert ranged.between == (50_000, 140_000) and not ranged.found
    assert re.fullmatch(
        r"no break-even in \[50,000, 140,000\] USD/t oxide: B is worse than A by [\d,.]+ to"
        r" [\d,.]+ M USD throughout",
        ranged.summary(),
    )
    wide = ndalloc.breakeven(a, b, BUNDLED_PENALTY, between=(0, 140_000))
    for point in wide.points:
        assert point.difference <= REL_TOL * abs(point.objective_a)
    for crossing in wide.crossings:
        assert (crossing.below, crossing.above) == ("equal", "worse")
        assert rebuilt(b, crossing.value) == pytest.approx(rebuilt(a, crossing.value), rel=1e-9)
        assert rebuilt(b, crossing.value + 100) < rebuilt(a, crossing.value + 100)


def test_bundled_break_even_of_halting_against_the_reserve():
    """Halting exports against a 2-month reserve: halting costs the breach penalty on 185 t a
    year, the reserve its holding and filling, so they break even at one penalty."""
    a = ndalloc.load_scenario("stockpile-2-months")
    b = ndalloc.load_scenario("export-halt-2026")
    found = ndalloc.breakeven(a, b, BUNDLED_PENALTY, between=(0, 300_000))
    assert found.found
    assert (found.crossings[0].below, found.crossings[0].above) == ("better", "worse")
    assert found.objective_b == pytest.approx(found.objective_a, rel=1e-9)
    objective_a, objective_b = rebuilt(a, found.value), rebuilt(b, found.value)
    assert objective_b == pytest.approx(objective_a, rel=1e-9)
    assert objective_a == pytest.approx(found.objective_a, rel=1e-9)
    selector, span = check(a, b, BUNDLED_PENALTY)
    assert span == (50_000, 140_000) and selector.unit == "USD/t oxide"


# --- the search alone, on functions known exactly -------------------------------------------


def search(d: Any, between: tuple[float, float], samples: int = 9) -> Any:
    from ndalloc.sensitivity.crossing import Evaluation, Search

    return Search(lambda v: Evaluation(v, 0.0, d(v)), between).run(samples)


def test_search_finds_every_crossing_of_a_piecewise_linear_difference():
    crossings, points = search(lambda v: abs(v - 3.3) - 1, (0, 10))
    assert [c.value for c in crossings] == pytest.approx([2.3, 4.3], abs=1e-12)
    assert [(c.below, c.above) for c in crossings] == [("better", "worse"), ("worse", "better")]
    assert [p.value for p in points] == sorted(p.value for p in points)


def test_search_converges_on_a_nonlinear_difference():
    (crossing,), _ = search(lambda v: v * v - 2, (0, 3))
    assert crossing.value == pytest.approx(2**0.5, abs=1e-9)


def test_search_finds_both_edges_of_an_interval_of_equality():
    crossings, _ = search(lambda v: max(0.0, 2 - v) + max(0.0, v - 7) * -3, (0, 10))
    assert [c.value for c in crossings] == pytest.approx([2, 7], abs=1e-8)
    assert [(c.below, c.above) for c in crossings] == [("better", "equal"), ("equal", "worse")]
