"""The `ndalloc` command. Each module registers its commands on the shared Typer app."""

from __future__ import annotations

import sys

from ndalloc.cli import (  # noqa: F401  (registers the commands)
    breakeven,
    compare,
    excel,
    generate,
    report,
    scenarios,
    solve,
    sweep,
)
from ndalloc.cli.app import app, err
from ndalloc.cli.solve import EXIT_CODES, EXIT_OTHER

__all__ = ["EXIT_CODES", "EXIT_OTHER", "app", "main"]


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
