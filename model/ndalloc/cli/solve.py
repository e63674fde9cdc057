"""`ndalloc solve`: solve a scenario, print the allocation and write the run folder.

Exit codes: 0 optimal, 2 invalid input, 3 infeasible, 4 unbounded, 5 time limit or other
non-optimal end, 1 internal error.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.table import Table
from rich.text import Text

from ndalloc.cli.app import (
    DEFAULT_SCENARIO,
    EXIT_INPUT,
    EXIT_INTERNAL,
    ScenarioArg,
    app,
    err,
    internal,
    load_or_exit,
    out,
    show,
)
from ndalloc.cli.interrupts import stopped
from ndalloc.cli.terms import print_terms
from ndalloc.solver.status import SolveOptions, Status

if TYPE_CHECKING:
    from ndalloc.results.tables import RunResult

EXIT_CODES: dict[Status, int] = {
    Status.OPTIMAL: 0,
    Status.INFEASIBLE: 3,
    Status.UNBOUNDED: 4,
    Status.INFEASIBLE_OR_UNBOUNDED: 3,
}
EXIT_OTHER = 5


class TableFormat(StrEnum):
    """How `ndalloc solve --format` writes the run's tables."""

    CSV = "csv"
    PARQUET = "parquet"


def _summary(result: RunResult) -> None:
    head = Table(show_header=False, box=None)
    head.add_row("scenario", result.scenario)
    head.add_row("status", f"{result.status} ({result.message})")
    if result.objective is not None:
        head.add_row(
            "objective", f"{result.objective / 1e6:,.1f} million USD (discounted net benefit)"
        )
    if result.status not in EXIT_CODES:  # stopped early: say how good the answer could be
        head.add_row("best bound", _bound(result.bound))
        head.add_row("tables", "none written: the solve did not reach optimality")
    out.print(head)
    if result.allocation.empty:
        return
    print_terms(result)
    _year_table(
        result,
        "Oxide by year (t oxide; stock = level at year end)",
        {
            "output_t": "output",
            "oxide_imports_t": "import",
            "stock_release_t": "release",
            "exports_t": "export",
            "to_makers_t": "makers",
            "stock_inject_t": "inject",
            "unallocated_t": "unallocated",
            "stock_level_t": "stock",
        },
    )
    _year_table(
        result,
        "Magnets by year (t magnet)",
        {
            "magnets_made_t": "made in India",
            "magnet_imports_t": "imported",
            "magnet_shortage_t": "shortage",
        },
    )


def _interrupted(exc: KeyboardInterrupt) -> NoReturn:
    """Ctrl-C (exit 130) or SIGTERM (143) before the run folder was published."""
    stopped(exc, "interrupted: no run folder was written")


#: Ties printed by `_ties`; the rest are in the run folder's ties.csv.
MAX_TIES_SHOWN = 10


def _ties(result: RunResult) -> None:
    """The "Alternative optima" block: entities interchangeable at the same benefit."""
    if not result.optimal or not len(result.ties.columns):
        return
    how = f"checked by {result.ties_checked}"
    if result.ties.empty:
        out.print(f"Alternative optima: none, the allocation is unique ({how}).")
        return
    out.print(
        f"Alternative optima ({how}): this allocation is one of several with the same benefit.",
    )
    sentences = result.ties["sentence"].tolist()
    for line in sentences[:MAX_TIES_SHOWN]:
        out.print(f"  - {line}")
    if len(sentences) > MAX_TIES_SHOWN:
        more = len(sentences) - MAX_TIES_SHOWN
        out.print(f"  ... and {more:,} more in ties.csv")


def _bound(bound: float | None) -> str:
    """HiGHS's bound on the objective of a solve that stopped early, or 'no bound'."""
    if bound is None or not math.isfinite(bound):
        return "no bound (HiGHS stopped before it had one)"
    return f"{bound / 1e6:,.1f} million USD (no allocation can do better)"


def _warn(result: RunResult) -> None:
    """Print the result's warnings (e.g. badly scaled data) on stderr, one line each."""
    for line in result.warnings:
        err.print(Text.assemble(("warning:", "yellow"), " ", line))


def _explain(result: RunResult, elastic: bool) -> None:
    """Why an infeasible scenario is infeasible, in its own names."""
    if result.conflict:
        out.print("These limits cannot all hold (an irreducible infeasible subset):")
        for line in result.conflict:
            out.print(f"  {line}")
    if result.violations:
        out.print("Least changes that make the scenario feasible (--elastic):")
        for line in result.violations:
            out.print(f"  {line}")
    elif elastic and result.conflict:
        out.print("The elastic solve found no change of data limits that restores feasibility.")
    if result.conflict and not elastic:
        out.print("Run again with --elastic for the least changes that would make it feasible.")


def _year_table(result: RunResult, title: str, columns: dict[str, str]) -> None:
    table = Table(title=title)
    table.add_column("year", justify="right")
    for label in columns.values():
        table.add_column(label, justify="right")
    frame = result.allocation
    for i, year in enumerate(frame["year"]):
        table.add_row(str(int(year)), *(f"{frame[c].iat[i]:,.0f}" for c in columns))
    show(table)


@contextmanager
def _no_spinner() -> Iterator[None]:
    """No spinner while HiGHS writes its log to the same terminal."""
    yield


def _check_out_dir(out_dir: Path) -> None:
    """Fail before solving when the run cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        err.print(f"cannot write runs to {out_dir}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_INPUT) from None


def _check_mps_path(path: Path) -> None:
    """Fail before solving when the MPS file cannot be written: a folder, or in a missing one."""
    if path.is_dir():
        err.print(f"--write-mps {path}: is a folder; give a file name", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        err.print(f"--write-mps {path}: the folder {parent} {what}", highlight=False)
        raise typer.Exit(EXIT_INPUT)


@app.command()
def solve(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder that receives the run folder.")
    ] = Path("runs"),
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.0, help="Stop the solver after this many seconds."),
    ] = None,
    elastic: Annotated[
        bool,
        typer.Option(
            "--elastic",
            help="If infeasible, also find the least changes of data limits that make it feasible.",
        ),
    ] = False,
    write_mps: Annotated[
        Path | None,
        typer.Option(
            "--write-mps",
            help="Also write the LP that was solved to this MPS file (HiGHS writeModel).",
        ),
    ] = None,
    mps_names: Annotated[
        bool,
        typer.Option(
            "--mps-names/--no-mps-names",
            help="Name the MPS file's columns and rows after the families (output\\[irel,2025]);"
            " without: c0, r0, ... (HiGHS solves a large LP with long names slower).",
        ),
    ] = True,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Build the LP with Pyomo and solve it through Pyomo's HiGHS interface"
            " (slower, the same answer; for comparison).",
        ),
    ] = False,
    reports: Annotated[
        bool,
        typer.Option(
            "--reports/--no-reports",
            help="Write report.html and results.xlsx into the run folder (large scenarios:"
            " --no-reports writes the CSV tables and manifest only).",
        ),
    ] = True,
    table_format: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            help="csv: the tables as CSV files (the default). parquet: the CSV files and a"
            " Parquet copy of every table in parquet/ (types kept; for scripts that read"
            " large runs).",
            case_sensitive=False,
        ),
    ] = TableFormat.CSV,
    solver_log: Annotated[
        bool,
        typer.Option(
            "--solver-log",
            help="Show HiGHS's own log (and its banner) on standard output; off by default.",
        ),
    ] = False,
) -> None:
    """Solve a scenario and write its run folder."""
    started = datetime.now(UTC)
    sc = load_or_exit(scenario, "nothing was solved")
    if write_mps is not None:
        _check_mps_path(write_mps)
    _check_out_dir(out_dir)
    options = SolveOptions(time_limit_s=time_limit, log=solver_log)
    try:
        from ndalloc.api import solve as solve_scenario  # Pyomo and HiGHS load only to solve
        from ndalloc.results.checks import ConservationError
        from ndalloc.runs import write_run
    except KeyboardInterrupt as exc:  # Ctrl-C while the solver loads: as during the solve
        _interrupted(exc)

    try:
        with out.status(f"solving {sc.name} ...") if not solver_log else _no_spinner():
            result = solve_scenario(
                sc,
                options=options,
                elastic=elastic,
                plain=plain,
                mps=write_mps,
                mps_names=mps_names,
            )
        _warn(result)
        if result.status is Status.INTERRUPTED:
            raise KeyboardInterrupt  # an interrupted solve leaves no run folder
        folder = write_run(
            result,
            sc,
            options,
            out_dir,
            started,
            reports=reports,
            parquet=table_format is TableFormat.PARQUET,
        )
    except ConservationError as exc:
        err.print(Text.assemble(("result rejected", "bold red"), f": {exc}"))
        raise typer.Exit(EXIT_INTERNAL) from None
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    except Exception as exc:
        raise internal(exc) from None
    _summary(result)
    _ties(result)
    _explain(result, elastic)
    out.print(f"run folder: {folder}")
    raise typer.Exit(EXIT_CODES.get(result.status, EXIT_OTHER))
