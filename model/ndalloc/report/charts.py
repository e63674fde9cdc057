"""The charts of a run, by name, built from its folder's tables (see `ndalloc.report.folders`).

Each function returns a Plotly figure as plain data (`ndalloc.report.figures`), or None when
the run has nothing to draw (no stockpile, no contract). Quantities are in t (oxide or magnet,
as the axis says), money in USD.

A chart draws at most `caps.MAX_ENTITIES` contracts, makers, sources, sectors or stockpiles one
by one (the largest over the horizon) and sums the others into one "other N ..." series, node
or subplot per kind (`caps.pick`); given a `notes` list, it adds a sentence saying so.

The charts live by concern: `chart_style` (colours, sizes, legends, shared by every chart),
`chart_series` (which entities are drawn one by one), `flow_charts` (allocation, Sankey),
`limit_charts` (stockpile, contracts, magnets against their limits), `price_charts` (the
value of oxide) and `compare_charts` (several runs); this module names them in one place.
"""

from __future__ import annotations

from ndalloc.report.chart_series import Kind, entries, values_of
from ndalloc.report.chart_style import (
    COLOURS,
    HEIGHT,
    OTHER_COLOURS,
    SHADES,
    T_HOVER,
    legend_height,
    shade,
    year_axis,
)
from ndalloc.report.flow_charts import (
    Flow,
    allocation_figure,
    destinations,
    flows,
    sankey_choices,
    sankey_figure,
)
from ndalloc.report.limit_charts import contracts_figure, magnets_figure, stockpile_figure
from ndalloc.report.price_charts import oxide_value_figure

__all__ = [
    "COLOURS",
    "HEIGHT",
    "OTHER_COLOURS",
    "SHADES",
    "T_HOVER",
    "Flow",
    "Kind",
    "allocation_figure",
    "contracts_figure",
    "destinations",
    "entries",
    "flows",
    "legend_height",
    "magnets_figure",
    "oxide_value_figure",
    "sankey_choices",
    "sankey_figure",
    "shade",
    "stockpile_figure",
    "values_of",
    "year_axis",
]
