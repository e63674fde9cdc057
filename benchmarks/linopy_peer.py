"""ndalloc's allocation LP written a second time, with linopy, as a peer benchmark.

Usage::

    python benchmarks/linopy_peer.py SCENARIO_FOLDER OUT_FOLDER

This script is an independent build of the linear program of ndalloc: it was written from the
mathematics in `docs/formulation.md` and the column descriptions in `docs/inputs.md` only, and it
imports nothing from ndalloc. It reads the scenario's files itself with pandas, builds every
constraint family of the formulation that the scenario uses as vectorised linopy variables and
constraints (one dimension per entity and one for the year, with masks where a table has no
row), solves the LP with HiGHS through linopy, writes the primal value of every variable and the
dual of every constraint as CSV files to OUT_FOLDER, and prints one JSON line with the
objective, the status, the timings and the size of the LP.

The objective is the discounted net benefit of docs/formulation.md section 5 (maximised, in USD
of the first year), so it is directly comparable with ndalloc's `objective`.

Limits: only self-contained scenario folders are read (no `inherits` and no `[[patch]]` in
`scenario.toml`), and the input is assumed valid (ndalloc's loader checks it: unique keys, years
in the horizon, contiguous stockpile rows, route names that each name one kind of entity).
"""

from __future__ import annotations

import json
import sys
import time
import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import linopy
import numpy as np
import pandas as pd
import xarray as xr

#: For each table: its file, its key columns (entity first, the year last when there is one),
#: its numeric columns with their defaults (None: required) and its true/false columns.
TABLES: dict[str, tuple[str, list[str], dict[str, float | None], list[str]]] = {
    "sources": (
        "sources.csv",
        ["source", "year"],
        {"capacity_t": None, "min_output_t": 0.0, "cost_usd_per_t": None},
        [],
    ),
    "contracts": (
        "contracts.csv",
        ["contract", "year"],
        {
            "min_t": None,
            "max_t": None,
            "price_usd_per_t": None,
            "breach_penalty_usd_per_t": 0.0,
        },
        ["halted"],
    ),
    "makers": (
        "makers.csv",
        ["maker", "year"],
        {"capacity_t": None, "oxide_per_t": None, "conversion_cost_usd_per_t": None},
        [],
    ),
    "demand": (
        "demand.csv",
        ["sector", "year"],
        {"demand_t": None, "shortage_penalty_usd_per_t": None, "import_share_max": 1.0},
        [],
    ),
    "imports": (
        "imports.csv",
        ["origin", "product", "year"],
        {"max_t": None, "price_usd_per_t": None},
        [],
    ),
    "stockpiles": (
        "stockpiles.csv",
        ["stockpile", "year"],
        {
            "min_t": 0.0,
            "max_t": None,
            "max_inject_t": None,
            "max_release_t": None,
            "holding_cost_usd_per_t": 0.0,
            "handling_cost_usd_per_t": 0.0,
            "terminal_value_usd_per_t": 0.0,
        },
        [],
    ),
    "stockpile_initial": ("stockpile_initial.csv", ["stockpile"], {"initial_t": None}, []),
    "routes": ("routes.csv", ["origin", "destination"], {"cost_usd_per_t": 0.0}, []),
}

PRODUCTS = ["oxide", "magnet"]

SOLVER_OPTIONS: dict[str, Any] = {
    "threads": 1,
    "solver": "simplex",
    "presolve": "choose",
    "random_seed": 0,
    "output_flag": False,
}


@dataclass
class Inputs:
    """What the LP needs from a scenario folder: its settings and one DataFrame per table."""

    first_year: int
    last_year: int
    discount_rate: float
    export_cap_t: float | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    has_routes: bool = False


def read_table(folder: Path, table: str) -> pd.DataFrame | None:
    """One CSV as a DataFrame of its key, numeric and true/false columns; None when absent.

    Empty cells take the column's default (docs/inputs.md); a column with a default may be left
    out of the file. Names are read as text, never as numbers or NaN.
    """
    file, keys, numbers, flags = TABLES[table]
    path = folder / file
    if not path.exists():
        return None
    names = [k for k in keys if k != "year"]
    wanted = set(keys) | set(numbers) | set(flags)
    df = pd.read_csv(
        path,
        usecols=lambda column: column in wanted,
        dtype={**{k: str for k in names}, **{f: str for f in flags}},
        keep_default_na=False,
        na_values={c: [""] for c in [*numbers, "year"]},
        encoding="utf-8",
    )
    for column, default in numbers.items():
        if column not in df:
            if default is None:
                raise ValueError(f"{file}: required column {column} is missing")
            df[column] = default
        elif default is not None:
            df[column] = df[column].fillna(default)
        df[column] = df[column].astype(float)
    for column in flags:
        text = df[column] if column in df else pd.Series("", index=df.index)
        df[column] = text.str.strip().str.lower().eq("true")
    if "year" in keys:
        df["year"] = df["year"].astype(int)
    return df


def read_inputs(folder: Path) -> Inputs:
    """scenario.toml and every table of the folder (a missing optional table is empty)."""
    with (folder / "scenario.toml").open("rb") as fh:
        meta = tomllib.load(fh)
    if meta.get("inherits") or meta.get("patch"):
        raise SystemExit(
            f"{folder}: scenario inheritance (inherits, [[patch]]) is not supported by this peer;"
            " give a self-contained scenario folder"
        )
    cap = meta.get("export_cap_t")
    inputs = Inputs(
        first_year=int(meta["first_year"]),
        last_year=int(meta["last_year"]),
        discount_rate=float(meta["discount_rate"]),
        export_cap_t=None if cap is None else float(cap),
    )
    for table, (_, keys, numbers, flags) in TABLES.items():
        df = read_table(folder, table)
        if table == "routes":
            inputs.has_routes = df is not None
        if df is None:
            df = pd.DataFrame({c: pd.Series(dtype=object) for c in keys})
            for column in numbers:
                df[column] = pd.Series(dtype=float)
            for column in flags:
                df[column] = pd.Series(dtype=bool)
            if "year" in keys:
                df["year"] = df["year"].astype(int)
        inputs.tables[table] = df
    return inputs


# --- from tables to arrays ----------------------------------------------------------------


def grid(df: pd.DataFrame, keys: Sequence[str], coords: dict[str, pd.Index]) -> xr.Dataset:
    """A table as a dense Dataset over its key dimensions (given coordinates, in that order).

    Every numeric column is 0 where the table has no row; the variable `row` is the mask of the
    rows present (the sparse index set of docs/formulation.md section 2).
    """
    indexed = df.assign(row=True).set_index(list(keys))
    columns = [c for c in indexed.columns if c not in keys]
    if len(keys) == 1:
        full: pd.Index = coords[keys[0]]
    else:
        full = pd.MultiIndex.from_product([coords[k] for k in keys], names=list(keys))
    dense = indexed[columns].reindex(full)
    data = {}
    shape = tuple(len(coords[k]) for k in keys)
    for column in columns:
        values = dense[column].to_numpy()
        if column == "row" or values.dtype == object:
            values = pd.array(values, dtype="boolean").fillna(False).to_numpy(dtype=bool)
        else:
            values = np.nan_to_num(values.astype(float), nan=0.0)
        data[column] = (list(keys), values.reshape(shape))
    return xr.Dataset(data, coords={k: coords[k] for k in keys})


def entity_index(df: pd.DataFrame, column: str) -> pd.Index:
    """Sorted unique names of a table's entity column."""
    return pd.Index(sorted(pd.unique(df[column].astype(str))), name=column)


def take(mask: xr.DataArray, dim: str, labels: np.ndarray, new_dim: str) -> xr.DataArray:
    """mask[label] for each label (False for a label that is not on `dim`), along `new_dim`."""
    position = mask.indexes[dim].get_indexer(labels)
    if len(mask.indexes[dim]) == 0:
        return mask.any(dim).expand_dims({new_dim: len(labels)}).copy()  # all false
    found = xr.DataArray(position >= 0, dims=new_dim)
    picked = mask.isel({dim: xr.DataArray(np.maximum(position, 0), dims=new_dim)}, drop=True)
    return picked & found


# --- the LP ---------------------------------------------------------------------------------


#: A kind of route end: name suffix of its constraint, its entity dimension, its rows (mask)
#: and the variable it ships from (origins) or receives into (destinations).
Kind = tuple[str, str, xr.DataArray, linopy.Variable | None]


@dataclass
class Built:
    """The linopy model and the names of its variables and constraints, in build order."""

    model: linopy.Model
    variables: list[str]
    constraints: list[str]


def build(inputs: Inputs) -> Built:
    """The LP of docs/formulation.md sections 4-6 as a linopy model (maximisation)."""
    tables = inputs.tables
    years = pd.Index(np.arange(inputs.first_year, inputs.last_year + 1), name="year")
    delta = xr.DataArray(
        (1.0 + inputs.discount_rate) ** -(years.to_numpy() - inputs.first_year).astype(float),
        coords={"year": years},
        dims="year",
    )
    year_of = {"year": years}

    src = grid(
        tables["sources"],
        ["source", "year"],
        {"source": entity_index(tables["sources"], "source"), **year_of},
    )
    con = grid(
        tables["contracts"],
        ["contract", "year"],
        {"contract": entity_index(tables["contracts"], "contract"), **year_of},
    )
    mak = grid(
        tables["makers"],
        ["maker", "year"],
        {"maker": entity_index(tables["makers"], "maker"), **year_of},
    )
    dem = grid(
        tables["demand"],
        ["sector", "year"],
        {"sector": entity_index(tables["demand"], "sector"), **year_of},
    )
    imp = grid(
        tables["imports"],
        ["origin", "product", "year"],
        {
            "origin": entity_index(tables["imports"], "origin"),
            "product": pd.Index(PRODUCTS, name="product"),
            **year_of,
        },
    )
    stock_names = entity_index(tables["stockpiles"], "stockpile")
    stk = grid(tables["stockpiles"], ["stockpile", "year"], {"stockpile": stock_names, **year_of})
    initial = grid(tables["stockpile_initial"], ["stockpile"], {"stockpile": stock_names})

    m = linopy.Model()
    variables: list[str] = []
    constraints: list[str] = []

    def var(name: str, mask: xr.DataArray) -> linopy.Variable | None:
        """A non-negative variable over mask's coordinates where mask is true (None: no rows)."""
        if not bool(mask.any()):
            return None
        variables.append(name)
        return m.add_variables(lower=0.0, coords=mask.coords, mask=mask, name=name)

    def con_(name: str, lhs: Any, sign: str, rhs: Any, mask: xr.DataArray) -> None:
        """A constraint family, built where mask is true."""
        if not bool(mask.any()):
            return
        constraints.append(name)
        m.add_constraints(lhs, sign, rhs, name=name, mask=mask)

    def total(v: linopy.Variable | None, dim: str) -> Any:
        """The sum of v over `dim` for each year (0 when the family has no variable)."""
        return 0 if v is None else v.sum(dim)

    # Section 2: sparse index sets, as masks.
    sy, ky, my, dy, iy, py = (t["row"] for t in (src, con, mak, dem, imp, stk))
    sy_min = sy & (src["min_output_t"] > 0)
    ky_min = ky & (con["min_t"] > 0)
    dy_sh = dy & (dem["import_share_max"] < 1)
    py_min = py & (stk["min_t"] > 0)
    iy_ox, iy_mag = iy.sel(product="oxide", drop=True), iy.sel(product="magnet", drop=True)
    y_dom = dy.any("sector") | my.any("maker")
    y_imp = dy.any("sector") | iy_mag.any("origin")
    y_exp = ky.any("contract") if inputs.export_cap_t is not None else xr.zeros_like(delta, bool)

    # Section 4: variables.
    output = var("output", sy)
    export = var("export", ky)
    breach = var("breach", ky_min)
    feed = var("feed", my)
    make = var("make", my)
    imports = var("imports", iy)
    deliver_domestic = var("deliver_domestic", dy)
    deliver_import = var("deliver_import", dy)
    shortage = var("shortage", dy)
    level = var("level", py)
    inject = var("inject", py)
    release = var("release", py)
    unallocated = var("unallocated", xr.ones_like(delta, bool))
    assert unallocated is not None

    # Section 5: objective (discounted net benefit, maximised).
    last = xr.zeros_like(delta).where(delta.year != inputs.last_year, 1.0)
    terms: list[Any] = []

    def price(v: linopy.Variable | None, coefficient: xr.DataArray) -> None:
        if v is not None:
            terms.append((coefficient * delta * v).sum())

    price(export, con["price_usd_per_t"])
    price(breach, -con["breach_penalty_usd_per_t"])
    price(output, -src["cost_usd_per_t"])
    price(make, -mak["conversion_cost_usd_per_t"])
    price(imports, -imp["price_usd_per_t"])
    price(level, stk["terminal_value_usd_per_t"] * last - stk["holding_cost_usd_per_t"])
    price(inject, -stk["handling_cost_usd_per_t"])
    price(release, -stk["handling_cost_usd_per_t"])
    price(shortage, -dem["shortage_penalty_usd_per_t"])

    # Section 6: constraint families.
    oxide_ox = None if imports is None else imports.sel(product="oxide", drop=True)
    oxide_mag = None if imports is None else imports.sel(product="magnet", drop=True)
    uses = (
        total(export, "contract") + total(feed, "maker") + total(inject, "stockpile") + unallocated
    )
    supplies = total(output, "source") + total(oxide_ox, "origin") + total(release, "stockpile")
    con_("oxide_balance", uses - supplies, "==", 0.0, xr.ones_like(delta, bool))

    if output is not None:
        con_("source_capacity", output, "<=", src["capacity_t"], sy)
        con_("source_minimum", output, ">=", src["min_output_t"], sy_min)
    if export is not None:
        halted = con["halted"].astype(float)
        con_("contract_max", export, "<=", con["max_t"] * (1.0 - halted), ky)
        if breach is not None:
            con_("contract_min", export + breach, ">=", con["min_t"], ky_min)
        if inputs.export_cap_t is not None:
            con_("export_cap", export.sum("contract"), "<=", inputs.export_cap_t, y_exp)
    if make is not None and feed is not None:
        con_("maker_capacity", make, "<=", mak["capacity_t"], my)
        con_("maker_conversion", mak["oxide_per_t"] * make - feed, "==", 0.0, my)
    if bool(y_dom.any()):
        lhs = total(deliver_domestic, "sector") - total(make, "maker")
        con_("magnet_balance_domestic", lhs, "==", 0.0, y_dom)
    if bool(y_imp.any()):
        lhs = total(deliver_import, "sector") - total(oxide_mag, "origin")
        con_("magnet_balance_import", lhs, "==", 0.0, y_imp)
    if deliver_domestic is not None and deliver_import is not None and shortage is not None:
        lhs = deliver_domestic + deliver_import + shortage
        con_("demand_balance", lhs, "==", dem["demand_t"], dy)
        share = dem["import_share_max"] * dem["demand_t"]
        con_("import_share", deliver_import, "<=", share, dy_sh)
    if imports is not None:
        con_("import_limit", imports, "<=", imp["max_t"], iy)
    if level is not None and inject is not None and release is not None:
        # The previous year's level drops out where the stockpile has no row (its first year),
        # and the initial level moves to the right-hand side there.
        first = py & ~py.shift(year=1, fill_value=False)
        opening = initial["initial_t"].where(first, 0.0)
        lhs = level - level.shift(year=1) - inject + release
        con_("stockpile_balance", lhs, "==", opening, py)
        con_("stockpile_min", level, ">=", stk["min_t"], py_min)
        con_("stockpile_max", level, "<=", stk["max_t"], py)
        con_("stockpile_inject_limit", inject, "<=", stk["max_inject_t"], py)
        con_("stockpile_release_limit", release, "<=", stk["max_release_t"], py)

    if inputs.has_routes:
        kinds_out = [
            ("source", "source", sy, output),
            ("import", "origin", iy_ox, oxide_ox),
            ("stockpile", "stockpile", py, release),
        ]
        kinds_in = [
            ("contract", "contract", ky, export),
            ("maker", "maker", my, feed),
            ("stockpile", "stockpile", py, inject),
        ]
        add_routes(m, inputs, delta, kinds_out, kinds_in, terms, variables, constraints)

    m.add_objective(sum(terms[1:], terms[0]) if terms else 0 * unallocated.sum(), sense="max")
    return Built(m, variables, constraints)


def add_routes(
    m: linopy.Model,
    inputs: Inputs,
    delta: xr.DataArray,
    kinds_out: list[Kind],
    kinds_in: list[Kind],
    terms: list[Any],
    variables: list[str],
    constraints: list[str],
) -> None:
    """`flow`, `route_origin` and `route_destination` (docs/formulation.md, routes).

    `flow` has one dimension for the rows of routes.csv and one for the year. Each origin is a
    source, an oxide import origin or a stockpile (the loader rejects a name of two kinds), so
    `route_origin` is one linopy constraint per kind of origin (`route_origin_source`, ...),
    and `route_destination` one per kind of destination.
    """
    routes = inputs.tables["routes"]
    n = len(routes)
    route = pd.Index(np.arange(n), name="route")
    origin = routes["origin"].astype(str).to_numpy()
    destination = routes["destination"].astype(str).to_numpy()
    cost = xr.DataArray(routes["cost_usd_per_t"].to_numpy(float), coords={"route": route})

    def has_row(kinds: list[Kind], names: np.ndarray) -> xr.DataArray:
        """(route, year): the route's end (names) has a row that year in one of the tables."""
        found = xr.zeros_like(delta, bool).expand_dims(route=route).copy()
        for _, dim, mask, _ in kinds:
            found = found | take(mask, dim, names, "route").assign_coords(route=route)
        return found

    ry = has_row(kinds_out, origin) & has_row(kinds_in, destination)
    if not bool(ry.any()):
        flow = None
    else:
        variables.append("flow")
        flow = m.add_variables(lower=0.0, coords=ry.coords, mask=ry, name="flow")
        terms.append((-cost * delta * flow).sum())

    def grouped(mask: xr.DataArray, dim: str, names: np.ndarray) -> tuple[Any, xr.DataArray]:
        """Sum of the flows whose end (names) is on `dim`, over `dim` x year, and its mask."""
        entities = mask.indexes[dim]
        on = np.flatnonzero(entities.get_indexer(names) >= 0)
        if flow is None or len(on) == 0:
            return 0, xr.zeros_like(mask, bool)
        group = xr.DataArray(names[on], dims="route", coords={"route": route[on]}, name=dim)
        summed = flow.isel(route=on).groupby(group).sum()
        some = ry.isel(route=on).groupby(group).any().reindex({dim: entities}, fill_value=False)
        return summed.reindex({dim: entities}), some.transpose(*mask.dims)

    for kind, dim, mask, supply in kinds_out:
        if supply is None:
            continue
        shipped, ro = grouped(mask, dim, origin)
        if bool(ro.any()):
            name = f"route_origin_{kind}"
            constraints.append(name)
            m.add_constraints(shipped - supply, "<=", 0.0, name=name, mask=ro)
    for kind, dim, mask, use in kinds_in:
        if use is None:
            continue
        received, _ = grouped(mask, dim, destination)
        name = f"route_destination_{kind}"
        constraints.append(name)
        m.add_constraints(use - received, "==", 0.0, name=name, mask=mask)


# --- solve and write -------------------------------------------------------------------------


def write(built: Built, out: Path) -> None:
    """One CSV per variable (primal values) and per constraint (duals), only existing rows."""
    out.mkdir(parents=True, exist_ok=True)
    m = built.model
    for name in built.variables:
        v = m.variables[name]
        frame = v.solution.where(v.labels >= 0).to_dataframe(name="value").dropna()
        frame.to_csv(out / f"primal_{name}.csv")
    for name in built.constraints:
        c = m.constraints[name]
        frame = c.dual.where(c.labels >= 0).to_dataframe(name="dual").dropna()
        frame.to_csv(out / f"dual_{name}.csv")


def run(folder: Path, out: Path) -> dict[str, Any]:
    """Read, build, solve and write one scenario; the report printed by the script."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # linopy's notice of its next semantics
        t0 = time.perf_counter()
        inputs = read_inputs(folder)
        t1 = time.perf_counter()
        built = build(inputs)
        t2 = time.perf_counter()
        m = built.model
        status, condition = m.solve(solver_name="highs", io_api="direct", **SOLVER_OPTIONS)
        t3 = time.perf_counter()
        highs = m.solver_model
        run_s = float(highs.getRunTime()) if hasattr(highs, "getRunTime") else None
        optimal = status == "ok" and condition == "optimal"
        if optimal:
            write(built, out)
        t4 = time.perf_counter()
    value = m.objective.value
    return {
        "objective": float(value) if optimal and value is not None else None,
        "status": condition,
        "read_s": round(t1 - t0, 4),
        "build_s": round(t2 - t1, 4),
        "solve_s": round(t3 - t2, 4),
        "highs_run_s": None if run_s is None else round(run_s, 4),
        "write_s": round(t4 - t3, 4),
        "variables": int(m.nvars),
        "constraints": int(m.ncons),
    }


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    report = run(Path(argv[0]), Path(argv[1]))
    print(json.dumps(report))
    return 0 if report["status"] == "optimal" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
