"""An analyst's sensitivity study of the Japan agreement, end to end, from Python.

Question: at what export price would honouring more than the minimum pay, and how does the
answer move with IREL's output and with the discount rate? And which uncertain inputs matter
most for the national benefit?

Run from the repository root:  python docs/examples/japan_price_study.py [--quick]
It writes its tables next to the runs, in runs/japan-price-study/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ndalloc
from ndalloc.sensitivity import run_sweep


def main(quick: bool = False) -> dict[str, object]:
    out = Path("runs") / "japan-price-study"
    out.mkdir(parents=True, exist_ok=True)
    base = ndalloc.load_scenario("india-base")

    # 1. The base run: what is oxide worth, and what does honouring the minimum cost?
    result = ndalloc.solve(base)
    print(f"base objective: {result.objective / 1e6:,.1f} million USD")
    for sentence in result.marginal_values.query("year == 2030")["sentence"]:
        print("  ", sentence)
    price = result.ranging.query("column == 'price_usd_per_t' and via == 'export' and year == 2030")
    print("Japan price range over which the 2030 allocation holds (USD/t):")
    print(price[["value", "low", "high"]].to_string(index=False))

    # 2. A response curve: the Japan price from 20 to 100 USD/kg, for three IREL outputs.
    n = 5 if quick else 17
    curve = ndalloc.sweep(
        base,
        vary=[
            f"contracts.price_usd_per_t[japan-2012]=20000:100000:{n}",
            "sources.capacity_t[irel]*=0.75,1,1.25",
        ],
        workers=1 if quick else 2,
    )
    curve.to_csv(out / "price_curve.csv", index=False)
    exports = curve.pivot_table(
        index="contracts.price_usd_per_t[japan-2012]",
        columns="sources.capacity_t[irel]*",
        values="exports_t",
    )
    print("exports to Japan over 2025-2035 (t) by price and IREL output factor:")
    print(exports.round(0).to_string())

    # 3. Which uncertain inputs matter most: a tornado on the sourced ranges.
    tornado = run_sweep(base, tornado_on=True).ranking
    tornado.to_csv(out / "tornado.csv", index=False)
    print("largest swings of the objective (million USD):")
    for row in tornado.head(5).itertuples(index=False):
        print(f"  {row.parameter:45s} {row.objective_usd_swing / 1e6:10,.1f}")

    # 4. Monte Carlo on the same ranges: the distribution of the benefit.
    draws = ndalloc.sweep(base, monte_carlo_n=20 if quick else 300, seed=2026)
    draws.to_parquet(out / "monte_carlo.parquet", index=False)
    quantiles = draws["objective_usd"].quantile([0.05, 0.5, 0.95]) / 1e6
    print("objective quantiles 5/50/95 % (million USD):", quantiles.round(1).tolist())
    return {"curve": curve, "tornado": tornado, "draws": draws}


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
