"""Text in square brackets is printed literally by every command, never read as rich markup.

Paths, descriptions, citations, run ids and manifest fields hold `[/]`, `[red]x[/red]`,
`[link=http://e]p[/link]` or `[bold`: each command exits 0 (or 2 for bad input), prints no
traceback, and the text appears as it was written (rich would raise MarkupError on `[/]`, drop
`[red]` and hide a path behind `[link=...]`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_helpers import assert_no_traceback, describe, run_ndalloc
from scenario_factory import worked_example

pytestmark = pytest.mark.hostile

CLOSE = "[/]"
RED = "[red]x[/red]"
LINK = "[link=http://e]p[/link]"
BOLD = "[bold"
#: In a path "//" would be one "/": a link to a relative address.
PATH_LINK = "[link=e.html]p[/link]"
DESCRIPTION = f"a {CLOSE} b {RED} {LINK} {BOLD}"
CITATION = f"cited {LINK} {CLOSE}"


def _check(proc: subprocess.CompletedProcess[str], code: int, *texts: str) -> None:
    assert proc.returncode == code, describe(proc)
    assert_no_traceback(proc)
    assert "MarkupError" not in proc.stdout + proc.stderr, describe(proc)
    for text in texts:
        assert text in proc.stdout + proc.stderr, f"{text!r} not printed\n{describe(proc)}"


def _scenario(folder: Path, name: str = "odd") -> Path:
    return worked_example(
        folder,
        {"name": name, "description": DESCRIPTION},
        source={"citation": CITATION},
    )


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A scenario folder with brackets in its path, name, description and citation, solved into
    a runs folder with brackets in its path: (cwd, scenario, runs folder)."""
    cwd = tmp_path_factory.mktemp("markup")
    scenario = _scenario(cwd / f"sc{RED}", name="odd")
    runs = cwd / f"runs{CLOSE}x"
    proc = run_ndalloc("solve", scenario, "--out", runs, "--no-reports", cwd=cwd)
    _check(proc, 0, "run folder: ", f"runs{CLOSE}x")
    return cwd, scenario, runs


def test_validate_a_missing_scenario_named_with_brackets(tmp_path: Path) -> None:
    proc = run_ndalloc("validate", f"no-such{CLOSE}", cwd=tmp_path)
    _check(proc, 2, f"invalid scenario no-such{CLOSE}", f"scenario 'no-such{CLOSE}'")


@pytest.mark.parametrize("name", [CLOSE, RED, PATH_LINK, BOLD])
def test_validate_a_missing_path_with_brackets(tmp_path: Path, name: str) -> None:
    proc = run_ndalloc("validate", f"./dir{name}/x", cwd=tmp_path)
    _check(proc, 2, f"dir{name}/x")


def test_validate_a_bad_file_in_a_folder_with_brackets(tmp_path: Path) -> None:
    folder = worked_example(tmp_path / f"f{PATH_LINK}", source={"capacity_t": -1})
    proc = run_ndalloc("validate", folder, cwd=tmp_path)
    _check(proc, 2, f"f{PATH_LINK}", "1 problem(s); the scenario is not valid.")


def test_solve_prints_the_run_folder_with_brackets(solved: tuple[Path, Path, Path]) -> None:
    _cwd, _scenario_dir, runs = solved
    folders = [p for p in runs.iterdir() if p.is_dir()]
    assert len(folders) == 1
    manifest = json.loads((folders[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"] == "odd"


def test_show_prints_description_and_citation_literally(solved: tuple[Path, Path, Path]) -> None:
    cwd, scenario, _runs = solved
    proc = run_ndalloc("show", scenario, cwd=cwd)
    _check(proc, 0, "scenario odd")
    flat = " ".join(proc.stdout.split())
    for piece in (CLOSE, RED, LINK, BOLD):
        assert piece in flat, describe(proc)


def test_show_to_a_folder_with_brackets(solved: tuple[Path, Path, Path]) -> None:
    cwd, scenario, _runs = solved
    target = cwd / f"out{PATH_LINK}"
    proc = run_ndalloc("show", scenario, "--to", target, cwd=cwd)
    _check(proc, 0, f"out{PATH_LINK}")
    assert (target / "sources.csv").is_file()


def test_diff_prints_descriptions_literally(solved: tuple[Path, Path, Path]) -> None:
    cwd, scenario, _runs = solved
    other = worked_example(
        cwd / "other", {"name": "b", "description": DESCRIPTION}, source={"citation": f"c {RED}"}
    )
    description = (other / "scenario.toml").read_text(encoding="utf-8")
    (other / "scenario.toml").write_text(
        description.replace(DESCRIPTION, f"z {RED} {CLOSE}"), encoding="utf-8"
    )
    proc = run_ndalloc("diff", scenario, other, "--citations", cwd=cwd)
    _check(proc, 0, "A: odd", "B: b", f"sc{RED}")
    flat = " ".join(proc.stdout.split())
    assert f"z {RED} {CLOSE}" in flat, describe(proc)
    assert f"c {RED}" in flat and CITATION in flat, describe(proc)


def test_runs_in_a_folder_with_brackets(solved: tuple[Path, Path, Path]) -> None:
    cwd, _scenario_dir, runs = solved
    proc = run_ndalloc("runs", "--dir", runs, cwd=cwd)
    _check(proc, 0, "odd")


def test_runs_of_a_missing_folder_with_brackets(tmp_path: Path) -> None:
    proc = run_ndalloc("runs", "--dir", f"r{RED}", cwd=tmp_path)
    _check(proc, 2, f"r{RED}")


def test_compare_runs_with_brackets(solved: tuple[Path, Path, Path]) -> None:
    cwd, _scenario_dir, runs = solved
    (folder,) = [p for p in runs.iterdir() if p.is_dir()]
    twin = cwd / f"twin{PATH_LINK}" / folder.name
    shutil.copytree(folder, twin)
    proc = run_ndalloc("compare", folder, twin, cwd=cwd)
    _check(proc, 0)
    proc = run_ndalloc("compare", folder, f"nope{CLOSE}", "--dir", runs, cwd=cwd)
    _check(proc, 2, f"nope{CLOSE}")


def test_compare_a_folder_that_is_not_a_run(solved: tuple[Path, Path, Path]) -> None:
    cwd, _scenario_dir, runs = solved
    (folder,) = [p for p in runs.iterdir() if p.is_dir()]
    bad = cwd / f"bad{RED}"
    bad.mkdir(parents=True, exist_ok=True)
    proc = run_ndalloc("compare", folder, bad, cwd=cwd)
    _check(proc, 2, "not a run", f"bad{RED}")


def test_a_manifest_field_with_brackets(solved: tuple[Path, Path, Path]) -> None:
    cwd, _scenario_dir, runs = solved
    (folder,) = [p for p in runs.iterdir() if p.is_dir()]
    copy = cwd / f"m{CLOSE}" / folder.name
    shutil.copytree(folder, copy)
    path = copy / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["scenario"] = f"s{LINK}{BOLD}"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    proc = run_ndalloc("runs", "--dir", copy.parent, cwd=cwd)
    _check(proc, 0)
    assert f"s{LINK}{BOLD}" in "".join(proc.stdout.split()), describe(proc)


def test_export_to_a_bad_workbook_name_with_brackets(solved: tuple[Path, Path, Path]) -> None:
    cwd, scenario, _runs = solved
    proc = run_ndalloc("export", scenario, f"book{CLOSE}.txt", cwd=cwd)
    _check(proc, 2, f"cannot write book{CLOSE}.txt")


def test_help_keeps_its_brackets(tmp_path: Path) -> None:
    proc = run_ndalloc("solve", "-h", cwd=tmp_path)
    _check(proc, 0)
    assert "(output[irel,2025])" in "".join(proc.stdout.split()), describe(proc)


def test_a_usage_error_quotes_brackets_literally(tmp_path: Path) -> None:
    proc = run_ndalloc("solve", "x", f"extra{CLOSE}", RED, cwd=tmp_path)
    _check(proc, 2, f"extra{CLOSE} {RED}")
