"""Rules that span rows or tables: horizon, references, stockpile continuity, route names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from ndalloc.data.errors import Issue
from ndalloc.data.scenario import Table
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
    issues += _references(tables, broken)
    return issues


def _horizon(meta: ScenarioMeta, tables: Mapping[str, Table]) -> list[Issue]:
    out = []
    for table in tables.values():
        for record, (file, line) in zip(table.records, table.locations, strict=True):
            year = getattr(record, "year", None)
            if year is not None and not meta.first_year <= year <= meta.last_year:
                out.append(
                    Issue(
                        file,
                        line,
                        "year",
                        f"year {year} is outside the horizon {meta.first_year}-{meta.last_year}"
                        " of scenario.toml",
                    )
                )
    return out


def _stockpile_years(meta: ScenarioMeta, tables: Mapping[str, Table]) -> list[Issue]:
    """A stockpile's rows run without gaps from its first year to the end of the horizon."""
    table = tables.get("stockpiles", Table())
    years: dict[str, list[int]] = defaultdict(list)
    first: dict[str, tuple[str, int]] = {}
    for record, location in zip(table.records, table.locations, strict=True):
        name = record.stockpile  # type: ignore[attr-defined]
        years[name].append(record.year)  # type: ignore[attr-defined]
        first.setdefault(name, location)
    out = []
    for name, ys in years.items():
        start = min(ys)
        missing = sorted(set(range(start, meta.last_year + 1)) - set(ys))
        if missing:
            shown = ", ".join(str(y) for y in missing[:10])
            out.append(
                Issue(
                    *first[name],
                    "year",
                    f"stockpile {name!r} has no row for {shown}: a stockpile needs a row for every"
                    f" year from its first ({start}) to {meta.last_year}",
                )
            )
    return out


def _entities(tables: Mapping[str, Table], table: str, column: str) -> set[str]:
    return {str(getattr(r, column)) for r in tables.get(table, Table()).records}


def _route_endpoints(tables: Mapping[str, Table]) -> dict[str, dict[str, set[str]]]:
    oxide_origins = {
        r.origin  # type: ignore[attr-defined]
        for r in tables.get("imports", Table()).records
        if r.product == "oxide"  # type: ignore[attr-defined]
    }
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
    initial = tables.get("stockpile_initial", Table()) if "stockpiles" not in broken else Table()
    for record, (file, line) in zip(initial.records, initial.locations, strict=True):
        name = record.stockpile  # type: ignore[attr-defined]
        if name not in stockpiles:
            out.append(
                Issue(
                    file,
                    line,
                    "stockpile",
                    f"unknown stockpile {name!r}: not in stockpiles.csv",
                )
            )
    routes = tables.get("routes", Table())
    if not routes.records or broken & {"sources", "imports", "stockpiles", "contracts", "makers"}:
        return out
    endpoints = _route_endpoints(tables)
    out += _shared_names(endpoints, routes)
    for record, (file, line) in zip(routes.records, routes.locations, strict=True):
        for column, kinds in endpoints.items():
            value = getattr(record, column)
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
    file, line = routes.locations[0]
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
