"""marginal_values and ranging tables on a hand-solvable instance.

One source (10 t at 100 USD/t), one contract (min 4, max 6 t, price 300, breach 50), no
discounting. Optimum: export 6 t, objective 6 x (300 - 100) = 1200 USD.
"""

import math
from pathlib import Path

import pytest

import ndalloc
from scenario_factory import worked_example


def named_example(folder: Path, **contract: float) -> Path:
    """The worked example with IREL selling to Japan (shortage penalty 9 USD/t)."""
    return worked_example(
        folder,
        source={"source": "irel"},
        contract={"contract": "japan", "partner": "jp", **contract},
        demand={"shortage_penalty_usd_per_t": 9},
    )


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = named_example(tmp_path_factory.mktemp("s") / "s")
    res = ndalloc.solve(folder)
    assert res.objective == 1200.0
    return res


def test_marginal_values_in_planners_words(result):
    m = result.marginal_values
    # Oxide is worth its production cost (capacity is not binding); the source's capacity and
    # the contract minimum are not binding and worth nothing, so they are not listed.
    assert m["sentence"].tolist() == ["one more tonne of neodymium oxide in 2025 is worth 100 USD"]
    assert m["value_usd_per_t"].tolist() == [100.0]


def test_marginal_value_of_a_binding_minimum_is_its_cost(tmp_path):
    folder = named_example(tmp_path / "s", price_usd_per_t=80)
    res = ndalloc.solve(folder)
    # Delivering the minimum loses 20 USD/t (cost 100 - price 80), less than a 50 USD breach.
    assert res.objective == 4 * (80 - 100)
    row = res.marginal_values.set_index("family").loc["contract_min"]
    assert row["value_usd_per_t"] == -20.0
    assert row["sentence"] == "honouring one more tonne of the japan minimum in 2025 costs 20 USD"


def _range(result, column):
    t = result.ranging.set_index("column").loc[column]
    return t["value"], t["low"], t["high"]


def test_cost_ranging_in_input_names(result):
    # Exporting the full 6 t stays optimal while the price is at least the 100 USD/t cost.
    assert _range(result, "price_usd_per_t") == (300.0, 100.0, math.inf)
    # Production stays worthwhile up to a cost of 300 USD/t.
    value, low, high = _range(result, "cost_usd_per_t")
    assert (value, high) == (100.0, 300.0) and low == 0.0


def test_limit_ranging_in_input_names(result):
    # The contract's 200 USD/t margin on max_t holds from the 4 t minimum up to the 10 t capacity.
    assert _range(result, "max_t") == (6.0, 4.0, 10.0)
    # Capacity is not binding: its zero value holds for any capacity above the 6 t produced.
    assert _range(result, "capacity_t") == (10.0, 6.0, math.inf)


def test_run_folder_has_both_tables(result):
    assert {"marginal_values", "ranging"} <= set(result.tables())
