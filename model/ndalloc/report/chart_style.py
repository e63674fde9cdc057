"""What every chart of the reports shares: colours, sizes, legends and axes.

Quantities are in t (oxide or magnet, as the axis says), money in USD.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ndalloc.report.figures import Plot

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
#: Line styles by run, so runs with equal values stay visible on top of each other.
DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
#: One colour per compared run.
RUN_COLOURS = ["#1f5fa8", "#e4572e", "#2e8b57", "#7e57c2", "#b8860b", "#17a2b8", "#d62728"]


def shade(kind: str, index: int) -> str:
    options = SHADES.get(kind, [COLOURS[kind]])
    return options[index % len(options)]


def year_axis(figure: Plot) -> None:
    """Whole years on the x axis, thousands separators on the y axis."""
    figure.xaxes(tickmode="linear", dtick=1, tickformat="d")
    figure.yaxes(tickformat=",")


def legend_below(figure: Plot) -> None:
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


def legend_near(figure: Plot, y: float, height: int) -> None:
    """Keep a legend below a tall chart of many subplots at most `LEGEND_GAP_PX` below the
    plot (its y is a fraction of the plot's height, `y` for a chart of a few subplots)."""
    near = -LEGEND_GAP_PX / (height - 100)  # the plot is the chart less its margins
    if near > y:
        figure.update(legend={"y": round(near, 4)})


def title(text: str) -> dict[str, str]:
    return {"text": text}


def note(notes: list[str] | None, text: str) -> None:
    """Add `text` (what a capped chart leaves out) to the caller's notes, if it says anything."""
    if notes is not None and text:
        notes.append(text)


def compare_legend(figure: Plot) -> None:
    """A horizontal legend below a chart comparing runs; thousands separators on the y axes."""
    figure.yaxes(tickformat=",")
    figure.update(
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0},
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
    )


def limit_line(
    figure: Plot, years: list[int], values: np.ndarray | None, name: str, line: dict[str, Any]
) -> None:
    """A limit (a maximum, a minimum) as a line over the years, drawn only where the limit
    exists (`values` None: the run has no such limit, no line)."""
    if values is None:
        return
    figure.add(
        "scatter", x=years, y=values, name=name, mode="lines", line=line, hovertemplate=T_HOVER
    )
