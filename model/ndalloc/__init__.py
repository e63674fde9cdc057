"""ndalloc: allocate a country's neodymium with a linear program.

For scripts::

    import ndalloc
    sc = ndalloc.load_scenario("india-base")
    res = ndalloc.solve(sc)
    res.status, res.objective, res.allocation, res.variables["export"], res.duals["oxide_balance"]
"""

from importlib.metadata import PackageNotFoundError, version

from ndalloc.api import solve
from ndalloc.data.bundled import bundled_names
from ndalloc.data.errors import Issue, ScenarioError
from ndalloc.data.loader import load_scenario
from ndalloc.data.scenario import Scenario
from ndalloc.results.checks import ConservationError
from ndalloc.results.tables import RunResult
from ndalloc.solve.highs import SolveOptions, Status

try:
    __version__ = version("ndalloc")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

__all__ = [
    "ConservationError",
    "Issue",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SolveOptions",
    "Status",
    "__version__",
    "bundled_names",
    "load_scenario",
    "solve",
]
