"""Rules that span rows or tables: horizon, references, stockpile continuity, route names,
ranges (`ranges.py`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from ndalloc.data.errors import Issue
from ndalloc.data.ranges import range_issues
from ndalloc.data.scenario import Table, table_of
from ndalloc.data.schema import ScenarioMeta


def cross_table_issues(
    meta: ScenarioMeta, tables: Mapping[str, Table], broken: frozenset[str] = frozenset()
) -> list[Issue]:
    """Every cross-table problem of a scenario whose rows are individually valid.

    `broken` names tables with invalid rows: references into them are not checked, since a
    dropped row would show up as a false "unknown" reference.
    """
    issues: list[Issue] = []
    issues += _horizon(meta, tables)
    if "stockpiles" not in broken:
        issues += _stockpile_years(meta, tables)
        issues += _terminal_values(meta, tables)
    issues += _references(tables, broken)
    issues += range_issues(tables, broken)
    return issues


def _horizon(meta: ScenarioMeta, tables: Mapping[str, Table]) -> list[Issue]:
    out = []
    for table in tables.values():
        if "year" not in table.data:
            continue
        years = table.column("year")
        outside = np.flatnonzero((years < meta.first_year) | (years > meta.last_year))
        for index in outside.tolist():
            out.append(
                Issue(
                    *table.location(index),
                    "year",
                    f"year {years[index]} is outside the horizon {meta.first_year}-"
                    f"{meta.last_year} of scenario.toml",
                )
            )
    return out


def _stockpile_years(meta: ScenarioMeta, tables: Mapping[str, Table]) -> list[Issue]:
    """A stockpile's rows run without gaps from its first year to the end of the horizon."""
    table = table_of(tables, "stockpiles")
    years: dict[str, list[int]] = defaultdict(list)
    first: dict[str, int] = {}
    rows = zip(table.values("stockpile"), table.values("year"), strict=True)
    for index, (name, year) in enumerate(rows):
        years[name].append(year)
        first.setdefault(name, index)
    out = []
    for name, ys in years.items():
        start = min(ys)
        missing = sorted(set(range(start, meta.last_year + 1)) - set(ys))
        if missing:
            shown = ", ".join(str(y) for y in missing[:10])
            out.append(
                Issue(
                    *table.location(first[name]),
                    "year",
                    f"stockpile {name!r} has no row for {shown}: a stockpile needs a row for every"
                    f" year from its first ({start}) to {meta.last_year}",
                )
            )
    return out


def _terminal_values(meta: ScenarioMeta, tables: Mapping[str, Table]) -> list[Issue]:
    """A terminal value is given on the row of the horizon's last year only."""
    table = table_of(tables, "stockpiles")
    if "terminal_value_usd_per_t" not in table.data:
        return []
    value = table.column("terminal_value_usd_per_t")
    years = table.column("year")
    wrong = np.flatnonzero((value != 0) & (years != meta.last_year))
    return [
        Issue(
            *table.location(index, "terminal_value_usd_per_t"),
            "terminal_value_usd_per_t",
            f"terminal value {value[index]:g} given for {years[index]}: it values the stock left"
            f" at the end of the horizon and belongs on the {meta.last_year} row only",
        )
        for index in wrong.tolist()
    ]


def _entities(tables: Mapping[str, Table], table: str, column: str) -> set[str]:
    return {str(v) for v in table_of(tables, table).values(column)}


def _route_endpoints(tables: Mapping[str, Table]) -> dict[str, dict[str, set[str]]]:
    imports = table_of(tables, "imports")
    oxide_origins = set(imports.column("origin")[imports.column("product") == "oxide"].tolist())
    return {
        "origin": {
            "source": _entities(tables, "sources", "source"),
            "oxide import origin": oxide_origins,
            "stockpile": _entities(tables, "stockpiles", "stockpile"),
        },
        "destination": {
            "contract": _entities(tables, "contracts", "contract"),
            "maker": _entities(tables, "makers", "maker"),
            "stockpile": _entities(tables, "stockpiles", "stockpile"),
        },
    }


def _references(tables: Mapping[str, Table], broken: frozenset[str]) -> list[Issue]:
    out: list[Issue] = []
    stockpiles = _entities(tables, "stockpiles", "stockpile")
    initial = table_of(tables, "stockpile_initial")
    names = initial.values("stockpile") if "stockpiles" not in broken else []
    for (file, line), name in zip(initial.locations, names, strict=False):
        if name not in stockpiles:
            out.append(
                Issue(
                    file,
                    line,
                    "stockpile",
                    f"unknown stockpile {name!r}: not in stockpiles.csv",
                )
            )
    routes = table_of(tables, "routes")
    if not len(routes) or broken & {"sources", "imports", "stockpiles", "contracts", "makers"}:
        return out
    endpoints = _route_endpoints(tables)
    out += _shared_names(endpoints, routes)
    ends = {column: routes.values(column) for column in endpoints}
    for index, (file, line) in enumerate(routes.locations):
        for column, kinds in endpoints.items():
            value = ends[column][index]
            if not any(value in names for names in kinds.values()):
                out.append(
                    Issue(
                        file,
                        line,
                        column,
                        f"unknown {column} {value!r}: not a {' or '.join(kinds)}",
                    )
                )
    return out


def _shared_names(endpoints: dict[str, dict[str, set[str]]], routes: Table) -> list[Issue]:
    """With routes, an origin (destination) name must denote one thing only, even when no
    route mentions it: the route constraints are keyed by name."""
    out = []
    file, line = routes.location(0)
    for column, kinds in endpoints.items():
        seen: dict[str, str] = {}
        for kind, names in kinds.items():
            for name in sorted(names):
                if name in seen:
                    out.append(
                        Issue(
                            file,
                            line,
                            column,
                            f"{name!r} names both a {seen[name]} and a {kind}; with routes,"
                            f" every {column} name must be distinct",
                        )
                    )
                seen.setdefault(name, kind)
    return out
