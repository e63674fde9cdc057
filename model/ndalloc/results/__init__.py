"""Result tables from a solve, and the checks every solve must pass."""

from ndalloc.results.checks import ConservationError, check_conservation
from ndalloc.results.tables import RunResult, extract_result

__all__ = ["ConservationError", "RunResult", "check_conservation", "extract_result"]
