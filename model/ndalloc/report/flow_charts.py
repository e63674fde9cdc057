"""Charts of the flows of oxide: where it goes each year (allocation) and a Sankey diagram
from its sources to its destinations.

Each function returns a Plotly figure as plain data (`ndalloc.report.figures`); given a
`notes` list, a chart that sums some entities (`caps.pick`) adds a sentence saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ndalloc.report.caps import MAX_ENTITIES, chart_note
from ndalloc.report.chart_series import Kind, picked_series
from ndalloc.report.chart_style import (
    COLOURS,
    HEIGHT,
    MIN_FLOW_T,
    SANKEY_NODE_HEIGHT,
    T_HOVER,
    legend_below,
    legend_height,
    note,
    title,
    year_axis,
)
from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder, by_year

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
    series, picked = picked_series(wides, list(DESTINATIONS), limit)
    note(notes, chart_note(picked, "destinations"))
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
        title=title("Allocation of neodymium oxide by year"),
        yaxis={"title": title("t oxide per year")},
        xaxis={"title": title("year")},
    )
    year_axis(figure)
    legend_below(figure)
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
    series, picked = picked_series(wides, list(SOURCES), limit)
    note(notes, chart_note(picked, "sources of oxide"))
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
            note(notes, f"{name}: {line}" if len(runs) > 1 else line)
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
        title=title(_sankey_title(choices[0][0]) if choices else "Oxide flows"),
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
