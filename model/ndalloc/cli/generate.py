"""`ndalloc generate`: write a synthetic scenario of a given size (benchmarks, scale tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ndalloc.cli.app import EXIT_INPUT, app, err, out
from ndalloc.cli.overwrite import refuse_or_clear


def _count(flag: str, what: str, least: int = 1) -> Any:
    return typer.Option(flag, min=least, help=what)


@app.command()
def generate(
    folder: Annotated[Path, typer.Argument(help="Folder to write the scenario into (new).")],
    sources: Annotated[int, _count("--sources", "Oxide sources.")] = 10,
    makers: Annotated[int, _count("--makers", "Magnet makers.")] = 10,
    contracts: Annotated[int, _count("--contracts", "Export contracts.")] = 10,
    sectors: Annotated[int, _count("--sectors", "Demand sectors.")] = 20,
    years: Annotated[int, _count("--years", "Years of the horizon (from 2025).")] = 10,
    origins: Annotated[
        int, _count("--origins", "Import origins (oxide and magnets); 0: sources/20.", least=0)
    ] = 0,
    stockpiles: Annotated[
        int, _count("--stockpiles", "Oxide stockpiles; 0: sources/200 (at least 1).", least=0)
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed, the same files.")] = 0,
    name: Annotated[
        str | None, typer.Option("--name", help="Scenario name (default synthetic-SEED).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the scenario files FOLDER holds already.")
    ] = False,
) -> None:
    """Write a valid, feasible synthetic scenario with every table (deterministic from --seed)."""
    from ndalloc.data.generate import Size
    from ndalloc.data.generate import generate as write

    size = Size(sources, makers, contracts, sectors, years, origins, stockpiles)
    try:
        refuse_or_clear(folder, force)
        written = write(size, seed, folder, name)
    except (FileExistsError, ValueError) as exc:
        err.print(f"cannot generate: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        err.print(f"cannot write {folder}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_INPUT) from None
    resolved = size.resolved()
    out.print(
        f"wrote {written}: {resolved.sources} sources, {resolved.contracts} contracts,"
        f" {resolved.makers} makers, {resolved.sectors} sectors, {resolved.origins} import"
        f" origins, {resolved.stockpiles} stockpiles, {resolved.years} years (seed {seed})",
    )
