"""Nothing overwritten, nothing lost: `show --to` and `generate` refuse to replace a scenario's
files without --force, and a failed report rebuild leaves a run's reports as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

import ndalloc.report
import ndalloc.report.workbook
from cli_helpers import assert_no_traceback, describe, run_ndalloc
from scenario_factory import worked_example

pytestmark = pytest.mark.hostile


def test_show_to_refuses_a_folder_with_scenario_files(tmp_path: Path) -> None:
    scenario = worked_example(tmp_path / "s")
    target = tmp_path / "out"
    target.mkdir()
    (target / "sources.csv").write_text("mine\n", encoding="utf-8")
    proc = run_ndalloc("show", scenario, "--to", target, cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert proc.stderr == f"{target} exists and holds sources.csv; give --force to replace them\n"
    assert (target / "sources.csv").read_text(encoding="utf-8") == "mine\n"
    assert not (target / "scenario.toml").exists()


def test_show_to_with_force_replaces_every_scenario_file(tmp_path: Path) -> None:
    scenario = worked_example(tmp_path / "s")
    target = tmp_path / "out"
    target.mkdir()
    (target / "sources.csv").write_text("mine\n", encoding="utf-8")
    (target / "routes.csv").write_text("stale\n", encoding="utf-8")
    (target / "notes.txt").write_text("kept\n", encoding="utf-8")
    proc = run_ndalloc("show", scenario, "--to", target, "--force", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout == f"wrote the resolved scenario tiny to {target}\n"
    assert (target / "sources.csv").read_text(encoding="utf-8").startswith("source,year,")
    assert not (target / "routes.csv").exists()  # a stale table would join the scenario
    assert (target / "notes.txt").read_text(encoding="utf-8") == "kept\n"
    assert run_ndalloc("validate", target, cwd=tmp_path).returncode == 0


def test_generate_refuses_a_folder_with_scenario_files(tmp_path: Path) -> None:
    target = tmp_path / "gen"
    target.mkdir()
    (target / "sources.csv").write_text("mine\n", encoding="utf-8")
    (target / "makers.csv").write_text("mine too\n", encoding="utf-8")
    proc = run_ndalloc("generate", target, "--sources", "2", cwd=tmp_path)
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert proc.stderr == (
        f"{target} exists and holds sources.csv, makers.csv; give --force to replace them\n"
    )
    assert (target / "sources.csv").read_text(encoding="utf-8") == "mine\n"
    proc = run_ndalloc("generate", target, "--sources", "2", "--force", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout.startswith(f"wrote {target}: 2 sources,")
    assert run_ndalloc("validate", target, cwd=tmp_path).returncode == 0


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("reports")
    scenario = worked_example(base / "s")
    proc = run_ndalloc("solve", scenario, "--out", base / "runs", cwd=base)
    assert proc.returncode == 0, describe(proc)
    (folder,) = [p for p in (base / "runs").iterdir() if p.is_dir()]
    return folder


def _reports(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("report.html", "results.xlsx")}


def _broken(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("broken on purpose")


@pytest.mark.parametrize(
    ("module", "name"),
    [(ndalloc.report.workbook, "write_workbook"), (ndalloc.report, "report_html")],
)
def test_a_failed_rebuild_keeps_the_reports(
    run_folder: Path, monkeypatch: pytest.MonkeyPatch, module: object, name: str
) -> None:
    before = _reports(run_folder)
    listing = sorted(p.name for p in run_folder.iterdir())
    monkeypatch.setattr(module, name, _broken)
    with pytest.raises(RuntimeError, match="broken on purpose"):
        ndalloc.report.rebuild(run_folder)
    assert _reports(run_folder) == before
    assert sorted(p.name for p in run_folder.iterdir()) == listing  # no temporary file left


def test_a_rebuild_replaces_the_reports(run_folder: Path) -> None:
    (run_folder / "report.html").write_text("old", encoding="utf-8")
    written = ndalloc.report.rebuild(run_folder)
    assert [p.name for p in written] == ["report.html", "results.xlsx"]
    assert (run_folder / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
