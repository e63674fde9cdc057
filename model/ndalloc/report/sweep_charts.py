"""The charts of a sweep folder: a response curve, a heat map (or scatter panels), a tornado,
and histograms of the outputs over Monte Carlo draws."""

from __future__ import annotations

import math

import pandas as pd

from ndalloc.report.caps import MAX_TORNADO_BARS, largest_rows
from ndalloc.report.chart_style import COLOURS, HEIGHT
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.html import esc, num

#: Outputs over the horizon drawn against the inputs: points.csv column -> label, colour.
OUTPUTS = {
    "exports_t": ("exports (t oxide)", COLOURS["export"]),
    "to_makers_t": ("to makers (t oxide)", COLOURS["maker"]),
    "stock_inject_t": ("into the stockpile (t oxide)", COLOURS["stock"]),
    "unallocated_t": ("unallocated (t oxide)", COLOURS["unallocated"]),
    "breach_t": ("contract shortfall (t oxide)", COLOURS["breach"]),
    "oxide_imports_t": ("oxide imports (t oxide)", COLOURS["oxide_import"]),
    "magnet_shortage_t": ("magnet shortage (t magnet)", "#8b0000"),
}
#: Plotly's "Viridis" colour scale (`plotly.colors.sequential.Viridis`, as plotly.py expands
#: colorscale="Viridis"), evenly spaced.
VIRIDIS = [
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
]


def input_label(column: str) -> str:
    """`contracts.price_usd_per_t[japan-2012]` as is; a trailing `*` means a scale factor."""
    return f"{column[:-1]} (scale factor)" if column.endswith("*") else column


def response_figure(points: pd.DataFrame, column: str) -> Figure:
    """Objective (top) and totals over the horizon (bottom) against the varied input."""
    points = points.sort_values(column)
    x = points[column].to_numpy()
    figure = Plot.grid(
        2,
        1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        titles=["objective (million USD)", "totals over the horizon (t)"],
    )
    figure.add(
        "scatter",
        x=x,
        y=(points["objective_usd"] / 1e6).to_numpy(),
        name="objective (million USD)",
        mode="lines+markers",
        line={"color": COLOURS["source"], "width": 3},
        hovertemplate="%{x:,}: %{y:,.1f} million USD<extra></extra>",
        row=1,
        col=1,
    )
    for out, (label, colour) in OUTPUTS.items():
        if out in points:
            figure.add(
                "scatter",
                x=x,
                y=points[out].to_numpy(),
                name=label,
                mode="lines+markers",
                line={"color": colour},
                hovertemplate="%{fullData.name}<br>%{x:,}: %{y:,.0f}<extra></extra>",
                row=2,
                col=1,
            )
    figure.yaxes(title={"text": "million USD"}, tickformat=",", row=1, col=1)
    figure.yaxes(title={"text": "t over the horizon"}, tickformat=",", row=2, col=1)
    figure.xaxes(title={"text": input_label(column)}, row=2, col=1)
    figure.update(
        height=640,
        title={"text": f"Objective and totals against {input_label(column)}"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
    )
    return figure.figure()


def heatmap_figure(points: pd.DataFrame, x: str, y: str) -> Figure:
    """A heat map of the objective (and each total, in the selector) over a two-input grid."""
    choices = [("objective_usd", "objective (million USD)")] + [
        (c, label) for c, (label, _) in OUTPUTS.items() if c in points
    ]
    xs = sorted(points[x].unique())
    ys = sorted(points[y].unique())
    figure = Plot()
    for i, (column, label) in enumerate(choices):
        scale = 1e6 if column == "objective_usd" else 1.0
        grid = points.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
        grid = grid.reindex(index=ys, columns=xs) / scale
        decimals = 1 if column == "objective_usd" else 0
        text = [[num(v, decimals) for v in row] for row in grid.to_numpy()]
        figure.add(
            "heatmap",
            x=[str(v) for v in xs],
            y=[str(v) for v in ys],
            z=grid.to_numpy(),
            text=text,
            texttemplate="%{text}",
            colorscale=[[i / (len(VIRIDIS) - 1), c] for i, c in enumerate(VIRIDIS)],
            colorbar={"title": {"text": label}, "tickformat": ","},
            visible=i == 0,
            name=label,
            hovertemplate=f"{esc(input_label(x))} = %{{x}}<br>{esc(input_label(y))} = %{{y}}"
            f"<br>{label}: %{{text}}<extra></extra>",
        )
    buttons = [
        {
            "label": label,
            "method": "update",
            "args": [
                {"visible": [j == i for j in range(len(choices))]},
                {"title.text": f"{label} over the grid"},
            ],
        }
        for i, (_, label) in enumerate(choices)
    ]
    figure.update(
        height=max(HEIGHT, 60 * len(ys) + 220),
        title={"text": f"{choices[0][1]} over the grid"},
        xaxis={"title": {"text": input_label(x)}, "type": "category"},
        yaxis={"title": {"text": input_label(y)}, "type": "category"},
        margin={"t": 100},
        updatemenus=[
            {
                "type": "dropdown",
                "buttons": buttons,
                "active": 0,
                "x": 1.0,
                "xanchor": "right",
                "y": 1.18,
                "yanchor": "top",
            }
        ],
    )
    return figure.figure()


def panels_figure(points: pd.DataFrame, columns: list[str]) -> Figure:
    """For grids of three or more inputs: the objective of every point against each input."""
    figure = Plot.grid(len(columns), 1, vertical_spacing=0.12 / len(columns))
    for r, column in enumerate(columns, start=1):
        figure.add(
            "scatter",
            x=points[column].to_numpy(),
            y=(points["objective_usd"] / 1e6).to_numpy(),
            mode="markers",
            name=input_label(column),
            hovertemplate="%{x:,}: %{y:,.1f} million USD<extra></extra>",
            row=r,
            col=1,
        )
        figure.xaxes(title={"text": input_label(column)}, row=r, col=1)
        figure.yaxes(title={"text": "million USD"}, row=r, col=1)
    figure.update(
        height=300 * len(columns) + 80,
        title={"text": "Objective of every point against each varied input"},
        showlegend=False,
    )
    return figure.figure()


def tornado_figure(ranking: pd.DataFrame, base_usd: float, limit: int = MAX_TORNADO_BARS) -> Figure:
    """Horizontal bars: the change in objective at each input's low and high value (million
    USD against the base), the largest swing on top; at most the `limit` largest swings."""
    ranked = largest_rows(ranking, ranking["objective_usd_swing"], limit)
    ranked = ranked.sort_values("objective_usd_swing", ascending=True)
    names = ranked["parameter"].astype(str).to_numpy()
    figure = Plot()
    for side, colour in (("low", "#4c78a8"), ("high", "#e4572e")):
        change = (ranked[f"objective_usd_{side}"] - base_usd) / 1e6
        figure.add(
            "bar",
            y=names,
            x=change.to_numpy(),
            orientation="h",
            name=f"input at its {side} value",
            marker={"color": colour},
            customdata=(ranked[f"objective_usd_{side}"] / 1e6).to_numpy(),
            hovertemplate="%{y}<br>%{fullData.name}: %{x:+,.1f} million USD"
            " (objective %{customdata:,.1f})<extra></extra>",
        )
    figure.update(
        barmode="overlay",
        height=max(HEIGHT, 30 * len(names) + 160),
        title={"text": "Change in objective against the base (million USD)"},
        xaxis={"title": {"text": "change in discounted net benefit (million USD)"}},
        yaxis={"automargin": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"l": 20, "r": 30, "t": 90, "b": 50},
        # a vertical line at no change (Figure.add_vline)
        shapes=[
            {
                "type": "line",
                "x0": 0,
                "x1": 0,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "line": {"color": "#1d2733", "width": 1},
            }
        ],
    )
    return figure.figure()


def histograms_figure(points: pd.DataFrame) -> Figure:
    """One histogram per output over the Monte Carlo draws."""
    panels = [("objective_usd", "objective (million USD)", COLOURS["source"])] + [
        (c, label, colour) for c, (label, colour) in OUTPUTS.items() if c in points
    ]
    cols = 2
    rows = math.ceil(len(panels) / cols)
    figure = Plot.grid(
        rows,
        cols,
        titles=[label for _, label, _ in panels],
        vertical_spacing=0.3 / rows,
        horizontal_spacing=0.1,
    )
    for i, (column, label, colour) in enumerate(panels):
        values = points[column] / (1e6 if column == "objective_usd" else 1.0)
        r, c = i // cols + 1, i % cols + 1
        figure.add(
            "histogram",
            x=values.to_numpy(),
            name=label,
            marker={"color": colour},
            nbinsx=30,
            hovertemplate=f"{label}<br>%{{x}}: %{{y}} draws<extra></extra>",
            row=r,
            col=c,
        )
        if c == 1:
            figure.yaxes(title={"text": "draws"}, row=r, col=c)
    figure.update(
        height=250 * rows + 100,
        title={"text": "Outputs over the Monte Carlo draws"},
        showlegend=False,
        bargap=0.05,
    )
    return figure.figure()
