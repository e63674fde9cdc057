"""`ndalloc breakeven`: the value of one input at which two scenarios' objectives are equal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ndalloc.cli.app import EXIT_INPUT, ScenarioArg, app, err, internal, load_or_exit, out, show

EXIT_NOT_OPTIMAL = 3


def _between(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        low, high = (float(part) for part in text.split(":"))
    except ValueError:
        err.print(f"invalid break-even: --between {text!r}: write LOW:HIGH")
        raise typer.Exit(EXIT_INPUT) from None
    return low, high


@app.command()
def breakeven(
    a: ScenarioArg,
    b: ScenarioArg,
    param: Annotated[
        str,
        typer.Option(
            "--param",
            help="The input set to the same value in both, TABLE.COLUMN[KEY@YEARS] (as --vary)"
            " or scenario.discount_rate.",
        ),
    ],
    between: Annotated[
        str | None,
        typer.Option(
            "--between",
            help="LOW:HIGH, the values to search; default the input's range (ranges.csv or"
            " the rows' low/high).",
        ),
    ] = None,
    tol: Annotated[
        float | None,
        typer.Option("--tol", min=0.0, help="Largest error accepted on the value, in its unit."),
    ] = None,
    samples: Annotated[
        int,
        typer.Option("--samples", min=2, help="Values solved across the range before refining."),
    ] = 9,
    points: Annotated[
        bool, typer.Option("--points", help="Also print every value solved.")
    ] = False,
) -> None:
    """Find where scenario B's objective equals A's as one input moves (exit 0 either way)."""
    from ndalloc.sensitivity.breakeven import BreakevenError, check
    from ndalloc.sensitivity.engine import BaseNotOptimalError

    sc_a = load_or_exit(a, "nothing was solved")
    sc_b = load_or_exit(b, "nothing was solved")
    try:
        selector, span = check(sc_a, sc_b, param, _between(between))
    except BreakevenError as exc:
        err.print(f"invalid break-even: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    from ndalloc.sensitivity.breakeven import breakeven as search
    from ndalloc.sensitivity.breakeven import number

    unit = selector.unit
    out.print(
        f"break-even of {selector.label} between A = {sc_a.name} and B = {sc_b.name},"
        f" searched in [{number(span[0])}, {number(span[1])}] {unit}",
    )
    try:
        with err.status("solving both scenarios") as status:
            found = search(
                sc_a,
                sc_b,
                param,
                span,
                tol=tol,
                samples=samples,
                progress=lambda n: status.update(f"solved both scenarios at {n} values"),
            )
    except BaseNotOptimalError as exc:
        err.print(
            f"scenario {exc.scenario} is {exc.status}: a break-even needs both scenarios optimal",
        )
        raise typer.Exit(EXIT_NOT_OPTIMAL) from None
    except Exception as exc:
        raise internal(exc) from None
    if points:
        _points(found)
    out.print(found.summary())
    out.print(f"values solved: {len(found.points)}")


def _points(found: object) -> None:
    from ndalloc.sensitivity.breakeven import Breakeven, musd, number

    assert isinstance(found, Breakeven)
    table = Table(title=f"Objectives by {found.parameter} (million USD)")
    for column in (f"value ({found.unit})", "A", "B", "B - A"):
        table.add_column(column, justify="right")
    for p in found.points:
        d = p.difference
        table.add_row(
            number(p.value),
            musd(p.objective_a) if p.objective_a is not None else p.status_a,
            musd(p.objective_b) if p.objective_b is not None else p.status_b,
            musd(d) if d is not None else "-",
        )
    show(table)
