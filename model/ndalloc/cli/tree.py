"""`ndalloc tree ...` writes scenario trees; `ndalloc solve-tree` plans on one under uncertainty
(docs/formulation.md section 11)."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ndalloc.cli.app import EXIT_INPUT, app, err, internal, load_or_exit, out, report_input_error
from ndalloc.cli.solve import EXIT_CODES, EXIT_OTHER

tree_app = typer.Typer(
    no_args_is_help=True, help="Write a scenario tree file (for `ndalloc solve-tree`)."
)
app.add_typer(tree_app, name="tree")

OutArg = Annotated[Path, typer.Argument(help="The tree file to write (e.g. tree.toml).")]
BaseOpt = Annotated[str, typer.Option("--base", help="Base scenario: bundled name or folder.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")]
NameOpt = Annotated[str | None, typer.Option("--name", help="The tree's name (default: OUT's).")]


def _bar(text: str) -> Progress:
    """A progress bar on standard error, shown only on a terminal."""
    return Progress(
        TextColumn(text),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _command() -> str:
    return "ndalloc " + " ".join(sys.argv[1:])


def _write(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        err.print(f"{path} exists; give --force to replace it")
        raise typer.Exit(EXIT_INPUT)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        err.print(f"cannot write {path}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_INPUT) from None


def _name(name: str | None, path: Path) -> str:
    chosen = name or re.sub(r"[^a-z0-9_\-]+", "-", path.stem.lower()).strip("-") or "tree"
    if not re.match(r"^[a-z0-9][a-z0-9_\-]*$", chosen):
        err.print(f"--name {chosen!r}: lowercase letters, digits, - and _ only")
        raise typer.Exit(EXIT_INPUT)
    return chosen


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text)
    if match is None:
        err.print(f"--years {text!r}: write FIRST-LAST, e.g. 2026-2030")
        raise typer.Exit(EXIT_INPUT)
    return int(match[1]), int(match[2])


@tree_app.command("china-curbs-markov")
def china_curbs_markov(
    path: OutArg,
    base: BaseOpt = "india-base",
    years: Annotated[
        str, typer.Option("--years", help="Years of the chain, FIRST-LAST.")
    ] = "2026-2030",
    p_curb: Annotated[
        float, typer.Option("--p-curb", help="Probability a curb starts in a year without one.")
    ] = 0.2,
    p_end: Annotated[
        float, typer.Option("--p-end", help="Probability a curb ends in a year with one.")
    ] = 0.5,
    severity: Annotated[
        float, typer.Option("--severity", help="Share of the imports a curb cuts (0-1).")
    ] = 0.8,
    origin: Annotated[str, typer.Option("--origin", help="The curbing origin.")] = "china",
    name: NameOpt = None,
    force: ForceOpt = False,
) -> None:
    """A Markov curb/no-curb tree: each year a curb on the origin's oxide and magnet imports
    starts (--p-curb) or ends (--p-end); the last year's state holds to the horizon's end."""
    from ndalloc.data.tree_make import MarkovCurbs, TreeSpecError, markov_tree_text

    scenario = load_or_exit(base, "no tree was written")
    first, last = _years(years)
    spec = MarkovCurbs(first, last, p_curb, p_end, severity, origin)
    try:
        text = markov_tree_text(spec, base, scenario, _name(name, path), _command())
    except TreeSpecError as exc:
        err.print(f"cannot make the tree: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    _write(path, text, force)
    leaves = 2 ** (last - first + 1)
    out.print(f"wrote {path}: a Markov curb tree {first}-{last}, up to {leaves} scenarios")


@tree_app.command("two-stage")
def two_stage(
    path: OutArg,
    scenario: Annotated[
        list[str],
        typer.Option(
            "--scenario",
            metavar="NAME=P",
            help="A scenario (bundled name or folder) and its probability; repeat.",
        ),
    ],
    year: Annotated[int, typer.Option("--year", help="The year the uncertainty resolves.")],
    base: BaseOpt = "india-base",
    name: NameOpt = None,
    force: ForceOpt = False,
) -> None:
    """A two-stage tree: decide until --year not knowing which --scenario comes."""
    from ndalloc.data.tree_make import TreeSpecError, two_stage_tree_text

    base_scenario = load_or_exit(base, "no tree was written")
    branches = []
    for given in scenario:
        ref, sep, prob = given.rpartition("=")
        try:
            p = float(prob)
        except ValueError:
            p = -1.0
        if not sep or not ref or not 0.0 < p <= 1.0:
            err.print(f"--scenario {given!r}: write NAME=P with P in (0, 1]")
            raise typer.Exit(EXIT_INPUT)
        label = re.sub(r"[^a-z0-9_\-]+", "-", Path(ref).name.lower()).strip("-")
        branches.append((label, load_or_exit(ref, "no tree was written"), p))
    try:
        text = two_stage_tree_text(
            base, base_scenario, year, branches, _name(name, path), _command()
        )
    except TreeSpecError as exc:
        err.print(f"cannot make the tree: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    _write(path, text, force)
    out.print(f"wrote {path}: two stages, {len(branches)} scenarios from {year}")


@app.command("solve-tree")
def solve_tree_command(
    tree: Annotated[
        Path, typer.Argument(help="A tree file (see `ndalloc tree`), or a bundled tree's name.")
    ],
    risk_weight: Annotated[
        float,
        typer.Option("--risk-weight", min=0.0, max=1.0, help="lambda: weight of CVaR (0-1)."),
    ] = 0.0,
    cvar_alpha: Annotated[
        float,
        typer.Option("--cvar-alpha", min=0.0, max=0.999999, help="CVaR's level (worst 1-alpha)."),
    ] = 0.9,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Threads for the wait-and-see solves.")
    ] = 2,
    measures: Annotated[
        bool, typer.Option("--measures/--no-measures", help="Also WS, EV, EEV, VSS, EVPI.")
    ] = True,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder that receives the run folder.")
    ] = Path("runs"),
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask", metavar="ADDRESS", help="Dask scheduler for the WS, EEV and PH-plan solves."
        ),
    ] = None,
    ph: Annotated[
        bool,
        typer.Option("--ph", help="Progressive hedging (mpi-sppy) instead of the extensive form."),
    ] = False,
    processes: Annotated[
        int, typer.Option("--np", min=1, help="MPI processes for --ph (1 needs no MPI).")
    ] = 1,
    ph_iterations: Annotated[
        int, typer.Option("--ph-iterations", min=1, help="Most PH iterations.")
    ] = 200,
    ph_rho: Annotated[
        float, typer.Option("--ph-rho", min=1e-12, help="PH penalty per unit of |cost|.")
    ] = 0.01,
    ph_tolerance: Annotated[
        float, typer.Option("--ph-tolerance", min=0.0, help="PH's relative residuals to stop.")
    ] = 1e-6,
) -> None:
    """Plan under uncertainty: the stochastic program on a scenario tree, its value (VSS) and
    the value of perfect information (EVPI), in a run folder; `--ph --np 4` solves it by
    progressive hedging on 4 MPI processes."""
    from ndalloc.data.errors import ScenarioError
    from ndalloc.data.tree import load_tree
    from ndalloc.sensitivity.run import ClusterError
    from ndalloc.solver.status import SolveOptions
    from ndalloc.stochastic.extensive import Risk, StructureError
    from ndalloc.stochastic.folder import ph_lines, summary_lines, write_tree_run
    from ndalloc.stochastic.hedging import NotHedgeableError, PhSettings
    from ndalloc.stochastic.hedging_run import HedgingError, PhSummary, hedge_tree
    from ndalloc.stochastic.solve import solve_tree
    from ndalloc.stochastic.tables import tree_tables

    started = datetime.now(UTC)
    try:
        loaded = load_tree(tree)
    except ScenarioError as error:
        report_input_error(error, "nothing was solved")
        raise typer.Exit(EXIT_INPUT) from None
    if ph and risk_weight > 0:
        err.print("--ph plans on the expected benefit only: drop --risk-weight, or drop --ph")
        raise typer.Exit(EXIT_INPUT)
    options = SolveOptions()
    summary: PhSummary | None = None
    try:
        with _bar("{task.description}") as bar:
            task = bar.add_task("building", total=None)

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total or None)

            if ph:
                settings = PhSettings(ph_iterations, ph_rho, ph_tolerance)
                result, summary = hedge_tree(
                    loaded,
                    str(tree),
                    processes,
                    settings,
                    options,
                    measures=measures,
                    workers=workers,
                    dask=dask,
                    progress=progress,
                )
            else:
                result = solve_tree(
                    loaded,
                    Risk(risk_weight, cvar_alpha),
                    options,
                    measures=measures,
                    workers=workers,
                    dask=dask,
                    progress=progress,
                )
        tables = tree_tables(result)
        folder = write_tree_run(result, tables, options, out_dir, started, summary)
    except (StructureError, NotHedgeableError) as exc:
        err.print(f"cannot solve the tree: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    except ClusterError as exc:
        err.print(f"{exc}; no run folder was written", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    except HedgingError as exc:
        err.print(f"cannot solve the tree by progressive hedging: {exc}")
        raise typer.Exit(EXIT_OTHER) from None
    except Exception as exc:
        raise internal(exc) from None
    for line in [*summary_lines(result, tables), *ph_lines(summary)]:
        out.print(line)
    out.print(f"run folder: {folder}")
    if not result.optimal:
        raise typer.Exit(EXIT_CODES.get(result.status, EXIT_OTHER))


@app.command("tree-sweep")
def tree_sweep_command(
    parameter: Annotated[
        str, typer.Argument(help="The chain's parameter to vary: p-curb, p-end or severity.")
    ],
    values: Annotated[
        str, typer.Argument(help="Its values: 0,0.1,0.2 or FIRST:LAST:STEP (e.g. 0:0.4:0.1).")
    ],
    base: BaseOpt = "india-base",
    years: Annotated[
        str, typer.Option("--years", help="Years of the chain, FIRST-LAST.")
    ] = "2026-2030",
    p_curb: Annotated[float, typer.Option("--p-curb", help="Held p-curb.")] = 0.2,
    p_end: Annotated[float, typer.Option("--p-end", help="Held p-end.")] = 0.5,
    severity: Annotated[float, typer.Option("--severity", help="Held severity (0-1).")] = 0.8,
    origin: Annotated[str, typer.Option("--origin", help="The curbing origin.")] = "china",
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Threads for each tree's measures.")
    ] = 2,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder that receives the sweep folder.")
    ] = Path("runs"),
) -> None:
    """How the stochastic plan moves with a Markov curb tree's parameter: for each value, the
    tree's plan and measures (stockpile by year, VSS, EVPI) in one row of a sweep folder."""
    from ndalloc.data.tree_make import MarkovCurbs, TreeSpecError
    from ndalloc.stochastic.tree_sweep import (
        TreeSweep,
        parse_values,
        run_tree_sweep,
        write_tree_sweep,
    )

    started = datetime.now(UTC)
    scenario = load_or_exit(base, "nothing was swept")
    name = parameter.replace("-", "_")
    try:
        points = list(parse_values(values))
        first, last = _years(years)
        spec = MarkovCurbs(first, last, p_curb, p_end, severity, origin)
        sweep = TreeSweep(
            str(Path(base).resolve()) if Path(base).is_dir() else base, spec, name, tuple(points)
        )
        for value in points:
            spec_at = MarkovCurbs(**{**spec.__dict__, name: value})
            spec_at.check(scenario)
    except (ValueError, TreeSpecError) as exc:
        err.print(f"cannot sweep the tree: {exc}; nothing was swept", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    try:
        with _bar("tree sweep") as bar:
            task = bar.add_task("points", total=len(points))
            table = run_tree_sweep(
                sweep,
                scenario,
                workers=workers,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        folder = write_tree_sweep(sweep, scenario, table, out_dir, started)
    except Exception as exc:
        raise internal(exc) from None
    from ndalloc.report.trees import sweep_words

    for line in sweep_words(table, name):
        out.print(line)
    out.print(f"sweep folder: {folder}")
