"""The linopy peer of benchmarks/linopy_peer.py finds ndalloc's objective.

The peer is an independent build of the LP from docs/formulation.md (linopy, solved by HiGHS);
the two must agree on the optimum to 1e-6 relative on a generated scenario (size S of the
benchmarks), on the same scenario with routes, an export ceiling and halted contracts (the
families a generated scenario leaves out), and on the bundled india-base.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import ndalloc
from ndalloc.data.generate import Size, generate

ROOT = Path(__file__).resolve().parents[1]
PEER = ROOT / "benchmarks" / "linopy_peer.py"
#: Size S of the benchmarks (`ndalloc generate --sources 6 --makers 6 --contracts 6
#: --sectors 12 --years 15 --seed 1`).
SIZE_S = Size(sources=6, makers=6, contracts=6, sectors=12, years=15)


@pytest.fixture(scope="module")
def peer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("linopy_peer", PEER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scenario_s(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(SIZE_S, seed=1, folder=tmp_path_factory.mktemp("gen") / "S")


def with_routes(folder: Path, out: Path) -> Path:
    """`folder` plus routes.csv (a third of all origin-destination pairs, with costs), a
    national export ceiling and every seventh contract row halted."""
    shutil.copytree(folder, out)
    rng = np.random.default_rng(0)

    def names(file: str, column: str, query: str = "") -> list[str]:
        df = pd.read_csv(folder / file, dtype=str)
        return sorted(set((df.query(query) if query else df)[column]))

    stockpiles = names("stockpiles.csv", "stockpile")
    origins = names("sources.csv", "source")
    origins += names("imports.csv", "origin", "product == 'oxide'") + stockpiles
    ends = names("contracts.csv", "contract") + names("makers.csv", "maker") + stockpiles
    pairs = [(o, d) for o in origins for d in ends if o != d and rng.random() < 0.35]
    routes = pd.DataFrame(pairs, columns=["origin", "destination"])
    routes["cost_usd_per_t"] = rng.integers(0, 3000, len(routes)).astype(float)
    routes.to_csv(out / "routes.csv", index=False)
    contracts = pd.read_csv(out / "contracts.csv", dtype=str, keep_default_na=False)
    contracts.loc[contracts.index % 7 == 3, "halted"] = "true"
    contracts.to_csv(out / "contracts.csv", index=False)
    toml = (out / "scenario.toml").read_text(encoding="utf-8")
    (out / "scenario.toml").write_text(toml + "export_cap_t = 300.0\n", encoding="utf-8")
    return out


def check_agrees(peer: ModuleType, folder: Path, out: Path) -> dict:
    expected = ndalloc.solve(folder)
    assert expected.optimal and expected.objective is not None
    report = peer.run(folder, out)
    assert report["status"] == "optimal"
    assert report["objective"] == pytest.approx(expected.objective, rel=1e-6)
    assert report["variables"] == expected.counts["variables"]
    assert report["constraints"] == expected.counts["constraints"]
    assert (out / "primal_output.csv").exists() and (out / "dual_oxide_balance.csv").exists()
    return report


def test_generated_s(peer, scenario_s, tmp_path):
    check_agrees(peer, scenario_s, tmp_path / "out")


def test_routes_export_cap_and_halts(peer, scenario_s, tmp_path):
    folder = with_routes(scenario_s, tmp_path / "SR")
    check_agrees(peer, folder, tmp_path / "out")
    assert (tmp_path / "out" / "primal_flow.csv").exists()
    assert (tmp_path / "out" / "dual_export_cap.csv").exists()


def test_india_base(peer, tmp_path):
    report = check_agrees(peer, ROOT / "data" / "india-base", tmp_path / "out")
    assert report["objective"] == pytest.approx(-2558564361.4752564, rel=1e-9)


def test_inheritance_is_refused(peer, tmp_path):
    with pytest.raises(SystemExit, match="inherits"):
        peer.read_inputs(ROOT / "data" / "stockpile-2-months")
