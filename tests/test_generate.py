"""`ndalloc generate`: valid, feasible, deterministic synthetic scenarios; `--write-mps`.

The S size of benchmarks/README.md is solved here for correctness only (no timing).
"""

from __future__ import annotations

import json
from pathlib import Path

import highspy
import pytest

import ndalloc
from cli_helpers import describe, run_ndalloc
from ndalloc.data.generate import SIZES, Size, generate
from ndalloc.data.schema import TABLES, columns
from ndalloc.runs import MANIFEST

SEED = 1
#: Tables a generated scenario writes: all but the optional routes and ranges.
EVERY_TABLE = [name for name in TABLES if name not in ("routes", "ranges")]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(SIZES["S"], SEED, tmp_path_factory.mktemp("gen") / "s")


def test_small_size_has_about_a_thousand_variables_and_solves_optimal(small):
    res = ndalloc.solve(small)  # validated on load; the post-solve checks run in solve
    assert res.status is ndalloc.Status.OPTIMAL
    assert 900 <= res.counts["variables"] <= 1100
    assert res.warnings == ()
    # every kind of decision is present and used somewhere
    for family in ("output", "export", "breach", "make", "imports", "level", "shortage"):
        assert len(res.variables[family]) > 0, family
    assert res.variables["imports"]["product"].nunique() == 2


def test_every_table_is_written_in_schema_column_order(small):
    for name in EVERY_TABLE:
        lines = (small / TABLES[name].FILE).read_text(encoding="utf-8").splitlines()
        assert lines[0].split(",") == columns(TABLES[name]), name
        assert len(lines) > 1, name
    sc = ndalloc.load_scenario(small)
    assert all(len(sc.records(name)) > 0 for name in EVERY_TABLE)


def test_the_same_seed_gives_the_same_files(small, tmp_path):
    again = generate(SIZES["S"], SEED, tmp_path / "again")
    other = generate(SIZES["S"], SEED + 1, tmp_path / "other")
    files = sorted(p.name for p in small.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    assert all((small / f).read_bytes() == (again / f).read_bytes() for f in files)
    assert any((small / f).read_bytes() != (other / f).read_bytes() for f in files)


@pytest.mark.parametrize("seed", range(5))
def test_other_seeds_and_shapes_are_feasible(tmp_path, seed):
    size = Size(sources=3, makers=2, contracts=4, sectors=3, years=3 + seed, stockpiles=2)
    res = ndalloc.solve(generate(size, seed, tmp_path / "s"))
    assert res.status is ndalloc.Status.OPTIMAL


def test_cli_generates_solves_and_exports_the_lp_that_highs_alone_solves(tmp_path):
    proc = run_ndalloc(
        "generate", *SIZES["S"].flags().split(), "--seed", str(SEED), "s", cwd=tmp_path
    )
    assert proc.returncode == 0, describe(proc)
    for name in EVERY_TABLE:
        assert (tmp_path / "s" / TABLES[name].FILE).is_file()
    proc = run_ndalloc(
        "solve", "s", "--out", "runs", "--no-reports", "--write-mps", "lp.mps", cwd=tmp_path
    )
    assert proc.returncode == 0, describe(proc)
    (run,) = (tmp_path / "runs").iterdir()
    objective = json.loads((run / MANIFEST).read_text(encoding="utf-8"))["objective_usd"]

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    assert highs.readModel(str(tmp_path / "lp.mps")) != highspy.HighsStatus.kError
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert highs.getInfo().objective_function_value == pytest.approx(objective, rel=1e-9)
    # the columns and rows carry the families' names
    assert highs.getColByName("output[src1,2025]")[0] == highspy.HighsStatus.kOk
    assert highs.getRowByName("oxide_balance[2025]")[0] == highspy.HighsStatus.kOk


def test_cli_will_not_overwrite_a_scenario(tmp_path):
    generate(Size(1, 1, 1, 1, 1), 0, tmp_path / "s")
    proc = run_ndalloc("generate", "--sources", "1", "s", cwd=tmp_path)
    assert proc.returncode == 2
    assert "exists" in proc.stderr


def test_mps_without_names_is_the_same_lp(tmp_path):
    res = ndalloc.solve("india-base", mps=tmp_path / "lp.mps", mps_names=False)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(tmp_path / "lp.mps"))
    highs.run()
    assert highs.getInfo().objective_function_value == pytest.approx(res.objective, rel=1e-9)
    assert highs.getColByName("c0")[0] == highspy.HighsStatus.kOk
