"""The objective term by term on the terminal: one run (`ndalloc solve`) or several runs
side by side with why each differs from the first (`ndalloc compare`)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from ndalloc.cli.app import out, show

if TYPE_CHECKING:
    import pandas as pd

    from ndalloc.results.tables import RunResult

TITLE = "Objective by term (million USD; benefits +, costs -)"


def print_terms(result: RunResult) -> None:
    """Each term of a solved run's objective: discounted, and in each year's money."""
    from ndalloc.results.terms import term_totals

    terms = result.objective_terms
    pv = term_totals(terms)
    money = terms.groupby("term")["value_usd"].sum() if not terms.empty else pv * 0
    table = Table(title=TITLE, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("term")
    table.add_column("discounted", justify="right", no_wrap=True)
    table.add_column("undiscounted", justify="right", no_wrap=True)
    for term, value in pv.items():
        if value != 0:
            table.add_row(term, f"{value / 1e6:,.1f}", f"{money.get(term, 0.0) / 1e6:,.1f}")
    table.add_row("total", f"{pv.sum() / 1e6:,.1f}", f"{money.sum() / 1e6:,.1f}", style="bold")
    show(table)


def print_term_comparison(tables: dict[str, pd.DataFrame], labels: list[str]) -> None:
    """The discounted terms of every run, the differences against run A, and in words why."""
    terms = tables["objective_terms"]
    runs = list(dict.fromkeys(terms["run"]))
    wide = terms.pivot(index="term", columns="run", values="value_musd")
    diff = terms.pivot(index="term", columns="run", values="diff_vs_first_musd")
    order = list(dict.fromkeys(terms["term"]))
    table = Table(
        title=TITLE + ", discounted", box=box.SIMPLE_HEAD, show_edge=False, title_justify="left"
    )
    table.add_column("term")
    for label in labels:
        table.add_column(label, justify="right", no_wrap=True)
    for label in labels[1:]:
        table.add_column(f"{label} - {labels[0]}", justify="right", no_wrap=True)
    for term in order:
        values = [wide.at[term, r] for r in runs]
        if all(v == 0 or v != v for v in values):
            continue
        table.add_row(
            term,
            *("" if v != v else f"{v:,.1f}" for v in values),
            *(_change(d) for d in (diff.at[term, r] for r in runs[1:])),
        )
    show(table)
    for sentence in tables["explanation"]["sentence"]:
        # wrapped here: piped output is not wrapped by rich, and cells must never be cut
        out.print(Text(textwrap.fill(sentence, width=98, subsequent_indent="  ")))


def _change(value: float) -> str:
    """A difference in million USD: signed, "0.0" for none, empty when unknown."""
    if value != value:
        return ""
    return "0.0" if round(value, 1) == 0 else f"{value:+,.1f}"
