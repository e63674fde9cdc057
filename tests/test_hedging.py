"""Progressive hedging (mpi-sppy, docs/formulation.md section 11.6) against the extensive form.

The MPI runs need mpiexec (Debian's openmpi-bin, which .ci/run installs)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import flat, run_ndalloc
from ndalloc.data.loader import load_scenario
from ndalloc.data.tree import load_tree
from ndalloc.data.tree_make import MarkovCurbs, markov_tree_text
from ndalloc.stochastic import hedging_run
from ndalloc.stochastic.hedging import NotHedgeableError, PhSettings, ph_tree
from ndalloc.stochastic.hedging_run import HedgingError, hedge_tree
from ndalloc.stochastic.solve import solve_tree
from ndalloc.stochastic.tables import columns_layout
from tree_factory import node, two_scenario_tree

#: The families whose split between domestic and imported magnets is a tie in india-base
#: (docs/formulation.md section 10): only their totals are unique.
TIED = {"deliver_domestic", "deliver_import"}


def _first_stage(result, year: int) -> np.ndarray:
    return result.rp.col_value[: result.form.n_col][result.form.col_year == year]


def test_the_hand_tree_by_progressive_hedging_agrees_with_the_extensive_form(tmp_path):
    path = two_scenario_tree(tmp_path)
    tree = load_tree(path)
    ph, summary = hedge_tree(tree, str(path), processes=1)
    ef = solve_tree(tree)
    assert summary.processes == 1 and summary.converged and summary.iterations < 100
    # 11.4: stock 80 t in 2026, RP -2640; the Lagrangian bound closes on it
    assert ph.rp.objective == pytest.approx(-2640.0, abs=1e-6)
    assert summary.inner_bound <= ef.rp.objective + 1e-6 <= summary.outer_bound + 2e-6
    assert summary.gap == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(_first_stage(ph, 2026), _first_stage(ef, 2026), rtol=1e-4, atol=1e-6)
    m = ph.measures()
    assert (m["WS"], m["EVPI"], m["EEV"], m["VSS"]) == pytest.approx((-2400, 240, -3200, 560))
    assert summary.trivial_bound == pytest.approx(-2400.0)
    assert ph.rp.row_dual is None  # no node duals from PH


def _markov_tree(tmp_path: Path) -> Path:
    spec = MarkovCurbs(first_year=2026, last_year=2027, p_curb=0.3, p_end=0.5, severity=0.8)
    path = tmp_path / "markov.toml"
    text = markov_tree_text(spec, "india-base", load_scenario("india-base"), "markov", "test")
    path.write_text(text, encoding="utf-8")
    return path


def test_a_multistage_tree_of_india_base_agrees_with_the_extensive_form(tmp_path):
    path = _markov_tree(tmp_path)
    tree = load_tree(path)
    ph, summary = hedge_tree(tree, str(path), processes=1, measures=False)
    ef = solve_tree(tree, measures=False)
    rp = ef.rp.objective
    assert summary.converged and len(ph_tree(tree).all_nodenames or []) == len(tree.nodes)
    assert summary.inner_bound - 1.0 <= rp <= summary.outer_bound + 1.0  # USD, of 2.76e9
    assert ph.rp.objective == pytest.approx(rp, rel=1e-9)
    assert summary.gap < 1e-8
    # PH's plan is non-anticipative and reaches RP, so it is optimal; its first years'
    # decisions equal the extensive form's, but for the tied split of deliveries (section 10),
    # whose totals are equal.
    layout = columns_layout(ef.form.head)
    for year in (2025, 2026):
        at = np.flatnonzero(ef.form.col_year == year)
        frame = layout.set_index("at").loc[at]
        frame["ef"], frame["ph"] = _first_stage(ef, year), _first_stage(ph, year)
        free = frame[~frame["family"].isin(TIED)]
        np.testing.assert_allclose(free["ph"], free["ef"], rtol=1e-4, atol=1e-3)
        totals = frame.groupby("family")[["ef", "ph"]].sum()
        np.testing.assert_allclose(totals["ph"], totals["ef"], rtol=1e-4, atol=1e-3)


def test_solve_tree_ph_writes_its_run_folder(tmp_path):
    path = two_scenario_tree(tmp_path)
    result = run_ndalloc(
        "solve-tree",
        path,
        "--ph",
        "--np",
        "2",
        "--no-measures",
        "--out",
        tmp_path / "r",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    text = flat(result.stdout)
    assert "progressive hedging on 2 processes converged in" in text
    assert "stochastic plan (RP): -2,640 USD" in text
    assert "within 0.0000 % of the Lagrangian bound -2,640 USD" in text
    (folder,) = (tmp_path / "r").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["method"] == "progressive hedging"
    assert manifest["ph"]["processes"] == 2 and manifest["ph"]["converged"] is True
    assert "ph.log" in manifest["tables"] and (folder / "ph.log").read_text().strip()
    residuals = pd.read_csv(folder / "ph.csv")
    assert list(residuals.columns) == ["iteration", "primal_residual", "dual_residual"]
    assert residuals.iloc[-1][["primal_residual", "dual_residual"]].max() <= 1e-6
    assert not (folder / "node_duals.csv").exists()
    here = pd.read_csv(folder / "here_and_now.csv")
    assert here.loc[here["family"] == "level", "value"].tolist() == pytest.approx([80.0])


def test_trees_and_settings_progressive_hedging_cannot_take(tmp_path, monkeypatch):
    path = two_scenario_tree(tmp_path)
    bad = run_ndalloc("solve-tree", path, "--ph", "--risk-weight", "0.5", cwd=tmp_path)
    assert bad.returncode == 2
    assert "--ph plans on the expected benefit only" in flat(bad.stderr)
    # leaves at two depths: open ends in 2027, curb has one more node in 2028
    with pytest.raises(NotHedgeableError, match="leaves at 2 depths"):
        ph_tree(_uneven_tree(tmp_path))
    monkeypatch.setattr(hedging_run.shutil, "which", lambda _name: None)
    with pytest.raises(HedgingError, match="needs MPI's mpiexec"):
        hedging_run._command("t.toml", tmp_path / "o.npz", 4, PhSettings())
    assert hedging_run._command("t.toml", tmp_path / "o.npz", 1, PhSettings())[1:3] == [
        "-m",
        "ndalloc.stochastic.hedging",
    ]


def _uneven_tree(tmp_path: Path):
    from hand_solved import stockpile
    from scenario_factory import write_scenario
    from tree_factory import BASE_META, base_tables

    meta = {**BASE_META, "last_year": 2028}
    tables = base_tables()
    tables["stockpiles"] = [
        stockpile("reserve", y, max_t=1000, inject=1000, release=1000) for y in (2026, 2027, 2028)
    ]
    write_scenario(tmp_path / "base3", meta, **tables)
    text = (
        'base = "base3"\nname = "uneven"\n'
        + node("root", 2026)
        + node("open", 2027, "root", 0.6)
        + node("curb", 2027, "root", 0.4)
        + node("late", 2028, "curb", 1.0)
    )
    path = tmp_path / "uneven3.toml"
    path.write_text(text, encoding="utf-8")
    return load_tree(path)


def test_measures_on_a_dask_cluster_equal_the_threads(tmp_path):
    distributed = pytest.importorskip("distributed")
    tree = load_tree(two_scenario_tree(tmp_path))
    local = solve_tree(tree).measures()
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        remote = solve_tree(tree, dask=cluster.scheduler_address).measures()
    assert remote == local
    assert (remote["WS"], remote["EEV"]) == (-2400.0, -3200.0)


def test_an_unreachable_dask_scheduler_says_so(tmp_path, monkeypatch):
    from ndalloc.sensitivity import run as sweep_run
    from ndalloc.sensitivity.run import ClusterError

    monkeypatch.setattr(sweep_run, "DASK_CONNECT_S", 0.5)
    tree = load_tree(two_scenario_tree(tmp_path))
    with pytest.raises(
        ClusterError, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:1'"
    ):
        solve_tree(tree, dask="tcp://127.0.0.1:1")


def test_a_consensus_that_does_not_fit_falls_back_to_the_root(tmp_path):
    # x-bar of the nodes below the root that no scenario can carry out (PH far from converged:
    # a stock level above its maximum): the plan fixes the root's decisions (here the
    # extensive form's own) and optimises the rest on the extensive form, which gives RP.
    from ndalloc.solver.status import SolveOptions
    from ndalloc.stochastic.hedging_run import ROOT_ONLY, consensus_plan
    from ndalloc.stochastic.parallel import thread_runner

    tree = load_tree(_markov_tree(tmp_path))
    ef = solve_tree(tree, measures=False)
    form, x = ef.form, ef.rp.col_value[: ef.form.n_col]
    year_pos = form.col_year - tree.base.years[0]
    node_ids = list(tree.nodes)
    xbar = {}
    for s, ts in enumerate(tree.scenarios):
        for nid in ts.path[:-1]:
            cols = np.flatnonzero(form.node_of[s, year_pos] == node_ids.index(nid))
            xbar[nid] = x[cols] if tree.nodes[nid].parent is None else x[cols] + 1e7
    plan, how = consensus_plan(form, xbar, thread_runner(SolveOptions(), 2), SolveOptions())
    assert how == ROOT_ONLY
    assert plan.objective == pytest.approx(ef.rp.objective, rel=1e-9)
    assert plan.row_dual is None
