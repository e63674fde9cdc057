"""`ndalloc report`: rebuild the report of a run or sweep folder, or compare runs in one page.

    ndalloc report RUN                       # rebuild RUN/report.html (and results.xlsx)
    ndalloc report SWEEP_FOLDER              # rebuild its report.html
    ndalloc report --compare RUN_A RUN_B     # compare-report.html in the current folder

Plotly and pandas are imported only inside the command, so `ndalloc --help` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ndalloc.cli.app import EXIT_INPUT, app, err, internal, out

#: Default file of `ndalloc report --compare`.
COMPARE_REPORT = Path("compare-report.html")


@app.command()
def report(
    runs: Annotated[
        list[str],
        typer.Argument(
            help="A run or sweep folder (or run id under --dir); with --compare, two or more runs."
        ),
    ],
    compare: Annotated[
        bool,
        typer.Option(
            "--compare", help="Compare the runs in one page, differences against the first."
        ),
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="HTML file to write (default: report.html in the folder; with --compare,"
            f" {COMPARE_REPORT} here).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out (or compare-report.html) if it exists.")
    ] = False,
    runs_dir: Annotated[
        Path, typer.Option("--dir", help="Folder of run folders, where run ids are looked up.")
    ] = Path("runs"),
) -> None:
    """Build the HTML report of a run or sweep folder from its files, or compare runs."""
    from ndalloc.comparison import RunFolderError

    if compare and len(runs) < 2:
        err.print("give at least two runs to compare (run folders or run ids)")
        raise typer.Exit(EXIT_INPUT)
    if not compare and len(runs) != 1:
        err.print("give one run or sweep folder (or --compare with two or more runs)")
        raise typer.Exit(EXIT_INPUT)
    target = out_file if out_file is not None else (COMPARE_REPORT if compare else None)
    if target is not None and target.exists() and not force:
        err.print(f"{target} exists; give --force to replace it", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    try:
        written = _build(runs, compare, target, runs_dir)
    except RunFolderError as exc:
        err.print(Text.assemble(("not a run", "bold red"), f": {exc}"))
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        err.print(f"cannot write the report: {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as exc:
        raise internal(exc) from None
    for path in written:
        out.print(f"wrote {path}", highlight=False)


def _build(runs: list[str], compare: bool, target: Path | None, runs_dir: Path) -> list[Path]:
    from ndalloc.comparison import read_run
    from ndalloc.report import rebuild, report_html, write_compare_report, write_text

    if compare:
        assert target is not None
        return [write_compare_report(list(runs), target, force=True, runs_dir=runs_dir)]
    if target is None:
        return rebuild(runs[0], runs_dir)
    run = read_run(runs[0], runs_dir)
    return [write_text(target, report_html(run))]
