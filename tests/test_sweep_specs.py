"""A --vary spec that cannot vary the scenario is a usage error before any point runs: a key,
year or column that matches no row, years outside the horizon, values that are not finite or
break the column's bounds. The CLI exits 2 without writing a sweep folder; the Python API
raises `SpecError` (a ValueError)."""

from __future__ import annotations

import re

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, run_many
from ndalloc.sensitivity import SpecError, plan, run_sweep

#: Cases of the hostile-input corpus (counted: 'bad inputs: N handled').
pytestmark = pytest.mark.hostile

#: spec -> the reason given after the quoted spec.
BAD_SPECS = {
    "contracts.price_usd_per_t[japan]=1:2:3": (
        "contracts has no row with contract 'japan' (contracts: japan-2012)"
    ),
    "contracts.price_usd_per_t[japan-2012@2099]=1:2:3": (
        "@2099 is outside the horizon 2025-2035 of india-base"
    ),
    "sources.capacity_t[irel@2020-2026]=100": (
        "@2020-2026 is outside the horizon 2025-2035 of india-base"
    ),
    "contracts.max_t[japan-2012@2030-2026]=1": "years 2030-2026 run backwards",
    "makers.capacity_t[repm-scheme@2026]=1": (
        "makers repm-scheme has no row in 2026 (its years: 2029, 2030, 2031, 2032, 2033, 2034,"
        " 2035)"
    ),
    "imports.max_t[china]=1": (
        "imports rows are keyed by origin/product: give 2 value(s) joined by '/', got 'china'"
    ),
    "stockpile_initial.initial_t[national@2027]=1": (
        "stockpile_initial has no year column: leave out @YEARS"
    ),
    "contracts.price_usd_per_t=nan": "nan is not a finite number",
    "contracts.price_usd_per_t=1,inf": "inf is not a finite number",
    "stockpiles.min_t[national]=-5:0:2": "-5 is not allowed; stockpiles.min_t must be >= 0",
    "stockpiles.min_t*=-1": "scale factor -1 is negative; give factors >= 0",
    "sources.capacity_t[irel]=2e9": "2e+09 is not allowed; sources.capacity_t must be <= 1e+09",
    "sources.capacity_t[irel]*=1e7": (
        "scale factor 1e+07 makes capacity_t 7e+09; sources.capacity_t must be <= 1e+09"
    ),
}


def test_bad_specs_exit_2_before_any_point_runs(tmp_path):
    specs = list(BAD_SPECS)
    done = run_many(
        [(["sweep", "india-base", "--vary", spec, "--out", "sweeps"], tmp_path) for spec in specs]
    )
    for spec, proc in zip(specs, done, strict=True):
        assert proc.returncode == 2, (spec, describe(proc))
        assert_no_traceback(proc)
        assert proc.stderr == f"invalid sweep: {spec!r}: {BAD_SPECS[spec]}\n", describe(proc)
        assert proc.stdout == "", "nothing was planned or run"
    assert not (tmp_path / "sweeps").exists(), "no sweep folder is written"


def test_a_range_with_an_infinite_end_is_refused(tmp_path):
    (proc,) = run_many([(["sweep", "india-base", "--vary", "demand.demand_t=-inf:0:2"], tmp_path)])
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr == "invalid sweep: '-inf:0:2': -inf is not a finite number\n"


def test_a_bad_spec_among_good_ones_is_named(tmp_path):
    good = "contracts.price_usd_per_t[japan-2012@2026-2028]=30000,40000"
    (proc,) = run_many(
        [
            (
                ["sweep", "india-base", "--vary", good, "--vary", "sources.capacity_t[ir]=1"],
                tmp_path,
            )
        ]
    )
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr == (
        "invalid sweep: 'sources.capacity_t[ir]=1': sources has no row with source 'ir'"
        " (sources: irel)\n"
    )
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("spec", [*list(BAD_SPECS)[:4], "contracts.price_usd_per_t=nan"])
def test_python_api_raises_the_same_error(spec):
    scenario = ndalloc.load_scenario("india-base")
    expected = f"{spec!r}: {BAD_SPECS[spec]}"
    with pytest.raises(SpecError) as caught:
        plan(scenario, [spec])
    assert str(caught.value) == expected
    assert isinstance(caught.value, ValueError)
    with pytest.raises(SpecError, match=re.escape(expected)):
        run_sweep(scenario, vary=[spec])
    with pytest.raises(SpecError):
        ndalloc.sweep(scenario, vary=spec)


def test_good_specs_still_plan_their_points():
    scenario = ndalloc.load_scenario("india-base")
    mode, points = plan(
        scenario,
        [
            "contracts.price_usd_per_t[japan-2012@2026-2028]=30000:40000:3",
            "makers.capacity_t[repm-scheme@2029]*=0,1.5",
            "stockpile_initial.initial_t[national]=0,10",
            "imports.max_t[china/magnet]=0,100",
            "scenario.discount_rate=0.05",
        ],
    )
    assert mode == "grid" and len(points) == 3 * 2 * 2 * 2
