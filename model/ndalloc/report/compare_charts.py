"""Charts comparing runs: allocation by year and run, its differences against run A, and each
run's stockpiles, contracts and magnet demand in one chart (the same entities drawn one by one
in every run, the largest over the horizon and all runs)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ndalloc.report.caps import MAX_COMPARED, MAX_ENTITIES, Group, Picked, chart_note, pick, totals
from ndalloc.report.chart_series import entries, values_of
from ndalloc.report.chart_style import (
    COLOURS,
    HEIGHT,
    RUN_COLOURS,
    T_HOVER,
    compare_legend,
    legend_height,
    limit_line,
    year_axis,
)
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder, by_year

#: Allocation quantities drawn in the comparison (compare()["allocation"] quantity -> label).
COMPARED = {
    "exports": ("exports", COLOURS["export"]),
    "to_makers": ("to makers", COLOURS["maker"]),
    "to_stock": ("into the stockpile", COLOURS["stock"]),
    "unallocated": ("unallocated", COLOURS["unallocated"]),
}


def _multi_x(frame: pd.DataFrame, labels: dict[str, str]) -> list[list[str]]:
    return [frame["year"].astype(int).astype(str).tolist(), frame["run"].map(labels).tolist()]


def allocation_compare(alloc: pd.DataFrame, labels: dict[str, str]) -> Figure:
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
        height=HEIGHT,
        title={"text": "Allocation of oxide by year and run (t oxide)"},
        yaxis={"title": {"text": "t oxide per year"}},
    )
    compare_legend(figure)
    return figure.figure()


def _run_order(labels: dict[str, str]) -> Any:
    order = {name: i for i, name in enumerate(labels)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "run" else column

    return key


def allocation_diff(alloc: pd.DataFrame, labels: dict[str, str]) -> Figure:
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
            "oxide_imports": COLOURS["oxide_import"],
            "magnet_imports": COLOURS["magnet_import"],
            "magnet_shortage": COLOURS["shortage"],
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
        height=max(HEIGHT, 260 * len(later) + 120),
        title={"text": "Differences against run A by year"},
    )
    year_axis(figure)
    compare_legend(figure)
    return figure.figure()


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


def stockpile_compare(
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
        for pile, members, other in entries(picked):
            level = values_of(levels, members)
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
                hovertemplate=T_HOVER,
            )
            for bounds, what, dash in ((highs, "maximum", "dash"), (lows, "minimum", "dot")):
                limit_line(
                    figure,
                    years,
                    values_of(bounds, members),
                    f"{name}: {pile} {what}{summed}",
                    {"color": colour, "dash": dash, "width": 1.2},
                )
    figure.update(
        height=legend_height(figure),
        title={"text": "Stockpile level (year end) against its limits, by run"},
        yaxis={"title": {"text": "t oxide in stock"}, "rangemode": "tozero"},
    )
    year_axis(figure)
    compare_legend(figure)
    return figure.figure()


def contracts_compare(
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
        shown = entries(picked)
        for contract, members, other in shown:
            values = values_of(delivered, members)
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
                hovertemplate=T_HOVER,
            )
            short = values_of(breach, members)
            if short is not None and (short > 0).any():
                figure.add(
                    "bar",
                    x=years,
                    y=short,
                    base=values,
                    name=f"{name}: {contract} shortfall (breach){summed}",
                    marker={"color": COLOURS["breach"], "pattern": {"shape": "/"}},
                    offsetgroup=group,
                    hovertemplate=T_HOVER,
                )
            for bounds, what, dash in ((lows, "minimum", "dot"), (highs, "maximum", "dash")):
                limit_line(
                    figure,
                    years,
                    values_of(bounds, members),
                    f"{name}: {contract} {what}{summed}",
                    {"color": colour, "dash": dash, "width": 1.2, "shape": "hvh"},
                )
    figure.update(
        barmode="group",
        height=legend_height(figure),
        title={"text": "Contract deliveries against the window, by run"},
        yaxis={"title": {"text": "t oxide per year"}, "rangemode": "tozero"},
    )
    year_axis(figure)
    compare_legend(figure)
    return figure.figure()


def magnets_compare(
    runs: list[tuple[str, Folder]], notes: list[str] | None = None, limit: int = MAX_ENTITIES
) -> Figure:
    parts = (
        ("var_deliver_domestic", "made in India", COLOURS["domestic"]),
        ("var_deliver_import", "imported", COLOURS["magnet_import"]),
        ("var_shortage", "shortage", COLOURS["shortage"]),
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
    shown = entries(picked)
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
                values = values_of(wide, members)
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
        height=max(HEIGHT, 320 * rows + 60),
        title={"text": "Magnet demand by sector, by year and run"},
    )
    compare_legend(figure)
    figure.update(legend={"y": -0.08})
    return figure.figure()
