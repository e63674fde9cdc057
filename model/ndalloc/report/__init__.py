"""Reports of run and sweep folders: one self-contained HTML page and an Excel workbook.

Every report is built from a folder's files (CSV tables and manifest.json; see
`ndalloc.report.folders`), never from solver objects, so `ndalloc report FOLDER` rebuilds
exactly the page a solve or sweep wrote (same bytes, as long as the scenario files it names
are unchanged):

- `report.html` of a run: headline (scenario, status, objective, changes against the parent
  scenario), allocation by year, a Sankey of oxide flows with a year selector, the stockpile
  against its limits, contract deliveries against their window, magnet demand by sector,
  marginal values and binding limits in words. A run that is not optimal gets a short page:
  its status and, if infeasible, the conflicting limits.
- `results.xlsx` of a run: a summary sheet and one sheet per result table.
- `report.html` of a sweep: a response curve, heat map, tornado or histograms, by mode.
- `report.html` of a tree run (`ndalloc solve-tree`): the measures in words, fan charts of
  stock, shortage and exports over the scenarios, the first year's decisions, the scenarios by
  regret and, after progressive hedging, its residuals (`ndalloc.report.trees`).
- a comparison of runs (`compare_report`): the same charts side by side, differences against
  the first run.

Plotly (with plotly.js embedded once) draws the charts; the page makes no request. On a large
run the charts draw the largest entities one by one and sum the others, page tables list the
largest rows, and the workbook leaves out its largest tables (`ndalloc.report.caps`).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from ndalloc.comparison import Run, read_run
from ndalloc.report.folders import Folder, open_folder

__all__ = [
    "REPORT",
    "WORKBOOK",
    "attach_reports",
    "compare_report",
    "rebuild",
    "report_html",
    "write_compare_report",
    "write_reports",
]

#: The report page of a run or sweep folder.
REPORT = "report.html"
#: The workbook of a run folder.
WORKBOOK = "results.xlsx"


def report_html(folder: str | Path | Run | Folder, manifest: dict[str, Any] | None = None) -> str:
    """The HTML report of a run or sweep folder (with `manifest`: a folder being written)."""
    read = folder if isinstance(folder, Folder) else open_folder(folder, manifest)
    if read.is_sweep:
        from ndalloc.report.sweeps import sweep_page

        return sweep_page(read)
    if read.is_tree:
        from ndalloc.report.trees import tree_page, tree_sweep_page

        return (
            tree_sweep_page(read) if read.manifest.get("kind") == "tree-sweep" else tree_page(read)
        )
    from ndalloc.report.run_report import run_page

    return run_page(read)


def write_text(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically (a temporary file renamed into place)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_reports(folder: str | Path, manifest: dict[str, Any] | None = None) -> list[str]:
    """Write report.html (and, for a run, results.xlsx) into the folder; return their names.

    All or nothing: both are built aside (hidden files in the same folder) and renamed into
    place only when both are built, so a failed rebuild leaves the folder's reports as they
    were, and the error is raised."""
    from ndalloc.report.workbook import write_workbook

    read = open_folder(folder, manifest)
    page_only = read.is_sweep or read.is_tree
    targets = [read.folder / REPORT] + ([] if page_only else [read.folder / WORKBOOK])
    staged = [path.with_name(f".{path.name}.{os.getpid()}.new") for path in targets]
    try:
        write_text(staged[0], report_html(read))
        if not page_only:
            write_workbook(read, staged[1])
        for tmp, path in zip(staged, targets, strict=True):
            os.replace(tmp, path)
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
    return [path.name for path in targets]


def attach_reports(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the reports of a folder being published and list them in its manifest under
    "reports". A report that cannot be built must not cost the run: it is left out with a
    warning (set NDALLOC_DEBUG=1 to raise instead)."""
    try:
        manifest["reports"] = write_reports(folder, manifest)
    except Exception as exc:
        if os.environ.get("NDALLOC_DEBUG"):
            raise
        manifest["reports"] = []
        warnings.warn(
            f"the run's report was not written: {type(exc).__name__}: {exc}",
            RuntimeWarning,
            stacklevel=2,
        )


def rebuild(ref: str | Path, runs_dir: str | Path | None = None) -> list[Path]:
    """Rebuild the reports of a run or sweep folder (or run id under `runs_dir`) in place."""
    run = read_run(ref, runs_dir)
    return [run.folder / name for name in write_reports(run.folder, run.manifest)]


def compare_report(*runs: str | Path | Run, runs_dir: str | Path | None = None) -> str:
    """The HTML report comparing runs, differences against the first (`ndalloc.compare`)."""
    from ndalloc.comparison import compare
    from ndalloc.report.comparison_report import compare_page

    read = [read_run(r, runs_dir) for r in runs]
    tables = compare(*read)
    return compare_page([Folder(r) for r in read], tables)


def write_compare_report(
    runs: list[str | Path],
    out: str | Path,
    *,
    force: bool = False,
    runs_dir: str | Path | None = None,
) -> Path:
    """Write the comparison report to `out`; FileExistsError if it exists and not `force`."""
    path = Path(out)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; give --force to replace it")
    return write_text(path, compare_report(*runs, runs_dir=runs_dir))
