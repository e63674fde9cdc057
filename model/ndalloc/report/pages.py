"""The report of one run, and the report comparing several runs."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ndalloc.report import charts, ties
from ndalloc.report.caps import (
    MAX_COMPARED,
    MAX_ENTITIES,
    MAX_TABLE_ROWS,
    Group,
    Picked,
    chart_note,
    largest_rows,
    more_rows,
    pick,
    totals,
)
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder, by_year
from ndalloc.report.html import (
    Page,
    cap_note,
    esc,
    facts,
    frame_table,
    lines,
    musd,
    num,
    para,
    signed,
    table,
)
from ndalloc.report.terms import compare_terms_section, terms_section
from ndalloc.report.words import binding_limits, marginal_rows, parent_changes
from ndalloc.run_labels import letter as label

#: The charts of a run report, in order (div ids are `chart-<name>`); a chart is left out
#: when the run has nothing to draw (no stockpile, no contract, no magnet demand).
RUN_CHARTS = (
    "objective",
    "allocation",
    "flows",
    "stockpile",
    "contracts",
    "magnets",
    "oxide-value",
)
#: Totals over the horizon shown in the headline: allocation.csv column -> label, unit.
TOTALS = {
    "exports_t": ("exports", "t oxide"),
    "to_makers_t": ("to domestic makers", "t oxide"),
    "stock_inject_t": ("into the stockpile", "t oxide"),
    "unallocated_t": ("unallocated", "t oxide"),
    "magnet_imports_t": ("magnets imported", "t magnet"),
    "magnet_shortage_t": ("magnet shortage", "t magnet"),
}


def status_css(status: str) -> str:
    return "good" if status in ("optimal", "complete") else "bad"


def footer(manifest: dict[str, Any], what: str) -> str:
    version = (manifest.get("versions") or {}).get("ndalloc")
    built = f"Built by ndalloc {version}" if version else "Built by ndalloc"
    return (
        f"{built} from {what} (CSV tables and manifest.json); `ndalloc report` rebuilds it. "
        "Money is in USD; the objective is discounted to the first year, marginal values are "
        "in USD of their own year."
    )


# --- one run -------------------------------------------------------------------------------


def run_page(run: Folder) -> str:
    """The HTML report of one run folder."""
    m = run.manifest
    page = Page(title=f"ndalloc run: {run.scenario}", subtitle=f"run {run.run_id}")
    status = f"{run.status} ({m.get('message', '')})" if m.get("message") else run.status
    items: list[tuple[str, str] | tuple[str, str, str]] = [
        ("scenario", run.scenario),
        ("status", status, status_css(run.status)),
    ]
    if run.optimal:
        items.append(("objective (discounted net benefit)", musd(m.get("objective_usd"))))
    elif isinstance(m.get("objective_bound_usd"), int | float):
        items.append(("best bound on the objective", musd(m.get("objective_bound_usd"))))
    parent = parent_changes(m)
    items.append(("changes against the parent scenario", parent.summary))
    allocation = run.table("allocation")
    years = run.years()
    if years:
        items.append(("horizon", f"{years[0]}-{years[-1]}"))
    for column, (what, unit) in TOTALS.items():
        if column in allocation:
            items.append((f"{what}, all years", num(allocation[column].sum(), 0, unit)))
    solver = m.get("solver") or {}
    items += [
        ("started (UTC)", str(m.get("started_at", ""))[:19].replace("T", " ")),
        ("solver", f"{solver.get('name', '')} {solver.get('version', '')}".strip()),
        ("input hash (SHA-256)", str(m.get("input_hash_sha256", ""))[:16] + "..."),
    ]
    head = [facts(items)]
    if parent.rows:
        head.append(f"<h3>Inputs changed against {esc(parent.parent)}</h3>")
        head.append(
            table(
                ["table", "key", "column", "years", f"in {parent.parent}", f"in {run.scenario}"],
                parent.rows,
                [False, False, False, False, True, True],
                scroll=True,
                css_id="parent-changes",
            )
        )
    if m.get("warnings"):
        head.append("<h3>Warnings found before solving</h3>" + lines(m["warnings"]))
    page.header("".join(head))
    if not run.optimal:
        _not_optimal(page, run)
        return page.render(footer(m, "the run folder"))

    terms_section(page, run)
    notes: list[str] = []
    allocation_chart = charts.allocation_figure(run, notes)
    page.section(
        "allocation",
        "Allocation by year",
        para(
            "Where India's neodymium oxide goes each year: exports under the agreements, the "
            "domestic magnet makers, the stockpile, or nowhere (unallocated). The dotted line is "
            "the oxide available: output plus oxide imports plus stockpile releases.",
            "note",
        ),
        *_notes(notes),
        page.chart("allocation", allocation_chart),
    )
    ties.ties_section(page, run)
    flows = charts.sankey_figure([(run.scenario, run)], notes)
    page.section(
        "flows",
        "Oxide flows",
        para(
            "From the sources (Indian output, oxide imports, stockpile releases) through India's "
            "oxide to its destinations. Pick a year, or the whole horizon, in the selector.",
            "note",
        ),
        *_notes(notes),
        page.chart("flows", flows),
    )
    _chart_section(
        page,
        "stockpile",
        "Stockpile",
        charts.stockpile_figure(run, notes),
        notes,
        "",
        "The scenario has no stockpile.",
    )
    _chart_section(
        page,
        "contracts",
        "Contract deliveries",
        charts.contracts_figure(run, notes),
        notes,
        "Deliveries under each agreement against its window: the committed minimum (below "
        "it, each tonne short is a breach paid at the penalty) and the most the partner takes.",
        "The scenario has no export contract.",
    )
    _chart_section(
        page,
        "magnets",
        "Magnet demand",
        charts.magnets_figure(run, notes),
        notes,
        "Each sector's NdFeB magnet demand, met by magnets made in India, by imports, or not "
        "met (shortage).",
        "The scenario has no magnet demand.",
    )
    value = charts.oxide_value_figure(run)
    marginal = marginal_rows(run)
    page.section(
        "marginal-values",
        "What one more unit of each limit is worth",
        page.chart("oxide-value", value) if value is not None else "",
        para(
            "Marginal values (shadow prices) of the limits that bind or carry a value, in USD of "
            "each year per unit of the limit (from marginal_values.csv).",
            "note",
        ),
        frame_table(marginal.rows, scroll=True, css_id="marginal-values-table")
        + cap_note(marginal.more)
        if marginal.total
        else para("No limit carries a value.", "note"),
    )
    found = binding_limits(run)
    page.section(
        "binding",
        "Binding limits",
        para(
            "The limits the allocation runs into (from the binding rows of the dual tables). "
            "Relaxing one with a non-zero value changes the objective by that much per unit.",
            "note",
        ),
        table(
            ["what binds", "years", "limit", "value of one more unit"],
            [(b.statement, b.years, b.limit, b.value) for b in found.rows],
            [False, False, True, True],
            css_id="binding-table",
        )
        + cap_note(found.more)
        if found.rows
        else para("No limit binds.", "note"),
    )
    return page.render(footer(m, "the run folder"))


def _chart_section(
    page: Page,
    ident: str,
    title: str,
    figure: Figure | None,
    notes: list[str],
    intro: str,
    missing: str,
) -> None:
    """A section of one chart: its introduction, the notes of the chart (what it leaves out),
    then the chart, or `missing` when the run has nothing to draw."""
    page.section(
        ident,
        title,
        *([para(intro, "note")] if intro else []),
        *_notes(notes),
        page.chart(ident, figure) if figure is not None else para(missing, "note"),
    )


def _notes(notes: list[str]) -> list[str]:
    """The notes of the charts just built (what a capped chart leaves out), as paragraphs;
    the list is emptied for the next chart."""
    out = [cap_note(n) for n in notes]
    notes.clear()
    return out


def _not_optimal(page: Page, run: Folder) -> None:
    m = run.manifest
    blocks = [
        para(
            f"The solve ended {run.status}: {m.get('message', '')}. A run that is not optimal has "
            "no allocation, so there are no charts.",
        )
    ]
    if m.get("conflict"):
        blocks.append("<h3>These limits cannot all hold (an irreducible infeasible subset)</h3>")
        blocks.append(lines(m["conflict"]))
    if m.get("violations"):
        blocks.append("<h3>Least changes that make the scenario feasible</h3>")
        blocks.append(lines(m["violations"]))
    elif run.status in ("infeasible", "infeasible_or_unbounded") and m.get("conflict"):
        blocks.append(
            para(
                "Solve again with `ndalloc solve SCENARIO --elastic` for the least changes "
                "that would make it feasible.",
                "note",
            )
        )
    page.section("status", "Why there is no allocation", *blocks)


# --- several runs --------------------------------------------------------------------------


#: Allocation quantities drawn in the comparison (compare()["allocation"] quantity -> label).
COMPARED = {
    "exports": ("exports", charts.COLOURS["export"]),
    "to_makers": ("to makers", charts.COLOURS["maker"]),
    "to_stock": ("into the stockpile", charts.COLOURS["stock"]),
    "unallocated": ("unallocated", charts.COLOURS["unallocated"]),
}
#: Line styles by run, so runs with equal values stay visible on top of each other.
DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
RUN_COLOURS = ["#1f5fa8", "#e4572e", "#2e8b57", "#7e57c2", "#b8860b", "#17a2b8", "#d62728"]

#: The charts of a comparison report, in order.
COMPARE_CHARTS = (
    "allocation",
    "allocation-diff",
    "flows",
    "stockpile",
    "contracts",
    "magnets",
    "oxide-value",
)


def _multi_x(frame: pd.DataFrame, labels: dict[str, str]) -> list[list[str]]:
    return [frame["year"].astype(int).astype(str).tolist(), frame["run"].map(labels).tolist()]


def compare_page(runs: list[Folder], tables: dict[str, pd.DataFrame]) -> str:
    """The HTML report comparing runs (`ndalloc.compare` tables), differences against A."""
    names = [str(r) for r in tables["summary"]["run"]]
    labels = {name: label(i) for i, name in enumerate(names)}
    page = Page(
        title="ndalloc comparison: " + " vs ".join(dict.fromkeys(r.scenario for r in runs)),
        subtitle=f"{len(runs)} runs; differences are against run A",
    )
    summary = tables["summary"]
    rows = []
    for i, row in enumerate(summary.itertuples(index=False)):
        rows.append(
            (
                label(i),
                row.run,
                row.scenario,
                row.status,
                musd(row.objective_musd * 1e6),
                "" if i == 0 else signed(row.diff_vs_first_musd, 1, "million USD"),
            )
        )
    head = [
        table(
            ["run", "run id", "scenario", "status", "objective", "vs A"],
            rows,
            [False, False, False, False, True, True],
            css_id="runs-table",
        )
    ]
    optimal = [(label(i), r) for i, r in enumerate(runs) if r.optimal]
    left_out = [f"{label(i)} ({r.status})" for i, r in enumerate(runs) if not r.optimal]
    if left_out:
        head.append(para(f"Not optimal, so not drawn: {', '.join(left_out)}.", "note status-bad"))
    totals = _totals(tables["allocation"], labels)
    if not totals.empty:
        head.append("<h3>Totals over the horizon</h3>")
        head.append(frame_table(totals, css_id="totals-table", decimals=0))
    page.header("".join(head))
    if not optimal:
        return page.render(footer(runs[0].manifest, "the run folders"))

    compare_terms_section(page, tables, list(labels.values()))
    alloc = tables["allocation"].dropna(subset=["value_t"])
    page.section(
        "allocation",
        "Allocation by year",
        para(
            "Each year's oxide by run (A, B, ...): exports, makers, stockpile, unallocated.", "note"
        ),
        page.chart("allocation", _allocation_compare(alloc, labels)),
        page.chart("allocation-diff", _allocation_diff(alloc, labels)),
    )
    notes: list[str] = []
    flows = charts.sankey_figure(optimal, notes)
    page.section(
        "flows",
        "Oxide flows",
        para("One diagram per run; the selector picks the year for all of them.", "note"),
        *_notes(notes),
        page.chart("flows", flows),
    )
    stock = _stockpile_compare(optimal, notes)
    page.section("stockpile", "Stockpile", *_notes(notes), page.chart("stockpile", stock))
    contracts = _contracts_compare(optimal, notes)
    page.section(
        "contracts",
        "Contract deliveries",
        *_notes(notes),
        page.chart("contracts", contracts),
    )
    magnets = _magnets_compare(optimal, notes)
    page.section("magnets", "Magnet demand", *_notes(notes), page.chart("magnets", magnets))
    page.section(
        "marginal-values",
        "Value of one more tonne of oxide",
        page.chart("oxide-value", _oxide_value_compare(tables["shadow_prices"], labels)),
        _shadow_differences(tables["shadow_prices"], labels),
    )
    return page.render(footer(runs[0].manifest, "the run folders"))


def _totals(allocation: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    if allocation.empty:
        return pd.DataFrame()
    frame = allocation.assign(label=allocation["run"].map(labels))
    sums = frame.groupby(["quantity", "unit", "label"], sort=False)["value_t"].sum(min_count=1)
    wide = sums.unstack("label")
    order = list(dict.fromkeys(labels.values()))
    wide = wide.reindex(columns=[c for c in order if c in wide.columns])
    out = wide.reset_index()
    out["quantity"] = out["quantity"].str.replace("_", " ")
    first = order[0]
    for other in order[1:]:
        if other in out and first in out:
            out[f"{other} - {first}"] = out[other] - out[first]
    return out.rename(columns={c: f"{c} (t)" for c in order if c in out.columns})


def _allocation_compare(alloc: pd.DataFrame, labels: dict[str, str]) -> Figure:
    figure = Plot()
    for quantity, (name, colour) in COMPARED.items():
        rows = alloc[alloc["quantity"] == quantity].sort_values(
            ["year", "run"], key=_run_order(labels)
        )
        figure.add(
            "bar",
            x=_multi_x(rows, labels),
            y=rows["value_t"].to_numpy(),
            name=name,
            marker={"color": colour},
            hovertemplate="%{fullData.name}<br>%{x}: %{y:,.0f} t<extra></extra>",
        )
    figure.update(
        barmode="stack",
        height=charts.HEIGHT,
        title={"text": "Allocation of oxide by year and run (t oxide)"},
        yaxis={"title": {"text": "t oxide per year"}},
    )
    _legend(figure)
    return figure.figure()


def _run_order(labels: dict[str, str]) -> Any:
    order = {name: i for i, name in enumerate(labels)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "run" else column

    return key


def _allocation_diff(alloc: pd.DataFrame, labels: dict[str, str]) -> Figure:
    names = list(labels)
    later = names[1:]
    figure = Plot.grid(
        max(1, len(later)),
        1,
        shared_xaxes=True,
        titles=[f"{labels[n]} - A" for n in later] or None,
        vertical_spacing=0.1 / max(1, len(later)),
    )
    colours = {**{q: c for q, (_, c) in COMPARED.items()}}
    colours.update(
        {
            "oxide_imports": charts.COLOURS["oxide_import"],
            "magnet_imports": charts.COLOURS["magnet_import"],
            "magnet_shortage": charts.COLOURS["shortage"],
        }
    )
    for r, name in enumerate(later, start=1):
        rows = alloc[alloc["run"] == name]
        for quantity, group in rows.groupby("quantity", sort=False):
            unit = str(group["unit"].iat[0])
            figure.add(
                "bar",
                x=group["year"].astype(int).to_numpy(),
                y=group["diff_vs_first_t"].to_numpy(),
                name=f"{str(quantity).replace('_', ' ')} ({unit})",
                legendgroup=str(quantity),
                showlegend=r == 1,
                marker={"color": colours.get(str(quantity), "#888888")},
                hovertemplate="%{fullData.name}<br>%{x}: %{y:+,.0f} t<extra></extra>",
                row=r,
                col=1,
            )
        figure.yaxes(title={"text": "t, run - A"}, row=r, col=1)
    figure.update(
        barmode="group",
        height=max(charts.HEIGHT, 260 * len(later) + 120),
        title={"text": "Differences against run A by year"},
    )
    charts.year_axis(figure)
    _legend(figure)
    return figure.figure()


def _legend(figure: Plot) -> None:
    """A horizontal legend below the chart; thousands separators on the y axes."""
    figure.yaxes(tickformat=",")
    figure.update(
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0},
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
    )


def _compared(
    runs: list[tuple[str, Folder]],
    stem: str,
    noun: str,
    limit: int,
    fill: float | None = 0.0,
) -> tuple[Picked, list[pd.DataFrame]]:
    """Each run's `stem` table by year (`value_t`), and which entities are drawn one by one:
    the `limit` largest over the horizon and all runs (the same ones in every run)."""
    wides = [by_year(run.table(stem), "value_t", run.years(), fill=fill) for _, run in runs]
    scores = pd.Series(dtype=float)
    for wide in wides:
        scores = scores.add(totals(wide), fill_value=0.0) if not scores.empty else totals(wide)
    names = list(dict.fromkeys(n for wide in wides for n in wide.columns))
    (picked,) = pick([Group(noun, scores.reindex(names), f"{stem}.csv")], limit)
    return picked, wides


def _stockpile_compare(
    runs: list[tuple[str, Folder]], notes: list[str] | None = None, limit: int = MAX_COMPARED
) -> Figure:
    figure = Plot()
    picked, all_levels = _compared(runs, "var_level", "stockpile", limit, fill=None)
    if notes is not None and picked.summed:
        notes.append(chart_note([picked], how="by their level over the horizon, in all runs"))
    for i, ((name, run), levels) in enumerate(zip(runs, all_levels, strict=True)):
        colour = RUN_COLOURS[i % len(RUN_COLOURS)]
        years = run.years()
        highs = by_year(run.table("dual_stockpile_max"), "rhs_t", years, fill=None)
        lows = by_year(run.table("dual_stockpile_min"), "rhs_t", years, fill=None)
        for pile, members, other in charts.entries(picked):
            level = charts.values_of(levels, members)
            if level is None:
                continue
            summed = " (sum)" if other else ""
            figure.add(
                "scatter",
                x=years,
                y=level,
                name=f"{name}: {pile} level{summed}",
                mode="lines+markers",
                line={"color": colour, "width": 3},
                hovertemplate=charts.T_HOVER,
            )
            for bounds, what, dash in ((highs, "maximum", "dash"), (lows, "minimum", "dot")):
                values = charts.values_of(bounds, members)
                if values is not None:
                    figure.add(
                        "scatter",
                        x=years,
                        y=values,
                        name=f"{name}: {pile} {what}{summed}",
                        mode="lines",
                        line={"color": colour, "dash": dash, "width": 1.2},
                        hovertemplate=charts.T_HOVER,
                    )
    figure.update(
        height=charts.legend_height(figure),
        title={"text": "Stockpile level (year end) against its limits, by run"},
        yaxis={"title": {"text": "t oxide in stock"}, "rangemode": "tozero"},
    )
    charts.year_axis(figure)
    _legend(figure)
    return figure.figure()


def _contracts_compare(
    runs: list[tuple[str, Folder]], notes: list[str] | None = None, limit: int = MAX_COMPARED
) -> Figure:
    figure = Plot()
    picked, all_delivered = _compared(runs, "var_export", "contract", limit)
    if notes is not None and picked.summed:
        notes.append(chart_note([picked], how="by deliveries over the horizon, in all runs"))
    for i, ((name, run), delivered) in enumerate(zip(runs, all_delivered, strict=True)):
        colour = RUN_COLOURS[i % len(RUN_COLOURS)]
        years = run.years()
        breach = by_year(run.table("var_breach"), "value_t", years)
        lows = by_year(run.table("dual_contract_min"), "rhs_t", years, fill=None)
        highs = by_year(run.table("dual_contract_max"), "rhs_t", years, fill=None)
        shown = charts.entries(picked)
        for contract, members, other in shown:
            values = charts.values_of(delivered, members)
            if values is None:
                continue
            summed = " (sum)" if other else ""
            # a run's bars side by side, one group per contract (the shortfall on top)
            group = name if len(shown) == 1 else f"{name}: {contract}"
            figure.add(
                "bar",
                x=years,
                y=values,
                name=f"{name}: {contract} delivered{summed}",
                marker={"color": colour},
                offsetgroup=group,
                hovertemplate=charts.T_HOVER,
            )
            short = charts.values_of(breach, members)
            if short is not None and (short > 0).any():
                figure.add(
                    "bar",
                    x=years,
                    y=short,
                    base=values,
                    name=f"{name}: {contract} shortfall (breach){summed}",
                    marker={"color": charts.COLOURS["breach"], "pattern": {"shape": "/"}},
                    offsetgroup=group,
                    hovertemplate=charts.T_HOVER,
                )
            for bounds, what, dash in ((lows, "minimum", "dot"), (highs, "maximum", "dash")):
                bound = charts.values_of(bounds, members)
                if bound is not None:
                    figure.add(
                        "scatter",
                        x=years,
                        y=bound,
                        name=f"{name}: {contract} {what}{summed}",
                        mode="lines",
                        line={"color": colour, "dash": dash, "width": 1.2, "shape": "hvh"},
                        hovertemplate=charts.T_HOVER,
                    )
    figure.update(
        barmode="group",
        height=charts.legend_height(figure),
        title={"text": "Contract deliveries against the window, by run"},
        yaxis={"title": {"text": "t oxide per year"}, "rangemode": "tozero"},
    )
    charts.year_axis(figure)
    _legend(figure)
    return figure.figure()


def _magnets_compare(
    runs: list[tuple[str, Folder]], notes: list[str] | None = None, limit: int = MAX_ENTITIES
) -> Figure:
    parts = (
        ("var_deliver_domestic", "made in India", charts.COLOURS["domestic"]),
        ("var_deliver_import", "imported", charts.COLOURS["magnet_import"]),
        ("var_shortage", "shortage", charts.COLOURS["shortage"]),
    )
    # every run's table of each part by year, once
    wides = {
        stem: [by_year(run.table(stem), "value_t", run.years()) for _, run in runs]
        for stem, _, _ in parts
    }
    sectors = list(
        dict.fromkeys(
            s for _, run in runs for s in run.table("var_deliver_domestic").get("sector", [])
        )
    )
    scores = pd.Series(0.0, index=pd.Index(sectors, dtype=object))
    for tables in wides.values():
        for wide in tables:
            scores = scores.add(totals(wide), fill_value=0.0)
    (picked,) = pick([Group("sector", scores.reindex(sectors), "var_deliver_domestic.csv")], limit)
    if notes is not None and picked.summed:
        notes.append(chart_note([picked], how="by their demand over the horizon, in all runs"))
    shown = charts.entries(picked)
    cols = 2 if len(shown) > 1 else 1
    rows = max(1, -(-len(shown) // cols))
    figure = Plot.grid(
        rows,
        cols,
        titles=[f"{n} (sum)" if other else f"sector: {n}" for n, _, other in shown] or None,
        vertical_spacing=0.18 / max(1, rows - 1) if rows > 1 else 0.1,
        horizontal_spacing=0.08,
    )
    for k, (_, members, _) in enumerate(shown):
        r, c = k // cols + 1, k % cols + 1
        for stem, what, colour in parts:
            xs: list[list[str]] = [[], []]
            ys: list[float] = []
            for (name, run), wide in zip(runs, wides[stem], strict=True):
                years = run.years()
                values = charts.values_of(wide, members)
                xs[0] += [str(y) for y in years]
                xs[1] += [name] * len(years)
                ys += values.tolist() if values is not None else [0.0] * len(years)
            order = sorted(range(len(ys)), key=lambda j: (xs[0][j], xs[1][j]))
            figure.add(
                "bar",
                x=[[xs[0][j] for j in order], [xs[1][j] for j in order]],
                y=[ys[j] for j in order],
                name=what,
                legendgroup=what,
                showlegend=k == 0,
                marker={"color": colour},
                hovertemplate="%{fullData.name}<br>%{x}: %{y:,.0f} t<extra></extra>",
                row=r,
                col=c,
            )
        if c == 1:
            figure.yaxes(title={"text": "t magnet"}, row=r, col=c)
    figure.update(
        barmode="stack",
        height=max(charts.HEIGHT, 320 * rows + 60),
        title={"text": "Magnet demand by sector, by year and run"},
    )
    _legend(figure)
    figure.update(legend={"y": -0.08})
    return figure.figure()


def _oxide_value_compare(prices: pd.DataFrame, labels: dict[str, str]) -> Figure:
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
    charts.year_axis(figure)
    _legend(figure)
    return figure.figure()


def _shadow_differences(
    prices: pd.DataFrame, labels: dict[str, str], limit: int = MAX_TABLE_ROWS
) -> str:
    """Shadow prices that differ from run A's, as a table: all of them in order when there
    are at most `limit`, else the `limit` largest differences."""
    changed = prices[(prices["diff_vs_first_usd_per_t"].fillna(0) != 0)]
    if changed.empty:
        return para("Every shadow price is the same as in run A.", "note")
    total = len(changed)
    changed = largest_rows(changed, changed["diff_vs_first_usd_per_t"], limit)
    frame = pd.DataFrame(
        {
            "run": changed["run"].map(labels),
            "limit": changed["constraint"].str.replace("_", " "),
            "entity": changed["entity"].fillna(""),
            "year": changed["year"].astype(int),
            "value (USD/t)": changed["value_usd_per_t"],
            "vs A (USD/t)": changed["diff_vs_first_usd_per_t"],
        }
    )
    more = more_rows(
        len(frame),
        total,
        "differences",
        "largest (in absolute terms)",
        "the runs' dual_*.csv files (`ndalloc compare` lists them all)",
    )
    return (
        para("Shadow prices that differ from run A (USD per t, money of the year):", "note")
        + frame_table(frame, scroll=True, css_id="shadow-differences")
        + cap_note(more)
    )
