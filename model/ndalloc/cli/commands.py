"""Every command module, imported so that each registers its commands on the shared app."""

from __future__ import annotations

from ndalloc.cli import (  # noqa: F401  (registers the commands)
    breakeven,
    compare,
    excel,
    generate,
    report,
    runs,
    scenarios,
    solve,
    sweep,
    tree,
)
from ndalloc.cli.app import app, err
from ndalloc.cli.solve import EXIT_CODES, EXIT_OTHER

__all__ = ["EXIT_CODES", "EXIT_OTHER", "app", "err"]
