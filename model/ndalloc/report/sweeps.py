"""The report of a sweep folder (points.csv, tornado.csv, manifest.json).

By mode: a response curve for a one-parameter sweep (objective and totals against the varied
input), a heat map for a two-parameter grid (scatter panels for more parameters), a tornado
chart for a tornado, and histograms of the outputs for Monte Carlo.
"""

from __future__ import annotations

import math

import pandas as pd

from ndalloc.report import charts
from ndalloc.report.caps import MAX_TORNADO_BARS, largest_rows, more_rows
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder
from ndalloc.report.html import (
    Page,
    cap_note,
    esc,
    facts,
    frame_table,
    missing,
    musd,
    num,
    para,
)
from ndalloc.report.pages import footer, status_css

#: Outputs over the horizon drawn against the inputs: points.csv column -> label, colour.
OUTPUTS = {
    "exports_t": ("exports (t oxide)", charts.COLOURS["export"]),
    "to_makers_t": ("to makers (t oxide)", charts.COLOURS["maker"]),
    "stock_inject_t": ("into the stockpile (t oxide)", charts.COLOURS["stock"]),
    "unallocated_t": ("unallocated (t oxide)", charts.COLOURS["unallocated"]),
    "breach_t": ("contract shortfall (t oxide)", charts.COLOURS["breach"]),
    "oxide_imports_t": ("oxide imports (t oxide)", charts.COLOURS["oxide_import"]),
    "magnet_shortage_t": ("magnet shortage (t magnet)", "#8b0000"),
}
#: Chart names of a sweep report by mode (div ids `chart-<name>`).
SWEEP_CHARTS = {
    "response": ("response",),
    "heatmap": ("heatmap",),
    "panels": ("response",),
    "tornado": ("tornado",),
    "monte_carlo": ("histograms",),
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
#: At most this many points are listed in the page's table (all are in points.csv).
MAX_POINTS = 200
#: Columns of points.csv that are neither inputs nor outputs.
_META = ("point", "draw", "parameter", "side", "status", "message")


def inputs(points: pd.DataFrame) -> list[str]:
    """The varied inputs of a grid sweep: the columns between `point` and `status`."""
    columns = list(points.columns)
    if "status" not in columns:
        return []
    return [c for c in columns[: columns.index("status")] if c not in _META]


def input_label(column: str) -> str:
    """`contracts.price_usd_per_t[japan-2012]` as is; a trailing `*` means a scale factor."""
    return f"{column[:-1]} (scale factor)" if column.endswith("*") else column


def layout_of(mode: str, points: pd.DataFrame) -> str:
    """Which chart a sweep gets: response, heatmap, panels, tornado or monte_carlo."""
    if mode == "tornado":
        return "tornado"
    if mode == "monte_carlo":
        return "monte_carlo"
    n = len(inputs(points))
    return "response" if n == 1 else "heatmap" if n == 2 else "panels"


def sweep_page(sweep: Folder) -> str:
    """The HTML report of a sweep folder."""
    m = sweep.manifest
    settings = m.get("settings") or {}
    mode = str(settings.get("mode", ""))
    points = sweep.table("points")
    page = Page(title=f"ndalloc sweep: {sweep.scenario}", subtitle=f"sweep {sweep.run_id}")
    statuses = points["status"].value_counts().to_dict() if "status" in points else {}
    optimal = points[points["status"] == "optimal"] if "status" in points else points
    items: list[tuple[str, str] | tuple[str, str, str]] = [
        ("scenario", sweep.scenario),
        ("kind of sweep", _mode_text(mode, settings)),
        ("status", str(m.get("status", "")), status_css(str(m.get("status", "")))),
        (
            "points",
            f"{m.get('points_completed', len(points))} of {m.get('points_total', '')} solved",
        ),
        ("points by status", ", ".join(f"{k} {v}" for k, v in statuses.items()) or "none"),
    ]
    if "objective_usd" in optimal and not optimal.empty:
        objective = optimal["objective_usd"]
        items.append(("objective, lowest", musd(objective.min())))
        items.append(("objective, highest", musd(objective.max())))
    items.append(("started (UTC)", str(m.get("started_at", ""))[:19].replace("T", " ")))
    items.append(("input hash (SHA-256)", str(m.get("input_hash_sha256", ""))[:16] + "..."))
    head = [facts(items)]
    if settings.get("vary"):
        head.append(para("varied: " + "; ".join(settings["vary"]), "note"))
    page.header("".join(head))
    if optimal.empty:
        page.section("points", "Points", para("No point was solved to optimality.", "note"))
        return page.render(footer(m, "the sweep folder"))

    kind = layout_of(mode, points)
    if kind == "tornado":
        ranking = sweep.table("tornado")
        listed = largest_rows(ranking, ranking["objective_usd_swing"])
        base = points.loc[points["parameter"] == "base", "objective_usd"]
        base_usd = float(base.iat[0]) if not base.empty else math.nan
        page.section(
            "tornado",
            "Tornado: which inputs move the objective most",
            para(
                "Each input moved to its low and its high value, one at a time, the others at "
                f"their base values; bars are the change in objective against the base "
                f"({musd(base_usd)}).",
                "note",
            ),
            cap_note(_tornado_note(ranking)),
            page.chart("tornado", tornado_figure(ranking, base_usd)),
            frame_table(_ranking_table(listed, base_usd), scroll=True, css_id="tornado-table"),
            cap_note(
                more_rows(
                    len(listed), len(ranking), "inputs", "with the largest swings", "tornado.csv"
                )
            ),
        )
    elif kind == "monte_carlo":
        page.section(
            "histograms",
            "Distribution of the outputs over the draws",
            para(f"{len(optimal)} optimal draws.", "note"),
            page.chart("histograms", histograms_figure(optimal)),
            frame_table(_quantiles(optimal), css_id="quantiles-table"),
        )
    elif kind == "response":
        column = inputs(points)[0]
        page.section(
            "response",
            f"Response to {input_label(column)}",
            page.chart("response", response_figure(optimal, column)),
        )
    elif kind == "heatmap":
        x, y = inputs(points)
        page.section(
            "heatmap",
            "Objective over the grid",
            para("Pick the output in the selector; cells are the grid's points.", "note"),
            page.chart("heatmap", heatmap_figure(optimal, x, y)),
        )
    else:
        page.section(
            "response",
            "Objective against each varied input",
            page.chart("response", panels_figure(optimal, inputs(points))),
        )
    shown = points.drop(columns=[c for c in points.columns if c.startswith("oxide_value")])
    if "message" in shown:
        shown["message"] = ["" if missing(m) else str(m) for m in shown["message"]]
    if len(shown) > MAX_POINTS:
        shown = shown.head(MAX_POINTS)
    page.section(
        "points",
        "Points",
        para(
            (f"The first {len(shown)} of {len(points)}" if len(shown) < len(points) else "All")
            + " points (points.csv; the value of oxide by year is left out).",
            "note",
        ),
        frame_table(shown, scroll=True, css_id="points-table"),
    )
    return page.render(footer(m, "the sweep folder"))


def _mode_text(mode: str, settings: dict[str, object]) -> str:
    if mode == "tornado":
        pct = settings.get("tornado_pct")
        text = f"tornado (every input +-{pct} %)" if pct else "tornado (inputs to low and high)"
        only = settings.get("tornado_params")
        return (
            f"{text}, only {', '.join(map(str, only))}" if isinstance(only, list) and only else text
        )
    if mode == "monte_carlo":
        return f"Monte Carlo, {settings.get('monte_carlo')} draws, seed {settings.get('seed')}"
    vary = settings.get("vary") or []
    n = len(vary) if isinstance(vary, list) else 0
    return "one-parameter sweep" if n == 1 else f"grid of {n} parameters"


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
        line={"color": charts.COLOURS["source"], "width": 3},
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
        height=max(charts.HEIGHT, 60 * len(ys) + 220),
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


def _tornado_note(ranking: pd.DataFrame, limit: int = MAX_TORNADO_BARS) -> str:
    """What a tornado chart of more than `limit` inputs leaves out; "" when it has them all."""
    if len(ranking) <= limit:
        return ""
    return (
        f"The {limit} of {len(ranking):,} inputs with the largest swings are drawn; "
        "all are in tornado.csv."
    )


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
        height=max(charts.HEIGHT, 30 * len(names) + 160),
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


def _ranking_table(ranking: pd.DataFrame, base_usd: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parameter": ranking["parameter"],
            "objective at low (million USD)": ranking["objective_usd_low"] / 1e6,
            "objective at high (million USD)": ranking["objective_usd_high"] / 1e6,
            "swing (million USD)": ranking["objective_usd_swing"] / 1e6,
            "low vs base (million USD)": (ranking["objective_usd_low"] - base_usd) / 1e6,
            "high vs base (million USD)": (ranking["objective_usd_high"] - base_usd) / 1e6,
        }
    )


def histograms_figure(points: pd.DataFrame) -> Figure:
    """One histogram per output over the Monte Carlo draws."""
    panels = [("objective_usd", "objective (million USD)", charts.COLOURS["source"])] + [
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


def _quantiles(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    columns = [("objective_usd", "objective (million USD)")] + [
        (c, label) for c, (label, _) in OUTPUTS.items() if c in points
    ]
    for column, label in columns:
        values = points[column] / (1e6 if column == "objective_usd" else 1.0)
        rows.append(
            {
                "output": label,
                "mean": values.mean(),
                "5 %": values.quantile(0.05),
                "median": values.quantile(0.5),
                "95 %": values.quantile(0.95),
            }
        )
    return pd.DataFrame(rows)
