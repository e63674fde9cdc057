"""What the report pages share: the status's style, the footer, and a section of one chart
with the notes of what it leaves out."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ndalloc.report.figures import Figure
from ndalloc.report.html import Page, cap_note, para


def status_css(status: str) -> str:
    return "good" if status in ("optimal", "complete") else "bad"


def footer(manifest: dict[str, Any], what: str) -> str:
    version = (manifest.get("versions") or {}).get("ndalloc")
    built = f"Built by ndalloc {version}" if version else "Built by ndalloc"
    return (
        f"{built} from {what} (CSV tables and manifest.json); `ndalloc report` rebuilds it. "
        "Money is in USD; the objective is discounted to the first year, marginal values are "
        "in USD of their own year."
    )


def chart_section(
    page: Page,
    ident: str,
    title: str,
    figure: Figure | None,
    notes: list[str],
    intro: str,
    missing: str,
) -> None:
    """A section of one chart: its introduction, the notes of the chart (what it leaves out),
    then the chart, or `missing` when the run has nothing to draw."""
    page.section(
        ident,
        title,
        *([para(intro, "note")] if intro else []),
        *chart_notes(notes),
        page.chart(ident, figure) if figure is not None else para(missing, "note"),
    )


def chart_notes(notes: list[str]) -> list[Markup]:
    """The notes of the charts just built (what a capped chart leaves out), as paragraphs;
    the list is emptied for the next chart."""
    out = [cap_note(n) for n in notes]
    notes.clear()
    return out
