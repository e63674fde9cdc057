"""Every documented example runs (quick mode) and produces its tables."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_japan_price_study_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    module = runpy.run_path(str(ROOT / "docs" / "examples" / "japan_price_study.py"))
    tables = module["main"](quick=True)
    assert len(tables["curve"]) == 15 and (tables["curve"]["status"] == "optimal").all()
    assert len(tables["draws"]) == 20
    assert not tables["tornado"].empty
    out = tmp_path / "runs" / "japan-price-study"
    assert {p.name for p in out.iterdir()} == {
        "price_curve.csv",
        "tornado.csv",
        "monte_carlo.parquet",
    }
    assert "one more tonne of neodymium oxide in 2030 is worth" in capsys.readouterr().out
