"""The report of one run: its headline, the objective term by term, allocation, flows,
stockpile, contracts, magnets, marginal values and binding limits (or, for a run that is not
optimal, why there is no allocation)."""

from __future__ import annotations

from ndalloc.report import flow_charts, limit_charts, price_charts, ties
from ndalloc.report.folders import Folder
from ndalloc.report.html import (
    Page,
    cap_note,
    facts,
    frame_table,
    heading,
    lines,
    musd,
    num,
    para,
    table,
)
from ndalloc.report.page_parts import chart_notes, chart_section, footer, status_css
from ndalloc.report.terms import terms_section
from ndalloc.report.words import binding_limits, marginal_rows, parent_changes

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
        head.append(heading(f"Inputs changed against {parent.parent}"))
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
        head += [heading("Warnings found before solving"), lines(m["warnings"])]
    page.header(*head)
    if not run.optimal:
        _not_optimal(page, run)
        return page.render(footer(m, "the run folder"))

    terms_section(page, run)
    notes: list[str] = []
    allocation_chart = flow_charts.allocation_figure(run, notes)
    page.section(
        "allocation",
        "Allocation by year",
        para(
            "Where India's neodymium oxide goes each year: exports under the agreements, the "
            "domestic magnet makers, the stockpile, or nowhere (unallocated). The dotted line is "
            "the oxide available: output plus oxide imports plus stockpile releases.",
            "note",
        ),
        *chart_notes(notes),
        page.chart("allocation", allocation_chart),
    )
    ties.ties_section(page, run)
    flows = flow_charts.sankey_figure([(run.scenario, run)], notes)
    page.section(
        "flows",
        "Oxide flows",
        para(
            "From the sources (Indian output, oxide imports, stockpile releases) through India's "
            "oxide to its destinations. Pick a year, or the whole horizon, in the selector.",
            "note",
        ),
        *chart_notes(notes),
        page.chart("flows", flows),
    )
    chart_section(
        page,
        "stockpile",
        "Stockpile",
        limit_charts.stockpile_figure(run, notes),
        notes,
        "",
        "The scenario has no stockpile.",
    )
    chart_section(
        page,
        "contracts",
        "Contract deliveries",
        limit_charts.contracts_figure(run, notes),
        notes,
        "Deliveries under each agreement against its window: the committed minimum (below "
        "it, each tonne short is a breach paid at the penalty) and the most the partner takes.",
        "The scenario has no export contract.",
    )
    chart_section(
        page,
        "magnets",
        "Magnet demand",
        limit_charts.magnets_figure(run, notes),
        notes,
        "Each sector's NdFeB magnet demand, met by magnets made in India, by imports, or not "
        "met (shortage).",
        "The scenario has no magnet demand.",
    )
    value = price_charts.oxide_value_figure(run)
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


def _not_optimal(page: Page, run: Folder) -> None:
    m = run.manifest
    blocks = [
        para(
            f"The solve ended {run.status}: {m.get('message', '')}. A run that is not optimal has "
            "no allocation, so there are no charts.",
        )
    ]
    if m.get("conflict"):
        blocks.append(heading("These limits cannot all hold (an irreducible infeasible subset)"))
        blocks.append(lines(m["conflict"]))
    if m.get("violations"):
        blocks.append(heading("Least changes that make the scenario feasible"))
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
