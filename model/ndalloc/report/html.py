"""One self-contained HTML page: a small stylesheet, plotly.js embedded once, charts and tables.

The page opens offline from a `file://` URL: plotly.js is inlined in the head (never a CDN),
every figure is drawn by an inline script, and a Content-Security-Policy forbids the page any
request (images only from data: and blob: URLs, which plotly uses for its icons and downloads).
The output is deterministic: the same folder gives the same bytes (chart ids are fixed).

The markup is in Jinja2 templates (`templates/page.html.j2`, the building blocks' macros in
`templates/blocks.html.j2`, rendered by `ndalloc.report.templating`): every function here
returns `markupsafe.Markup`, text it was given escaped, so blocks can be joined and nested
without being escaped twice; a plain string given as a block is escaped as text.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ndalloc.report.figures import Figure, to_json
from ndalloc.report.templating import macros, render

if TYPE_CHECKING:
    import pandas as pd

#: Plotly's options for every chart: no logo, no lasso tools, resize with the window.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
# --- numbers -------------------------------------------------------------------------------


def missing(value: Any) -> bool:
    """None or NaN."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def num(value: Any, decimals: int = 0, unit: str = "") -> str:
    """A number with thousands separators, and its unit; "-" when missing."""
    if missing(value):
        return "-"
    text = f"{float(value):,.{decimals}f}"
    if text.lstrip("-0.,") == "":
        text = text.lstrip("-")  # never "-0"
    return f"{text} {unit}" if unit else text


def signed(value: Any, decimals: int = 0, unit: str = "") -> str:
    """A difference with its sign ("+1,234 t"); "0" when none."""
    if missing(value):
        return "-"
    if float(value) == 0:
        return f"0 {unit}" if unit else "0"
    text = f"{float(value):+,.{decimals}f}"
    if text.lstrip("+-0.,") == "":
        text = f"{float(value):+.2g}"
    return f"{text} {unit}" if unit else text


def musd(usd: Any) -> str:
    """USD as million USD with one decimal, as `ndalloc solve` prints the objective."""
    return "-" if missing(usd) else num(float(usd) / 1e6, 1, "million USD")


def years_text(years: Iterable[int]) -> str:
    """Years as ranges: "2026, 2028-2030"."""
    ordered = sorted(set(int(y) for y in years))
    parts: list[str] = []
    start = prev = None
    for year in [*ordered, None]:
        if year is not None and prev is not None and year == prev + 1:
            prev = year
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = year
    return ", ".join(parts)


def span(values: Iterable[float], decimals: int = 0, unit: str = "") -> str:
    """ "a" if all values are equal (to the shown precision), else "lo to hi"."""
    found = [float(v) for v in values if not missing(v)]
    if not found:
        return "-"
    lo, hi = num(min(found), decimals), num(max(found), decimals)
    text = lo if lo == hi else f"{lo} to {hi}"
    return f"{text} {unit}" if unit else text


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


# --- building blocks -------------------------------------------------------------------------

#: Block: an HTML fragment built by our code (`Markup`), or text to escape.
Block = Markup | str
#: What a chart may be named (its div id is `chart-<name>`, also written into its script).
CHART_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def facts(items: Sequence[tuple[str, str] | tuple[str, str, str]]) -> Markup:
    """A grid of key facts: (label, value[, css class])."""
    cells = [(item[0], item[1], item[2] if len(item) > 2 else "") for item in items]
    return Markup(macros().facts(cells))


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Sequence[bool] | None = None,
    scroll: bool = False,
    css_id: str = "",
) -> Markup:
    """An HTML table of already formatted cells; `numeric` columns are right-aligned."""
    numeric = list(numeric) if numeric is not None else [False] * len(header)
    head = list(zip(header, numeric, strict=True))
    body = [list(zip(row, numeric, strict=True)) for row in rows]
    return Markup(macros().table(head, body, scroll, css_id))


def frame_table(
    frame: pd.DataFrame, scroll: bool = False, css_id: str = "", decimals: int | None = None
) -> Markup:
    """A DataFrame as a table: numbers with thousands separators, right-aligned; a numeric
    column gets `decimals` (default: 0 if all its values are whole, else 2). Years are left
    as they are."""
    import pandas as pd

    numeric = [
        pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and c != "year"
        for c in frame.columns
    ]
    places = []
    for column, is_num in zip(frame.columns, numeric, strict=True):
        if not is_num:
            places.append(0)
        elif decimals is not None:
            places.append(decimals)
        else:
            values = frame[column].dropna().astype(float)
            places.append(0 if values.map(float.is_integer).all() else 2)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value, is_num, dec in zip(record, numeric, places, strict=True):
            if is_num:
                cells.append(num(value, dec))
            else:
                cells.append("" if missing(value) else str(value))
        rows.append(cells)
    return table([str(c) for c in frame.columns], rows, numeric, scroll, css_id)


def lines(items: Iterable[str]) -> Markup:
    return Markup(macros().lines(list(items)))


def para(text: str, css: str = "") -> Markup:
    return Markup(macros().para(text, css))


def heading(text: str) -> Markup:
    """A heading inside a section (h3)."""
    return Markup(macros().heading(text))


def cap_note(text: str) -> Markup:
    """What a capped chart or table leaves out, as a note ("" when it leaves out nothing)."""
    return para(text, "note capped") if text else Markup("")


def _plotly_file(name: str) -> str:
    """A file of the installed plotly package (plotly.js, templates), read as text."""
    from importlib.resources import files

    return (files("plotly") / "package_data" / name).read_text(encoding="utf-8")


@cache
def plotly_js() -> str:
    """plotly.js as the plotly package ships it (what `plotly.offline.get_plotlyjs` returns)."""
    return _plotly_file("plotly.min.js")


@cache
def _template() -> dict[str, Any]:
    """Plotly's "plotly_white" template (`plotly.io.templates["plotly_white"]`) as data."""
    template: dict[str, Any] = json.loads(_plotly_file("templates/plotly_white.json"))
    return template


@dataclass
class Page:
    """An HTML report being assembled: sections in order, charts drawn by plotly.js."""

    title: str
    subtitle: str = ""
    parts: list[Markup] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    """The ids of the chart divs, in order."""

    def header(self, *blocks: Block) -> None:
        self.parts.append(Markup(macros().header(self.title, self.subtitle, blocks)))

    def section(self, ident: str, title: str, *blocks: Block) -> None:
        self.parts.append(Markup(macros().section(ident, title, blocks)))

    def chart(self, name: str, figure: Figure) -> Markup:
        """The HTML of a chart (div id `chart-<name>`), to place in a section: a div and the
        script that draws the figure in it, as `plotly.io.to_html(..., full_html=False)`
        writes them, with the page's font size and the "plotly_white" template."""
        if not CHART_NAME.fullmatch(name):
            raise ValueError(f"a chart's name is lower-case letters, digits and -: {name!r}")
        ident = f"chart-{name}"
        if ident in self.charts:
            raise ValueError(f"two charts named {name}")
        self.charts.append(ident)
        layout = {"font": {"size": 13}, **figure["layout"], "template": _template()}
        height = layout.get("height")
        div_height = f"{height}px" if isinstance(height, int | float) else "100%"
        data, config = to_json(figure["data"]), json.dumps(PLOTLY_CONFIG)
        # JSON built here: to_json writes no <, > or / (nothing can close the script) and the
        # config is a constant, so the call goes into the script as it is, never escaped
        call = Markup(f'Plotly.newPlot("{ident}", {data}, {to_json(layout)}, {config})')
        return Markup(macros().chart(name, ident, div_height, call))

    def render(self, footer: str = "") -> str:
        # plotly.js as the plotly package ships it: trusted, inlined as it is
        script = Markup(plotly_js()) if self.charts else ""
        return render(
            "page.html.j2", title=self.title, parts=self.parts, footer=footer, plotly_js=script
        )
