"""`ndalloc export`: write a resolved scenario as one Excel workbook.

`solve`, `validate` and `show` read such a workbook directly (the loader accepts a .xlsx path).
openpyxl is imported only when a workbook is written or read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ndalloc.cli.app import EXIT_INPUT, ScenarioArg, app, err, load_or_exit, out


@app.command()
def export(
    scenario: ScenarioArg,
    book: Annotated[
        Path,
        typer.Argument(
            help="Workbook to write (.xlsx): a 'scenario' sheet of settings, one sheet per"
            " table and a 'columns' sheet documenting every column.",
            show_default=False,
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace BOOK if it exists already.")
    ] = False,
) -> None:
    """Write the resolved scenario (after inheritance and patches) as an Excel workbook."""
    if book.suffix.lower() != ".xlsx":
        err.print(f"cannot write {book}: the workbook's name must end in .xlsx")
        raise typer.Exit(EXIT_INPUT)
    if book.is_dir():
        err.print(f"cannot write {book}: it is a folder")
        raise typer.Exit(EXIT_INPUT)
    if book.exists() and not force:
        err.print(
            f"{book} exists; nothing was written (use --force to replace it)", highlight=False
        )
        raise typer.Exit(EXIT_INPUT)
    sc = load_or_exit(scenario, "nothing was written")

    from ndalloc.data.excel import write_workbook  # openpyxl only when a workbook is written

    try:
        write_workbook(sc, book)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err.print(f"cannot write {book}: {reason}")
        raise typer.Exit(EXIT_INPUT) from None
    out.print(f"wrote the resolved scenario {sc.name} to {book}")
