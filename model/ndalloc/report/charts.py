"""The charts of a run, built from its folder's tables (see `ndalloc.report.folders`).

Each function returns a Plotly figure as plain data (`ndalloc.report.figures`), or None when
the run has nothing to draw (no stockpile, no contract). Quantities are in t (oxide or magnet,
as the axis says), money in USD.

A chart draws at most `caps.MAX_ENTITIES` contracts, makers, sources, sectors or stockpiles one
by one (the largest over the horizon) and sums the others into one "other N ..." series, node
or subplot per kind (`caps.pick`); given a `notes` list, it adds a sentence saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ndalloc.report.caps import MAX_ENTITIES, Group, Picked, chart_note, pick, totals
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
#: Shades for several makers, contracts, stockpiles or sources: as many as a chart draws one
#: by one of a kind (`caps.MAX_ENTITIES`, plus one drawn alone rather than summed), so no two
#: share a colour; the first ones are those of the bundled scenarios.
SHADES = {
    "export": [
        "#e4572e",
        "#f28e2b",
        "#ffbe7d",
        "#c0392b",
        "#e15759",
        "#b6452c",
        "#f1a340",
        "#ff9d9a",
        "#8c2d04",
        "#d37295",
        "#fdd0a2",
    ],
    "maker": [
        "#2e8b57",
        "#76b7b2",
        "#59a14f",
        "#8cd17d",
        "#1b5e20",
        "#499894",
        "#b5bd68",
        "#a1d99b",
        "#006d2c",
        "#66c2a4",
        "#c7e9c0",
    ],
    "stock": [
        "#7e57c2",
        "#b07aa1",
        "#9c27b0",
        "#5e35b1",
        "#ce93d8",
        "#6a51a3",
        "#d4a6c8",
        "#4a148c",
        "#9e9ac8",
        "#ba68c8",
        "#dadaeb",
    ],
    "source": [
        "#1f5fa8",
        "#4e79a7",
        "#a0cbe8",
        "#2c3e50",
        "#6baed6",
        "#08519c",
        "#9ecae1",
        "#3182bd",
        "#5f7fa3",
        "#c6dbef",
        "#17375e",
    ],
    "oxide_import": [
        "#17a2b8",
        "#86bcb6",
        "#0e6e7e",
        "#4fc1d1",
        "#2b8c9e",
        "#a8dde6",
        "#136f63",
        "#5ab4ac",
        "#01665e",
        "#80cdc1",
        "#c7eae5",
    ],
    "release": [
        "#b39ddb",
        "#d4a6c8",
        "#8e6bbf",
        "#c5b0e6",
        "#a17fcf",
        "#e1d5f0",
        "#7d5ba6",
        "#bfa2db",
        "#9575cd",
        "#d1c4e9",
        "#5e3c99",
    ],
}
#: The colour of the "other N ..." series of a kind: a pale grey-tinted shade of its colour.
OTHER_COLOURS = {
    "export": "#d9a99a",
    "maker": "#a3c4b0",
    "stock": "#bcaed6",
    "source": "#9fb3cc",
    "oxide_import": "#9ccbd3",
    "release": "#d2c8e0",
}
#: Height of a single chart (px).
HEIGHT = 430
#: Height per node of a side of a Sankey diagram (px): a side of many nodes makes it taller.
SANKEY_NODE_HEIGHT = 36
#: Most space between a tall chart's plot and the legend below it (px).
LEGEND_GAP_PX = 70
#: A legend below a chart: about this many entries a row, each row this high (px), and how
#: many rows fit in a chart of the usual height (`legend_height`).
LEGEND_COLUMNS = 3
LEGEND_ROW_PX = 20
LEGEND_ROWS = 6
#: Flows of at most this many t are left out of a Sankey diagram.
MIN_FLOW_T = 1e-9
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


def legend_height(figure: Plot, base: int = HEIGHT) -> int:
    """The height of a chart with its legend below: `base` while the legend takes at most
    `LEGEND_ROWS` rows, a row taller for each more, so the plot keeps its room."""
    entries = sum(1 for t in figure.data if t.get("showlegend", True))
    rows = math.ceil(entries / LEGEND_COLUMNS)
    return base + LEGEND_ROW_PX * max(0, rows - LEGEND_ROWS)


def _legend_near(figure: Plot, y: float, height: int) -> None:
    """Keep a legend below a tall chart of many subplots at most `LEGEND_GAP_PX` below the
    plot (its y is a fraction of the plot's height, `y` for a chart of a few subplots)."""
    near = -LEGEND_GAP_PX / (height - 100)  # the plot is the chart less its margins
    if near > y:
        figure.update(legend={"y": round(near, 4)})


def _title(text: str) -> dict[str, str]:
    return {"text": text}


def _note(notes: list[str] | None, text: str) -> None:
    """Add `text` (what a capped chart leaves out) to the caller's notes, if it says anything."""
    if notes is not None and text:
        notes.append(text)


@dataclass(frozen=True)
class Kind:
    """One kind of entity in a chart: its table, what an entity is, how a series is named."""

    stem: str
    """The table ("var_export"), keyed by the entity and year."""
    kind: str
    """Its colours (`SHADES`, `OTHER_COLOURS`)."""
    noun: str
    label: str
    """A series' name, with "{}" for the entity ("maker {}")."""
    others: str
    """The name of the summed others, with "{}" for "other N makers" ("{}")."""


def _picked_series(
    wides: list[pd.DataFrame], kinds: list[Kind], limit: int
) -> tuple[list[tuple[str, str, str, np.ndarray]], list[Picked]]:
    """(label, kind, colour, values by year) of the entities drawn one by one and of each
    kind's summed others, kind by kind; and what was picked."""
    groups = [Group(k.noun, totals(w), f"{k.stem}.csv") for w, k in zip(wides, kinds, strict=True)]
    picked = pick(groups, limit)
    out: list[tuple[str, str, str, np.ndarray]] = []
    for wide, k, p in zip(wides, kinds, picked, strict=True):
        for i, name in enumerate(p.drawn):
            out.append((k.label.format(name), k.kind, shade(k.kind, i), wide[name].to_numpy()))
        if p.summed:
            values = np.nan_to_num(p.total(wide), nan=0.0)
            out.append((k.others.format(p.other), k.kind, OTHER_COLOURS[k.kind], values))
    return out, picked


def entries(picked: Picked) -> list[tuple[str, list[str], bool]]:
    """(name, the entities it stands for, whether it is the summed others): each entity
    drawn one by one, then the others ("other 240 contracts") if any."""
    out = [(name, [name], False) for name in picked.drawn]
    if picked.summed:
        out.append((picked.other, picked.summed, True))
    return out


def values_of(wide: pd.DataFrame, members: list[str]) -> np.ndarray | None:
    """The values by year of `members` in a table by year (`by_year`), added up (NaN where
    none has a value); None when none of them is in the table."""
    present = [m for m in members if m in wide.columns]
    if not present:
        return None
    if len(present) == 1:
        return wide[present[0]].to_numpy()
    return wide[present].sum(axis=1, min_count=1).to_numpy(dtype=float)


# --- allocation ----------------------------------------------------------------------------


#: The destinations of oxide drawn one by one (exports, makers, stockpile injections).
DESTINATIONS = (
    Kind("var_export", "export", "contract", "exports to {}", "exports to {}"),
    Kind("var_feed", "maker", "maker", "maker {}", "{}"),
    Kind("var_inject", "stock", "stockpile", "stockpile {} (injection)", "{} (injection)"),
)
#: The sources of oxide drawn one by one (output, oxide imports, stockpile releases).
SOURCES = (
    Kind("var_output", "source", "source", "{} output", "{} (output)"),
    Kind("var_imports", "oxide_import", "origin", "oxide imports from {}", "oxide imports from {}"),
    Kind("var_release", "release", "stockpile", "release from stockpile {}", "release from {}"),
)


def destinations(
    run: Folder, notes: list[str] | None = None, limit: int = MAX_ENTITIES
) -> list[tuple[str, str, str, pd.Series]]:
    """(label, kind, colour, t oxide by year) for every destination of the oxide: each
    contract's exports, each maker's feed, each stockpile's injection (the `limit` largest of
    them over the horizon, and the others summed by kind), the unallocated rest."""
    years = run.years()
    wides = [by_year(run.table(k.stem), "value_t", years) for k in DESTINATIONS]
    series, picked = _picked_series(wides, list(DESTINATIONS), limit)
    _note(notes, chart_note(picked, "destinations"))
    out = [
        (label, kind, colour, pd.Series(values, index=pd.Index(years, name="year")))
        for label, kind, colour, values in series
    ]
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


def allocation_figure(run: Folder, notes: list[str] | None = None) -> Figure:
    """Stacked bars: where the oxide went each year; a line for the oxide available."""
    years = run.years()
    allocation = run.table("allocation").set_index("year")
    figure = Plot()
    for label, _kind, colour, values in destinations(run, notes):
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
        height=legend_height(figure),
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


def flows(run: Folder, notes: list[str] | None = None, limit: int = MAX_ENTITIES) -> list[Flow]:
    """Oxide flows by year.

    In: each source's output, oxide imports by origin, each stockpile's releases. Out: each
    contract's exports, each maker's feed, each stockpile's injection, unallocated. On each
    side the `limit` largest flows over the horizon, and the others summed by kind.
    """
    years = run.years()
    imports = run.table("var_imports")
    if not imports.empty:
        imports = imports[imports["product"] == "oxide"].drop(columns="product")
    wides = [
        by_year(imports if k.stem == "var_imports" else run.table(k.stem), "value_t", years)
        for k in SOURCES
    ]
    series, picked = _picked_series(wides, list(SOURCES), limit)
    _note(notes, chart_note(picked, "sources of oxide"))
    out = [
        Flow("in", label, kind, colour, np.asarray(values, dtype=float))
        for label, kind, colour, values in series
    ]
    for label, kind, colour, values in destinations(run, notes, limit):
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
    kept = [(f, v) for f, v in totals if v > MIN_FLOW_T]
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


def sankey_figure(runs: list[tuple[str, Folder]], notes: list[str] | None = None) -> Figure:
    """Oxide flows from sources to destinations, one Sankey per run side by side, with a year
    selector (a dropdown of `updatemenus`: the horizon total, then each year). Each side has
    at most `caps.MAX_ENTITIES` flows one by one, the largest over the horizon (every year
    shows the same ones), and the others summed by kind."""
    years = sorted({y for _, run in runs for y in run.years()})
    choices = sankey_choices(years)
    tables = []
    for name, run in runs:
        said: list[str] = []
        tables.append((flows(run, said), {y: i for i, y in enumerate(run.years())}))
        for line in said:
            _note(notes, f"{name}: {line}" if len(runs) > 1 else line)
    figure = Plot()
    n = len(runs)
    gap = 0.06 if n > 1 else 0.0
    width = (1 - gap * (n - 1)) / n
    side = 0  # the most nodes on one side of a diagram
    for c, (_, chosen) in enumerate(choices):
        for i, (parts, position) in enumerate(tables):
            positions = [position[y] for y in chosen if y in position]
            x0 = i * (width + gap)
            summed = _summed(parts, positions)
            for end in ("in", "out"):
                side = max(side, sum(1 for f, v in summed if f.side == end and v > MIN_FLOW_T))
            figure.data.append(_sankey_trace(summed, "oxide in India", c == 0, (x0, x0 + width)))
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
        height=max(HEIGHT + 40, SANKEY_NODE_HEIGHT * side + 110),
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
    _note(notes, chart_note([picked], how="by their level over the horizon"))
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
        high = values_of(highs, members)
        if high is not None:
            figure.add(
                "scatter",
                x=years,
                y=high,
                name=f"{name}: maximum{summed}",
                mode="lines",
                line={"color": colour, "dash": "dash", "width": 1.5},
                hovertemplate=T_HOVER,
            )
        low = values_of(lows, members)
        if low is not None:
            figure.add(
                "scatter",
                x=years,
                y=low,
                name=f"{name}: required minimum{summed}",
                mode="lines",
                line={"color": COLOURS["breach"], "dash": "dot", "width": 2.5},
                hovertemplate=T_HOVER,
            )
    figure.update(
        height=legend_height(figure),
        title=_title("Stockpile level against its limits"),
        yaxis={"title": _title("t oxide in stock (year end)"), "rangemode": "tozero"},
        xaxis={"title": _title("year")},
    )
    year_axis(figure)
    _legend_below(figure)
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
    _note(notes, chart_note([picked], how="by deliveries and shortfalls over the horizon"))
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
    _legend_near(figure, -0.14, max(HEIGHT, 300 * len(names)))
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
    _note(notes, chart_note([picked], how="by their demand over the horizon"))
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
            figure.yaxes(title=_title("t magnet"), row=r, col=c)
    figure.update(
        barmode="stack",
        height=max(HEIGHT, 300 * rows + 60),
        title=_title("Magnet demand by sector and how it is met"),
    )
    year_axis(figure)
    _legend_below(figure)
    figure.update(legend={"y": -0.08})
    _legend_near(figure, -0.08, max(HEIGHT, 300 * rows + 60))
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
