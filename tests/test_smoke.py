import ndalloc
from scenario_factory import worked_example


def test_one_source_one_contract(tmp_path):
    """Worked example of docs/formulation.md: exports 6 t at 300 - 100 USD/t."""
    res = ndalloc.solve(worked_example(tmp_path / "s"))
    assert res.status is ndalloc.Status.OPTIMAL
    assert res.objective == 1200.0
    assert res.duals["contract_max"]["value_usd_per_t"].tolist() == [200.0]
    assert res.duals["oxide_balance"]["value_usd_per_t"].tolist() == [100.0]
    assert res.duals["source_capacity"]["value_usd_per_t"].tolist() == [0.0]
