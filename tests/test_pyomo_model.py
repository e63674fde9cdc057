"""The Pyomo model derived from the family declarations (`ndalloc.lp.pyomo_model`): one named,
indexed component per family, with the declared keys, and `extra` hooks written in Pyomo that
act like a declared family."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyomo.environ as pyo
import pytest

import ndalloc
from hand_solved import NO_DEMAND, Y1, approx, contract, dual, horizon, source
from ndalloc.lp.build import build_lp, build_model
from scenario_factory import write_scenario

TABLES = {
    "sources": [source("a", Y1, cap=10, cost=100)],
    "contracts": [contract("k1", Y1, max_t=6, price=300), contract("k2", Y1, max_t=6, price=250)],
    "demand": NO_DEMAND,
}


def _folder(tmp_path: Path, meta: dict) -> Path:
    return write_scenario(Path(tempfile.mkdtemp(dir=tmp_path)), meta, **TABLES)


def test_one_indexed_component_per_family_with_the_declared_keys():
    sc = ndalloc.load_scenario("india-base")
    lp, built = build_lp(sc), build_model(sc)
    assert list(built.variables) == list(lp.variables)
    assert list(built.constraints) == list(lp.constraints)
    for name, family in {**lp.variables, **lp.constraints}.items():
        component = built.model.component(name)
        kind = pyo.Var if name in lp.variables else pyo.Constraint
        assert component is not None and component.ctype is kind, name
        assert [k if isinstance(k, tuple) else (k,) for k in component] == family.key_tuples()
    export = built.model.component("export")
    assert export["japan-2012", 2025].lb == 0  # non-negative, keyed by the contract and year
    row = built.model.component("contract_max")["japan-2012", 2025]
    assert row.has_ub() and not row.has_lb()


def test_an_extra_pyomo_constraint_acts_like_the_declared_family(tmp_path):
    """A national export ceiling written as a Pyomo hook gives the objective and dual of the
    declared family `export_cap` (tests/test_lp_families.py derives both by hand)."""

    def ceiling(reg, data):
        export = reg.variables["export"].component
        by_year = {y: [k for k in export if k[1] == y] for y in data.years}
        reg.constraint(
            "my_cap",
            [(y,) for y in data.years],
            lambda y: pyo.quicksum(export[k] for k in by_year[y]) <= 8.0,
            ("year",),
            "t oxide",
            "one more tonne of export allowance",
        )

    hooked = ndalloc.solve(_folder(tmp_path, horizon()), extra=ceiling)
    declared = ndalloc.solve(_folder(tmp_path, {**horizon(), "export_cap_t": 8.0}))
    assert hooked.objective == approx(1500.0) and declared.objective == approx(1500.0)
    assert dual(hooked, "my_cap", year=Y1) == approx(150.0)
    assert dual(declared, "export_cap", year=Y1) == approx(150.0)
    assert hooked.duals["export_cap"].empty  # no export_cap_t: the family has no rows


def test_a_family_declared_twice_is_refused():
    from ndalloc.lp.data import ModelData
    from ndalloc.lp.registry import ArrayRegistry
    from ndalloc.lp.sources import add_sources

    lp, data = ArrayRegistry(), ModelData.from_scenario(ndalloc.load_scenario("india-base"))
    add_sources(lp, data)
    with pytest.raises(ValueError, match="variable family 'output' is declared twice"):
        add_sources(lp, data)
