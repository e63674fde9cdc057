"""Charts of prices: the marginal value of one more tonne of oxide in each year, for one run
and for compared runs (USD of that year)."""

from __future__ import annotations

import pandas as pd

from ndalloc.report.chart_style import (
    COLOURS,
    DASHES,
    RUN_COLOURS,
    compare_legend,
    title,
    year_axis,
)
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder


def oxide_value_figure(run: Folder) -> Figure | None:
    """The marginal value of one more tonne of oxide in each year (USD of that year)."""
    dual = run.table("dual_oxide_balance")
    if dual.empty:
        return None
    figure = Plot()
    figure.add(
        "scatter",
        x=dual["year"].astype(int).to_numpy(),
        y=dual["value_usd_per_t"].to_numpy(),
        name="value of one more tonne of oxide",
        mode="lines+markers",
        line={"color": COLOURS["source"], "width": 3, "shape": "hv"},
        hovertemplate="%{x}: %{y:,.0f} USD/t<extra></extra>",
    )
    figure.update(
        height=340,
        title=title("Value of one more tonne of oxide (marginal value, USD of each year)"),
        yaxis={"title": title("USD per t oxide"), "rangemode": "tozero"},
        xaxis={"title": title("year")},
        showlegend=False,
    )
    year_axis(figure)
    return figure.figure()


def oxide_value_compare(prices: pd.DataFrame, labels: dict[str, str]) -> Figure:
    figure = Plot()
    oxide = prices[prices["constraint"] == "oxide_balance"].dropna(subset=["value_usd_per_t"])
    for i, (name, short) in enumerate(labels.items()):
        rows = oxide[oxide["run"] == name]
        if rows.empty:
            continue
        figure.add(
            "scatter",
            x=rows["year"].astype(int).to_numpy(),
            y=rows["value_usd_per_t"].to_numpy(),
            name=f"{short}: value of oxide",
            mode="lines+markers",
            line={
                "color": RUN_COLOURS[i % len(RUN_COLOURS)],
                "width": 2.5,
                "shape": "hv",
                "dash": DASHES[i % len(DASHES)],
            },
            hovertemplate="%{fullData.name}<br>%{x}: %{y:,.0f} USD/t<extra></extra>",
        )
    figure.update(
        height=360,
        title={"text": "Value of one more tonne of oxide by run (USD of each year)"},
        yaxis={"title": {"text": "USD per t oxide"}, "rangemode": "tozero"},
    )
    year_axis(figure)
    compare_legend(figure)
    return figure.figure()
