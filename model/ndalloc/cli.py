"""The `ndalloc` command: solve, validate and list scenarios.

Exit codes of `solve`: 0 optimal, 2 invalid input, 3 infeasible, 4 unbounded, 5 time limit or
other non-optimal end, 1 internal error. Bad input never prints a traceback.
"""

from __future__ import annotations

import os
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ndalloc.api import solve as solve_scenario
from ndalloc.data.bundled import bundled_names, bundled_path
from ndalloc.data.errors import ScenarioError
from ndalloc.data.loader import SCENARIO_FILE, load_scenario
from ndalloc.results.checks import ConservationError
from ndalloc.results.tables import RunResult
from ndalloc.runs import write_run
from ndalloc.solve.highs import SolveOptions, Status

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Allocate neodymium oxide between exports, domestic magnet makers and a stockpile.",
)
# soft_wrap: a long message stays on one line, so each problem is one greppable line.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_CODES: dict[Status, int] = {
    Status.OPTIMAL: 0,
    Status.INFEASIBLE: 3,
    Status.UNBOUNDED: 4,
    Status.INFEASIBLE_OR_UNBOUNDED: 3,
}
EXIT_OTHER = 5
DEFAULT_SCENARIO = "india-base"

ScenarioArg = Annotated[
    str, typer.Argument(help="Scenario folder, or the name of a bundled scenario.")
]


def _report_input_error(error: ScenarioError) -> None:
    err.print(f"[bold red]invalid scenario[/] {error.scenario}".rstrip(), highlight=False)
    for issue in error.issues:
        err.print(f"  {issue}", highlight=False, markup=False)
    err.print(f"{len(error.issues)} problem(s); nothing was solved.", highlight=False)


def _internal(exc: BaseException) -> typer.Exit:
    if os.environ.get("NDALLOC_DEBUG"):
        raise exc
    err.print(f"[bold red]internal error[/]: {type(exc).__name__}: {exc}", highlight=False)
    err.print("Set NDALLOC_DEBUG=1 to see the traceback, and please report it.")
    return typer.Exit(EXIT_INTERNAL)


def _summary(result: RunResult) -> None:
    head = Table(show_header=False, box=None)
    head.add_row("scenario", result.scenario)
    head.add_row("status", f"{result.status} ({result.message})")
    if result.objective is not None:
        head.add_row(
            "objective", f"{result.objective / 1e6:,.1f} million USD (discounted net benefit)"
        )
    out.print(head)
    if result.allocation.empty:
        return
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
            "unallocated_t": "unused",
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


def _year_table(result: RunResult, title: str, columns: dict[str, str]) -> None:
    table = Table(title=title)
    table.add_column("year", justify="right")
    for label in columns.values():
        table.add_column(label, justify="right")
    frame = result.allocation
    for i, year in enumerate(frame["year"]):
        table.add_row(str(int(year)), *(f"{frame[c].iat[i]:,.0f}" for c in columns))
    out.print(table)


def _check_out_dir(out_dir: Path) -> None:
    """Fail before solving when the run cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        err.print(f"cannot write runs to {out_dir}: {exc.strerror or exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


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
) -> None:
    """Solve a scenario and write its run folder."""
    started = datetime.now(UTC)
    try:
        sc = load_scenario(scenario)
    except ScenarioError as error:
        _report_input_error(error)
        raise typer.Exit(EXIT_INPUT) from None
    _check_out_dir(out_dir)
    options = SolveOptions(time_limit_s=time_limit)
    try:
        with out.status(f"solving {sc.name} ..."):
            result = solve_scenario(sc, options=options)
        folder = write_run(result, sc, options, out_dir, started)
    except ConservationError as exc:
        err.print(f"[bold red]result rejected[/]: {exc}", highlight=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    except KeyboardInterrupt:
        err.print("interrupted: no run folder was written")
        raise typer.Exit(130) from None
    except Exception as exc:
        raise _internal(exc) from None
    _summary(result)
    out.print(f"run folder: {folder}", highlight=False)
    raise typer.Exit(EXIT_CODES.get(result.status, EXIT_OTHER))


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario and print every problem as file:line: column: message."""
    try:
        sc = load_scenario(scenario)
    except ScenarioError as error:
        _report_input_error(error)
        raise typer.Exit(EXIT_INPUT) from None
    rows = sum(len(t) for t in sc.tables.values())
    out.print(
        f"ok: scenario {sc.name}, {sc.meta.first_year}-{sc.meta.last_year}, {rows} rows",
        highlight=False,
    )


@app.command()
def scenarios() -> None:
    """List the bundled scenarios."""
    table = Table(title="Bundled scenarios")
    table.add_column("name")
    table.add_column("years")
    table.add_column("description")
    for name in bundled_names():
        try:
            meta = tomllib.loads((bundled_path(name) / SCENARIO_FILE).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            table.add_row(name, "?", f"unreadable: {exc}")
            continue
        years = f"{meta.get('first_year', '?')}-{meta.get('last_year', '?')}"
        table.add_row(name, years, str(meta.get("description", "")))
    out.print(table)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
