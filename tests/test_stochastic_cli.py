"""`ndalloc tree ...` and `ndalloc solve-tree`: the generators' trees, the run folder, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import flat, run_many, run_ndalloc
from ndalloc.data.tree import load_tree
from ndalloc.data.tree_make import MarkovCurbs, TreeSpecError, markov_tree_text
from ndalloc.stochastic.solve import solve_tree
from tree_factory import two_scenario_tree

INDIA_BASE = -2558564361.4752564
CHINA_CURBS = -2731139235.428605


def _markov(tmp_path: Path, name: str, **kw) -> Path:
    from ndalloc.data.loader import load_scenario

    spec = MarkovCurbs(
        **{
            "first_year": 2026,
            "last_year": 2027,
            "p_curb": 0.2,
            "p_end": 0.5,
            "severity": 0.8,
            **kw,
        }
    )
    path = tmp_path / f"{name}.toml"
    base = load_scenario("india-base")
    path.write_text(markov_tree_text(spec, "india-base", base, name, "test"), encoding="utf-8")
    return path


def test_markov_tree_paths_probabilities_and_patches(tmp_path):
    tree = load_tree(_markov(tmp_path, "m"))
    probability = {s.name: s.probability for s in tree.scenarios}
    assert probability == pytest.approx({"cc": 0.1, "cn": 0.1, "nc": 0.16, "nn": 0.64})
    base = tree.base.table("imports")
    cn = next(s for s in tree.scenarios if s.name == "cn").scenario.table("imports")
    cc = next(s for s in tree.scenarios if s.name == "cc").scenario.table("imports")
    for year, cn_scale, cc_scale in (
        (2025, 1.0, 1.0),
        (2026, 0.2, 0.2),
        (2027, 1.0, 0.2),
        (2035, 1.0, 0.2),
    ):
        i = base.find(("china", "magnet", year))
        assert cn.column("max_t")[i] == pytest.approx(cn_scale * base.column("max_t")[i])
        assert cc.column("max_t")[i] == pytest.approx(cc_scale * base.column("max_t")[i])


def test_a_markov_tree_without_curbs_is_india_base(tmp_path):
    tree = load_tree(_markov(tmp_path, "calm", p_curb=0.0))
    assert [s.name for s in tree.scenarios] == ["nn"]
    m = solve_tree(tree).measures()
    assert m["RP"] == pytest.approx(INDIA_BASE, rel=1e-12)
    assert m["VSS"] == pytest.approx(0.0, abs=1e-3) and m["EVPI"] == pytest.approx(0.0, abs=1e-3)


def test_markov_settings_that_make_no_tree():
    from ndalloc.data.loader import load_scenario

    base = load_scenario("india-base")
    with pytest.raises(TreeSpecError, match="--years must lie within 2026-2035"):
        MarkovCurbs(2025, 2030, 0.2, 0.5, 0.8).check(base)
    with pytest.raises(TreeSpecError, match="--p-curb is a probability"):
        MarkovCurbs(2026, 2030, 1.2, 0.5, 0.8).check(base)
    with pytest.raises(TreeSpecError, match="no imports of \\['magnet'\\] from 'mars'"):
        MarkovCurbs(2026, 2030, 0.2, 0.5, 0.8, origin="mars", products=("magnet",)).check(base)


def test_two_stage_tree_from_scenarios_and_the_cli_run_folder(tmp_path):
    two = tmp_path / "two.toml"
    made, bad = run_many(
        [
            (
                [
                    "tree",
                    "two-stage",
                    two,
                    "--year",
                    "2026",
                    "--scenario",
                    "india-base=0.7",
                    "--scenario",
                    "china-curbs=0.3",
                ],
                tmp_path,
            ),
            (["tree", "china-curbs-markov", tmp_path / "x.toml", "--years", "2020-2030"], tmp_path),
        ]
    )
    assert made.returncode == 0, made.stderr
    assert bad.returncode == 2 and "--years must lie within 2026-2035" in flat(bad.stderr)
    tree = load_tree(two)
    assert [(s.name, s.probability) for s in tree.scenarios] == [
        ("india-base", 0.7),
        ("china-curbs", 0.3),
    ]
    result = solve_tree(tree)
    # Each leaf alone is its scenario: perfect foresight gives the deterministic optima.
    assert result.ws_each == pytest.approx([INDIA_BASE, CHINA_CURBS], rel=1e-12)
    m = result.measures()
    assert m["EVPI"] >= -1e-6 and m["VSS"] >= -1e-6

    proc = run_ndalloc("solve-tree", two, "--out", tmp_path / "runs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = flat(proc.stdout)
    assert "planning for the uncertainty is worth" in text and "EVPI = WS - RP" in text
    (folder,) = (tmp_path / "runs").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "tree" and manifest["scenarios"] == 2
    assert manifest["measures_usd"]["RP"] == pytest.approx(m["RP"], rel=1e-12)
    for name in manifest["tables"]:
        assert (folder / name).is_file()
    assert proc.stderr == ""  # no solver output, no progress left behind


def test_solve_tree_bad_input_exits_2_with_every_problem(tmp_path):
    path = two_scenario_tree(tmp_path, p_open=0.6, p_curb=0.3)
    again = tmp_path / "again.toml"
    again.write_text("x", encoding="utf-8")
    bad, exists = run_many(
        [
            (["solve-tree", path], tmp_path),
            (["tree", "china-curbs-markov", again], tmp_path),
        ]
    )
    assert bad.returncode == 2
    assert (
        "tree.toml:8: probability: the probabilities of the children of 'root' add to 0.9"
        in flat(bad.stderr)
    )
    assert "Traceback" not in bad.stderr
    assert exists.returncode == 2 and "exists; give --force" in exists.stderr
    assert not (tmp_path / "runs").exists()


def test_tree_sweep_over_p_curb(tmp_path):
    proc = run_ndalloc(
        "tree-sweep", "p-curb", "0,0.4", "--years", "2026-2027", "--out", tmp_path, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    (folder,) = tmp_path.iterdir()
    points = pd.read_csv(folder / "points.csv")
    assert points["p_curb"].tolist() == [0.0, 0.4]
    # no curbs: one scenario, india-base itself, nothing stocked, nothing to learn
    none = points.iloc[0]
    assert none["scenarios"] == 1 and none["rp_usd"] == pytest.approx(INDIA_BASE, rel=1e-12)
    assert none["vss_usd"] == pytest.approx(0, abs=1e-3) and none["peak_stock_t"] == 0
    # curbs likelier: a stockpile, and the plan never worse than the average plan
    risky = points.iloc[1]
    assert risky["scenarios"] == 4 and risky["peak_stock_t"] > 0
    assert risky["vss_usd"] >= -1e-3 and risky["evpi_usd"] >= -1e-3
    assert risky["rp_usd"] < none["rp_usd"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "tree-sweep" and manifest["reports"] == ["report.html"]
    page = (folder / "report.html").read_text()
    assert "ndalloc tree sweep: india-base" in page and "stock-paths" in page
    assert f"p_curb = 0.4: the expected stock peaks at {risky['peak_stock_t']:,.0f} t" in flat(
        proc.stdout
    )
    bad = run_ndalloc("tree-sweep", "p-start", "0.1", cwd=tmp_path)
    assert bad.returncode == 2 and "not 'p_start'" in flat(bad.stderr)
    bad = run_ndalloc("tree-sweep", "p-curb", "0.1,1.5", cwd=tmp_path)
    assert bad.returncode == 2 and "--p-curb is a probability in [0, 1], not 1.5" in flat(
        bad.stderr
    )
