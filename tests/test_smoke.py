import ndalloc
from scenario_factory import write_scenario


def test_one_source_one_contract(tmp_path):
    """Worked example of docs/formulation.md: exports 6 t at 300 - 100 USD/t."""
    folder = write_scenario(
        tmp_path / "s",
        sources=[{"source": "a", "year": 2025, "capacity_t": 10, "cost_usd_per_t": 100}],
        contracts=[
            {
                "contract": "k",
                "partner": "p",
                "year": 2025,
                "min_t": 4,
                "max_t": 6,
                "price_usd_per_t": 300,
                "breach_penalty_usd_per_t": 50,
            }
        ],
        demand=[{"sector": "d", "year": 2025, "demand_t": 0, "shortage_penalty_usd_per_t": 1000}],
    )
    res = ndalloc.solve(folder)
    assert res.status is ndalloc.Status.OPTIMAL
    assert res.objective == 1200.0
    assert res.duals["contract_max"]["value_usd_per_t"].tolist() == [200.0]
    assert res.duals["oxide_balance"]["value_usd_per_t"].tolist() == [100.0]
    assert res.duals["source_capacity"]["value_usd_per_t"].tolist() == [0.0]
