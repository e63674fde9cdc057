"""The charts of a run, built from its folder's tables (see `ndalloc.report.folders`).

Each function returns a Plotly figure as plain data (`ndalloc.report.figures`), or None when
the run has nothing to draw (no stockpile, no contract). Quantities are in t (oxide or magnet,
as the axis says), money in USD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder, by_year

#: Colours used for the same thing in every chart.
COLOURS = {
    "source": "#1f5fa8",
    "oxide_import": "#17a2b8",
    "release": "#b39ddb",
    "hub": "#34495e",
    "export": "#e4572e",
    "maker": "#2e8b57",
    "stock": "#7e57c2",
    "unallocated": "#9e9e9e",
    "domestic": "#2e8b57",
    "magnet_import": "#4c78a8",
    "shortage": "#d62728",
    "demand": "#1d2733",
    "breach": "#d62728",
    "bound": "#5b6776",
}
#: Shades for several makers, contracts, stockpiles or sources.
SHADES = {
    "export": ["#e4572e", "#f28e2b", "#ffbe7d", "#c0392b"],
    "maker": ["#2e8b57", "#76b7b2", "#59a14f", "#8cd17d", "#1b5e20"],
    "stock": ["#7e57c2", "#b07aa1", "#9c27b0"],
    "source": ["#1f5fa8", "#4e79a7", "#a0cbe8", "#2c3e50"],
    "oxide_import": ["#17a2b8", "#86bcb6", "#0e6e7e"],
    "release": ["#b39ddb", "#d4a6c8", "#8e6bbf"],
}
#: Height of a single chart (px).
HEIGHT = 430
T_HOVER = "%{fullData.name}<br>%{x}: %{y:,.0f} t<extra></extra>"


def shade(kind: str, index: int) -> str:
    options = SHADES.get(kind, [COLOURS[kind]])
    return options[index % len(options)]


def year_axis(figure: Plot) -> None:
    """Whole years on the x axis, thousands separators on the y axis."""
    figure.xaxes(tickmode="linear", dtick=1, tickformat="d")
    figure.yaxes(tickformat=",")


def _legend_below(figure: Plot) -> None:
    figure.update(
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.14,
            "x": 0,
            "xanchor": "left",
            "traceorder": "normal",
        },
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
    )


def _title(text: str) -> dict[str, str]:
    return {"text": text}


# --- allocation ----------------------------------------------------------------------------


def destinations(run: Folder) -> list[tuple[str, str, str, pd.Series]]:
    """(label, kind, colour, t oxide by year) for every destination of the oxide: each
    contract's exports, each maker's feed, each stockpile's injection, the unallocated rest."""
    years = run.years()
    out: list[tuple[str, str, str, pd.Series]] = []
    groups = (
        ("var_export", "export", "exports to {}"),
        ("var_feed", "maker", "maker {}"),
        ("var_inject", "stock", "stockpile {} (injection)"),
    )
    for stem, kind, label in groups:
        wide = by_year(run.table(stem), "value_t", years)
        for i, name in enumerate(wide.columns):
            out.append((label.format(name), kind, shade(kind, i), wide[name]))
    unallocated = by_year(run.table("var_unallocated"), "value_t", years)
    total = unallocated.sum(axis=1) if not unallocated.empty else pd.Series(0.0, index=years)
    out.append(
        (
            "unallocated",
            "unallocated",
            COLOURS["unallocated"],
            total.reindex(years, fill_value=0.0),
        )
    )
    return out


def allocation_figure(run: Folder) -> Figure:
    """Stacked bars: where the oxide went each year; a line for the oxide available."""
    years = run.years()
    allocation = run.table("allocation").set_index("year")
    figure = Plot()
    for label, _kind, colour, values in destinations(run):
        figure.add(
            "bar",
            x=years,
            y=values.to_numpy(),
            name=label,
            marker={"color": colour},
            hovertemplate=T_HOVER,
        )
    available = (
        allocation["output_t"] + allocation["oxide_imports_t"] + allocation["stock_release_t"]
    )
    figure.add(
        "scatter",
        x=years,
        y=available.reindex(years).to_numpy(),
        name="oxide available (output + imports + releases)",
        mode="lines+markers",
        line={"color": COLOURS["demand"], "dash": "dot", "width": 1.5},
        marker={"size": 6},
        hovertemplate=T_HOVER,
    )
    figure.update(
        barmode="stack",
        height=HEIGHT,
        title=_title("Allocation of neodymium oxide by year"),
        yaxis={"title": _title("t oxide per year")},
        xaxis={"title": _title("year")},
    )
    year_axis(figure)
    _legend_below(figure)
    return figure.figure()


# --- sankey --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """One flow of oxide into or out of India's oxide, by year."""

    side: str
    """Into India's oxide ("in": a source) or out of it ("out": a destination)."""
    label: str
    kind: str
    colour: str
    values: np.ndarray
    """t oxide in each of the run's years (`Folder.years`)."""


def flows(run: Folder) -> list[Flow]:
    """Oxide flows by year.

    In: each source's output, oxide imports by origin, each stockpile's releases. Out: each
    contract's exports, each maker's feed, each stockpile's injection, unallocated.
    """
    years = run.years()
    out: list[Flow] = []

    def add(kind: str, label: str, wide: pd.DataFrame) -> None:
        for i, name in enumerate(wide.columns):
            values = wide[name].to_numpy(dtype=float)
            out.append(Flow("in", label.format(name), kind, shade(kind, i), values))

    imports = run.table("var_imports")
    if not imports.empty:
        imports = imports[imports["product"] == "oxide"].drop(columns="product")
    add("source", "{} output", by_year(run.table("var_output"), "value_t", years))
    add("oxide_import", "oxide imports from {}", by_year(imports, "value_t", years))
    add("release", "release from stockpile {}", by_year(run.table("var_release"), "value_t", years))
    for label, kind, colour, values in destinations(run):
        out.append(Flow("out", label, kind, colour, values.to_numpy(dtype=float)))
    return out


def _summed(parts: list[Flow], positions: list[int]) -> list[tuple[Flow, float]]:
    """Each flow's total over the years at `positions` (flows of the same label added up)."""
    found: dict[tuple[str, str, str, str], tuple[Flow, float]] = {}
    for part in parts:
        total = float(part.values[positions].sum()) if positions else 0.0
        key = (part.side, part.label, part.kind, part.colour)
        previous = found.get(key)
        found[key] = (part, total + (previous[1] if previous else 0.0))
    return list(found.values())


def _sankey_trace(
    totals: list[tuple[Flow, float]], hub: str, visible: bool, domain_x: tuple[float, float]
) -> dict[str, object]:
    """Inflows -> the hub (all oxide in India) -> outflows; node labels carry their tonnes."""
    kept = [(f, v) for f, v in totals if v > 1e-9]
    ins = [(f, v) for f, v in kept if f.side == "in"]
    outs = [(f, v) for f, v in kept if f.side == "out"]
    hub_total = float(sum(v for _, v in ins))
    names = [*(f.label for f, _ in ins), hub, *(f.label for f, _ in outs)]
    values = [*(v for _, v in ins), hub_total, *(v for _, v in outs)]
    labels = [f"{name}: {value:,.0f} t" for name, value in zip(names, values, strict=True)]
    colours = [*(f.colour for f, _ in ins), COLOURS["hub"], *(f.colour for f, _ in outs)]
    h = len(ins)
    source = [*range(h), *([h] * len(outs))]
    target = [*([h] * len(ins)), *range(h + 1, h + 1 + len(outs))]
    ends = [[names[s], names[t]] for s, t in zip(source, target, strict=True)]
    return {
        "type": "sankey",
        "visible": visible,
        "domain": {"x": list(domain_x), "y": [0, 1]},
        "arrangement": "snap",
        "valueformat": ",.0f",
        "valuesuffix": " t",
        "node": {
            "label": labels,
            "color": colours,
            "pad": 18,
            "thickness": 18,
            "line": {"width": 0.5, "color": "#ffffff"},
            "hovertemplate": "%{label} oxide<extra></extra>",
        },
        "link": {
            "source": source,
            "target": target,
            "value": [*(v for _, v in ins), *(v for _, v in outs)],
            "color": [_fade(f.colour) for f, _ in [*ins, *outs]],
            "customdata": ends,
            "hovertemplate": "%{customdata[0]} → %{customdata[1]}: %{value:,.0f} t oxide"
            "<extra></extra>",
        },
    }


def _fade(colour: str, alpha: float = 0.45) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def sankey_choices(years: list[int]) -> list[tuple[str, list[int]]]:
    """The year selector's entries: the whole horizon, then each year."""
    if not years:
        return []
    whole = f"{years[0]}-{years[-1]} total" if len(years) > 1 else f"{years[0]}"
    return [(whole, years), *((str(y), [y]) for y in years)]


def sankey_figure(runs: list[tuple[str, Folder]]) -> Figure:
    """Oxide flows from sources to destinations, one Sankey per run side by side, with a year
    selector (a dropdown of `updatemenus`: the horizon total, then each year)."""
    years = sorted({y for _, run in runs for y in run.years()})
    choices = sankey_choices(years)
    tables = [(flows(run), {y: i for i, y in enumerate(run.years())}) for _, run in runs]
    figure = Plot()
    n = len(runs)
    gap = 0.06 if n > 1 else 0.0
    width = (1 - gap * (n - 1)) / n
    for c, (_, chosen) in enumerate(choices):
        for i, (parts, position) in enumerate(tables):
            positions = [position[y] for y in chosen if y in position]
            x0 = i * (width + gap)
            figure.data.append(
                _sankey_trace(_summed(parts, positions), "oxide in India", c == 0, (x0, x0 + width))
            )
    traces = len(runs)
    buttons = []
    for c, (label, _) in enumerate(choices):
        visible = [k // traces == c for k in range(len(choices) * traces)]
        buttons.append(
            {
                "label": label,
                "method": "update",
                "args": [{"visible": visible}, {"title.text": _sankey_title(label)}],
            }
        )
    figure.update(
        height=HEIGHT + 40,
        title=_title(_sankey_title(choices[0][0]) if choices else "Oxide flows"),
        margin={"l": 20, "r": 20, "t": 90, "b": 20},
        updatemenus=[
            {
                "type": "dropdown",
                "buttons": buttons,
                "active": 0,
                "direction": "down",
                "x": 1.0,
                "xanchor": "right",
                "y": 1.16,
                "yanchor": "top",
                "showactive": True,
            }
        ],
        annotations=[
            {
                "text": "year:",
                "x": 0.86,
                "xref": "paper",
                "xanchor": "right",
                "y": 1.14,
                "yref": "paper",
                "yanchor": "top",
                "showarrow": False,
            }
        ]
        + (
            [
                {
                    "text": f"<b>{name}</b>",
                    "x": i * (width + gap) + width / 2,
                    "xref": "paper",
                    "xanchor": "center",
                    "y": 1.04,
                    "yref": "paper",
                    "showarrow": False,
                }
                for i, (name, _) in enumerate(runs)
            ]
            if n > 1
            else []
        ),
    )
    return figure.figure()


def _sankey_title(label: str) -> str:
    return f"Oxide flows, {label} (t oxide)"


# --- stockpile -----------------------------------------------------------------------------


def stockpile_figure(run: Folder) -> Figure | None:
    """Each stockpile's level at year end against its minimum and maximum."""
    level = run.table("var_level")
    if level.empty:
        return None
    years = run.years()
    levels = by_year(level, "value_t", years, fill=None)
    highs = by_year(run.table("dual_stockpile_max"), "rhs_t", years, fill=None)
    lows = by_year(run.table("dual_stockpile_min"), "rhs_t", years, fill=None)
    figure = Plot()
    for i, name in enumerate(levels.columns):
        colour = shade("stock", i)
        figure.add(
            "scatter",
            x=years,
            y=levels[name].to_numpy(),
            name=f"{name}: level at year end",
            mode="lines+markers",
            line={"color": colour, "width": 5},
            marker={"size": 8},
            hovertemplate=T_HOVER,
        )
        if name in highs:
            figure.add(
                "scatter",
                x=years,
                y=highs[name].to_numpy(),
                name=f"{name}: maximum",
                mode="lines",
                line={"color": colour, "dash": "dash", "width": 1.5},
                hovertemplate=T_HOVER,
            )
        if name in lows:
            figure.add(
                "scatter",
                x=years,
                y=lows[name].to_numpy(),
                name=f"{name}: required minimum",
                mode="lines",
                line={"color": COLOURS["breach"], "dash": "dot", "width": 2.5},
                hovertemplate=T_HOVER,
            )
    figure.update(
        height=HEIGHT,
        title=_title("Stockpile level against its limits"),
        yaxis={"title": _title("t oxide in stock (year end)"), "rangemode": "tozero"},
        xaxis={"title": _title("year")},
    )
    year_axis(figure)
    _legend_below(figure)
    return figure.figure()


# --- contracts -----------------------------------------------------------------------------


def contracts_figure(run: Folder) -> Figure | None:
    """Each contract's deliveries against its window (minimum and maximum), with shortfalls."""
    export = run.table("var_export")
    if export.empty:
        return None
    years = run.years()
    delivered = by_year(export, "value_t", years, fill=None)
    breach = by_year(run.table("var_breach"), "value_t", years)
    lows = by_year(run.table("dual_contract_min"), "rhs_t", years, fill=None)
    highs = by_year(run.table("dual_contract_max"), "rhs_t", years, fill=None)
    names = list(delivered.columns)
    figure = Plot.grid(
        len(names),
        1,
        shared_xaxes=True,
        vertical_spacing=0.12 / max(1, len(names)),
        titles=[f"contract {n}" for n in names] if len(names) > 1 else None,
    )
    for r, name in enumerate(names, start=1):
        first = r == 1
        figure.add(
            "bar",
            x=years,
            y=delivered[name].to_numpy(),
            name="delivered",
            legendgroup="delivered",
            showlegend=first,
            marker={"color": COLOURS["export"]},
            hovertemplate=T_HOVER,
            row=r,
            col=1,
        )
        shortfall = breach[name] if name in breach else pd.Series(0.0, index=years)
        figure.add(
            "bar",
            x=years,
            y=shortfall.to_numpy(),
            name="shortfall below the minimum (breach)",
            legendgroup="breach",
            showlegend=first,
            marker={"color": COLOURS["breach"], "pattern": {"shape": "/"}},
            hovertemplate=T_HOVER,
            row=r,
            col=1,
        )
        for bounds, label, dash in ((lows, "minimum", "dot"), (highs, "maximum", "dash")):
            if name not in bounds:
                continue
            figure.add(
                "scatter",
                x=years,
                y=bounds[name].to_numpy(),
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
        figure.yaxes(title=_title("t oxide per year"), rangemode="tozero", row=r, col=1)
    figure.update(
        barmode="stack",
        height=max(HEIGHT, 300 * len(names)),
        title=_title(
            "Contract deliveries against the agreed window"
            + ("" if len(names) > 1 else f": {names[0]}")
        ),
    )
    figure.xaxes(title=_title("year"), row=len(names), col=1)
    year_axis(figure)
    _legend_below(figure)
    return figure.figure()


# --- magnets -------------------------------------------------------------------------------


def magnets_figure(run: Folder) -> Figure | None:
    """Magnet demand of each sector, met by domestic magnets, imports, or not met (shortage)."""
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
    sectors = list(parts["made in India"][0].columns)
    cols = 2 if len(sectors) > 1 else 1
    rows = math.ceil(len(sectors) / cols)
    figure = Plot.grid(
        rows,
        cols,
        titles=[f"sector: {s}" for s in sectors],
        vertical_spacing=0.16 / max(1, rows - 1) if rows > 1 else 0.1,
        horizontal_spacing=0.08,
    )
    zeros = np.zeros(len(years))
    for i, sector in enumerate(sectors):
        r, c = i // cols + 1, i % cols + 1
        for label, (wide, colour) in parts.items():
            figure.add(
                "bar",
                x=years,
                y=wide[sector].to_numpy() if sector in wide else zeros,
                name=label,
                legendgroup=label,
                showlegend=i == 0,
                marker={"color": colour},
                hovertemplate=T_HOVER,
                row=r,
                col=c,
            )
        if sector in demand:
            figure.add(
                "scatter",
                x=years,
                y=demand[sector].to_numpy(),
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
            figure.yaxes(title=_title("t magnet"), row=r, col=c)
    figure.update(
        barmode="stack",
        height=max(HEIGHT, 300 * rows + 60),
        title=_title("Magnet demand by sector and how it is met"),
    )
    year_axis(figure)
    _legend_below(figure)
    figure.update(legend={"y": -0.08})
    return figure.figure()


# --- value of oxide ------------------------------------------------------------------------


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
        title=_title("Value of one more tonne of oxide (marginal value, USD of each year)"),
        yaxis={"title": _title("USD per t oxide"), "rangemode": "tozero"},
        xaxis={"title": _title("year")},
        showlegend=False,
    )
    year_axis(figure)
    return figure.figure()
