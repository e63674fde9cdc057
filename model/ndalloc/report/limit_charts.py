"""Charts of entities against their limits: each stockpile's level against its minimum and
maximum, each contract's deliveries against its window, each sector's magnet demand and how it
is met.

Each function returns a Plotly figure as plain data (`ndalloc.report.figures`), or None when
the run has nothing to draw (no stockpile, no contract, no magnet demand); given a `notes`
list, a chart that sums some entities (`caps.pick`) adds a sentence saying so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ndalloc.report.caps import MAX_ENTITIES, Group, chart_note, pick, totals
from ndalloc.report.chart_series import entries, values_of
from ndalloc.report.chart_style import (
    COLOURS,
    HEIGHT,
    OTHER_COLOURS,
    T_HOVER,
    legend_below,
    legend_height,
    legend_near,
    limit_line,
    note,
    shade,
    title,
    year_axis,
)
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder, by_year

# --- stockpile -----------------------------------------------------------------------------


def stockpile_figure(
    run: Folder, notes: list[str] | None = None, limit: int = MAX_ENTITIES
) -> Figure | None:
    """Each stockpile's level at year end against its minimum and maximum (the `limit`
    largest stockpiles by level, and the others' levels and limits added up)."""
    level = run.table("var_level")
    if level.empty:
        return None
    years = run.years()
    levels = by_year(level, "value_t", years, fill=None)
    highs = by_year(run.table("dual_stockpile_max"), "rhs_t", years, fill=None)
    lows = by_year(run.table("dual_stockpile_min"), "rhs_t", years, fill=None)
    (picked,) = pick([Group("stockpile", totals(levels), "var_level.csv")], limit)
    note(notes, chart_note([picked], how="by their level over the horizon"))
    figure = Plot()
    for i, (name, members, other) in enumerate(entries(picked)):
        colour = OTHER_COLOURS["stock"] if other else shade("stock", i)
        summed = " (sum)" if other else ""
        figure.add(
            "scatter",
            x=years,
            y=values_of(levels, members),
            name=f"{name}: level at year end{summed}",
            mode="lines+markers",
            line={"color": colour, "width": 5},
            marker={"size": 8},
            hovertemplate=T_HOVER,
        )
        limit_line(
            figure,
            years,
            values_of(highs, members),
            f"{name}: maximum{summed}",
            {"color": colour, "dash": "dash", "width": 1.5},
        )
        limit_line(
            figure,
            years,
            values_of(lows, members),
            f"{name}: required minimum{summed}",
            {"color": COLOURS["breach"], "dash": "dot", "width": 2.5},
        )
    figure.update(
        height=legend_height(figure),
        title=title("Stockpile level against its limits"),
        yaxis={"title": title("t oxide in stock (year end)"), "rangemode": "tozero"},
        xaxis={"title": title("year")},
    )
    year_axis(figure)
    legend_below(figure)
    return figure.figure()


# --- contracts -----------------------------------------------------------------------------


def contracts_figure(
    run: Folder, notes: list[str] | None = None, limit: int = MAX_ENTITIES
) -> Figure | None:
    """Each contract's deliveries against its window (minimum and maximum), with shortfalls:
    a subplot for each of the `limit` largest contracts by deliveries and shortfalls over the
    horizon, and one for the others added up."""
    export = run.table("var_export")
    if export.empty:
        return None
    years = run.years()
    delivered = by_year(export, "value_t", years, fill=None)
    breach = by_year(run.table("var_breach"), "value_t", years)
    lows = by_year(run.table("dual_contract_min"), "rhs_t", years, fill=None)
    highs = by_year(run.table("dual_contract_max"), "rhs_t", years, fill=None)
    scores = totals(delivered).add(totals(breach), fill_value=0.0).reindex(delivered.columns)
    (picked,) = pick([Group("contract", scores, "var_export.csv")], limit)
    note(notes, chart_note([picked], how="by deliveries and shortfalls over the horizon"))
    shown = entries(picked)
    names = [name for name, _, _ in shown]
    titles = [f"{n} (sum)" if other else f"contract {n}" for n, _, other in shown]
    figure = Plot.grid(
        len(names),
        1,
        shared_xaxes=True,
        vertical_spacing=0.12 / max(1, len(names)),
        titles=titles if len(names) > 1 else None,
    )
    zeros = np.zeros(len(years))
    for r, (_, members, _) in enumerate(shown, start=1):
        first = r == 1
        figure.add(
            "bar",
            x=years,
            y=values_of(delivered, members),
            name="delivered",
            legendgroup="delivered",
            showlegend=first,
            marker={"color": COLOURS["export"]},
            hovertemplate=T_HOVER,
            row=r,
            col=1,
        )
        shortfall = values_of(breach, members)
        figure.add(
            "bar",
            x=years,
            y=shortfall if shortfall is not None else zeros,
            name="shortfall below the minimum (breach)",
            legendgroup="breach",
            showlegend=first,
            marker={"color": COLOURS["breach"], "pattern": {"shape": "/"}},
            hovertemplate=T_HOVER,
            row=r,
            col=1,
        )
        for bounds, label, dash in ((lows, "minimum", "dot"), (highs, "maximum", "dash")):
            values = values_of(bounds, members)
            if values is None:
                continue
            figure.add(
                "scatter",
                x=years,
                y=values,
                name=label,
                legendgroup=label,
                showlegend=first,
                mode="lines+markers",
                line={"color": COLOURS["bound"], "dash": dash, "width": 1.5, "shape": "hvh"},
                marker={"size": 5},
                hovertemplate=T_HOVER,
                row=r,
                col=1,
            )
        figure.yaxes(title=title("t oxide per year"), rangemode="tozero", row=r, col=1)
    figure.update(
        barmode="stack",
        height=max(HEIGHT, 300 * len(names)),
        title=title(
            "Contract deliveries against the agreed window"
            + ("" if len(names) > 1 else f": {names[0]}")
        ),
    )
    figure.xaxes(title=title("year"), row=len(names), col=1)
    year_axis(figure)
    legend_below(figure)
    legend_near(figure, -0.14, max(HEIGHT, 300 * len(names)))
    return figure.figure()


# --- magnets -------------------------------------------------------------------------------


def magnets_figure(
    run: Folder, notes: list[str] | None = None, limit: int = MAX_ENTITIES
) -> Figure | None:
    """Magnet demand of each sector, met by domestic magnets, imports, or not met (shortage):
    a subplot for each of the `limit` largest sectors by demand over the horizon, and one for
    the others added up."""
    domestic = run.table("var_deliver_domestic")
    if domestic.empty:
        return None
    years = run.years()
    parts = {
        "made in India": (by_year(domestic, "value_t", years), COLOURS["domestic"]),
        "imported": (
            by_year(run.table("var_deliver_import"), "value_t", years),
            COLOURS["magnet_import"],
        ),
        "shortage (demand not met)": (
            by_year(run.table("var_shortage"), "value_t", years),
            COLOURS["shortage"],
        ),
    }
    demand = by_year(run.table("dual_demand_balance"), "rhs_t", years, fill=None)
    sectors = parts["made in India"][0].columns
    scores = pd.Series(0.0, index=sectors)
    for wide, _ in parts.values():  # demand met plus shortage: the demand
        scores = scores.add(totals(wide), fill_value=0.0)
    (picked,) = pick([Group("sector", scores.reindex(sectors), "var_deliver_domestic.csv")], limit)
    note(notes, chart_note([picked], how="by their demand over the horizon"))
    shown = entries(picked)
    cols = 2 if len(shown) > 1 else 1
    rows = math.ceil(len(shown) / cols)
    figure = Plot.grid(
        rows,
        cols,
        titles=[f"{n} (sum)" if other else f"sector: {n}" for n, _, other in shown],
        vertical_spacing=0.16 / max(1, rows - 1) if rows > 1 else 0.1,
        horizontal_spacing=0.08,
    )
    zeros = np.zeros(len(years))
    for i, (_, members, _) in enumerate(shown):
        r, c = i // cols + 1, i % cols + 1
        for label, (wide, colour) in parts.items():
            values = values_of(wide, members)
            figure.add(
                "bar",
                x=years,
                y=values if values is not None else zeros,
                name=label,
                legendgroup=label,
                showlegend=i == 0,
                marker={"color": colour},
                hovertemplate=T_HOVER,
                row=r,
                col=c,
            )
        needed = values_of(demand, members)
        if needed is not None:
            figure.add(
                "scatter",
                x=years,
                y=needed,
                name="demand",
                legendgroup="demand",
                showlegend=i == 0,
                mode="lines",
                line={"color": COLOURS["demand"], "dash": "dot", "width": 1.5},
                hovertemplate=T_HOVER,
                row=r,
                col=c,
            )
        if c == 1:
            figure.yaxes(title=title("t magnet"), row=r, col=c)
    figure.update(
        barmode="stack",
        height=max(HEIGHT, 300 * rows + 60),
        title=title("Magnet demand by sector and how it is met"),
    )
    year_axis(figure)
    legend_below(figure)
    figure.update(legend={"y": -0.08})
    legend_near(figure, -0.08, max(HEIGHT, 300 * rows + 60))
    return figure.figure()
