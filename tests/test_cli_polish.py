"""Small command-line fixes: horizons of inherited scenarios, --version, -h, metavars, and
usage errors said in one line."""

from __future__ import annotations

import re

from cli_helpers import describe, run_ndalloc


def test_scenarios_shows_the_resolved_horizon_of_inherited_scenarios(tmp_path):
    proc = run_ndalloc("scenarios", cwd=tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert "?-?" not in proc.stdout
    for name in ("india-base", "export-halt-2026", "stockpile-2-months", "phased-exit-stockpile"):
        row = next(line for line in proc.stdout.splitlines() if f" {name} " in line)
        assert re.search(rf"{name}\s+│\s+2025-2035\s+│", row), row
