from __future__ import annotations

import sys
from pathlib import Path

# Make tests/scenario_factory.py importable as a plain module.
sys.path.insert(0, str(Path(__file__).parent))


def _hostile(reports: list) -> int:
    return sum(1 for r in reports if "hostile" in getattr(r, "keywords", {}))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say how many cases of the hostile-input corpus ran and passed ("bad inputs: N handled")."""
    passed = _hostile(terminalreporter.stats.get("passed", []))
    failed = _hostile(terminalreporter.stats.get("failed", []))
    if passed or failed:
        line = f"bad inputs: {passed} handled"
        if failed:
            line += f", {failed} NOT handled"
        terminalreporter.write_line(line)
