"""One self-contained HTML page: a small stylesheet, plotly.js embedded once, charts and tables.

The page opens offline from a `file://` URL: plotly.js is inlined in the head (never a CDN),
every figure is drawn by an inline script, and a Content-Security-Policy forbids the page any
request (images only from data: and blob: URLs, which plotly uses for its icons and downloads).
The output is deterministic: the same folder gives the same bytes (chart ids are fixed).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ndalloc.report.figures import Figure, to_json

if TYPE_CHECKING:
    import pandas as pd

#: Plotly's options for every chart: no logo, no lasso tools, resize with the window.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
#: The page may make no request: everything it needs is inline.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
)

CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d9dee5; --bg: #f5f7fa; --accent: #1f5fa8;
        --bad: #b3261e; --good: #1e7b46; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
p { margin: 4px 0 10px; }
.sub { color: var(--muted); margin-bottom: 16px; }
section, header.card { background: #fff; border: 1px solid var(--line); border-radius: 8px;
                       padding: 16px 20px; margin: 0 0 18px; }
.note { color: var(--muted); font-size: 13.5px; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
         gap: 10px 18px; margin: 12px 0 4px; }
.fact { border-left: 3px solid var(--accent); padding: 2px 10px; }
.fact .k { color: var(--muted); font-size: 12.5px; text-transform: uppercase;
           letter-spacing: .04em; }
.fact .v { font-size: 17px; font-weight: 600; overflow-wrap: anywhere; }
.fact.bad { border-color: var(--bad); } .fact.good { border-color: var(--good); }
.status-optimal, .status-complete { color: var(--good); }
.status-bad { color: var(--bad); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: #eef2f7; font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { max-height: 420px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.scroll table { margin: 0; }
ul.lines { margin: 6px 0; padding-left: 20px; }
ul.lines li { margin: 2px 0; }
code { font-family: "SFMono-Regular", Consolas, monospace; font-size: 13px;
       background: #eef2f7; padding: 0 4px; border-radius: 3px; }
.chart { width: 100%; }
footer { color: var(--muted); font-size: 12.5px; margin-top: 8px; }
"""


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


def facts(items: Sequence[tuple[str, str] | tuple[str, str, str]]) -> str:
    """A grid of key facts: (label, value[, css class])."""
    cells = []
    for item in items:
        label, value = item[0], item[1]
        extra = f" {item[2]}" if len(item) > 2 else ""
        cells.append(
            f'<div class="fact{extra}"><div class="k">{esc(label)}</div>'
            f'<div class="v">{esc(value)}</div></div>'
        )
    return f'<div class="facts">{"".join(cells)}</div>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Sequence[bool] | None = None,
    scroll: bool = False,
    css_id: str = "",
) -> str:
    """An HTML table of already formatted cells; `numeric` columns are right-aligned."""
    numeric = list(numeric) if numeric is not None else [False] * len(header)
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if n else f"<th>{esc(h)}</th>"
        for h, n in zip(header, numeric, strict=True)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{esc(c)}</td>' if n else f"<td>{esc(c)}</td>"
            for c, n in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    ident = f' id="{esc(css_id)}"' if css_id else ""
    out = f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{out}</div>' if scroll else out


def frame_table(
    frame: pd.DataFrame, scroll: bool = False, css_id: str = "", decimals: int | None = None
) -> str:
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


def lines(items: Iterable[str]) -> str:
    return '<ul class="lines">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def para(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}>{esc(text)}</p>"


def cap_note(text: str) -> str:
    """What a capped chart or table leaves out, as a note ("" when it leaves out nothing)."""
    return para(text, "note capped") if text else ""


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
    parts: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    """The ids of the chart divs, in order."""

    def header(self, body: str) -> None:
        sub = f'<p class="sub">{esc(self.subtitle)}</p>' if self.subtitle else ""
        self.parts.append(f'<header class="card"><h1>{esc(self.title)}</h1>{sub}{body}</header>')

    def section(self, ident: str, title: str, *blocks: str) -> None:
        self.parts.append(
            f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>{"".join(blocks)}</section>'
        )

    def chart(self, name: str, figure: Figure) -> str:
        """The HTML of a chart (div id `chart-<name>`), to place in a section: a div and the
        script that draws the figure in it, as `plotly.io.to_html(..., full_html=False)`
        writes them, with the page's font size and the "plotly_white" template."""
        ident = f"chart-{name}"
        if ident in self.charts:
            raise ValueError(f"two charts named {name}")
        self.charts.append(ident)
        layout = {"font": {"size": 13}, **figure["layout"], "template": _template()}
        height = layout.get("height")
        div_height = f"{height}px" if isinstance(height, int | float) else "100%"
        data, config = to_json(figure["data"]), json.dumps(PLOTLY_CONFIG)
        call = f'Plotly.newPlot("{ident}", {data}, {to_json(layout)}, {config})'
        return (
            f'<div class="chart" data-chart="{esc(name)}">'
            f'<div style="height:{div_height}; width:100%;">'
            f'<div id="{ident}" class="plotly-graph-div" style="height:100%; width:100%;"></div>'
            "<script>window.PLOTLYENV=window.PLOTLYENV || {};"
            f'if (document.getElementById("{ident}")) {{{call}}};</script>'
            "</div></div>"
        )

    def render(self, footer: str = "") -> str:
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{esc(self.title)}</title>",
            f"<style>{CSS}</style>",
        ]
        if self.charts:
            head.append(f'<script type="text/javascript">{plotly_js()}</script>')
        head.append("</head>")
        foot = f"<footer>{esc(footer)}</footer>" if footer else ""
        body = ["<body>", "<main>", *self.parts, foot, "</main>", "</body>", "</html>", ""]
        return "\n".join(head + body)
