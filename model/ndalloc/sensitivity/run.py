"""Run a sweep's points in this process, in local worker processes, or on a Dask cluster.

Every worker builds the model once and re-solves it in place for each point (see
`engine.SweepEngine`); each point starts from the base basis, so the table is the same whatever
the number of workers or the order points ran in. Ctrl-C stops the sweep and keeps the points
finished so far, marked partial.
"""

from __future__ import annotations

import os
import signal
import threading
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
    executor = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
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
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


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


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops the sweep and keeps finished points."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_dask(
    scenario: Scenario,
    points: Sequence[Point],
    address: str,
    record: Callable[[list[tuple[int, dict[str, Any]]]], None],
    stop: threading.Event,
) -> None:
    from distributed import Client, as_completed  # only when a cluster is asked for

    with Client(address) as client:
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
