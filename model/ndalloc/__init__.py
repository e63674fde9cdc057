"""ndalloc: allocate a country's neodymium with a linear program.

For scripts::

    import ndalloc
    sc = ndalloc.load_scenario("india-base")
    res = ndalloc.solve(sc)
    res.status, res.objective, res.allocation, res.variables["export"], res.duals["oxide_balance"]
    ndalloc.breakeven("india-base", "export-halt-2026", "contracts.breach_penalty_usd_per_t")

Names that need Pyomo or HiGHS are imported on first use, so `import ndalloc` (and the
command line) starts quickly.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ndalloc.data.bundled import bundled_names
from ndalloc.data.errors import Issue, ScenarioError
from ndalloc.solver.status import SolveOptions, Status

try:
    __version__ = version("ndalloc")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

#: Public names loaded lazily: name -> module.
_LAZY = {
    "load_scenario": "ndalloc.data.loader",
    "Scenario": "ndalloc.data.scenario",
    "solve": "ndalloc.api",
    "RunResult": "ndalloc.results.tables",
    "ConservationError": "ndalloc.results.checks",
    "build_model": "ndalloc.lp.build",
    "sweep": "ndalloc.sensitivity",
    "breakeven": "ndalloc.sensitivity.breakeven",
    "Breakeven": "ndalloc.sensitivity.breakeven",
    "compare": "ndalloc.comparison",
    "diff": "ndalloc.data.diff",
    "list_runs": "ndalloc.comparison",
}

__all__ = [
    "Breakeven",
    "ConservationError",
    "Issue",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SolveOptions",
    "Status",
    "__version__",
    "breakeven",
    "build_model",
    "bundled_names",
    "compare",
    "diff",
    "list_runs",
    "load_scenario",
    "solve",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ndalloc' has no attribute {name!r}")
