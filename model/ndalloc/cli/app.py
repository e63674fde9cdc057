"""The shared parts of the `ndalloc` command: the Typer app, consoles, exit codes, helpers.

Bad input never prints a traceback: it is reported as file:line: column: message, exit 2.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ndalloc.cli.help import use_plain_metavars
from ndalloc.data.errors import ScenarioError
from ndalloc.data.loader import load_scenario
from ndalloc.data.scenario import Scenario

use_plain_metavars()
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Allocate neodymium oxide between exports, domestic magnet makers and a stockpile.",
)
# soft_wrap: a long message stays on one line, so each problem is one greppable line.
# markup, highlight and emoji off: whatever is printed (a path, a run id, a description, a
# citation, a table cell or title) is printed literally, so "[/]" or "[link=...]" in user or
# file text is never read as rich markup. Style is given as data: `rich.text.Text` pieces
# (`Text.assemble(("invalid scenario", "bold red"), " ", name)`) or a `style=` argument.
# Typer's usage errors quote user input literally; only --help text, written here, is read as
# rich markup: a lowercase "[x]" in a help string is written "\\[x]".
_LITERAL: dict[str, Any] = {"soft_wrap": True, "markup": False, "highlight": False, "emoji": False}
out = Console(**_LITERAL)
err = Console(stderr=True, **_LITERAL)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
DEFAULT_SCENARIO = "india-base"


def _print_version(value: bool) -> None:
    if value:
        from ndalloc import __version__  # the installed package's metadata

        typer.echo(f"ndalloc {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Allocate neodymium oxide between exports, domestic magnet makers and a stockpile."""


ScenarioArg = Annotated[
    str,
    typer.Argument(help="Scenario folder, Excel workbook (.xlsx), or name of a bundled scenario."),
]


#: Width the tables are laid out for when the output is not a terminal (a pipe or a file).
PIPE_WIDTH = 100
#: A width no table reaches, to measure tables at their natural width.
_UNLIMITED = 100_000


def whole_width(table: Table, console: Console) -> int:
    """The narrowest width at which no cell of `table` is cut: a `no_wrap` column as wide as
    its widest cell (header included), any other column as wide as its longest word.

    Each column's `min_width` is raised to that, so that rich never squeezes a column below
    it: a number, an id or a name is printed whole or not at all.
    """
    options = console.options.update_width(_UNLIMITED)
    for column in table.columns:
        if column.width is not None:
            continue
        sizes = [Measurement.get(console, options, c) for c in (column.header, *column.cells)]
        need = max((m.maximum if column.no_wrap else m.minimum for m in sizes), default=1)
        column.min_width = max(column.min_width or 0, need)
    return Measurement.get(console, options, table).minimum


def show(table: Any, width: int = PIPE_WIDTH) -> None:
    """Print a table at the console's width, widened so that no number or id is cut: at least
    `whole_width` (even on a narrow terminal), and at least `width` when not a terminal (rich
    assumes 80 columns there)."""
    wanted = whole_width(table, out) if isinstance(table, Table) else 0
    if not out.is_terminal:
        wanted = max(wanted, width)
    if out.width >= wanted:
        out.print(table)
        return
    narrow = out.width
    out.width = wanted  # Console.print(width=...) can only narrow the output
    try:
        out.print(table)
    finally:
        out.width = narrow


def report_input_error(error: ScenarioError, what: str = "nothing was solved") -> None:
    err.print(Text.assemble(("invalid scenario", "bold red"), f" {error.scenario}".rstrip()))
    for issue in error.issues:
        err.print(f"  {issue}")
    err.print(f"{len(error.issues)} problem(s); {what}.")


def load_or_exit(scenario: str, what: str = "nothing was done") -> Scenario:
    """Load a scenario, or report every problem and exit 2."""
    try:
        return load_scenario(scenario)
    except ScenarioError as error:
        report_input_error(error, what)
        raise typer.Exit(EXIT_INPUT) from None


def internal(exc: BaseException) -> typer.Exit:
    """An unexpected error: one line and exit 1 (the traceback with NDALLOC_DEBUG=1)."""
    if os.environ.get("NDALLOC_DEBUG"):
        raise exc
    err.print(Text.assemble(("internal error", "bold red"), f": {type(exc).__name__}: {exc}"))
    err.print("Set NDALLOC_DEBUG=1 to see the traceback, and please report it.")
    return typer.Exit(EXIT_INTERNAL)
