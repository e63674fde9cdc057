"""Scenario workbooks: folder -> workbook -> folder is exact, errors name sheet, row and column,
and a broken workbook is reported (exit 2), never a traceback.

The CLI runs (about 1 s each) are started side by side once per module.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import ndalloc
from cli_helpers import assert_no_traceback, describe, flat, run_many
from ndalloc import Issue, ScenarioError
from ndalloc.data.bundled import bundled_names
from ndalloc.data.excel import COLUMNS_SHEET, SETTINGS_SHEET, read_workbook, write_workbook
from ndalloc.data.schema import TABLES, ScenarioMeta, columns
from ndalloc.data.writers import settings
from scenario_factory import Expect, write_scenario
from test_bad_input import SOURCES, valid

# --- a small scenario with every table: routes, a halted year, ranges, awkward text ---------

#: Text that starts like a formula, with a comma and quotes: must stay text.
CITATION = '=survey, "2024" p. 3'

EVERY_TABLE: dict[str, list[dict[str, Any]]] = {
    "sources": [
        {
            "source": "mine a",
            "year": 2025,
            "capacity_t": 10.5,
            "min_output_t": 0.30000000000000004,  # needs 17 significant digits
            "cost_usd_per_t": 100,
            "low": 8,
            "high": 12.25,
            "citation": CITATION,
        },
        {
            "source": "mine a",
            "year": 2026,
            "capacity_t": 1e8,
            "cost_usd_per_t": 100.1,
            "citation": "estimate",
        },
    ],
    "contracts": [
        {
            "contract": "k",
            "partner": "p",
            "year": y,
            "min_t": 4,
            "max_t": 6,
            "price_usd_per_t": 300,
            "breach_penalty_usd_per_t": 50,
            "halted": y == 2026,
            "low": 250,
            "high": 350,
            "citation": "Reuters 13-Jun-2025; Ümlaut, comma",
        }
        for y in (2025, 2026)
    ],
    "makers": [
        {
            "maker": "m",
            "year": y,
            "capacity_t": 5,
            "oxide_per_t": 0.37,
            "conversion_cost_usd_per_t": 25000,
        }
        for y in (2025, 2026)
    ],
    "demand": [
        {
            "sector": "ev",
            "year": y,
            "demand_t": 3,
            "shortage_penalty_usd_per_t": 100000,
            "import_share_max": 0.5,
        }
        for y in (2025, 2026)
    ],
    "imports": [
        {"origin": "china", "product": "oxide", "year": 2025, "max_t": 100, "price_usd_per_t": 500},
        {"origin": "china", "product": "oxide", "year": 2026, "max_t": 100, "price_usd_per_t": 500},
        {
            "origin": "china",
            "product": "magnet",
            "year": 2025,
            "max_t": 1e-07,
            "price_usd_per_t": 9,
        },
    ],
    "stockpiles": [
        {
            "stockpile": "s",
            "year": y,
            "max_t": 5,
            "max_inject_t": 5,
            "max_release_t": 5,
            "holding_cost_usd_per_t": 1.5,
            "handling_cost_usd_per_t": 0.1,
        }
        for y in (2025, 2026)
    ],
    "stockpile_initial": [{"stockpile": "s", "initial_t": 2, "citation": "none held"}],
    "routes": [
        {"origin": "mine a", "destination": "k", "cost_usd_per_t": 1},
        {"origin": "mine a", "destination": "m"},
        {"origin": "mine a", "destination": "s", "cost_usd_per_t": 0.5},
        {"origin": "china", "destination": "m", "cost_usd_per_t": 2},
        {"origin": "s", "destination": "m"},
    ],
}
EVERY_META = {
    "name": "every-table",
    "description": 'every table, "quoted" text and Ümlauts',
    "last_year": 2026,
    "discount_rate": 0.05,
}


def every_table(folder: Path) -> Path:
    return write_scenario(folder, EVERY_META, **EVERY_TABLE)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("excel")


def assert_same_scenario(a: ndalloc.Scenario, b: ndalloc.Scenario, same_hash: bool = True) -> None:
    for name in TABLES:
        assert a.records(name) == b.records(name), name
    assert a.meta.model_dump(exclude={"inherits"}) == b.meta.model_dump(exclude={"inherits"})
    if same_hash:
        assert a.input_hash == b.input_hash


# --- round trip through the Python API ------------------------------------------------------


@pytest.mark.parametrize("which", ["india-base", "every-table"])
def test_folder_to_workbook_round_trip_is_exact(which: str, base: Path):
    folder = every_table(base / "every") if which == "every-table" else which
    original = ndalloc.load_scenario(folder)
    book = write_workbook(original, base / f"{which}.xlsx")
    again = ndalloc.load_scenario(book)
    assert_same_scenario(original, again)
    assert again.origin == str(book.resolve())
    # every row knows its sheet and sheet row
    for name in TABLES:
        locations = again.tables[name].locations if name in again.tables else ()
        assert list(locations) == [(f"{which}.xlsx[{name}]", r + 2) for r in range(len(locations))]


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_survives_a_workbook(name: str, base: Path):
    """Children (inheritance, patches, scaled values) are written resolved."""
    original = ndalloc.load_scenario(name)
    again = ndalloc.load_scenario(write_workbook(original, base / f"bundled-{name}.xlsx"))
    assert_same_scenario(original, again, same_hash=original.meta.inherits is None)
    assert again.meta.inherits is None


def test_workbook_of_a_workbook_is_the_same(base: Path):
    first = write_workbook(ndalloc.load_scenario(every_table(base / "twice")), base / "one.xlsx")
    second = write_workbook(ndalloc.load_scenario(first), base / "two.xlsx")
    assert_same_scenario(ndalloc.load_scenario(first), ndalloc.load_scenario(second))


def test_solving_the_workbook_gives_the_folder_objective(base: Path):
    folder = every_table(base / "solve")
    from_folder = ndalloc.solve(ndalloc.load_scenario(folder))
    from_book = ndalloc.solve(
        ndalloc.load_scenario(write_workbook(ndalloc.load_scenario(folder), base / "solve.xlsx"))
    )
    assert from_folder.status == from_book.status == ndalloc.Status.OPTIMAL
    assert from_book.objective == from_folder.objective


def test_text_a_workbook_cannot_hold_is_refused_before_writing(base: Path):
    folder = valid(base / "control", sources=[{**SOURCES[0], "citation": "bell \x07 here"}])
    target = base / "control.xlsx"
    with pytest.raises(ValueError, match=r"sheet sources row 2: citation: holds control"):
        write_workbook(ndalloc.load_scenario(folder), target)
    assert not target.exists()
    assert not list(base.glob(".control.xlsx.*"))


# --- what the workbook looks like -----------------------------------------------------------


@pytest.fixture(scope="module")
def every_book(base: Path) -> openpyxl.Workbook:
    scenario = ndalloc.load_scenario(every_table(base / "layout"))
    return openpyxl.load_workbook(write_workbook(scenario, base / "layout.xlsx"))


@pytest.fixture(scope="module")
def india_book(base: Path) -> openpyxl.Workbook:
    scenario = ndalloc.load_scenario("india-base")
    return openpyxl.load_workbook(write_workbook(scenario, base / "layout-india.xlsx"))


def test_sheets_headers_and_frozen_rows(india_book: openpyxl.Workbook):
    assert india_book.sheetnames == [SETTINGS_SHEET, *TABLES, COLUMNS_SHEET]
    for name, model in TABLES.items():
        sheet = india_book[name]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert header == columns(model), name
        assert sheet.freeze_panes == "A2"
        for letter in "ABC":
            assert 8 <= sheet.column_dimensions[letter].width <= 62
    # india-base has no routes: the sheet is there, header only
    assert india_book["routes"].max_row == 1
    scenario = ndalloc.load_scenario("india-base")
    rows = list(india_book[SETTINGS_SHEET].iter_rows(values_only=True))
    assert rows == [("key", "value"), *settings(scenario).items()]


def test_values_are_typed(every_book: openpyxl.Workbook):
    def row(sheet: str, number: int) -> dict[str, object]:
        ws = every_book[sheet]
        header = [c.value for c in ws[1]]
        return dict(zip(header, [c.value for c in ws[number]], strict=True))

    first = row("sources", 2)
    assert first["year"] == 2025 and type(first["year"]) is int
    assert first["capacity_t"] == 10.5
    assert first["min_output_t"] == 0.30000000000000004  # all 17 digits kept
    assert first["citation"] == CITATION
    assert every_book["sources"]["H2"].data_type == "s"  # not a formula
    second = row("sources", 3)
    assert second["low"] is None and second["high"] is None and second["citation"] == "estimate"
    assert row("contracts", 2)["halted"] is False
    assert row("contracts", 3)["halted"] is True
    assert row("routes", 3)["citation"] is None  # empty optional cells stay empty
    scenario_rows = dict(every_book[SETTINGS_SHEET].iter_rows(min_row=2, values_only=True))
    assert scenario_rows["discount_rate"] == 0.05
    assert scenario_rows["first_year"] == 2025


def test_columns_sheet_documents_every_column(india_book: openpyxl.Workbook):
    rows = list(india_book[COLUMNS_SHEET].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header == ("table", "column", "type", "default", "unit", "meaning", "source")
    listed = [(r[0], r[1]) for r in body]
    expected = [(SETTINGS_SHEET, c) for c in columns(ScenarioMeta)]
    expected += [(name, c) for name, model in TABLES.items() for c in columns(model)]
    assert listed == expected
    by_column = {(r[0], r[1]): r for r in body}
    assert by_column["sources", "capacity_t"][2:5] == ("number", "required", "t oxide/yr")
    assert by_column["sources", "min_output_t"][3] == "0.0"
    assert by_column["contracts", "halted"][3] == "false"
    assert by_column["contracts", "low"][4].startswith("USD/t oxide")
    assert by_column["imports", "product"][2] == "text: oxide or magnet"
    for (table, _), r in by_column.items():
        assert r[5], r  # every column has a meaning
        if table != SETTINGS_SHEET:
            assert "citation" in r[6] and "SOURCES.md" in r[6], r


# --- bad workbooks: every problem located as book.xlsx[sheet]:row: column ------------------


def cell_of(sheet, column: str, row: int = 2):
    """The cell of `column` (by header name) in sheet row `row`."""
    header = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=header.index(column) + 1)


def wrong_type(wb) -> None:
    cell_of(wb["sources"], "capacity_t").value = "ten"


def date_in_numeric_column(wb) -> None:
    target = cell_of(wb["sources"], "capacity_t")
    target.value = dt.datetime(2025, 1, 10)
    target.number_format = "yyyy-mm-dd"


def missing_column(wb) -> None:
    header = [c.value for c in wb["sources"][1]]
    wb["sources"].delete_cols(header.index("cost_usd_per_t") + 1)


def unknown_sheet(wb) -> None:
    wb.create_sheet("notes")


def duplicate_key(wb) -> None:
    ws = wb["sources"]
    ws.append([c.value for c in ws[2]])


def min_above_max(wb) -> None:
    cell_of(wb["contracts"], "min_t").value = 10


def formula_without_value(wb) -> None:
    cell_of(wb["sources"], "capacity_t").value = "=2*5"


def error_value(wb) -> None:
    cell_of(wb["sources"], "cost_usd_per_t").value = "#DIV/0!"


def value_without_header(wb) -> None:
    wb["sources"]["L2"] = 5


def patch_setting(wb) -> None:
    wb[SETTINGS_SHEET].append(["patch", "contracts"])


def setting_twice(wb) -> None:
    wb[SETTINGS_SHEET].append(["last_year", 2030])


def setting_as_text(wb) -> None:
    ws = wb[SETTINGS_SHEET]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "first_year")
    row[1].value = "2025"  # text, not a number


def missing_settings_sheet(wb) -> None:
    del wb[SETTINGS_SHEET]


#: case -> (change to the worked example's workbook, the one issue it must report)
CASES: dict[str, tuple[Callable[[openpyxl.Workbook], None], Expect]] = {
    "wrong_type": (wrong_type, Expect("book.xlsx[sources]", 2, "capacity_t", "got 'ten'")),
    "date_in_numeric_column": (
        date_in_numeric_column,
        Expect("book.xlsx[sources]", 2, "capacity_t", "a date or time (2025-01-10)"),
    ),
    "missing_column": (
        missing_column,
        Expect("book.xlsx[sources]", 1, "cost_usd_per_t", "missing column"),
    ),
    "unknown_sheet": (unknown_sheet, Expect("book.xlsx[notes]", 0, "-", "unknown sheet 'notes'")),
    "duplicate_key": (
        duplicate_key,
        Expect("book.xlsx[sources]", 3, "source, year", "duplicate key (a, 2025)"),
    ),
    "min_above_max": (
        min_above_max,
        Expect("book.xlsx[contracts]", 2, "min_t", "min_t (10) is above max_t (6)"),
    ),
    "formula_without_value": (
        formula_without_value,
        Expect("book.xlsx[sources]", 2, "capacity_t", "formula without a computed value"),
    ),
    "error_value": (
        error_value,
        Expect("book.xlsx[sources]", 2, "cost_usd_per_t", "error #DIV/0!"),
    ),
    "value_without_header": (
        value_without_header,
        Expect("book.xlsx[sources]", 2, "column L", "column without a name"),
    ),
    "patch_setting": (
        patch_setting,
        Expect("book.xlsx[scenario]", 8, "patch", "not supported in a workbook"),
    ),
    "setting_twice": (
        setting_twice,
        Expect("book.xlsx[scenario]", 8, "last_year", "given twice: first on row 5"),
    ),
    "setting_as_text": (
        setting_as_text,
        Expect("book.xlsx[scenario]", 4, "first_year", "valid integer"),
    ),
    "missing_settings_sheet": (
        missing_settings_sheet,
        Expect("book.xlsx", 0, "-", "missing sheet 'scenario'"),
    ),
}

#: Broken files: name -> bytes written as book.xlsx (built from a real workbook's bytes).
BROKEN: dict[str, Callable[[bytes], bytes]] = {
    "random_bytes": lambda real: bytes(range(256)) * 20,
    "truncated": lambda real: real[: len(real) // 2],
    "empty": lambda real: b"",
    "zip_not_workbook": lambda real: _zip_with({"hello.txt": b"hello"}),
    "password_protected": lambda real: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000,
}


def _zip_with(members: dict[str, bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class Prepared:
    book: Path
    validate: subprocess.CompletedProcess[str]
    solve: subprocess.CompletedProcess[str] | None = None
    show: subprocess.CompletedProcess[str] | None = None


@pytest.fixture(scope="module")
def bad(base: Path) -> dict[str, Prepared]:
    """Every bad workbook, with `ndalloc validate` (and for broken files solve and show) run."""
    real = write_workbook(ndalloc.load_scenario(valid(base / "worked")), base / "worked.xlsx")
    books: dict[str, Path] = {}
    for name, (change, _) in CASES.items():
        wb = openpyxl.load_workbook(real)
        change(wb)
        (base / name).mkdir()
        wb.save(books.setdefault(name, base / name / "book.xlsx"))
    for name, corrupt in BROKEN.items():
        (base / name).mkdir()
        books[name] = base / name / "book.xlsx"
        books[name].write_bytes(corrupt(real.read_bytes()))
    calls: list[tuple[list[str | Path], Path]] = []
    keys: list[tuple[str, str]] = []
    for name, book in books.items():
        commands = ["validate"] + (["solve", "show"] if name in BROKEN else [])
        for command in commands:
            extra: list[str | Path] = ["--out", book.parent / "runs"] if command == "solve" else []
            calls.append(([command, "book.xlsx", *extra], book.parent))
            keys.append((name, command))
    results = dict(zip(keys, run_many(calls), strict=True))
    return {
        name: Prepared(
            book=book,
            validate=results[name, "validate"],
            solve=results.get((name, "solve")),
            show=results.get((name, "show")),
        )
        for name, book in books.items()
    }


def api_issues(book: Path) -> tuple[Issue, ...]:
    with pytest.raises(ScenarioError) as info:
        ndalloc.load_scenario(book)
    return info.value.issues


@pytest.mark.parametrize("name", list(CASES))
def test_workbook_errors_name_sheet_row_and_column(name: str, bad: dict[str, Prepared]):
    expect = CASES[name][1]
    issues = api_issues(bad[name].book)
    assert [i for i in issues if expect.matches(i)], (expect, issues)
    proc = bad[name].validate
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert flat(str(expect.file)) in flat(proc.stderr), describe(proc)
    for issue in issues:
        assert flat(str(issue)) in flat(proc.stderr), describe(proc)


@pytest.mark.parametrize("name", ["wrong_type", "date_in_numeric_column", "missing_column"])
def test_workbook_errors_report_nothing_else(name: str, bad: dict[str, Prepared]):
    issues = api_issues(bad[name].book)
    assert len(issues) == 1, issues


def test_sheet_names_are_matched_exactly_with_a_hint(base: Path):
    real = write_workbook(ndalloc.load_scenario(valid(base / "hint")), base / "hint.xlsx")
    wb = openpyxl.load_workbook(real)
    wb["routes"].title = "renamed"
    wb["renamed"].title = "Routes"  # Excel's sheet names are unique regardless of case
    wb.save(base / "hint2.xlsx")
    issues = api_issues(base / "hint2.xlsx")
    assert [str(i) for i in issues] == [
        "hint2.xlsx[Routes]: -: unknown sheet 'Routes'; did you mean 'routes'?"
    ]


def test_formula_with_a_cached_value_is_read(base: Path):
    """A workbook saved by Excel keeps each formula's last value: that value is used."""
    real = write_workbook(ndalloc.load_scenario(valid(base / "cached")), base / "cached.xlsx")
    wb = openpyxl.load_workbook(real)
    cell_of(wb["sources"], "capacity_t").value = "=2*6"
    wb.save(base / "cached-formula.xlsx")
    # openpyxl writes no cached value; add one as Excel would
    with zipfile.ZipFile(base / "cached-formula.xlsx") as src:
        members = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet2.xml"  # sources
    text, count = re.subn(r"<f>2\*6</f><v\s*/>", "<f>2*6</f><v>12</v>", members[sheet].decode())
    assert count == 1
    members[sheet] = text.encode()
    (base / "cached-value.xlsx").write_bytes(_zip_with(members))
    scenario = ndalloc.load_scenario(base / "cached-value.xlsx")
    assert scenario.records("sources")[0].capacity_t == 12.0  # type: ignore[attr-defined]


def test_read_workbook_returns_raw_text_cells(base: Path):
    book = write_workbook(ndalloc.load_scenario(every_table(base / "raw")), base / "raw.xlsx")
    issues: list[Issue] = []
    files = read_workbook(book, "parent/", issues)
    assert issues == [] and files is not None
    assert files.settings_label == "parent/raw.xlsx[scenario]"
    assert files.settings["first_year"] == 2025 and type(files.settings["first_year"]) is int
    assert files.settings["discount_rate"] == 0.05
    assert files.setting_lines["name"] == 2 and files.patch_lines == []
    sources = files.tables["sources"]
    assert sources.label == "parent/raw.xlsx[sources]"
    assert sources.header == columns(TABLES["sources"])
    assert sources.rows[0] == (
        2,
        ["mine a", "2025", "10.5", "0.30000000000000004", "100.0", "8.0", "12.25", CITATION],
    )
    assert sources.rows[1][1][5:] == ["", "", "estimate"]
    assert files.tables["contracts"].rows[1][1][7] == "true"


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_workbook_exits_2_without_traceback(name: str, bad: dict[str, Prepared]):
    issues = api_issues(bad[name].book)
    assert len(issues) == 1 and issues[0].file == "book.xlsx", issues
    assert issues[0].message.startswith("not a readable Excel workbook ("), issues
    if name == "password_protected":
        assert "password-protected" in issues[0].message
    for proc in (bad[name].validate, bad[name].solve, bad[name].show):
        assert proc is not None
        assert proc.returncode == 2, describe(proc)
        assert_no_traceback(proc)
        assert "book.xlsx: -: not a readable Excel workbook (" in flat(proc.stderr), describe(proc)
    assert not (bad[name].book.parent / "runs").exists()


# --- the CLI: export, and solve / validate / show of a workbook -----------------------------


@pytest.fixture(scope="module")
def cli(base: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Export india-base, then use the workbook as a scenario, beside the folder."""
    cwd = base / "cli"
    cwd.mkdir()
    first = run_many([(["export", "india-base", "india.xlsx"], cwd)])[0]
    assert first.returncode == 0, describe(first)
    (cwd / "taken.xlsx").write_bytes(b"keep me")
    (cwd / "folder.xlsx").mkdir()
    calls: dict[str, list[str | Path]] = {
        "again": ["export", "india-base", "taken.xlsx"],
        "force": ["export", "india-base", "forced.xlsx", "--force"],
        "no_folder": ["export", "india-base", "missing/india.xlsx"],
        "not_xlsx": ["export", "india-base", "india.csv"],
        "a_folder": ["export", "india-base", "folder.xlsx", "--force"],
        "bad_scenario": ["export", "no-such-scenario", "bad.xlsx"],
        "validate": ["validate", "india.xlsx"],
        "show_book": ["show", "india.xlsx", "--to", "from-book"],
        "show_folder": ["show", "india-base", "--to", "from-folder"],
        "solve_book": ["solve", "india.xlsx", "--out", "runs-book"],
        "solve_folder": ["solve", "india-base", "--out", "runs-folder"],
        "export_book": ["export", "india.xlsx", "copy.xlsx"],
    }
    done = run_many([(args, cwd) for args in calls.values()], workers=4)
    results = dict(zip(calls, done, strict=True))
    results["first"] = first
    return results


def test_export_writes_a_workbook(cli: dict[str, subprocess.CompletedProcess[str]], base: Path):
    proc = cli["first"]
    assert "wrote the resolved scenario india-base to india.xlsx" in flat(proc.stdout)
    scenario = ndalloc.load_scenario(base / "cli" / "india.xlsx")
    assert_same_scenario(scenario, ndalloc.load_scenario("india-base"))
    assert cli["force"].returncode == 0, describe(cli["force"])
    assert cli["export_book"].returncode == 0, describe(cli["export_book"])
    copy = ndalloc.load_scenario(base / "cli" / "copy.xlsx")
    assert_same_scenario(copy, scenario)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("again", "taken.xlsx exists; nothing was written (use --force to replace it)"),
        ("no_folder", "cannot write missing/india.xlsx:"),
        ("not_xlsx", "must end in .xlsx"),
        ("a_folder", "cannot write folder.xlsx: it is a folder"),
        ("bad_scenario", "no such scenario folder, workbook or bundled scenario"),
    ],
)
def test_export_refuses_with_exit_2(
    name: str, fragment: str, cli: dict[str, subprocess.CompletedProcess[str]], base: Path
):
    proc = cli[name]
    assert proc.returncode == 2, describe(proc)
    assert_no_traceback(proc)
    assert fragment in flat(proc.stderr), describe(proc)
    assert (base / "cli" / "taken.xlsx").read_bytes() == b"keep me"
    assert not (base / "cli" / "bad.xlsx").exists()
    assert not [p for p in (base / "cli").iterdir() if p.name.endswith(".partial")]


def test_validate_accepts_a_workbook(cli: dict[str, subprocess.CompletedProcess[str]]):
    proc = cli["validate"]
    assert proc.returncode == 0, describe(proc)
    assert "ok: scenario india-base, 2025-2035" in flat(proc.stdout)


def test_show_of_workbook_writes_the_folder_byte_for_byte(
    cli: dict[str, subprocess.CompletedProcess[str]], base: Path
):
    for name in ("show_book", "show_folder"):
        assert cli[name].returncode == 0, describe(cli[name])
    from_book, from_folder = base / "cli" / "from-book", base / "cli" / "from-folder"
    names = sorted(p.name for p in from_folder.iterdir())
    assert names == sorted(p.name for p in from_book.iterdir())
    assert "sources.csv" in names and "scenario.toml" in names
    for file in names:
        assert (from_book / file).read_bytes() == (from_folder / file).read_bytes(), file


def test_solve_of_workbook_gives_the_folder_objective(
    cli: dict[str, subprocess.CompletedProcess[str]], base: Path
):
    manifests = {}
    for name, runs in (("solve_book", "runs-book"), ("solve_folder", "runs-folder")):
        assert cli[name].returncode == 0, describe(cli[name])
        [manifest] = (base / "cli" / runs).glob("*/manifest.json")
        manifests[name] = json.loads(manifest.read_text(encoding="utf-8"))
    book, folder = manifests["solve_book"], manifests["solve_folder"]
    assert book["objective_usd"] == folder["objective_usd"]
    assert book["input_hash_sha256"] == folder["input_hash_sha256"]
    assert book["scenario_origin"].endswith("india.xlsx")
