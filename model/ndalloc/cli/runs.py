"""`ndalloc runs`: the list of the runs in a folder, newest first."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.table import Table

from ndalloc.cli.app import EXIT_INPUT, app, err, internal, out, show
from ndalloc.cli.compare import RunsDir, _missing, fmt


def duration(seconds: float | None) -> str:
    """A solver time with its unit and three significant digits: "7.91 ms", "12.3 s"."""
    if _missing(seconds) or seconds is None:
        return ""
    if seconds < 0.9995:  # 999.5 ms and more read as 1.00 s
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:,.1f} s" if seconds >= 100 else f"{seconds:.3g} s"


@app.command("runs")
def list_runs_command(runs_dir: RunsDir = Path("runs")) -> None:
    """List the runs in a folder, newest first."""
    from ndalloc.comparison import RunFolderError, list_runs

    try:
        frame = list_runs(runs_dir)
    except RunFolderError as exc:
        err.print(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as exc:
        raise internal(exc) from None
    for name in frame.attrs.get("unreadable", []):
        err.print(f"skipped {runs_dir / name}: unreadable manifest")
    if frame.empty:
        out.print(f"no runs in {runs_dir}")
        return
    table = Table(
        title=f"Runs in {runs_dir}, newest first",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
        title_justify="left",
    )
    table.add_column("run id", no_wrap=True)
    table.add_column("scenario", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("objective\n(million USD)", justify="right", no_wrap=True)
    table.add_column("solve\ntime", justify="right", no_wrap=True)
    table.add_column("started at\n(UTC)", no_wrap=True)
    for row in frame.itertuples(index=False):
        started = "" if _missing(row.started_at) else row.started_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(row.run),
            str(row.scenario),
            str(row.status),
            fmt(row.objective_musd, 1),
            duration(row.solve_s),
            started,
        )
    show(table)
