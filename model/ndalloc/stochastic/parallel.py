"""Where a tree's independent solves run: on threads here, or on a Dask cluster.

The wait-and-see solves (one per scenario), the solves of PH's plan (one per scenario) and the
expected-value policy's solves (one per node of a stage) do not depend on one another. A
`Runner` takes a list of `Task`s and returns their results in task order: `thread_runner`
solves them on worker threads (HiGHS lets go of the GIL while it solves), `dask_runner` on the
workers of a Dask scheduler (`--dask ADDRESS`), which get each task's scenario, build its LP
and solve it there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ndalloc.data.scenario import Scenario
from ndalloc.lp.build import build_lp
from ndalloc.lp.registry import LpArrays
from ndalloc.sensitivity.run import connect_dask
from ndalloc.solver.highs import (
    cancelled_by_signals,
    configure,
    load_arrays,
    model_status,
    new_highs,
    read_solution,
)
from ndalloc.solver.status import SolveOptions, Status

#: Told of each step of a long tree solve: (what, done, of how many).
Progress = Callable[[str, int, int], None]

#: A solve's result: how it ended, its objective and its column values.
Optimum = tuple[Status, float | None, np.ndarray | None]


def quiet(what: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Task:
    """One solve: a scenario (its LP's `arrays` already, when at hand), with `fixed` =
    (columns, values) fixed first."""

    scenario: Scenario
    arrays: LpArrays | None = None
    fixed: tuple[np.ndarray, np.ndarray] | None = None


#: Solves tasks, returns their results in task order: (tasks, what, progress).
Runner = Callable[[Sequence[Task], str, Progress], list[Optimum]]


def deterministic_optimum(
    arrays: LpArrays,
    options: SolveOptions,
    fixed: tuple[np.ndarray, np.ndarray] | None = None,
) -> Optimum:
    """A scenario's own optimum and its column values; `fixed` = (columns, values) fixes
    those columns first."""
    h = load_arrays(arrays, new_highs(options.log))
    configure(h, options)
    if fixed is not None and len(fixed[0]):
        cols, values = fixed
        h.changeColsBounds(len(cols), cols.astype(np.int32), values, values)
    with cancelled_by_signals(h):
        h.run()
    status = model_status(h)
    if status is not Status.OPTIMAL:
        return status, None, None
    objective = float(h.getInfo().objective_function_value)
    return status, objective, read_solution(h).col_value


def task_optimum(task: Task, options: SolveOptions) -> Optimum:
    """Solve one task (building its LP if it has none), wherever it runs."""
    arrays = task.arrays if task.arrays is not None else build_lp(task.scenario, dense=True).arrays
    return deterministic_optimum(arrays, options, task.fixed)


def thread_runner(options: SolveOptions, workers: int) -> Runner:
    """Tasks on `workers` threads of this process."""

    def run(tasks: Sequence[Task], what: str, progress: Progress) -> list[Optimum]:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(task_optimum, t, options) for t in tasks]
            out = []
            for i, future in enumerate(futures):
                out.append(future.result())
                progress(what, i + 1, len(tasks))
        return out

    return run


@contextmanager
def dask_runner(address: str, options: SolveOptions) -> Iterator[Runner]:
    """Tasks on the workers of the Dask scheduler at `address` (`ClusterError` if it cannot
    be reached); each worker builds its tasks' LPs itself."""
    from distributed import as_completed

    with connect_dask(address) as client:

        def run(tasks: Sequence[Task], what: str, progress: Progress) -> list[Optimum]:
            shipped = [Task(t.scenario, None, t.fixed) for t in tasks]  # LPs are built there
            futures = client.map(task_optimum, shipped, options=options, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            out: list[Optimum | None] = [None] * len(tasks)
            try:
                for done, future in enumerate(as_completed(futures)):
                    out[index[future.key]] = future.result()
                    progress(what, done + 1, len(tasks))
            finally:
                client.cancel(futures)
            return [o for o in out if o is not None]

        yield run
