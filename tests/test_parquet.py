"""`ndalloc solve --format parquet`: a Parquet copy of every table beside the CSV files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from typer.testing import CliRunner

import ndalloc
from ndalloc.cli.commands import app
from ndalloc.runs import MANIFEST, PARQUET_DIR, write_run
from ndalloc.solver.highs import SolveOptions


@pytest.fixture(scope="module")
def solved() -> tuple[ndalloc.Scenario, ndalloc.RunResult]:
    sc = ndalloc.load_scenario("china-curbs")
    return sc, ndalloc.solve(sc)


def test_every_table_has_a_parquet_copy_with_its_types(solved, tmp_path):
    sc, res = solved
    folder = write_run(
        res, sc, SolveOptions(), tmp_path, datetime.now(UTC), reports=False, parquet=True
    )
    tables = res.tables()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["parquet_tables"] == [f"parquet/{n}.parquet" for n in sorted(tables)]
    assert len(tables) > 20
    for name, frame in tables.items():
        assert (folder / f"{name}.csv").is_file()
        copy = pd.read_parquet(folder / PARQUET_DIR / f"{name}.parquet")
        pd.testing.assert_frame_equal(copy, frame.reset_index(drop=True), check_dtype=True)
    # the CSV files are what they are without the copies
    plain = write_run(res, sc, SolveOptions(), tmp_path / "plain", datetime.now(UTC), reports=False)
    assert not (plain / PARQUET_DIR).exists()
    assert "parquet_tables" not in json.loads((plain / MANIFEST).read_text())
    for name in tables:
        assert (plain / f"{name}.csv").read_bytes() == (folder / f"{name}.csv").read_bytes()


def test_cli_format_option(tmp_path):
    runner = CliRunner()
    done = runner.invoke(
        app, ["solve", "india-base", "--no-reports", "--format", "Parquet", "--out", str(tmp_path)]
    )
    assert done.exit_code == 0, done.output
    (folder,) = tmp_path.iterdir()
    assert len(list((folder / PARQUET_DIR).glob("*.parquet"))) == len(list(folder.glob("*.csv")))
    bad = runner.invoke(app, ["solve", "india-base", "--format", "xml", "--out", str(tmp_path)])
    assert bad.exit_code == 2
    assert "Invalid value for '--format'" in bad.output
    assert "'xml' is not one of" in bad.output
    assert len(list(tmp_path.iterdir())) == 1
