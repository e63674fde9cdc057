"""Never overwrite a scenario's files without --force: `show --to DIR` and `generate DIR`."""

from __future__ import annotations

from pathlib import Path

import typer

from ndalloc.cli.app import EXIT_INPUT, err
from ndalloc.data.readers import SCENARIO_FILE
from ndalloc.data.schema import TABLES

#: Every file a scenario folder may hold: what `show --to` and `generate` write.
SCENARIO_FILES = (SCENARIO_FILE, *(model.FILE for model in TABLES.values()))


def existing(folder: Path) -> list[str]:
    """The scenario files already in `folder`, in the usual order."""
    return [name for name in SCENARIO_FILES if (folder / name).is_file()]


def refuse_or_clear(folder: Path, force: bool) -> None:
    """Exit 2 naming the scenario files `folder` holds already, unless `force`: then remove
    them, so that no stale table is left beside the new ones."""
    found = existing(folder)
    if not found:
        return
    if not force:
        err.print(f"{folder} exists and holds {', '.join(found)}; give --force to replace them")
        raise typer.Exit(EXIT_INPUT)
    for name in found:
        (folder / name).unlink()
