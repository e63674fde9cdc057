"""The objective term by term in the reports: a waterfall and a table for one run, and the
term-by-term differences between compared runs, in numbers and words."""

from __future__ import annotations

import pandas as pd

from ndalloc.report.figures import Figure, Plot
from ndalloc.report.folders import Folder
from ndalloc.report.html import Page, num, para, signed, table
from ndalloc.results.terms import term_totals

#: Colours of the waterfall: benefits, costs, the objective.
RISING, FALLING, TOTAL = "#2e8b57", "#d62728", "#1f5fa8"


def run_terms(run: Folder) -> tuple[pd.Series, pd.Series] | None:
    """A run's terms that are not zero: discounted and undiscounted USD, or None when the run
    has no objective_terms.csv (solved before it existed)."""
    terms = run.table("objective_terms")
    if terms.empty:
        return None
    pv = term_totals(terms)
    money = terms.groupby("term")["value_usd"].sum().reindex(pv.index, fill_value=0.0)
    shown = pv != 0
    return pv[shown], money[shown]


def waterfall_figure(pv: pd.Series, objective_usd: float) -> Figure:
    """The discounted objective built up term by term (million USD), ending at its total."""
    figure = Plot()
    values = (pv / 1e6).round(3).tolist()
    figure.add(
        "waterfall",
        x=[*pv.index.tolist(), "objective"],
        y=[*values, objective_usd / 1e6],
        measure=["relative"] * len(values) + ["total"],
        text=[f"{v:+,.1f}" for v in values] + [f"{objective_usd / 1e6:,.1f}"],
        textposition="outside",
        increasing={"marker": {"color": RISING}},
        decreasing={"marker": {"color": FALLING}},
        totals={"marker": {"color": TOTAL}},
        connector={"line": {"color": "#888888", "width": 1}},
        hovertemplate="%{x}: %{y:,.1f} million USD<extra></extra>",
        name="objective",
    )
    figure.update(
        height=420,
        title={"text": "The objective term by term (million USD of the first year, discounted)"},
        yaxis={"title": {"text": "million USD"}},
        showlegend=False,
        margin={"b": 120},
    )
    return figure.figure()


def terms_section(page: Page, run: Folder) -> None:
    """The section "What each choice earns and costs" of a run report."""
    found = run_terms(run)
    if found is None:
        missing = "This run has no objective_terms.csv: it was solved before they existed."
        page.section(
            "objective-terms",
            "What each choice earns and costs",
            para(missing, "note"),
        )
        return
    pv, money = found
    objective = float(run.objective_usd or pv.sum())
    rows = [
        (term, num(pv[term] / 1e6, 1, "M USD"), num(money[term] / 1e6, 1, "M USD"))
        for term in pv.index
    ]
    rows.append(("objective", num(objective / 1e6, 1, "M USD"), num(money.sum() / 1e6, 1, "M USD")))
    page.section(
        "objective-terms",
        "What each choice earns and costs",
        para(
            "The objective (discounted net national benefit) split into its terms: benefits are "
            "positive, costs negative; they add up to the objective. Discounted values are in "
            "USD of the first year, undiscounted ones summed over each year's money "
            "(objective_terms.csv has them by entity and year).",
            "note",
        ),
        page.chart("objective", waterfall_figure(pv, objective)),
        table(
            ["term", "discounted", "undiscounted"],
            rows,
            [False, True, True],
            css_id="objective-terms-table",
        ),
    )


def compare_terms_section(page: Page, tables: dict[str, pd.DataFrame], labels: list[str]) -> None:
    """The section "Why the objectives differ" of a comparison report: each run's terms,
    their differences against run A, and one sentence per later run."""
    terms = tables["objective_terms"]
    runs = list(dict.fromkeys(terms["run"]))
    value = terms.pivot(index="term", columns="run", values="value_musd")
    diff = terms.pivot(index="term", columns="run", values="diff_vs_first_musd")
    rows = []
    for term in dict.fromkeys(terms["term"]):
        values = [value.at[term, r] for r in runs]
        if all(v == 0 or v != v for v in values):
            continue
        rows.append(
            (
                term,
                *(num(v, 1) for v in values),
                *(signed(diff.at[term, r], 1) for r in runs[1:]),
            )
        )
    header = ["term (million USD, discounted)", *labels]
    header += [f"{b} - {labels[0]}" for b in labels[1:]]
    sentences = tables["explanation"]["sentence"].tolist()
    page.section(
        "objective-terms",
        "Why the objectives differ",
        *(para(s) for s in sentences),
        table(header, rows, [False] + [True] * (len(header) - 1), css_id="terms-table"),
    )
