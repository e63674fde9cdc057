"""The report of a sweep folder (points.csv, tornado.csv, manifest.json).

By mode: a response curve for a one-parameter sweep (objective and totals against the varied
input), a heat map for a two-parameter grid (scatter panels for more parameters), a tornado
chart for a tornado, and histograms of the outputs for Monte Carlo (`sweep_charts`).
"""

from __future__ import annotations

import math

import pandas as pd

from ndalloc.report.caps import MAX_TORNADO_BARS, largest_rows, more_rows
from ndalloc.report.folders import Folder
from ndalloc.report.html import (
    Page,
    cap_note,
    facts,
    frame_table,
    missing,
    musd,
    para,
)
from ndalloc.report.page_parts import footer, status_css
from ndalloc.report.sweep_charts import (
    OUTPUTS,
    heatmap_figure,
    histograms_figure,
    input_label,
    panels_figure,
    response_figure,
    tornado_figure,
)

__all__ = [
    "SWEEP_CHARTS",
    "heatmap_figure",
    "histograms_figure",
    "input_label",
    "inputs",
    "layout_of",
    "panels_figure",
    "response_figure",
    "sweep_page",
    "tornado_figure",
]

#: Chart names of a sweep report by mode (div ids `chart-<name>`).
SWEEP_CHARTS = {
    "response": ("response",),
    "heatmap": ("heatmap",),
    "panels": ("response",),
    "tornado": ("tornado",),
    "monte_carlo": ("histograms",),
}
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
    page.header(*head)
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


def _tornado_note(ranking: pd.DataFrame, limit: int = MAX_TORNADO_BARS) -> str:
    """What a tornado chart of more than `limit` inputs leaves out; "" when it has them all."""
    if len(ranking) <= limit:
        return ""
    return (
        f"The {limit} of {len(ranking):,} inputs with the largest swings are drawn; "
        "all are in tornado.csv."
    )


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
