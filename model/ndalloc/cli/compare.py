"""Commands that compare: two scenarios' inputs (`diff`) and solved runs (`compare`); the list of
runs in a folder (`runs`) is in `ndalloc.cli.runs`.

pandas is imported only inside the commands, so `ndalloc --help` stays quick. Numbers are
printed with thousands separators and units in the headers; tables are laid out for 100 columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ndalloc.cli.app import EXIT_INPUT, ScenarioArg, app, err, internal, load_or_exit, out, show
from ndalloc.cli.terms import print_term_comparison
from ndalloc.run_labels import letter as _label

if TYPE_CHECKING:
    import pandas as pd

    from ndalloc.data.diff import Difference

RunsDir = Annotated[
    Path, typer.Option("--dir", help="Folder of run folders, where run ids are looked up.")
]


def note(text: str) -> None:
    """A line of prose, wrapped at the console's width (80 columns when not a terminal)."""
    out.print(text, highlight=False, soft_wrap=False)


# --- number formatting ---------------------------------------------------------------------


def _missing(value: Any) -> bool:
    """None, NaN or NaT (the only values not equal to themselves)."""
    return value is None or bool(value != value)


def fmt(value: Any, decimals: int = 0) -> str:
    """A number with thousands separators and a fixed number of decimals; "" when missing."""
    if _missing(value):
        return ""
    text = f"{float(value):,.{decimals}f}"
    return text[1:] if text.lstrip("-0.,") == "" and text.startswith("-") else text


def fmt_change(value: Any, decimals: int = 0) -> str:
    """A signed difference; "0" when none, and small non-zero ones never shown as 0."""
    if _missing(value):
        return ""
    if value == 0:
        return "0"
    text = f"{float(value):+,.{decimals}f}"
    if text.lstrip("+-0.,") == "":  # would read as zero: show two significant digits
        text = f"{float(value):+.2g}"
    return text


def fmt_general(value: Any, signed: bool = False) -> str:
    """Any input value: numbers to 6 significant digits with thousands separators (and a sign
    when `signed`, for changes)."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        if number == 0:
            return "0"
        decimals = min(6, max(0, 5 - math.floor(math.log10(abs(number)))))
        text = f"{number:{'+' if signed else ''},.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _pct(value: Any) -> str:
    return "" if _missing(value) else f"{float(value):+,.1f}"


def _years(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


# --- diff ----------------------------------------------------------------------------------


def _collapse(found: Iterable[Difference]) -> Iterator[tuple[Difference, list[int]]]:
    """Group differences by (key, column) in order of appearance, and merge consecutive years
    with the same pair of values into one row with the list of its years."""
    groups: dict[tuple[str, str | None], list[Difference]] = {}
    for d in found:
        groups.setdefault((d.key, d.column), []).append(d)
    for items in groups.values():
        items.sort(key=lambda d: -1 if d.year is None else d.year)
        run: list[Difference] = []
        for d in items:
            if (
                run
                and d.year is not None
                and run[-1].year is not None
                and d.year == run[-1].year + 1
                and (d.value_a, d.value_b) == (run[0].value_a, run[0].value_b)
            ):
                run.append(d)
                continue
            if run:
                yield run[0], [x.year for x in run if x.year is not None]
            run = [d]
        if run:
            yield run[0], [x.year for x in run if x.year is not None]


def _diff_tables(found: list[Difference]) -> None:
    from ndalloc.data.diff import SETTINGS_TABLE
    from ndalloc.data.schema import TABLES

    settings = [d for d in found if d.kind == "setting"]
    if settings:
        numeric = any(d.change is not None for d in settings)
        table = Table(
            title="scenario.toml settings",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            collapse_padding=True,
            title_justify="left",
        )
        table.add_column("setting")
        table.add_column("A", overflow="fold")
        table.add_column("B", overflow="fold")
        if numeric:
            table.add_column("change", justify="right", no_wrap=True)
        for d in settings:
            cells = [str(d.column), fmt_general(d.value_a), fmt_general(d.value_b)]
            if numeric:
                cells.append(fmt_general(d.change, signed=True))
            table.add_row(*cells)
        show(table)
    for name, model in TABLES.items():
        mine = [d for d in found if d.table == name and d.table != SETTINGS_TABLE]
        if not mine:
            continue
        changed = [d for d in mine if d.kind == "changed"]
        only_a = [d for d in mine if d.kind == "only_in_a"]
        only_b = [d for d in mine if d.kind == "only_in_b"]
        counts = f"{len(changed)} changed cell(s)"
        if only_a or only_b:
            counts += f", {len(only_a)} row(s) only in A, {len(only_b)} only in B"
        out.print(Text.assemble((model.FILE, "bold"), f": {counts}"))
        if changed:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True)
            table.add_column("key", overflow="fold")
            table.add_column("column", overflow="fold")
            table.add_column("year(s)", no_wrap=True)
            table.add_column("A", justify="right", no_wrap=True)
            table.add_column("B", justify="right", no_wrap=True)
            table.add_column("change", justify="right", no_wrap=True)
            table.add_column("change %", justify="right", no_wrap=True)
            for d, years in _collapse(changed):
                table.add_row(
                    str(d.key),  # a ranges.csv key such as [KEY] is printed as is
                    d.column,
                    _years(years) if years else "",
                    fmt_general(d.value_a),
                    fmt_general(d.value_b),
                    fmt_general(d.change, signed=True),
                    _pct(d.change_pct),
                )
            show(table)
        for which, rows in (("A", only_a), ("B", only_b)):
            if not rows:
                continue
            table = Table(
                box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True, title_justify="left"
            )
            table.add_column("key", overflow="fold")
            table.add_column("year(s)", no_wrap=True)
            table.add_column(f"row only in {which}: values", overflow="fold")
            for d, years in _collapse(rows):
                values = d.value_a if which == "A" else d.value_b
                table.add_row(str(d.key), _years(years) if years else "", str(values))
            show(table)


@app.command()
def diff(
    scenario_a: ScenarioArg,
    scenario_b: ScenarioArg,
    citations: Annotated[
        bool, typer.Option("--citations", help="Also compare the citation column.")
    ] = False,
) -> None:
    """List every input that differs between two scenarios, table by table."""
    a = load_or_exit(scenario_a, "nothing was compared")
    b = load_or_exit(scenario_b, "nothing was compared")
    from ndalloc.data.diff import differences

    found = differences(a, b, citations=citations)
    out.print(f"A: {a.name} ({a.origin})")
    out.print(f"B: {b.name} ({b.origin})")
    if not found:
        out.print("no differences")
        return
    _diff_tables(found)
    out.print(
        f"{len(found)} difference(s); consecutive years with the same change are shown as one row",
    )


# --- compare -------------------------------------------------------------------------------

#: Display names of the allocation quantities and shadow-price constraints.
_NAMES = {
    "exports": "exports",
    "to_makers": "to makers",
    "to_stock": "to stock",
    "unallocated": "unallocated",
    "oxide_imports": "oxide imports",
    "magnet_imports": "magnet imports",
    "magnet_shortage": "magnet shortage",
    "oxide_balance": "oxide",
    "source_capacity": "source capacity",
    "maker_capacity": "maker capacity",
    "contract_min": "contract minimum",
}


def _summary_table(summary: pd.DataFrame, labels: list[str]) -> None:
    table = Table(
        title="Runs (differences are against run A)",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
        title_justify="left",
    )
    table.add_column("run")
    table.add_column("run id", overflow="fold")
    table.add_column("status", overflow="fold")
    table.add_column("objective\n(million USD)", justify="right", no_wrap=True)
    table.add_column("vs A\n(million USD)", justify="right", no_wrap=True)
    for i, label in enumerate(labels):
        row = summary.iloc[i]
        table.add_row(
            label,
            str(row["run"]),
            str(row["status"]),
            fmt(row["objective_musd"], 1),
            "" if i == 0 else fmt_change(row["diff_vs_first_musd"], 1),
        )
    show(table)
    out.print("objective: discounted net national benefit, USD of the first year", style="dim")


def _section(
    frame: pd.DataFrame,
    title: str,
    groups: list[str],
    name: Callable[[tuple[Any, ...]], str],
    unit: str,
    labels: list[str],
    changed_only: bool,
) -> None:
    """One table: a group label, the year, each run's value, and each later run's difference."""
    from ndalloc.comparison import diff_column, value_column

    value, diff = value_column(frame), diff_column(frame)
    runs = list(dict.fromkeys(frame["run"]))
    if frame.empty or not runs:
        out.print(f"{title}: nothing in any run")
        return
    by_run = [frame[frame["run"] == r].reset_index(drop=True) for r in runs]
    base = by_run[0]
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
        title_justify="left",
    )
    table.add_column(groups[-1] if len(groups) == 1 else "", overflow="fold")
    table.add_column("year", justify="right", no_wrap=True)
    for label in labels:
        table.add_column(f"{label}\n({unit})", justify="right", no_wrap=True)
    for label in labels[1:]:
        table.add_column(f"{label} - {labels[0]}\n({unit})", justify="right", no_wrap=True)
    quiet, same = [], []
    shown_groups = 0
    for key, rows in base.groupby(groups, sort=False):
        key_tuple = key if isinstance(key, tuple) else (key,)
        index = list(rows.index)
        values = [[f.at[i, value] for f in by_run] for i in index]
        diffs = [[f.at[i, diff] for f in by_run[1:]] for i in index]
        if all(_missing(v) or v == 0 for row in values for v in row):
            quiet.append(name(key_tuple))
            continue
        if changed_only:
            keep = [
                j
                for j, (vs, ds) in enumerate(zip(values, diffs, strict=True))
                if any(not _missing(d) and d != 0 for d in ds)
                or any(_missing(v) != _missing(vs[0]) for v in vs)
            ]
            if not keep:
                same.append(name(key_tuple))
                continue
        else:
            keep = list(range(len(index)))
        if shown_groups:
            table.rows[-1].end_section = True
        shown_groups += 1
        for n, j in enumerate(keep):
            table.add_row(
                name(key_tuple) if n == 0 else "",
                str(int(base.at[index[j], "year"])),
                *(fmt(v) for v in values[j]),
                *(fmt_change(d) for d in diffs[j]),
            )
    if shown_groups:
        show(table)
    else:
        out.print(title)
    if quiet:
        note(f"  zero in every run and year: {', '.join(quiet)}")
    if same:
        note(f"  the same in every run: {', '.join(same)}")


@app.command()
def compare(
    runs: Annotated[
        list[str],
        typer.Argument(help="Two or more run folders, or run ids (or their start) in --dir."),
    ],
    runs_dir: RunsDir = Path("runs"),
    changed: Annotated[
        bool, typer.Option("--changed", help="Show only rows where a run differs from run A.")
    ] = False,
) -> None:
    """Compare solved runs side by side, with differences against the first."""
    if len(runs) < 2:
        err.print("give at least two runs to compare (run folders or run ids)")
        raise typer.Exit(EXIT_INPUT)
    from ndalloc.comparison import RunFolderError
    from ndalloc.comparison import compare as compare_runs
    from ndalloc.run_lookup import RunNotFoundError

    try:
        tables = compare_runs(*runs, runs_dir=runs_dir)
    except RunFolderError as exc:
        said = "" if isinstance(exc, RunNotFoundError) else "not a run"
        err.print(Text.assemble((said, "bold red"), ": " if said else "", str(exc)))
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as exc:
        raise internal(exc) from None
    labels = [_label(i) for i in range(len(runs))]
    _summary_table(tables["summary"], labels)
    print_term_comparison(tables, labels)

    def plain(key: tuple[Any, ...]) -> str:
        return _NAMES.get(str(key[0]), str(key[0]))

    def with_unit(key: tuple[Any, ...]) -> str:
        return f"{_NAMES.get(str(key[0]), str(key[0]))} ({key[1]})"

    def contract(key: tuple[Any, ...]) -> str:
        return f"{key[0]} {key[1]}"

    def shadow(key: tuple[Any, ...]) -> str:
        what = _NAMES.get(str(key[0]), str(key[0]))
        return f"{what}: {key[1]}" if key[1] else what

    sections: list[tuple[str, str, list[str], Callable[[tuple[Any, ...]], str], str]] = [
        ("allocation", "Allocation by year", ["quantity", "unit"], with_unit, "t"),
        ("stockpile", "Stockpile level at year end", ["stockpile"], plain, "t oxide"),
        ("contracts", "Contract deliveries", ["contract", "quantity"], contract, "t oxide"),
        (
            "shadow_prices",
            "Shadow prices (value of one more tonne, USD of the year)",
            ["constraint", "entity"],
            shadow,
            "USD/t",
        ),
    ]
    for key, title, groups, name, unit in sections:
        frame = tables[key]
        frame = frame.fillna({"entity": ""}) if "entity" in frame else frame
        _section(frame, title, groups, name, unit, labels, changed)
