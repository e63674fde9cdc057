"""The report of a tree run (`ndalloc solve-tree`): the measures in words, fan charts, the
decisions of the first year and the scenarios.

Built from the folder's files only (measures.csv, distribution.csv, here_and_now.csv,
scenarios.csv, ph.csv and manifest.json). A fan chart draws, per year, the probability-weighted
mean of a yearly total over the scenarios, its 10-90 % band and its range (distribution.csv).
"""

from __future__ import annotations

import pandas as pd

from ndalloc.report.chart_style import legend_below, title, year_axis
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder
from ndalloc.report.html import Page, facts, frame_table, lines, missing, musd, num, para
from ndalloc.report.page_parts import footer, status_css

#: The fan charts: distribution.csv's family, the chart's title and its unit.
FANS = (
    ("level", "Oxide in the stockpile at year end", "t oxide"),
    ("shortage", "Magnet demand not met", "t magnet"),
    ("export", "Exports under the agreements", "t oxide"),
)
#: Scenarios listed on the page, by regret (all are in scenarios.csv).
MAX_SCENARIOS = 50
#: Shades of a fan: range, 10-90 % band, mean line.
_RANGE, _BAND, _MEAN = "rgba(31, 119, 180, 0.12)", "rgba(31, 119, 180, 0.3)", "rgb(31, 119, 180)"


def fan_words(dist: pd.DataFrame, family: str, unit: str) -> str:
    """The fan's peak in words: the year of the largest expected total and its range."""
    rows = dist[dist["family"] == family]
    if rows.empty or float(rows["max"].max()) <= 0:
        return ""
    peak = rows.loc[rows["mean"].idxmax()]
    return (
        f"Expected at most {num(peak['mean'])} {unit} in {int(peak['year'])} (from "
        f"{num(peak['min'])} to {num(peak['max'])} {unit} over the scenarios); the band holds "
        "the middle 80 % of probability."
    )


def fan_figure(dist: pd.DataFrame, family: str, unit: str) -> Figure | None:
    """The fan of one family's yearly total; None when it is zero in every scenario."""
    rows = dist[dist["family"] == family].sort_values("year")
    if rows.empty or float(rows[["min", "max"]].abs().to_numpy().max()) == 0.0:
        return None
    years = rows["year"].tolist()
    plot = Plot()
    for low, high, name, shade in (
        ("min", "max", "range", _RANGE),
        ("p10", "p90", "10-90 %", _BAND),
    ):
        plot.add(
            "scatter",
            x=years,
            y=rows[high].tolist(),
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=name,
        )
        plot.add(
            "scatter",
            x=years,
            y=rows[low].tolist(),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=shade,
            name=name,
            legendgroup=name,
            hovertemplate=f"%{{x}}: %{{y:,.0f}} {unit}<extra>{name}, low end</extra>",
        )
    for column, name, dash in (("p50", "median", "dot"), ("mean", "expected", "solid")):
        plot.add(
            "scatter",
            x=years,
            y=rows[column].tolist(),
            mode="lines+markers" if column == "mean" else "lines",
            line={"color": _MEAN, "dash": dash},
            name=name,
            hovertemplate=f"%{{x}}: %{{y:,.0f}} {unit}<extra>{name}</extra>",
        )
    plot.update(yaxis={"title": {"text": unit}, "rangemode": "tozero"}, height=380)
    year_axis(plot)
    legend_below(plot)
    return plot.figure()


def residuals_figure(ph: pd.DataFrame) -> Figure:
    """PH's primal and dual residuals by iteration (log scale)."""
    plot = Plot()
    for column, name in (("primal_residual", "primal"), ("dual_residual", "dual")):
        shown = ph[ph[column] > 0]
        plot.add(
            "scatter",
            x=shown["iteration"].tolist(),
            y=shown[column].tolist(),
            mode="lines",
            name=name,
        )
    plot.update(
        title=title("Progressive hedging: residuals by iteration"),
        xaxis={"title": {"text": "iteration"}},
        yaxis={"title": {"text": "relative residual"}, "type": "log", "exponentformat": "e"},
    )
    legend_below(plot)
    return plot.figure()


def measure_words(measures: dict[str, float]) -> list[str]:
    """The measures as a planner reads them."""
    out = []
    rp, vss, evpi = measures.get("RP"), measures.get("VSS"), measures.get("EVPI")
    if not missing(rp):
        out.append(f"The stochastic plan (RP) is worth {musd(rp)} (discounted, expected).")
    if not missing(vss):
        out.append(
            f"Planning for the uncertainty is worth {musd(vss)} over planning for the average "
            f"(VSS = RP - EEV; the average plan's first decisions give {musd(measures['EEV'])} "
            "over the tree)."
        )
    if not missing(evpi):
        out.append(
            f"Knowing the future would be worth a further {musd(evpi)} (EVPI = WS - RP; WS "
            f"{musd(measures['WS'])}): the most it is worth paying for better intelligence."
        )
    return out


def tree_page(run: Folder) -> str:
    """The HTML report of a tree run folder."""
    m = run.manifest
    page = Page(title=f"ndalloc tree: {m.get('tree', '')}", subtitle=f"run {run.run_id}")
    measures_csv = run.table("measures")
    measures = (
        dict(zip(measures_csv["measure"], measures_csv["value_usd"], strict=True))
        if not measures_csv.empty
        else {}
    )
    risk = m.get("risk") or {}
    objective = (
        "expected discounted net benefit"
        if not risk.get("weight")
        else f"{1 - risk['weight']:g} x expected + {risk['weight']:g} x CVaR "
        f"(alpha {risk.get('alpha', 0):g})"
    )
    status = str(m.get("status", ""))
    items: list[tuple[str, str] | tuple[str, str, str]] = [
        ("tree", str(m.get("tree", ""))),
        ("base scenario", run.scenario),
        ("scenarios, nodes", f"{m.get('scenarios', '')}, {m.get('nodes', '')}"),
        ("objective", objective),
        ("method", str(m.get("method", "extensive form"))),
        ("status", status, status_css(status)),
    ]
    items += [
        (k, musd(measures[k])) for k in ("RP", "WS", "EV", "EEV", "VSS", "EVPI") if k in measures
    ]
    page.header(facts(items), lines(measure_words(measures)))
    if not run.optimal:
        page.section("status", "No plan", para(f"The tree has no plan: {status}.", "note"))
        return page.render(footer(m, "the tree's run folder"))

    dist = run.table("distribution")
    for family, label, unit in FANS:
        figure = fan_figure(dist, family, unit) if not dist.empty else None
        page.section(
            f"fan-{family}",
            label,
            *([para(fan_words(dist, family, unit), "note")] if figure is not None else []),
            page.chart(f"fan-{family}", figure)
            if figure is not None
            else para(f"None in any scenario ({unit}).", "note"),
        )
    here = run.table("here_and_now")
    if not here.empty:
        here = here[here["value"].abs() > 1e-6]
    page.section(
        "here-and-now",
        "What to do in the first year (the same in every scenario)",
        frame_table(here, scroll=True, css_id="here-and-now-table")
        if not here.empty
        else para("Nothing to do.", "note"),
    )
    scenarios = run.table("scenarios")
    if not scenarios.empty and "regret_usd" in scenarios:
        listed = scenarios.sort_values("regret_usd", ascending=False, kind="stable").head(
            MAX_SCENARIOS
        )
        page.section(
            "scenarios",
            "Scenarios by regret",
            para(
                f"The {len(listed)} of {len(scenarios)} scenarios with the largest regret "
                "(what each would have gained knowing its future; all in scenarios.csv).",
                "note",
            ),
            frame_table(listed, scroll=True, css_id="scenarios-table"),
        )
    ph = run.table("ph")
    if not ph.empty:
        info = m.get("ph") or {}
        page.section(
            "ph",
            "Progressive hedging",
            para(
                f"{info.get('processes', '')} processes, {info.get('iterations', '')} "
                f"iterations, {'converged' if info.get('converged') else 'not converged'}; "
                f"gap to the Lagrangian bound {num(100 * float(info.get('gap') or 0), 4)} %.",
                "note",
            ),
            page.chart("ph", residuals_figure(ph)),
        )
    return page.render(footer(m, "the tree's run folder"))


#: What a tree sweep's parameter means, for axis titles and words.
PARAMETER_LABELS = {
    "p_curb": "probability a curb starts in a year",
    "p_end": "probability a curb ends in a year",
    "severity": "share of imports a curb cuts",
}


def stock_paths_figure(points: pd.DataFrame, parameter: str) -> Figure | None:
    """The expected year-end stock by year, one line per value of the parameter."""
    years = sorted(
        int(c[6:-2]) for c in points.columns if c.startswith("stock_") and c.endswith("_t")
    )
    if not years:
        return None
    plot = Plot()
    for _, row in points.sort_values(parameter).iterrows():
        plot.add(
            "scatter",
            x=years,
            y=[row[f"stock_{y}_t"] for y in years],
            mode="lines+markers",
            name=f"{parameter} = {row[parameter]:g}",
            hovertemplate="%{x}: %{y:,.0f} t oxide<extra>%{fullData.name}</extra>",
        )
    plot.update(yaxis={"title": {"text": "t oxide"}, "rangemode": "tozero"}, height=400)
    year_axis(plot)
    legend_below(plot)
    return plot.figure()


def value_figure(points: pd.DataFrame, parameter: str) -> Figure:
    """VSS and EVPI (million USD) against the parameter."""
    shown = points.sort_values(parameter)
    plot = Plot()
    for column, name in (
        ("vss_usd", "VSS: planning for the uncertainty"),
        ("evpi_usd", "EVPI: knowing the future"),
    ):
        plot.add(
            "scatter",
            x=shown[parameter].tolist(),
            y=(shown[column] / 1e6).tolist(),
            mode="lines+markers",
            name=name,
            hovertemplate="%{x}: %{y:,.1f} million USD<extra>%{fullData.name}</extra>",
        )
    plot.update(
        xaxis={"title": {"text": PARAMETER_LABELS.get(parameter, parameter)}},
        yaxis={"title": {"text": "million USD"}, "rangemode": "tozero"},
        height=380,
    )
    legend_below(plot)
    plot.update(legend={"y": -0.3}, margin={"b": 70})  # below the x axis's title
    return plot.figure()


def sweep_words(points: pd.DataFrame, parameter: str) -> list[str]:
    """Per value: how large the stockpile gets, when, and what the uncertainty is worth."""
    out = []
    for _, row in points.sort_values(parameter).iterrows():
        if row.get("status") != "optimal":
            out.append(f"{parameter} = {row[parameter]:g}: no plan ({row.get('status')}).")
            continue
        peak = float(row.get("peak_stock_t") or 0.0)
        held = (
            f"the expected stock peaks at {num(peak)} t oxide in {int(row['peak_stock_year'])}"
            if peak > 0 and not missing(row.get("peak_stock_year"))
            else "no stock is held"
        )
        out.append(
            f"{parameter} = {row[parameter]:g}: {held}, {num(row.get('first_year_inject_t'))} t "
            f"injected in the first year; VSS {musd(row.get('vss_usd'))}, EVPI "
            f"{musd(row.get('evpi_usd'))}."
        )
    return out


def tree_sweep_page(run: Folder) -> str:
    """The HTML report of a tree sweep folder (`ndalloc tree-sweep`)."""
    m = run.manifest
    settings = m.get("settings") or {}
    parameter = str(settings.get("parameter", ""))
    points = run.table("points")
    page = Page(title=f"ndalloc tree sweep: {run.scenario}", subtitle=f"sweep {run.run_id}")
    spec = settings.get("tree") or {}
    status = str(m.get("status", ""))
    page.header(
        facts(
            [
                ("base scenario", run.scenario),
                ("varied", f"{parameter} ({PARAMETER_LABELS.get(parameter, '')})"),
                ("values", ", ".join(f"{v:g}" for v in settings.get("values", []))),
                ("curb years", f"{spec.get('first_year', '')}-{spec.get('last_year', '')}"),
                (
                    "held",
                    ", ".join(
                        f"{k} {spec[k]:g}"
                        for k in ("p_curb", "p_end", "severity")
                        if k != parameter and k in spec
                    ),
                ),
                ("status", status, status_css(status)),
            ]
        ),
        lines(sweep_words(points, parameter)) if not points.empty else para("No point.", "note"),
    )
    optimal = points[points["status"] == "optimal"] if "status" in points else points
    if optimal.empty:
        return page.render(footer(m, "the tree sweep's folder"))
    stock = stock_paths_figure(optimal, parameter)
    page.section(
        "stock-paths",
        "Expected oxide in the stockpile at year end",
        page.chart("stock-paths", stock) if stock is not None else para("No stock.", "note"),
    )
    page.section(
        "value",
        "What the uncertainty is worth",
        page.chart("value", value_figure(optimal, parameter)),
    )
    page.section("points", "Points", frame_table(points, scroll=True, css_id="points-table"))
    return page.render(footer(m, "the tree sweep's folder"))
