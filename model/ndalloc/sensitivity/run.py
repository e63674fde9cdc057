"""Run a sweep's points in this process, in local worker processes, or on a Dask cluster.

Every worker builds the model once and re-solves it in place for each point (see
`engine.SweepEngine`); each point starts from the base basis, so the table is the same whatever
the number of workers or the order points ran in. Ctrl-C stops the sweep and keeps the points
finished so far, marked partial.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ndalloc.data.scenario import Scenario
from ndalloc.sensitivity.engine import SweepEngine, Variation
from ndalloc.sensitivity.points import Point

#: One engine per scenario per process: the model is built once per worker, not per point.
_ENGINES: dict[str, SweepEngine] = {}

Progress = Callable[[int, int], None]

#: Seconds to wait for a Dask scheduler to answer before giving up (`--dask ADDRESS`).
DASK_CONNECT_S = 5.0


class ClusterError(Exception):
    """The Dask scheduler cannot be reached: a one-line reason, before any point ran."""


def evaluate_chunk(
    scenario: Scenario, chunk: Sequence[tuple[int, Variation]]
) -> list[tuple[int, dict[str, Any]]]:
    """Evaluate points in the calling process (the unit of work sent to workers)."""
    engine = _ENGINES.get(scenario.input_hash)
    if engine is None:
        engine = _ENGINES[scenario.input_hash] = SweepEngine(scenario)
    return [(i, engine.evaluate(variation)) for i, variation in chunk]


@dataclass(frozen=True)
class SweepOutcome:
    """The table of points (in point order) and whether the sweep was stopped early."""

    table: pd.DataFrame
    partial: bool
    completed: int
    total: int


def _chunks(points: Sequence[Point], pieces: int) -> list[list[tuple[int, Variation]]]:
    size = max(1, -(-len(points) // max(1, pieces)))
    items = [(p.id, p.variation) for p in points]
    return [items[i : i + size] for i in range(0, len(items), size)]


def run_points(
    scenario: Scenario,
    points: Sequence[Point],
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
) -> SweepOutcome:
    """Evaluate every point; Ctrl-C returns what is finished, marked partial."""
    results: dict[int, dict[str, Any]] = {}
    total = len(points)

    def record(done: list[tuple[int, dict[str, Any]]]) -> None:
        results.update(done)
        if progress is not None:
            progress(len(results), total)

    with _stop_on_interrupt() as stop:
        if dask:
            _run_dask(scenario, points, dask, record, stop)
        elif workers <= 1:
            for point in points:
                if stop.is_set():
                    break
                record(evaluate_chunk(scenario, [(point.id, point.variation)]))
        else:
            _run_local(scenario, points, workers, record, stop)
        partial = stop.is_set() and len(results) < total
    rows = []
    for point in points:
        if point.id in results:
            rows.append({"point": point.id, **point.inputs, **results[point.id]})
    return SweepOutcome(pd.DataFrame(rows), partial, len(results), total)


def _run_local(
    scenario: Scenario,
    points: Sequence[Point],
    workers: int,
    record: Callable[[list[tuple[int, dict[str, Any]]]], None],
    stop: threading.Event,
) -> None:
    workers = min(workers, os.cpu_count() or 1, max(1, len(points)))
    executor = ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_start, initargs=(os.getpid(),)
    )
    pending: set[Future[Any]] = set()
    try:
        pending = {
            executor.submit(evaluate_chunk, scenario, chunk)
            for chunk in _chunks(points, workers * 4)
        }
        while pending and not stop.is_set():
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                record(future.result())
    except BaseException:  # SIGTERM (Interrupted) or an error: end the workers now
        _end_workers(executor)
        raise
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


def _end_workers(executor: ProcessPoolExecutor) -> None:
    """Kill the pool's processes rather than wait for the chunks in hand to finish."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """Turn Ctrl-C into a request to stop after the point in hand (never mid-solve: HiGHS is
    not interrupted, and no exception unwinds through it)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


#: Seconds between a worker's checks that the process that started it is still alive.
WATCHDOG_S = 0.5
_PR_SET_PDEATHSIG = 1


def _worker_start(parent: int) -> None:
    """A worker leaves Ctrl-C to the parent (which stops the sweep and keeps finished points),
    and dies with it: however the parent ends (SIGTERM, SIGKILL), no worker goes on solving."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    watchdog = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watchdog.start()


def _die_with_parent() -> None:
    """On Linux, ask the kernel for SIGKILL when the parent ends (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog thread still ends the worker


def _watch_parent(parent: int) -> None:
    """The portable fallback: end this worker once its parent is gone (re-parented)."""
    while True:
        time.sleep(WATCHDOG_S)
        if os.getppid() != parent:
            os._exit(1)


def connect_dask(address: str) -> Any:
    """A `distributed.Client` of the scheduler at `address` (use it as a context manager), or
    `ClusterError` with a one-line reason if it does not answer within DASK_CONNECT_S."""
    from distributed import Client  # only when a cluster is asked for

    try:
        return Client(address, timeout=DASK_CONNECT_S)
    except (OSError, ValueError, TypeError) as exc:  # unreachable, refused, or a bad address
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address!r} within {DASK_CONNECT_S:g} s: {reason}"
        ) from None


def _run_dask(
    scenario: Scenario,
    points: Sequence[Point],
    address: str,
    record: Callable[[list[tuple[int, dict[str, Any]]]], None],
    stop: threading.Event,
) -> None:
    from distributed import as_completed  # only when a cluster is asked for

    with connect_dask(address) as client:
        n = max(1, sum(client.nthreads().values()))
        chunks = _chunks(points, n * 4)
        scattered = client.scatter(scenario, broadcast=True)
        futures = client.map(evaluate_chunk, [scattered] * len(chunks), chunks, pure=False)
        try:
            for future in as_completed(futures):
                record(future.result())
                if stop.is_set():
                    break
        finally:
            client.cancel(futures)
