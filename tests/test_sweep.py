"""Sweeps re-solve in place and give exactly what a rebuild gives, whatever the workers."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

import ndalloc
from cli_helpers import cli_env, ndalloc_executable, run_ndalloc
from ndalloc.data.loader import apply_patch
from ndalloc.data.scenario import Scenario
from ndalloc.sensitivity import SpecError, run_sweep
from ndalloc.sensitivity.spec import parse_vary
from scenario_factory import worked_example


def rebuilt_objective(scenario: Scenario, spec: str, value: float) -> float:
    """The objective of the same change made by patching the inputs and rebuilding."""
    vary = parse_vary(spec)
    patch = vary.patch(value)
    meta = scenario.meta
    tables = dict(scenario.tables)
    if patch is None:
        meta = meta.model_copy(update={"discount_rate": value})
    else:
        issues: list = []
        apply_patch(patch, ("test", 0), tables, issues)
        assert not issues
    result = ndalloc.solve(Scenario(meta=meta, tables=tables))
    assert result.objective is not None
    return result.objective


SPECS = [
    "contracts.price_usd_per_t[japan-2012]=20000,60000,90000",
    "sources.capacity_t[irel@2028-2030]*=0.5,1.5",
    "makers.oxide_per_t[midwest]=0.33,0.45",
    "demand.demand_t[defence]*=0.5,2",
    "imports.max_t[china/magnet@2026-2027]*=0.2,1",
    "stockpiles.min_t[national]=0,300",
    "stockpiles.holding_cost_usd_per_t=0,20000",
    "scenario.discount_rate=0,0.12",
]


#: Sweeps of a scenario that holds stock to the end, so that the terminal value is priced.
STOCK_SPECS = [
    "scenario.discount_rate=0,0.12",
    "stockpiles.terminal_value_usd_per_t[national@2035]=0,80000",
    "stockpiles.holding_cost_usd_per_t[national@2030-2035]=0,5000",
]


@pytest.mark.parametrize(
    ("name", "spec"),
    [("india-base", s) for s in SPECS] + [("stockpile-2-months", s) for s in STOCK_SPECS],
)
def test_in_place_resolve_equals_rebuild(name, spec):
    base = ndalloc.load_scenario(name)
    table = ndalloc.sweep(base, vary=spec)
    assert (table["status"] == "optimal").all()
    column = next(c for c in table.columns if c.startswith(spec.split("=")[0].rstrip("*")))
    for value, objective in zip(table[column], table["objective_usd"], strict=True):
        assert objective == pytest.approx(rebuilt_objective(base, spec, value), rel=1e-9)


def test_grid_of_two_varies():
    table = ndalloc.sweep(
        "india-base",
        vary=["contracts.price_usd_per_t[japan-2012]=30000,60000", "scenario.discount_rate=0,0.1"],
    )
    assert len(table) == 4
    assert table["point"].tolist() == [0, 1, 2, 3]


def test_workers_do_not_change_the_table():
    spec = ["contracts.price_usd_per_t[japan-2012]=20000:100000:12"]
    one = ndalloc.sweep("india-base", vary=spec, workers=1)
    two = ndalloc.sweep("india-base", vary=spec, workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_dask_local_cluster_gives_the_same_table():
    distributed = pytest.importorskip("distributed")
    spec = ["sources.capacity_t[irel]*=0.8,1,1.2"]
    local = ndalloc.sweep("india-base", vary=spec)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = ndalloc.sweep("india-base", vary=spec, dask=cluster.scheduler_address)
    pd.testing.assert_frame_equal(local, remote)


def small(folder: Path) -> Path:
    """One source (10 t, range 5-20, cost 100), one contract (min 4, max 6, price 300)."""
    return worked_example(
        folder,
        source={"source": "irel", "low": 5, "high": 20},
        contract={"contract": "japan", "partner": "jp", "low": 200, "high": 400},
        demand={"shortage_penalty_usd_per_t": 9},
    )


def test_tornado_by_hand(tmp_path):
    result = run_sweep(small(tmp_path / "s"), tornado_on=True)
    ranked = result.ranking.set_index("parameter")
    # Price 200 or 400 on 6 t exported: 6 x 100 = 600 or 6 x 300 = 1800; swing 1200.
    price = ranked.loc["contracts.price_usd_per_t[japan]"]
    assert (price["objective_usd_low"], price["objective_usd_high"]) == (600.0, 1800.0)
    # Capacity 5 t: 5 t exported at a 200 margin (above the 4 t minimum): 1000; 20 t changes
    # nothing (the contract takes at most 6 t).
    capacity = ranked.loc["sources.capacity_t[irel]"]
    assert (capacity["objective_usd_low"], capacity["objective_usd_high"]) == (1000.0, 1200.0)
    assert ranked.index.tolist() == [
        "contracts.price_usd_per_t[japan]",
        "sources.capacity_t[irel]",
    ]
    pct = run_sweep(small(tmp_path / "p"), tornado_on=True, tornado_pct=10).ranking
    assert "demand.demand_t[d]" in pct["parameter"].tolist()  # every parameter, ranged or not


def test_monte_carlo_is_reproducible_from_the_seed(tmp_path):
    folder = small(tmp_path / "s")
    a = ndalloc.sweep(folder, monte_carlo_n=20, seed=7)
    b = ndalloc.sweep(folder, monte_carlo_n=20, seed=7)
    c = ndalloc.sweep(folder, monte_carlo_n=20, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["objective_usd"].equals(c["objective_usd"])
    # Every draw lies within what the ranges allow: capacity 5..20 and price 200..400.
    assert a["objective_usd"].between(5 * 100.0, 6 * 300.0).all()


def test_monte_carlo_draws_are_triangular_on_each_range(tmp_path):
    """Each draw's objective is what its quantiles give by hand: capacity and price drawn
    triangular on (5, 10, 20) t and (200, 300, 400) USD/t, exports min(capacity, 6) t at
    price - 100 USD/t (capacity never falls below the 4 t minimum here)."""

    def triangular(u: float, low: float, mode: float, high: float) -> float:
        split = (mode - low) / (high - low)
        if u < split:
            return low + ((u * (high - low) * (mode - low)) ** 0.5)
        return high - (((1 - u) * (high - low) * (high - mode)) ** 0.5)

    table = ndalloc.sweep(small(tmp_path / "s"), monte_carlo_n=12, seed=3)
    assert len(table) == 12
    for _, draw in table.iterrows():
        price = triangular(draw["u:contracts.price_usd_per_t[japan]"], 200, 300, 400)
        capacity = triangular(draw["u:sources.capacity_t[irel]"], 5, 10, 20)
        expected = min(capacity, 6.0) * (price - 100.0)
        assert draw["objective_usd"] == pytest.approx(expected, rel=1e-9)


def test_bad_specs_are_clear():
    with pytest.raises(SpecError, match="no numeric input 'colour'"):
        parse_vary("contracts.colour=1,2")
    with pytest.raises(SpecError, match="START:STOP:N"):
        parse_vary("contracts.price_usd_per_t=a:b")
    with pytest.raises(SpecError, match="one of --vary"):
        run_sweep("india-base")


def test_cli_sweep_writes_csv_parquet_and_manifest(tmp_path):
    proc = run_ndalloc(
        "sweep",
        "india-base",
        "--vary",
        "contracts.price_usd_per_t[japan-2012]=20000:80000:4",
        "--out",
        tmp_path / "runs",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["status"] == "complete"
    assert manifest["points_completed"] == manifest["points_total"] == 4
    csv = pd.read_csv(folder / "points.csv")
    parquet = pd.read_parquet(folder / "points.parquet")
    assert len(csv) == len(parquet) == 4
    assert csv["objective_usd"].tolist() == pytest.approx(parquet["objective_usd"].tolist())
    bad = run_ndalloc("sweep", "india-base", "--vary", "nope", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid sweep" in bad.stderr


def test_ctrl_c_keeps_finished_points_marked_partial(tmp_path):
    proc = subprocess.Popen(
        [
            ndalloc_executable(),
            "sweep",
            "india-base",
            "--vary",
            "contracts.price_usd_per_t[japan-2012]=20000:90000:20000",
            "--out",
            str(tmp_path / "runs"),
        ],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    (folder,) = (tmp_path / "runs").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "partial"
    assert 0 < manifest["points_completed"] < manifest["points_total"] == 20000
    assert len(pd.read_csv(folder / "points.csv")) == manifest["points_completed"]


def test_tornado_on_a_chosen_list_ranks_several_outputs(tmp_path):
    result = run_sweep(small(tmp_path / "s"), tornado_on=True, tornado_params=["sources."])
    assert result.ranking["parameter"].tolist() == ["sources.capacity_t[irel]"]
    row = result.ranking.iloc[0]
    # exports: 5 t at low capacity, 6 t at high; the swing is reported for each output
    assert (row["exports_t_low"], row["exports_t_high"], row["exports_t_swing"]) == (5.0, 6.0, 1.0)
