"""Plotly figures as plain data: the JSON that plotly.js reads, built without plotly.py.

A report's charts are dicts `{"data": [trace, ...], "layout": {...}}` in plotly.js's schema
(https://plotly.com/javascript/reference/), assembled by `Plot`, a small builder with the few
operations the reports need: add a trace (to a subplot cell), merge into the layout, update
axes. Nothing is validated while a report is written (plotly.graph_objects' validation cost
more than the rest of a report); tests/test_report.py validates every figure the reports
produce against Plotly's schema instead (`plotly.graph_objects.Figure(figure)` raises on an
unknown property or a bad value).

`Plot.grid` lays out subplots as `plotly.subplots.make_subplots` does (the same axis names,
domains, anchors, shared x axes and subplot titles; a test compares the two), and `to_json`
writes a figure as plotly.py's `to_json` would: NaN as null, numpy arrays as lists, and "<",
">" and "/" escaped so no string can end the page's <script>.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

#: A figure as plotly.js reads it: {"data": [...], "layout": {...}}.
Figure = dict[str, Any]

#: Plotly's font size for subplot titles.
SUBPLOT_TITLE_SIZE = 16


def merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge `update` into `target` as plotly.py's `update` does: nested dicts are merged,
    anything else (numbers, strings, lists) replaces what was there; None is ignored."""
    for key, value in update.items():
        if value is None:
            continue
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merge(current, value)
        elif isinstance(value, dict):
            target[key] = merge({}, value)
        else:
            target[key] = value
    return target


@dataclass(frozen=True)
class Cell:
    """One subplot: its axes as traces name them ("x2") and as the layout keys them."""

    x: str
    y: str

    @property
    def xaxis(self) -> str:
        return "xaxis" + self.x[1:]

    @property
    def yaxis(self) -> str:
        return "yaxis" + self.y[1:]


def subplot_layout(
    rows: int,
    cols: int = 1,
    *,
    shared_xaxes: bool = False,
    vertical_spacing: float | None = None,
    horizontal_spacing: float | None = None,
    titles: list[str] | None = None,
) -> tuple[dict[str, Any], dict[tuple[int, int], Cell]]:
    """The layout (axes and title annotations) of a grid of x-y subplots, and each cell's
    axes by (row, col) from 1 at the top left: what `make_subplots` makes for these
    arguments (its defaults for the spacings; a shared x axis is the bottom row's)."""
    if rows < 1 or cols < 1:
        raise ValueError(f"a grid needs at least one row and one column, not {rows}x{cols}")
    if horizontal_spacing is None:
        horizontal_spacing = 0.2 / cols
    if vertical_spacing is None:
        vertical_spacing = (0.5 if titles is not None else 0.3) / rows
    for spacing, n, what in (
        (horizontal_spacing, cols, "horizontal"),
        (vertical_spacing, rows, "vertical"),
    ):
        if not 0 <= spacing <= 1 or (n > 1 and spacing > 1 / (n - 1)):
            raise ValueError(f"{what} spacing {spacing} does not fit {n} subplots")
    width = (1.0 - horizontal_spacing * (cols - 1)) / cols
    height = (1.0 - vertical_spacing * (rows - 1)) / rows
    widths, heights = [width] * cols, [height] * rows
    layout: dict[str, Any] = {}
    cells: dict[tuple[int, int], Cell] = {}
    domains: list[tuple[list[float], list[float]]] = []
    for r in range(rows):
        for c in range(cols):
            x0 = sum(widths[:c]) + c * horizontal_spacing
            x_domain = [x0, x0 + widths[c]]
            # rows count from the top: row r's bottom edge is (rows - 1 - r) rows up
            below = rows - 1 - r
            y0 = sum(heights[:below]) + below * vertical_spacing
            y_domain = [_clip(y0), _clip(y0 + heights[-1 - r])]
            n = len(cells) + 1
            cell = Cell(x=f"x{n if n > 1 else ''}", y=f"y{n if n > 1 else ''}")
            layout[cell.xaxis] = {"anchor": cell.y, "domain": x_domain}
            layout[cell.yaxis] = {"anchor": cell.x, "domain": y_domain}
            cells[(r + 1, c + 1)] = cell
            domains.append((x_domain, y_domain))
    if shared_xaxes:
        for c in range(1, cols + 1):
            bottom = cells[(rows, c)].x
            for r in range(rows - 1, 0, -1):
                axis = layout[cells[(r, c)].xaxis]
                axis["matches"] = bottom
                axis["showticklabels"] = False
    if titles is not None:
        annotations = [
            {
                "font": {"size": SUBPLOT_TITLE_SIZE},
                "showarrow": False,
                "text": text,
                "x": sum(x_domain) / 2.0,
                "xanchor": "center",
                "xref": "paper",
                "y": y_domain[1],
                "yanchor": "bottom",
                "yref": "paper",
            }
            for text, (x_domain, y_domain) in zip(titles, domains, strict=False)
            if text
        ]
        if annotations:
            layout["annotations"] = annotations
    return layout, cells


def _clip(value: float) -> float:
    """make_subplots' treatment of round-off at the edges: within 0.01 of [0, 1] is clipped."""
    if -0.01 < value < 0.0:
        return 0.0
    if 1.0 < value < 1.01:
        return 1.0
    return value


@dataclass
class Plot:
    """A figure being built: traces in order, and its layout."""

    data: list[dict[str, Any]] = field(default_factory=list)
    layout: dict[str, Any] = field(default_factory=dict)
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    @classmethod
    def grid(
        cls,
        rows: int,
        cols: int = 1,
        *,
        shared_xaxes: bool = False,
        vertical_spacing: float | None = None,
        horizontal_spacing: float | None = None,
        titles: list[str] | None = None,
    ) -> Plot:
        """A figure of subplots (see `subplot_layout`); traces go to a cell by row and col."""
        layout, cells = subplot_layout(
            rows,
            cols,
            shared_xaxes=shared_xaxes,
            vertical_spacing=vertical_spacing,
            horizontal_spacing=horizontal_spacing,
            titles=titles,
        )
        return cls(layout=layout, cells=cells)

    def add(
        self, kind: str, *, row: int | None = None, col: int | None = None, **props: Any
    ) -> None:
        """Add a trace of type `kind` ("bar", "scatter", "sankey" ...), in a subplot cell if
        `row` and `col` are given. Properties are plotly.js's, nested as dicts."""
        trace: dict[str, Any] = {"type": kind, **props}
        if row is not None or col is not None:
            cell = self.cells[(row or 1, col or 1)]
            trace["xaxis"], trace["yaxis"] = cell.x, cell.y
        self.data.append(trace)

    def update(self, **layout: Any) -> None:
        """Merge into the layout (nested dicts merge, as `Figure.update_layout`)."""
        merge(self.layout, layout)

    def xaxes(self, row: int | None = None, col: int | None = None, **props: Any) -> None:
        """Update the x axis of one cell, or every x axis (as `Figure.update_xaxes`)."""
        self._axes("x", row, col, props)

    def yaxes(self, row: int | None = None, col: int | None = None, **props: Any) -> None:
        """Update the y axis of one cell, or every y axis (as `Figure.update_yaxes`)."""
        self._axes("y", row, col, props)

    def _axes(self, xy: str, row: int | None, col: int | None, props: dict[str, Any]) -> None:
        if row is not None or col is not None:
            cell = self.cells[(row or 1, col or 1)]
            names = [cell.xaxis if xy == "x" else cell.yaxis]
        else:
            prefix = f"{xy}axis"
            names = [k for k in self.layout if _is_axis(k, prefix)] or [prefix]
        for name in names:
            merge(self.layout.setdefault(name, {}), props)

    def figure(self) -> Figure:
        return {"data": self.data, "layout": self.layout}


def _is_axis(key: str, prefix: str) -> bool:
    """Whether a layout key names an axis: "xaxis", "xaxis2" ... for prefix "xaxis"."""
    rest = key[len(prefix) :] if key.startswith(prefix) else None
    return rest is not None and (rest == "" or rest.isdigit())


# --- JSON -----------------------------------------------------------------------------------

#: Characters escaped in the JSON of a figure, as plotly.py does, so it is safe in <script>.
_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))


def plain(value: Any) -> Any:
    """`value` as JSON-ready Python: numpy arrays, pandas Series and numpy scalars become
    lists and numbers, NaN and infinities None (null: a gap in a line)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str | int | bool) or value is None:
        return value
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas Series and Index
        return plain(value.tolist())
    raise TypeError(f"cannot put a {type(value).__name__} in a figure: {value!r}")


def to_json(value: Any) -> str:
    """Compact JSON of a figure or part of one, safe inside an HTML <script>."""
    text = json.dumps(plain(value), separators=(",", ":"), allow_nan=False)
    for unsafe, safe in _UNSAFE:
        text = text.replace(unsafe, safe)
    return text
