"""The objective of compared runs term by term, and why each run differs from the first.

`ndalloc.compare` reads each run's `objective_terms.csv` (`ndalloc.results.terms`) and hands
the totals here; a run solved before that table existed, or one that is not optimal, has none
(None), and its values are empty.
"""

from __future__ import annotations

import math

import pandas as pd

from ndalloc.lp.objective import TERM_NAMES
from ndalloc.results.terms import describe_differences, term_totals
from ndalloc.run_folder import Run
from ndalloc.run_labels import letter
from ndalloc.run_lookup import RunFolderError


def term_totals_of(run: Run) -> pd.Series | None:
    """The run's discounted USD by objective term, or None (not optimal, or no terms table)."""
    if not run.optimal or not (run.folder / "objective_terms.csv").is_file():
        return None
    frame = run.table("objective_terms", ["term", "value_pv_usd"])
    values = pd.to_numeric(frame["value_pv_usd"], errors="coerce")
    if values.isna().any():
        raise RunFolderError(f"{run.folder / 'objective_terms.csv'} has non-numbers")
    return term_totals(frame.assign(value_pv_usd=values))


def term_table(totals: list[pd.Series | None], labels: list[str]) -> pd.DataFrame:
    """run, term, value_musd (discounted, million USD of the first year), diff_vs_first_musd;
    every term of `ndalloc.lp.objective.TERMS` for every run (`totals`: each run's discounted
    USD by term, `ndalloc.results.terms.term_totals`, or None)."""
    first = totals[0]
    rows = []
    for label, values in zip(labels, totals, strict=True):
        for term in TERM_NAMES:
            value = math.nan if values is None else float(values[term]) / 1e6
            base = math.nan if first is None else float(first[term]) / 1e6
            rows.append((label, term, value, value - base))
    return pd.DataFrame(rows, columns=["run", "term", "value_musd", "diff_vs_first_musd"])


def explanations(
    scenarios: list[str], totals: list[pd.Series | None], labels: list[str], terms: pd.DataFrame
) -> pd.DataFrame:
    """run, sentence: for each run after the first, its objective's difference from the
    first run's, term by term ("B (export-halt-2026) against A (india-base): -86.5 M USD in
    all: -149.0 M USD breach penalties, ...")."""
    rows = []
    a = f"A ({scenarios[0]})"
    for i in range(1, len(labels)):
        label = labels[i]
        b = f"{letter(i)} ({scenarios[i]})"
        mine = terms[terms["run"] == label].set_index("term")["diff_vs_first_musd"]
        if totals[0] is None or totals[i] is None:
            whose = a if totals[0] is None else b
            why = f"{whose} has no objective terms: not optimal, or solved before they existed"
            rows.append((label, f"{b} against {a}: no term-by-term comparison ({why})"))
            continue
        total = float(mine.sum())
        words = describe_differences({t: d * 1e6 for t, d in mine.items()})
        rows.append((label, f"{b} against {a}: {total:+,.1f} M USD in all: {words}"))
    return pd.DataFrame(rows, columns=["run", "sentence"])
