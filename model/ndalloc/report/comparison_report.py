"""The report comparing several runs: a table of the runs, totals over the horizon, why the
objectives differ, and the charts of `compare_charts` side by side; differences are against
the first run (A)."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from ndalloc.report import compare_charts, flow_charts, price_charts
from ndalloc.report.caps import MAX_TABLE_ROWS, largest_rows, more_rows
from ndalloc.report.folders import Folder
from ndalloc.report.html import Page, cap_note, frame_table, heading, musd, para, signed, table
from ndalloc.report.page_parts import chart_notes, footer
from ndalloc.report.terms import compare_terms_section
from ndalloc.run_labels import letter as label

COMPARE_CHARTS = (
    "allocation",
    "allocation-diff",
    "flows",
    "stockpile",
    "contracts",
    "magnets",
    "oxide-value",
)


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
        head.append(heading("Totals over the horizon"))
        head.append(frame_table(totals, css_id="totals-table", decimals=0))
    page.header(*head)
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
        page.chart("allocation", compare_charts.allocation_compare(alloc, labels)),
        page.chart("allocation-diff", compare_charts.allocation_diff(alloc, labels)),
    )
    notes: list[str] = []
    flows = flow_charts.sankey_figure(optimal, notes)
    page.section(
        "flows",
        "Oxide flows",
        para("One diagram per run; the selector picks the year for all of them.", "note"),
        *chart_notes(notes),
        page.chart("flows", flows),
    )
    stock = compare_charts.stockpile_compare(optimal, notes)
    page.section("stockpile", "Stockpile", *chart_notes(notes), page.chart("stockpile", stock))
    contracts = compare_charts.contracts_compare(optimal, notes)
    page.section(
        "contracts",
        "Contract deliveries",
        *chart_notes(notes),
        page.chart("contracts", contracts),
    )
    magnets = compare_charts.magnets_compare(optimal, notes)
    page.section("magnets", "Magnet demand", *chart_notes(notes), page.chart("magnets", magnets))
    page.section(
        "marginal-values",
        "Value of one more tonne of oxide",
        page.chart(
            "oxide-value", price_charts.oxide_value_compare(tables["shadow_prices"], labels)
        ),
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


def _shadow_differences(
    prices: pd.DataFrame, labels: dict[str, str], limit: int = MAX_TABLE_ROWS
) -> Markup:
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
