"""The "Alternative optima" section of a run report: the ties of `ties.csv` in words.

When the LP has more than one best allocation (two makers with the same costs, sectors that
value a magnet the same), the charts show the one HiGHS's simplex reached; this section says
which entities are interchangeable instead of letting that vertex read as a recommendation
(`ndalloc.results.ties`, docs/formulation.md section "Ties").
"""

from __future__ import annotations

from ndalloc.report.caps import MAX_TABLE_ROWS, more_rows
from ndalloc.report.folders import Folder
from ndalloc.report.html import Page, cap_note, lines, para

INTRO = (
    "Where makers, sources, sectors or contracts are equally good, more than one allocation "
    "gives the best benefit, and the charts show only the one the solver reached. Each "
    "tie below can be split any other way within its limits at the same benefit; read it as a "
    "choice left to the planner, not as a recommendation (from ties.csv)."
)


def ties_section(page: Page, run: Folder, limit: int = MAX_TABLE_ROWS) -> None:
    """Add the section (nothing for a run that is not optimal); at most `limit` ties listed."""
    if not run.optimal:
        return
    found = run.table("ties")
    how = run.manifest.get("ties_checked")
    checked = f" (checked by {how})" if how else ""
    if not len(found.columns):
        body = [para("This run was not checked for ties: its folder has no ties.csv.", "note")]
    elif found.empty:
        body = [para(f"None: the allocation is the only best one{checked}.", "note")]
    else:
        sentences = [str(s) for s in found["sentence"]]
        more = more_rows(min(limit, len(sentences)), len(sentences), "ties", "first", "ties.csv")
        body = [
            para(INTRO, "note"),
            para(f"{len(sentences):,} tie{'s' if len(sentences) != 1 else ''}{checked}:"),
            lines(sentences[:limit]),
            cap_note(more),
        ]
    page.section("ties", "Alternative optima", *body)
