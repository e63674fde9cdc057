"""Commands about scenarios: validate, list, show the resolved tables, list the sources."""

from __future__ import annotations

import tomllib

from rich.table import Table

from ndalloc.cli.app import ScenarioArg, app, load_or_exit, out
from ndalloc.data.bundled import bundled_names, bundled_path
from ndalloc.data.readers import SCENARIO_FILE


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario and print every problem as file:line: column: message."""
    sc = load_or_exit(scenario, "the scenario is not valid")
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
