"""Commands about scenarios: validate, list, show the resolved tables, list the sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ndalloc.cli.app import EXIT_INPUT, ScenarioArg, app, err, load_or_exit, out
from ndalloc.cli.app import show as show_table
from ndalloc.cli.overwrite import refuse_or_clear
from ndalloc.data.bundled import bundled_names
from ndalloc.data.errors import ScenarioError
from ndalloc.data.loader import load_scenario
from ndalloc.data.provenance import provenance_rows
from ndalloc.data.schema import TABLES
from ndalloc.data.writers import cell, settings, table_rows, write_folder


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario and print every problem as file:line: column: message."""
    sc = load_or_exit(scenario, "the scenario is not valid")
    rows = sum(len(t) for t in sc.tables.values())
    out.print(
        f"ok: scenario {sc.name}, {sc.meta.first_year}-{sc.meta.last_year}, {rows} rows",
    )


@app.command()
def scenarios() -> None:
    """List the bundled scenarios, with their horizon after inheritance."""
    table = Table(title="Bundled scenarios")
    table.add_column("name", no_wrap=True)
    table.add_column("years", no_wrap=True)
    table.add_column("description")
    for name in bundled_names():
        try:
            meta = load_scenario(name).meta
        except ScenarioError as exc:
            problems = f"invalid: {len(exc.issues)} problem(s); see `ndalloc validate {name}`"
            table.add_row(name, "?", problems)
            continue
        table.add_row(name, f"{meta.first_year}-{meta.last_year}", meta.description)
    show_table(table)


@app.command()
def show(
    scenario: ScenarioArg,
    to: Annotated[
        Path | None,
        typer.Option("--to", help="Write the resolved scenario as a standalone folder here."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="With --to: replace the scenario files there.")
    ] = False,
) -> None:
    """Print the resolved tables of a scenario (after inheritance and patches)."""
    sc = load_or_exit(scenario, "nothing was shown")
    if to is not None:
        try:
            refuse_or_clear(to, force)
            write_folder(sc, to)
        except OSError as exc:
            err.print(f"cannot write {to}: {exc}")
            raise typer.Exit(EXIT_INPUT) from None
        out.print(f"wrote the resolved scenario {sc.name} to {to}")
        return
    head = Table(show_header=False, box=None, title=f"scenario {sc.name}")
    for key, value in settings(sc).items():
        head.add_row(key, str(value))
    if sc.meta.inherits:
        head.add_row("inherits", sc.meta.inherits)
    out.print(head)
    for name, model in TABLES.items():
        header, rows = table_rows(sc, name)
        if not rows:
            continue
        shown = [c for c in header if c != "citation"]
        table = Table(title=f"{model.FILE} ({len(rows)} rows)")
        for column in shown:
            right = column not in model.KEY
            table.add_column(column, justify="right" if right else "left", no_wrap=True)
        for row in rows:
            table.add_row(*(v for c, v in zip(header, row, strict=True) if c != "citation"))
        show_table(table)


@app.command()
def sources(
    scenario: ScenarioArg,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """List each row's main value with its plausible range and its source."""
    sc = load_or_exit(scenario, "nothing was listed")
    rows = provenance_rows(sc)
    header = ("table", "key", "year", "parameter", "value", "low", "high", "source")
    if csv:
        import csv as csv_module
        import sys

        writer = csv_module.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([cell(v) for v in row.values()] for row in rows)
        return
    table = Table(title=f"Parameters of {sc.name}: main value, range and source")
    for column in header:
        if column == "source":
            table.add_column(column, overflow="fold", min_width=20)
        else:
            table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*(cell(v) for v in row.values()))
    show_table(table, width=160)
