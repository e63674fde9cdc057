"""Synthetic scenarios of any size, for benchmarks and scale tests (`ndalloc generate`).

A generated scenario is an ordinary scenario folder: `scenario.toml` and one CSV per table, in
the schema's column order, with cells written as `ndalloc.data.writers` writes them. It has
every table (imports of oxide and magnets, stockpiles with initial levels and reserve targets),
is feasible by construction, and depends only on its arguments: the same seed gives the same
files byte for byte.

Feasibility: shortage, breach and `unallocated` absorb any imbalance (docs/formulation.md
section 8); what could make a scenario infeasible is a stockpile reserve that cannot be
reached. Each stockpile's `min_t` is therefore kept below what its initial level plus its
injection limits can reach, and the stockpiles together can take at most a tenth of the
domestic output capacity of each year, which is always available.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ndalloc.data.readers import SCENARIO_FILE
from ndalloc.data.schema import LAST_YEAR, TABLES, columns
from ndalloc.data.writers import cell, toml_value

FIRST_YEAR = 2025
#: The longest horizon: the schema's years end at 2200 (`schema.Year`).
MAX_YEARS = LAST_YEAR - FIRST_YEAR + 1


@dataclass(frozen=True)
class Size:
    """How many entities of each kind a generated scenario has."""

    sources: int
    makers: int
    contracts: int
    sectors: int
    years: int
    origins: int = 0
    """Import origins, each offering oxide and magnets; 0: one per 20 sources (at least 1)."""
    stockpiles: int = 0
    """Stockpiles; 0: one per 200 sources (at least 1)."""

    def flags(self) -> str:
        """The `ndalloc generate` options that give this size."""
        out = (
            f"--sources {self.sources} --makers {self.makers} --contracts {self.contracts}"
            f" --sectors {self.sectors} --years {self.years}"
        )
        if self.origins:
            out += f" --origins {self.origins}"
        if self.stockpiles:
            out += f" --stockpiles {self.stockpiles}"
        return out

    def resolved(self) -> Size:
        for name in ("sources", "makers", "contracts", "sectors", "years"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.years > MAX_YEARS:
            raise ValueError(
                f"--years {self.years}: at most {MAX_YEARS} (the horizon starts in {FIRST_YEAR}"
                f" and years end at {LAST_YEAR}); nothing was written"
            )
        return Size(
            self.sources,
            self.makers,
            self.contracts,
            self.sectors,
            self.years,
            self.origins or max(1, self.sources // 20),
            self.stockpiles or max(1, self.sources // 200),
        )


#: The benchmark sizes (benchmarks/README.md): about 1,000, 50,000 and over 500,000 variables.
SIZES: dict[str, Size] = {
    "S": Size(sources=6, makers=6, contracts=6, sectors=12, years=15),
    "M": Size(sources=250, makers=250, contracts=250, sectors=500, years=20),
    "L": Size(sources=2500, makers=2500, contracts=2500, sectors=5000, years=20),
}


def _names(prefix: str, n: int) -> list[str]:
    width = len(str(n))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _round(values: np.ndarray, digits: int = 1) -> list[float]:
    """Rounded to `digits` decimals, as Python floats (their repr is short and exact)."""
    return [float(v) for v in np.round(values, digits)]


def _growth(rng: np.random.Generator, n: int, years: int, low: float, high: float) -> np.ndarray:
    """An n x years matrix of compounded yearly growth factors, 1 in the first year."""
    rate = rng.uniform(low, high, size=(n, 1))
    return (1.0 + rate) ** np.arange(years)[None, :]


def generate_tables(size: Size, seed: int) -> dict[str, list[list[Any]]]:
    """Every table of the scenario as rows of values in schema column order."""
    size = size.resolved()
    rng = np.random.default_rng(seed)
    years = list(range(FIRST_YEAR, FIRST_YEAR + size.years))
    t = size.years
    tables: dict[str, list[list[Any]]] = {}

    # Sources: capacity grows 0-8 %/yr; one in ten has a co-product minimum output.
    names = _names("src", size.sources)
    capacity = rng.uniform(20.0, 800.0, (size.sources, 1)) * _growth(rng, size.sources, t, 0, 0.08)
    forced = rng.random(size.sources) < 0.1
    minimum = np.where(forced[:, None], 0.2 * capacity, 0.0)
    cost = rng.uniform(20000.0, 60000.0, (size.sources, 1)) * np.ones((1, t))
    tables["sources"] = [
        [s, y, c, m, k, None, None, ""]
        for i, s in enumerate(names)
        for y, c, m, k in zip(
            years, _round(capacity[i]), _round(minimum[i]), _round(cost[i], 0), strict=True
        )
    ]
    oxide_capacity = capacity.sum(axis=0)

    # Contracts: together they could take about 30 % of the oxide; half have a minimum with a
    # breach penalty, and one in fifty is halted in its last years.
    names = _names("k", size.contracts)
    share = rng.dirichlet(np.ones(size.contracts)) * 0.3
    max_t = share[:, None] * oxide_capacity[None, :]
    committed = rng.random(size.contracts) < 0.5
    min_t = np.where(committed[:, None], max_t * rng.uniform(0.3, 0.9, (size.contracts, 1)), 0.0)
    price = rng.uniform(30000.0, 75000.0, size.contracts)
    penalty = np.where(committed, rng.uniform(5000.0, 90000.0, size.contracts), 0.0)
    halted_from = np.where(rng.random(size.contracts) < 0.02, t - 2, t + 1)
    rows = []
    for i, k in enumerate(names):
        lows, highs = _round(np.minimum(min_t[i], max_t[i])), _round(max_t[i])
        for j, y in enumerate(years):
            rows.append(
                [
                    k,
                    f"partner{i % 17 + 1}",
                    y,
                    min(lows[j], highs[j]),
                    highs[j],
                    round(float(price[i]), 0),
                    round(float(penalty[i]), 0),
                    bool(j >= halted_from[i]),
                    round(float(price[i]) * 0.8, 0),
                    round(float(price[i]) * 1.25, 0),
                    "",
                ]
            )
    tables["contracts"] = rows

    # Makers: together they could use about 80 % of the oxide; some start a few years late.
    names = _names("maker", size.makers)
    ratio = rng.uniform(0.3, 0.42, size.makers)
    oxide_share = rng.dirichlet(np.ones(size.makers)) * 0.8
    magnet_cap = oxide_share[:, None] * oxide_capacity[None, :] / ratio[:, None]
    start = np.where(rng.random(size.makers) < 0.2, rng.integers(1, max(2, t // 2), size.makers), 0)
    conversion = rng.uniform(15000.0, 35000.0, size.makers)
    tables["makers"] = [
        [m, y, c, round(float(ratio[i]), 3), round(float(conversion[i]), 0), None, None, ""]
        for i, m in enumerate(names)
        for j, (y, c) in enumerate(zip(years, _round(magnet_cap[i]), strict=True))
        if j >= start[i]
    ]
    domestic_magnets = magnet_cap.sum(axis=0)

    # Sectors: demand about 1.3 times what the makers can make, growing 2-10 %/yr; one sector
    # in five may import at most part of its needs (some none at all).
    names = _names("sector", size.sectors)
    weight = rng.dirichlet(np.ones(size.sectors))
    growth = _growth(rng, size.sectors, t, 0.02, 0.10)
    demand = weight[:, None] * 1.3 * domestic_magnets[0] * growth
    penalty = rng.uniform(60000.0, 300000.0, size.sectors)
    share_max = np.where(
        rng.random(size.sectors) < 0.2, rng.choice([0.0, 0.25, 0.5, 0.75], size.sectors), 1.0
    )
    tables["demand"] = [
        [d, y, q, round(float(penalty[i]), 0), float(share_max[i]), None, None, ""]
        for i, d in enumerate(names)
        for y, q in zip(years, _round(demand[i]), strict=True)
    ]
    magnet_demand = demand.sum(axis=0)

    # Imports: each origin offers oxide and magnets; together up to 20 % of domestic oxide
    # capacity and 60 % of magnet demand.
    names = _names("origin", size.origins)
    oxide_share = rng.dirichlet(np.ones(size.origins))
    magnet_share = rng.dirichlet(np.ones(size.origins))
    oxide_price = rng.uniform(45000.0, 90000.0, size.origins)
    magnet_price = rng.uniform(45000.0, 80000.0, size.origins)
    rows = []
    for i, o in enumerate(names):
        ox = _round(oxide_share[i] * 0.2 * oxide_capacity)
        mag = _round(magnet_share[i] * 0.6 * magnet_demand)
        for j, y in enumerate(years):
            rows.append([o, "magnet", y, mag[j], round(float(magnet_price[i]), 0), None, None, ""])
            rows.append([o, "oxide", y, ox[j], round(float(oxide_price[i]), 0), None, None, ""])
    tables["imports"] = rows

    # Stockpiles: from year 1 or 2 to the end; together they can take at most a tenth of the
    # smallest yearly domestic capacity, and each reserve target stays within reach.
    names = _names("stock", size.stockpiles)
    inject = float(0.1 * oxide_capacity.min()) / size.stockpiles
    rows, initial_rows = [], []
    for p in names:
        first = int(rng.integers(0, min(2, t)))
        initial = round(float(rng.uniform(0.0, 2.0) * inject), 1)
        max_inject = round(inject * float(rng.uniform(0.8, 1.0)), 1)
        holding = round(float(rng.uniform(2000.0, 8000.0)), 0)
        handling = round(float(rng.uniform(0.0, 900.0)), 0)
        reachable = initial
        for j in range(first, t):
            reachable += max_inject
            most = round(initial + max_inject * (j - first + 2), 1)
            target = round(min(reachable, most) * float(rng.uniform(0.0, 0.5)), 1)
            least = target if j >= first + 1 else 0.0
            rows.append(
                [p, years[j], least, most, max_inject, most, holding, handling, 0.0, None, None, ""]
            )
        initial_rows.append([p, initial, None, None, ""])
    tables["stockpiles"] = rows
    tables["stockpile_initial"] = initial_rows
    return tables


def _check_columns(tables: dict[str, list[list[Any]]]) -> None:
    for name, rows in tables.items():
        width = len(columns(TABLES[name]))
        if rows and len(rows[0]) != width:
            raise AssertionError(f"{name}: {len(rows[0])} values for {width} columns")


def generate(size: Size, seed: int, folder: Path, name: str | None = None) -> Path:
    """Write a synthetic scenario into `folder` (which must not hold a scenario yet)."""
    size = size.resolved()
    tables = generate_tables(size, seed)
    _check_columns(tables)
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / SCENARIO_FILE).exists():
        raise FileExistsError(f"{folder / SCENARIO_FILE} exists; choose an empty folder")
    meta = {
        "name": name or f"synthetic-{seed}",
        "description": (
            f"Synthetic scenario (ndalloc generate, seed {seed}): {size.sources} sources,"
            f" {size.contracts} contracts, {size.makers} makers, {size.sectors} sectors,"
            f" {size.origins} import origins and {size.stockpiles} stockpiles over {size.years}"
            " years. Does ndalloc solve it, and how fast?"
        ),
        "first_year": FIRST_YEAR,
        "last_year": FIRST_YEAR + size.years - 1,
        "discount_rate": 0.05,
        "currency": "USD",
    }
    text = "".join(f"{k} = {toml_value(v)}\n" for k, v in meta.items())
    (folder / SCENARIO_FILE).write_text(text, encoding="utf-8")
    for table, rows in tables.items():
        _write(folder / TABLES[table].FILE, columns(TABLES[table]), rows)
    return folder


def _write(path: Path, header: Sequence[str], rows: list[list[Any]]) -> None:
    def lines() -> Iterator[list[str]]:
        for row in rows:
            yield [cell(v) for v in row]

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(lines())
