"""The `ndalloc` command. Each module registers its commands on the shared Typer app.

`main` sets the signal handlers before anything heavy is imported, so that Ctrl-C or SIGTERM
even during start-up ends the command with one line and exit 130 or 143, never a traceback
(`ndalloc.cli.interrupts`). The Typer app, with every command registered, is
`ndalloc.cli.commands.app`; the exit codes are loaded on first use.
"""

from __future__ import annotations

import sys
from typing import Any

from ndalloc.cli import interrupts

__all__ = ["EXIT_CODES", "EXIT_OTHER", "main"]


def main() -> None:
    """Console-script entry point."""
    interrupts.install()
    try:
        from ndalloc.cli.commands import app

        app()
    except SystemExit as exc:
        sys.exit(interrupts.finish(exc.code))
    except KeyboardInterrupt as exc:
        sys.exit(interrupts.finish(interrupts.code_of(exc)))


def __getattr__(name: str) -> Any:
    if name in ("EXIT_CODES", "EXIT_OTHER"):
        from ndalloc.cli import commands

        return getattr(commands, name)
    raise AttributeError(f"module 'ndalloc.cli' has no attribute {name!r}")
