"""A built wheel carries the bundled scenarios and finds them without the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = "ndalloc/_bundled/india-base/"
#: Signs, in pip's output, that the build backend (hatchling) could not be obtained.
NO_BACKEND = (
    "No matching distribution found for hatchling",
    "Could not find a version that satisfies the requirement hatchling",
    "Failed to establish a new connection",
    "No module named pip",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        text = proc.stdout + proc.stderr
        if any(sign in text for sign in NO_BACKEND):
            pytest.skip(f"cannot obtain the build backend to build a wheel:\n{text[-2000:]}")
        pytest.fail(f"pip wheel failed (exit {proc.returncode}):\n{text}")
    (found,) = out.glob("ndalloc-*.whl")
    return found


def test_wheel_contains_bundled_scenario(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert BUNDLED + "scenario.toml" in names
    source = ROOT / "data" / "india-base"
    csvs = sorted(p.name for p in source.glob("*.csv"))
    assert "sources.csv" in csvs and "demand.csv" in csvs
    for name in csvs:
        assert BUNDLED + name in names, name
    assert "ndalloc/cli/__init__.py" in names
    for template in ("page.html.j2", "blocks.html.j2", "report.css"):
        assert f"ndalloc/report/templates/{template}" in names, template
    assert not any(n.startswith(("tests/", "data/")) for n in names)


def test_unpacked_wheel_finds_bundled_scenarios(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    code = (
        "import ndalloc, ndalloc.data.bundled as b; print(b.bundled_root()); "
        "print(ndalloc.load_scenario('india-base').name); print(ndalloc.__file__)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    root, name, module = proc.stdout.splitlines()
    assert Path(module).resolve().is_relative_to(site.resolve()), module  # not the editable one
    assert Path(root).resolve() == (site / "ndalloc" / "_bundled").resolve()
    assert not Path(root).resolve().is_relative_to(ROOT / "data")
    assert name == "india-base"
