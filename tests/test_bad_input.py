"""Bad input, one class per test: the CLI exits 2 with `file:line: column: message`, never a
traceback, and the Python API raises ScenarioError with the same Issue.

Every case writes the worked example of test_smoke.py (objective 1200 USD), breaks one thing and
checks the report. The CLI runs (about 1 s each) are started side by side once per module.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, flat, run_many
from ndalloc import Issue, ScenarioError
from scenario_factory import (
    WORKED_CONTRACT,
    WORKED_OBJECTIVE,
    WORKED_SOURCE,
    Expect,
    worked_example,
)

#: Cases of the hostile-input corpus (counted: 'bad inputs: N handled').
pytestmark = pytest.mark.hostile

SOURCES = [WORKED_SOURCE]
CONTRACTS = [WORKED_CONTRACT]
STOCKPILE = {"stockpile": "s", "max_t": 5, "max_inject_t": 5, "max_release_t": 5}
#: Objective of the valid scenario (see test_smoke.py): exports 6 t at 300 - 100 USD/t.
VALID_OBJECTIVE = WORKED_OBJECTIVE
SOURCES_HEADER = "source,year,capacity_t,cost_usd_per_t\n"


def valid(folder: Path, meta: dict | None = None, **tables: list[dict]) -> Path:
    """The worked example, with some tables replaced or added."""
    return worked_example(folder, meta, **tables)


def sources_csv(folder: Path, body: str | bytes) -> Path:
    """Replace sources.csv by the usual header followed by `body` (rows, as written)."""
    data = body.encode() if isinstance(body, str) else body
    (folder / "sources.csv").write_bytes(SOURCES_HEADER.encode() + data)
    return folder


def location(file: str, line: int, column: str) -> str:
    """The `file:line: column:` prefix of a reported problem (no line for a whole file)."""
    where = f"{file}:{line}" if line else file
    return f"{where}: {column}:"


@dataclass(frozen=True)
class Case:
    """A class of bad input: how to write it and what must be reported (and nothing else)."""

    build: Callable[[Path], str]
    expect: tuple[Expect, ...]
    also_solve: bool = False


# --- the cases: each builder writes into `d` and returns the scenario argument --------------


def missing_sources(d: Path) -> str:
    valid(d)
    (d / "sources.csv").unlink()
    return str(d)


def missing_scenario_toml(d: Path) -> str:
    valid(d)
    (d / "scenario.toml").unlink()
    return str(d)


def missing_column(d: Path) -> str:
    valid(d, sources=[{k: v for k, v in SOURCES[0].items() if k != "cost_usd_per_t"}])
    return str(d)


def unknown_column(d: Path) -> str:
    valid(d, sources=[{**SOURCES[0], "colour": "red"}])
    return str(d)


def wrong_type(d: Path) -> str:
    valid(d, sources=[{**SOURCES[0], "capacity_t": "ten"}])
    return str(d)


def empty_file(d: Path) -> str:
    valid(d)
    (d / "sources.csv").write_bytes(b"")
    return str(d)


def header_only_required(d: Path) -> str:
    valid(d)
    sources_csv(d, "")
    return str(d)


def negative_quantity(d: Path) -> str:
    valid(d, sources=[{**SOURCES[0], "capacity_t": -5}])
    return str(d)


def nan_quantity(d: Path) -> str:
    valid(d, sources=[{**SOURCES[0], "capacity_t": "nan"}])
    return str(d)


def inf_quantity(d: Path) -> str:
    valid(d, sources=[{**SOURCES[0], "capacity_t": "inf"}])
    return str(d)


def duplicate_key(d: Path) -> str:
    other = {**SOURCES[0], "source": "b"}
    valid(d, sources=[SOURCES[0], other, {**SOURCES[0], "capacity_t": 3}])
    return str(d)


def unknown_route_origin(d: Path) -> str:
    valid(
        d, routes=[{"origin": "a", "destination": "k"}, {"origin": "nowhere", "destination": "k"}]
    )
    return str(d)


def unknown_initial_stockpile(d: Path) -> str:
    valid(
        d,
        stockpiles=[{**STOCKPILE, "year": 2025}],
        stockpile_initial=[{"stockpile": "s", "initial_t": 1}, {"stockpile": "q", "initial_t": 1}],
    )
    return str(d)


def terminal_value_before_the_end(d: Path) -> str:
    rows = [{**STOCKPILE, "year": y, "terminal_value_usd_per_t": 10.0} for y in (2025, 2026)]
    valid(d, {"last_year": 2026}, stockpiles=rows)
    return str(d)


def year_outside_horizon(d: Path) -> str:
    valid(d, sources=[SOURCES[0], {**SOURCES[0], "year": 2031}])
    return str(d)


def min_above_max(d: Path) -> str:
    valid(d, contracts=[{**CONTRACTS[0], "min_t": 9, "max_t": 6}])
    return str(d)


def non_utf8(d: Path) -> str:
    valid(d)
    sources_csv(d, b"a,2025,10,100\nb\xff,2025,1,100\n")
    return str(d)


def thousands_separator(d: Path) -> str:
    valid(d)
    sources_csv(d, 'a,2025,"1,000",100\n')
    return str(d)


def absurd_magnitude(d: Path) -> str:
    valid(d, sources=[{**SOURCES[0], "capacity_t": "1e30"}])
    return str(d)


def too_many_fields(d: Path) -> str:
    valid(d)
    sources_csv(d, "a,2025,10,100,7\n")
    return str(d)


def stockpile_gap(d: Path) -> str:
    rows = [{**STOCKPILE, "year": y} for y in (2025, 2027)]
    valid(d, meta={"last_year": 2027}, stockpiles=rows)
    return str(d)


def toml_unknown_key(d: Path) -> str:
    valid(d)
    toml = d / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "colour = 1\n", encoding="utf-8")
    return str(d)


def toml_first_after_last(d: Path) -> str:
    valid(d, meta={"first_year": 2026, "last_year": 2025})
    return str(d)


def toml_invalid(d: Path) -> str:
    valid(d)
    toml = d / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "oops = \n", encoding="utf-8")
    return str(d)


def unknown_scenario_name(d: Path) -> str:
    d.mkdir(parents=True, exist_ok=True)
    return "no-such-scenario"


def multi_line_cell(d: Path) -> str:
    """A quoted citation spanning two lines: the next row's line number is still right."""
    valid(d)
    (d / "sources.csv").write_text(
        'source,year,capacity_t,cost_usd_per_t,citation\na,2025,10,100,"first\nsecond"\n'
        "b,2025,-1,100,x\n",
        encoding="utf-8",
    )
    return str(d)


def unterminated_quote(d: Path) -> str:
    valid(d)
    sources_csv(d, 'a,"2025,10,100\n')
    return str(d)


def unclosed_quote_early(d: Path) -> str:
    """A quote opened on line 3 and never closed, lines after it: line 3 is named."""
    valid(d)
    sources_csv(d, 'a,2025,10,100\nb,"2025,10,100\nc,2025,10,100\nd,2025,10,100\n')
    return str(d)


def near_miss_file(name: str) -> Callable[[Path], str]:
    def build(d: Path) -> str:
        valid(d)
        (d / name).write_text("x\n1\n", encoding="utf-8")
        return str(d)

    return build


def header_only_routes(d: Path) -> str:
    valid(d)
    (d / "routes.csv").write_text("origin,destination\n", encoding="utf-8")
    return str(d)


def several_files(d: Path) -> str:
    """Four problems in four files: every one is reported in the same run."""
    valid(
        d,
        sources=[{**SOURCES[0], "capacity_t": -1}],
        contracts=[{**CONTRACTS[0], "min_t": 9, "max_t": 6}],
    )
    (d / "demand.csv").write_text("sector,year,demand_t\nd,2025,0\n", encoding="utf-8")
    toml = d / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "colour = 1\n", encoding="utf-8")
    return str(d)


CASES: dict[str, Case] = {
    "missing_sources": Case(
        missing_sources, (Expect("sources.csv", 0, "-", "missing file"),), also_solve=True
    ),
    "missing_scenario_toml": Case(
        missing_scenario_toml, (Expect("scenario.toml", 0, "-", "missing file"),), also_solve=True
    ),
    "missing_column": Case(
        missing_column, (Expect("sources.csv", 1, "cost_usd_per_t", "missing column"),)
    ),
    "unknown_column": Case(
        unknown_column, (Expect("sources.csv", 1, "colour", "unknown column; expected columns"),)
    ),
    "wrong_type": Case(
        wrong_type,
        (Expect("sources.csv", 2, "capacity_t", "valid number"),),
    ),
    "empty_file": Case(empty_file, (Expect("sources.csv", 1, "-", "empty file"),)),
    "header_only_required": Case(header_only_required, (Expect("sources.csv", 1, "-", "no rows"),)),
    "negative_quantity": Case(
        negative_quantity,
        (Expect("sources.csv", 2, "capacity_t", "greater than or equal to 0, got '-5'"),),
    ),
    "nan": Case(nan_quantity, (Expect("sources.csv", 2, "capacity_t", "finite number"),)),
    "inf": Case(inf_quantity, (Expect("sources.csv", 2, "capacity_t", "finite number"),)),
    "duplicate_key": Case(
        duplicate_key,
        (
            Expect(
                "sources.csv", 4, "source, year", "duplicate key (a, 2025): first given on line 2"
            ),
        ),
    ),
    "unknown_route_origin": Case(
        unknown_route_origin, (Expect("routes.csv", 3, "origin", "unknown origin 'nowhere'"),)
    ),
    "unknown_initial_stockpile": Case(
        unknown_initial_stockpile,
        (Expect("stockpile_initial.csv", 3, "stockpile", "unknown stockpile 'q'"),),
    ),
    "terminal_value_before_the_end": Case(
        terminal_value_before_the_end,
        (
            Expect(
                "stockpiles.csv",
                2,
                "terminal_value_usd_per_t",
                "terminal value 10 given for 2025: it values the stock left at the end",
            ),
        ),
    ),
    "year_outside_horizon": Case(
        year_outside_horizon,
        (Expect("sources.csv", 3, "year", "year 2031 is outside the horizon 2025-2025"),),
    ),
    "min_above_max": Case(
        min_above_max, (Expect("contracts.csv", 2, "min_t", "min_t (9) is above max_t (6)"),)
    ),
    "non_utf8": Case(
        non_utf8, (Expect("sources.csv", 3, "-", "not UTF-8 (byte 0xff)"),), also_solve=True
    ),
    "thousands_separator": Case(
        thousands_separator,
        (Expect("sources.csv", 2, "capacity_t", "got '1,000' (write plain numbers, without"),),
        also_solve=True,
    ),
    "absurd_magnitude": Case(
        absurd_magnitude,
        (Expect("sources.csv", 2, "capacity_t", "less than or equal to 1000000000"),),
    ),
    "too_many_fields": Case(
        too_many_fields, (Expect("sources.csv", 2, "-", "5 fields but the header has 4"),)
    ),
    "stockpile_gap": Case(
        stockpile_gap, (Expect("stockpiles.csv", 2, "year", "'s' has no row for 2026"),)
    ),
    "toml_unknown_key": Case(
        toml_unknown_key, (Expect("scenario.toml", 7, "colour", "unknown key"),)
    ),
    "toml_first_after_last": Case(
        toml_first_after_last,
        (Expect("scenario.toml", 3, "first_year", "first_year (2026) is after last_year (2025)"),),
    ),
    "toml_invalid": Case(toml_invalid, (Expect("scenario.toml", 7, "-", "not valid TOML"),)),
    "unknown_scenario_name": Case(
        unknown_scenario_name,
        (Expect("no-such-scenario", 0, "-", "india-base"),),
        also_solve=True,
    ),
    "multi_line_cell": Case(multi_line_cell, (Expect("sources.csv", 4, "capacity_t", "got '-1'"),)),
    "unterminated_quote": Case(
        unterminated_quote, (Expect("sources.csv", 2, "-", "not a readable CSV file"),)
    ),
    "unclosed_quote_early": Case(
        unclosed_quote_early,
        (Expect("sources.csv", 3, "-", "a quote opens on line 3 and never closes"),),
    ),
    "near_miss_contract": Case(
        near_miss_file("contract.csv"),
        (Expect("contract.csv", 0, "-", "unknown file contract.csv: did you mean contracts.csv?"),),
    ),
    "near_miss_case": Case(
        near_miss_file("Sources.csv"),
        (Expect("Sources.csv", 0, "-", "unknown file Sources.csv: did you mean sources.csv?"),),
    ),
    "near_miss_stockpile": Case(
        near_miss_file("stockpile.csv"),
        (
            Expect(
                "stockpile.csv", 0, "-", "unknown file stockpile.csv: did you mean stockpiles.csv?"
            ),
        ),
    ),
    "unknown_file": Case(
        near_miss_file("notes.csv"),
        (Expect("notes.csv", 0, "-", "unknown file notes.csv: not a table of ndalloc"),),
    ),
    "header_only_routes": Case(
        header_only_routes,
        (Expect("routes.csv", 1, "-", "routes.csv has no rows: remove it or list the routes"),),
        also_solve=True,
    ),
    "several_files": Case(
        several_files,
        (
            Expect("contracts.csv", 2, "min_t", "is above max_t"),
            Expect("demand.csv", 1, "shortage_penalty_usd_per_t", "missing column"),
            Expect("scenario.toml", 7, "colour", "unknown key"),
            Expect("sources.csv", 2, "capacity_t", "greater than or equal to 0"),
        ),
        also_solve=True,
    ),
}


# --- valid input that looks odd: accepted, and read as written ------------------------------


def with_bom(d: Path) -> str:
    valid(d)
    for path in d.iterdir():
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return str(d)


def with_crlf(d: Path) -> str:
    valid(d)
    for path in d.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return str(d)


def header_only_optional(d: Path) -> str:
    """contracts.csv with its header and no rows: a scenario without contracts."""
    valid(d)
    (d / "contracts.csv").write_text(",".join(CONTRACTS[0]) + "\n", encoding="utf-8")
    return str(d)


ACCEPTED: dict[str, tuple[Callable[[Path], str], float]] = {
    "bom": (with_bom, VALID_OBJECTIVE),
    "crlf": (with_crlf, VALID_OBJECTIVE),
    "header_only_optional": (header_only_optional, 0.0),
}


@dataclass
class Prepared:
    arg: str
    out: Path
    validate: subprocess.CompletedProcess[str]
    solve: subprocess.CompletedProcess[str] | None


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Prepared]:
    """Write every case and run its CLI commands, several at a time."""
    base = tmp_path_factory.mktemp("bad_input")
    builders = {name: case.build for name, case in CASES.items()}
    builders.update({name: build for name, (build, _) in ACCEPTED.items()})
    solving = {n for n, c in CASES.items() if c.also_solve} | {"bom", "crlf"}
    args: dict[str, str] = {}
    calls: list[tuple[list[str | Path], Path]] = []
    keys: list[tuple[str, str]] = []
    for name, build in builders.items():
        cwd = base / name
        args[name] = build(cwd / "scenario")
        calls.append((["validate", args[name]], cwd))
        keys.append((name, "validate"))
        if name in solving:
            calls.append((["solve", args[name], "--out", cwd / "runs"], cwd))
            keys.append((name, "solve"))
    results = dict(zip(keys, run_many(calls), strict=True))
    return {
        name: Prepared(
            arg=args[name],
            out=base / name / "runs",
            validate=results[name, "validate"],
            solve=results.get((name, "solve")),
        )
        for name in builders
    }


def api_issues(arg: str) -> tuple[Issue, ...]:
    with pytest.raises(ScenarioError) as info:
        ndalloc.load_scenario(arg)
    return info.value.issues


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_reported_with_its_location(name: str, prepared: dict[str, Prepared]):
    case, run = CASES[name], prepared[name]

    # Python API: exactly the expected issues, each located to file, line and column
    issues = api_issues(run.arg)
    assert len(issues) == len(case.expect), issues
    for expect in case.expect:
        assert [i for i in issues if expect.matches(i)], (expect, issues)

    # CLI: exit 2, every issue printed as file:line: column: message, and no traceback
    for proc in (run.validate, run.solve):
        if proc is None:
            continue
        assert proc.returncode == 2, describe(proc)
        assert_no_traceback(proc)
        printed = flat(proc.stderr)
        for expect in case.expect:
            assert location(expect.file, expect.line, expect.column) in printed, describe(proc)
            assert expect.fragment in printed, describe(proc)
        for issue in issues:
            assert flat(str(issue)) in printed, describe(proc)
        assert f"{len(issues)} problem(s);" in printed, describe(proc)
    if run.solve is not None:
        assert not run.out.exists() or not any(run.out.iterdir()), "bad input wrote a run"


def test_several_problems_in_different_files_all_reported(prepared: dict[str, Prepared]):
    issues = api_issues(prepared["several_files"].arg)
    assert len(issues) == 4
    assert {i.file for i in issues} == {
        "contracts.csv",
        "demand.csv",
        "scenario.toml",
        "sources.csv",
    }
    assert "4 problem(s)" in prepared["several_files"].validate.stderr


def test_thousands_separator_never_misread(prepared: dict[str, Prepared]):
    """'1,000' is neither 1 nor 1000: it is refused with a hint, in validate and solve alike."""
    (issue,) = api_issues(prepared["thousands_separator"].arg)
    assert issue.column == "capacity_t"
    assert "thousands separators" in issue.message


def test_unknown_scenario_lists_bundled(prepared: dict[str, Prepared]):
    run = prepared["unknown_scenario_name"]
    assert run.validate.returncode == 2
    assert "india-base" in run.validate.stderr


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_input_solves(name: str, prepared: dict[str, Prepared]):
    run = prepared[name]
    _, objective = ACCEPTED[name]
    assert run.validate.returncode == 0, describe(run.validate)
    assert "ok: scenario tiny" in run.validate.stdout
    assert_no_traceback(run.validate)
    if run.solve is not None:  # the CLI solves some of them too (each run costs a second)
        assert run.solve.returncode == 0, describe(run.solve)
        assert "optimal" in run.solve.stdout
        assert_no_traceback(run.solve)
    res = ndalloc.solve(run.arg)
    assert res.status is ndalloc.Status.OPTIMAL
    assert res.objective == pytest.approx(objective)


def test_bom_does_not_hide_the_first_column(tmp_path: Path):
    """With a byte-order mark the first header is still `source`, not '\\ufeffsource'."""
    sc = ndalloc.load_scenario(with_bom(tmp_path / "s"))
    assert [r.source for r in sc.records("sources")] == ["a"]  # type: ignore[attr-defined]
    assert sc.meta.name == "tiny"


def test_header_only_optional_table_is_empty(tmp_path: Path):
    sc = ndalloc.load_scenario(header_only_optional(tmp_path / "s"))
    assert sc.records("contracts") == ()


def test_each_problem_is_printed_on_one_line(prepared: dict[str, Prepared]):
    """A long message stays on its line (rich must not wrap it at 80 columns): greppable."""
    run = prepared["unknown_column"]
    (issue,) = api_issues(run.arg)
    assert len(f"  {issue}") > 80  # long enough to be wrapped
    assert f"  {issue}" in run.validate.stderr.splitlines(), run.validate.stderr


def test_invalid_row_does_not_cause_a_false_unknown_reference(tmp_path: Path):
    folder = valid(
        tmp_path / "s",
        stockpiles=[{**STOCKPILE, "year": 2025, "max_t": -5}],
        stockpile_initial=[{"stockpile": "s", "initial_t": 1}],
    )
    issues = api_issues(str(folder))
    assert [(i.file, i.line, i.column) for i in issues] == [("stockpiles.csv", 2, "max_t")], issues
