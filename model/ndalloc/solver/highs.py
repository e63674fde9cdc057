"""Solve a built LP with HiGHS (highspy).

A `BuiltLp` (the default, fast path) is handed to HiGHS in one `passModel` call; a Pyomo
`BuiltModel` (the plain path) goes through Pyomo's persistent HiGHS interface. Either way the
outcome carries the `highspy.Highs` object that holds the solved LP and, for every variable and
constraint family, the HiGHS column and row of each member (in key order), so that results,
ranging, explanations and sweeps read the solution the same way on both paths.

Every HiGHS model status maps to one `Status`; nothing downstream needs Pyomo's objects.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import highspy
import numpy as np

from ndalloc.data.memory import release_memory
from ndalloc.lp.build import Built, BuiltLp, BuiltModel
from ndalloc.lp.registry import LpArrays
from ndalloc.solver.status import MEANING, Interrupted, SolveOptions, Status

_MS = highspy.HighsModelStatus
_STATUS: dict[Any, Status] = {
    _MS.kOptimal: Status.OPTIMAL,
    _MS.kInfeasible: Status.INFEASIBLE,
    _MS.kUnbounded: Status.UNBOUNDED,
    _MS.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED,
    _MS.kTimeLimit: Status.TIME_LIMIT,
    _MS.kIterationLimit: Status.ITERATION_LIMIT,
    _MS.kLoadError: Status.ERROR,
    _MS.kModelError: Status.ERROR,
    _MS.kPresolveError: Status.ERROR,
    _MS.kSolveError: Status.ERROR,
    _MS.kPostsolveError: Status.ERROR,
    _MS.kModelEmpty: Status.OPTIMAL,
    _MS.kObjectiveBound: Status.UNKNOWN,
    _MS.kObjectiveTarget: Status.UNKNOWN,
    _MS.kNotset: Status.UNKNOWN,
    _MS.kUnknown: Status.UNKNOWN,
}
if hasattr(_MS, "kInterrupt"):
    _STATUS[_MS.kInterrupt] = Status.INTERRUPTED
if hasattr(_MS, "kSolutionLimit"):
    _STATUS[_MS.kSolutionLimit] = Status.ITERATION_LIMIT


@dataclass(frozen=True)
class SolveOutcome:
    """How one solve ended.

    `highs` holds the solved LP; `cols[family]` / `rows[family]` are the HiGHS column / row of
    each member of a variable / constraint family, in the family's key order. `solver` and
    `results` are Pyomo's persistent interface and results on the plain path (None on the
    fast path).
    """

    status: Status
    objective: float | None
    bound: float | None
    seconds: float
    """Wall time of the solve: handing the LP to HiGHS, setting options and HiGHS's run."""
    solver_version: str
    highs_status: str
    solver: Any = field(repr=False)
    results: Any = field(repr=False)
    highs: Any = field(default=None, repr=False)
    cols: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    rows: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    run_seconds: float | None = None
    """Wall time of HiGHS's own `run()` alone (fast path; None on the plain path, where
    Pyomo's interface calls it)."""

    @property
    def message(self) -> str:
        return MEANING[self.status]


_banner_lock = threading.Lock()
_banner_shown = False


def new_highs(log: bool = False) -> Any:
    """A new highspy.Highs whose output is off unless `log` (`--solver-log`).

    highspy 1.16 prints a banner ("Running HiGHS 1.16.0 ... Copyright ...") on the process's
    standard output (file descriptor 1, from C) when the first `Highs` of a process is made,
    before any option can be set. The first `Highs` of each process is therefore made with
    descriptor 1 pointed at /dev/null (and C's buffers flushed before it is put back); HiGHS
    prints the banner once per process, so later ones print nothing. Every `Highs` ndalloc
    makes comes from here; Pyomo's plain path calls it first for the same reason.
    """
    global _banner_shown
    with _banner_lock:
        quiet = not _banner_shown and not log
        h = _silenced(highspy.Highs) if quiet else highspy.Highs()
        _banner_shown = True
    h.setOptionValue("output_flag", log)
    return h


def _silenced(make: Any) -> Any:
    """`make()` with C-level standard output sent to /dev/null."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 at all: nothing can reach a terminal
        return make()
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        try:
            return make()
        finally:
            _flush_c_stdout()
            os.dup2(saved, 1)
    finally:
        os.close(null)
        os.close(saved)


def _flush_c_stdout() -> None:
    """fflush(NULL): push what C code buffered for standard output to where it points now."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to call (not seen on Linux or macOS)
        pass


@cache
def highs_version() -> str:
    h = new_highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def solve_model(built: Built, options: SolveOptions | None = None) -> SolveOutcome:
    """Solve `built` with HiGHS; never raises for a non-optimal end, it reports it."""
    options = options or SolveOptions()
    if isinstance(built, BuiltLp):
        return _solve_arrays(built, options)
    return _solve_pyomo(built, options)


def configure(highs: Any, options: SolveOptions) -> None:
    """Set `options` on a highspy.Highs as Pyomo's interface does on the plain path."""
    highs.setOptionValue("threads", options.threads)
    if options.time_limit_s is not None:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
    for key, value in options.highs_options().items():
        highs.setOptionValue(key, value)


def load_lp(built: BuiltLp, highs: Any | None = None) -> Any:
    """A highspy.Highs holding the LP of `built` (names are not passed: see `write_mps`)."""
    return load_arrays(built.arrays, highs)


def load_arrays(a: LpArrays, highs: Any | None = None) -> Any:
    """A highspy.Highs holding the LP arrays `a`."""
    h = highs if highs is not None else new_highs()
    n, m = a.num_col, a.num_row
    status = h.passModel(
        n,
        m,
        len(a.value),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        a.col_cost,
        np.zeros(n),
        np.full(n, highspy.kHighsInf),
        a.row_lower,
        a.row_upper,
        a.start,
        a.index,
        a.value,
        np.zeros(n, dtype=np.int32),  # every column continuous, as Pyomo's interface sets
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the LP (passModel)")
    return h


@dataclass(frozen=True)
class Solution:
    """HiGHS's solution arrays, copied out of the solver: values and duals of every column
    (reduced costs) and row (activities)."""

    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray


def read_solution(highs: Any) -> Solution:
    """Copy the solution out of a solved highspy.Highs (one pass per array)."""
    s = highs.getSolution()
    fields = ("col_value", "col_dual", "row_value", "row_dual")
    return Solution(*(np.asarray(getattr(s, f), dtype=np.float64) for f in fields))


def lp_bounds(built: Built, highs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column costs, row lower and row upper bounds of the LP HiGHS solved."""
    if isinstance(built, BuiltLp):
        a = built.arrays
        return a.col_cost, a.row_lower, a.row_upper
    lp = highs.getLp()
    return tuple(  # type: ignore[return-value]
        np.asarray(v, dtype=np.float64) for v in (lp.col_cost_, lp.row_lower_, lp.row_upper_)
    )


def detach(outcome: SolveOutcome) -> SolveOutcome:
    """The outcome without its highspy object, once nothing more is read from it (fast path;
    on the plain path Pyomo's solution loader still reads from the solver, which is kept).

    Drop every other reference to the original outcome and call `free_memory` to give the
    solver's memory back before the result tables are built.
    """
    return outcome if outcome.solver is not None else replace(outcome, highs=None)


#: Columns plus rows from which `free_memory` is worth a full garbage collection (~40 ms).
LARGE_LP = 50_000


def free_memory(size: int = LARGE_LP) -> None:
    """Collect unreachable objects (a highspy object sits in a reference cycle with its
    callbacks) and hand freed memory back to the system (`malloc_trim`, glibc only;
    elsewhere a no-op), so that what is built next does not stack on the solver's peak.

    Skipped for an LP of fewer than `LARGE_LP` columns and rows (`size`): little to gain."""
    if size < LARGE_LP:
        return
    gc.collect()
    release_memory()


@contextmanager
def cancelled_by_signals(h: Any) -> Iterator[None]:
    """SIGINT or SIGTERM during `h.run()` cancels the solve (HiGHS stops at its next check,
    with model status kInterrupt) and is raised afterwards as `Interrupted`.

    Without this, Python's default SIGINT handler raises KeyboardInterrupt inside one of
    HiGHS's interrupt callbacks, which HiGHS reports as a solver error, and the run went on to
    publish a complete-looking folder. Signal handlers can only be set in the main thread;
    elsewhere the solve runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def cancel(signum: int, frame: object) -> None:
        received.append(signum)
        h.cancelSolve()

    h.HandleUserInterrupt = True  # HiGHS's callbacks poll cancelSolve()
    previous = {sig: signal.signal(sig, cancel) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise Interrupted(received[0])


def _solve_arrays(built: BuiltLp, options: SolveOptions) -> SolveOutcome:
    start = time.perf_counter()
    h = load_lp(built)
    configure(h, options)
    with cancelled_by_signals(h):
        ran = time.perf_counter()
        h.run()
        ended = time.perf_counter()
    outcome = _outcome(h, ended - start, built.arrays.cols, built.arrays.rows, None, None)
    return replace(outcome, run_seconds=ended - ran)


def model_status(h: Any) -> Status:
    """The `Status` of a highspy.Highs after its run()."""
    return _STATUS.get(h.getModelStatus(), Status.UNKNOWN)


def _outcome(
    h: Any,
    seconds: float,
    cols: Mapping[str, np.ndarray],
    rows: Mapping[str, np.ndarray],
    solver: Any,
    results: Any,
) -> SolveOutcome:
    model_status = h.getModelStatus()
    status = _STATUS.get(model_status, Status.UNKNOWN)
    info = h.getInfo()
    feasible = info.primal_solution_status == 2  # as Pyomo's interface reads it
    objective = info.objective_function_value if feasible else None
    if info.mip_node_count == -1:
        bound = objective if feasible and model_status == _MS.kOptimal else None
    else:
        bound = info.mip_dual_bound
    if results is not None:  # the plain path reports what Pyomo read
        objective, bound = results.incumbent_objective, results.objective_bound
    return SolveOutcome(
        status=status,
        objective=objective,
        bound=bound,
        seconds=seconds,
        solver_version=highs_version(),
        highs_status=h.modelStatusToString(model_status),
        solver=solver,
        results=results,
        highs=h,
        cols=cols,
        rows=rows,
    )


def _solve_pyomo(built: BuiltModel, options: SolveOptions) -> SolveOutcome:
    from pyomo.contrib.solver.solvers.highs import Highs

    new_highs(options.log)  # Pyomo makes its own highspy.Highs: the banner is spent here first
    solver = Highs()
    start = time.perf_counter()
    results = solver.solve(
        built.model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=options.time_limit_s,
        threads=options.threads,
        solver_options=options.highs_options(),
    )
    seconds = time.perf_counter() - start
    var_map = solver._pyomo_var_to_solver_var_map
    con_map = solver._pyomo_con_to_solver_con_map
    cols = {
        name: np.array([var_map.get(id(v), -1) for v in family.component.values()], dtype=np.int64)
        for name, family in built.variables.items()
    }
    rows = {
        name: np.array([con_map[c] for c in family.component.values()], dtype=np.int64)
        for name, family in built.constraints.items()
    }
    return _outcome(solver._solver_model, seconds, cols, rows, solver, results)


def lp_names(
    built: Built, outcome: SolveOutcome, num_col: int, num_row: int
) -> tuple[list[str], list[str]]:
    """Column and row names as Pyomo names the components: `output[irel,2025]`."""
    cols = [""] * num_col
    rows = [""] * num_row
    for names, families, index in (
        (cols, built.variables, outcome.cols),
        (rows, built.constraints, outcome.rows),
    ):
        for name, family in families.items():
            for at, key in zip(index[name].tolist(), family.key_tuples(), strict=True):
                if at >= 0:
                    names[at] = f"{name}[{','.join(map(str, key))}]"
    return cols, rows


def write_mps(built: Built, outcome: SolveOutcome, path: Path, names: bool = True) -> Path:
    """Write the LP that was solved to an MPS file (HiGHS writeModel), with the names of
    `lp_names` (HiGHS writes a space in a name as `_`, and numbers every column or row
    instead if two names clash); without `names`, HiGHS's own c0, c1, ... and r0, r1, ....

    HiGHS 1.15 solves a large LP read with long names markedly slower than the same LP without
    them (three times on the L benchmark, same iterations): leave names out of a file meant
    for timing.
    """
    lp = outcome.highs.getLp()
    if names:
        lp.col_names_, lp.row_names_ = lp_names(built, outcome, lp.num_col_, lp.num_row_)
    h = new_highs()
    h.passModel(lp)
    del lp
    if h.writeModel(str(path)) == highspy.HighsStatus.kError:
        raise OSError(f"HiGHS could not write the LP to {path}")
    return path
