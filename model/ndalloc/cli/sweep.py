"""`ndalloc sweep`: re-solve a scenario over varied inputs, a tornado, or Monte Carlo draws."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from ndalloc.cli import interrupts
from ndalloc.cli.app import (
    EXIT_INPUT,
    ScenarioArg,
    app,
    err,
    internal,
    load_or_exit,
    out,
    show,
)

EXIT_PARTIAL = 130


@app.command()
def sweep(
    scenario: ScenarioArg,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="SPEC",
            help="What to vary: TABLE.COLUMN[KEY@YEARS] then =START:STOP:N or =a,b,c"
            " (*= for scale factors); repeat for a grid. Also scenario.discount_rate=...",
        ),
    ] = None,
    tornado: Annotated[
        bool,
        typer.Option(
            "--tornado", help="Move each ranged parameter to its low and high, one at a time."
        ),
    ] = False,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="PREFIX",
            help="With --tornado: only parameters whose label starts with this"
            " (e.g. sources. or demand.demand_t\\[ev]); repeatable.",
        ),
    ] = None,
    pct: Annotated[
        float | None,
        typer.Option(
            "--pct", min=0.0, max=100.0, help="With --tornado: move every parameter +-PCT %."
        ),
    ] = None,
    monte_carlo: Annotated[
        int | None,
        typer.Option("--monte-carlo", min=1, help="N draws of every ranged parameter."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local processes.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask", metavar="ADDRESS", help="Address of a Dask distributed scheduler to run on."
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder that receives the sweep folder.")
    ] = Path("runs"),
) -> None:
    """Sweep inputs of a scenario; writes points.csv and points.parquet into a sweep folder."""
    from ndalloc.sensitivity import SpecError, plan, run_sweep, write_sweep
    from ndalloc.sensitivity.run import ClusterError

    started = datetime.now(UTC)
    sc = load_or_exit(scenario, "nothing was swept")
    if (pct is not None or param) and not tornado:
        err.print("--pct and --param go with --tornado")
        raise typer.Exit(EXIT_INPUT)
    try:
        mode, points = plan(sc, vary or [], pct, tornado, monte_carlo, seed, param or [])
    except SpecError as exc:
        err.print(f"invalid sweep: {exc}", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    out.print(f"{mode} sweep of {sc.name}: {len(points)} points", highlight=False)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("solving", total=len(points))
            result = run_sweep(
                sc,
                vary=vary or [],
                tornado_pct=pct,
                tornado_on=tornado,
                monte_carlo_n=monte_carlo,
                seed=seed,
                workers=workers,
                dask=dask,
                tornado_params=param or [],
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        folder = write_sweep(result, out_dir, started)
    except ClusterError as exc:
        err.print(f"{exc}; nothing was swept", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as exc:
        raise internal(exc) from None
    _summary(result)
    if result.partial:
        err.print(
            f"interrupted: {result.completed} of {result.total} points finished; the sweep"
            " folder is marked partial"
        )
        interrupts.said.append(True)
    out.print(f"sweep folder: {folder}", highlight=False)
    if result.partial:
        raise typer.Exit(EXIT_PARTIAL)


def _summary(result: object) -> None:
    from ndalloc.sensitivity import SweepResult

    assert isinstance(result, SweepResult)
    frame = result.table
    if frame.empty:
        return
    statuses = frame["status"].value_counts().to_dict()
    out.print(
        "points by status: " + ", ".join(f"{k} {v}" for k, v in statuses.items()),
        highlight=False,
    )
    if not result.ranking.empty:
        table = Table(title="Tornado: effect on the objective (million USD)")
        for column in ("parameter", "low", "high", "swing"):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for row in result.ranking.head(15).itertuples(index=False):
            values = row._asdict()
            table.add_row(
                str(values["parameter"]),
                *(
                    f"{values[f'objective_usd_{c}'] / 1e6:,.1f}"
                    if values[f"objective_usd_{c}"] is not None
                    else "-"
                    for c in ("low", "high", "swing")
                ),
            )
        show(table)
