"""Scenario tables are validated row by row, then stored column by column (`scenario.Table`).

These tests pin what that storage promises: the records it gives back are exactly the
validated rows (values, types, None for optional values left out), it cannot be changed in
place, patches replace only their rows, the input hash ignores row order and citations, and
a loaded scenario takes a small fraction of the memory that one record object per row took.
"""

from __future__ import annotations

import gc
import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import ndalloc
from ndalloc.data.bundled import bundled_names, bundled_path
from ndalloc.data.generate import Size, generate
from ndalloc.data.readers import read_folder
from ndalloc.data.scenario import Table, column_dtypes
from ndalloc.data.schema import TABLES, ContractRow, SourceRow, columns
from ndalloc.lp.entries import changed_rows


@pytest.mark.parametrize("name", bundled_names())
def test_records_are_the_validated_rows_of_the_files(name):
    """Each stored row, given back as a record, equals the record pydantic validates from the
    CSV row itself (same values, same Python types), in file order with its line."""
    scenario = ndalloc.load_scenario(name)
    folder = bundled_path(name)
    files = read_folder(folder, "", [])
    assert files is not None
    for table, raw in files.tables.items():
        if table not in scenario.tables or scenario.meta.inherits:
            continue  # an inheriting scenario's tables are checked through its parent
        model = TABLES[table]
        expected = [
            model.model_validate_strings(
                {c: v.strip() for c, v in zip(raw.header, row, strict=True) if v.strip()}
            )
            for _, row in raw.rows
            if any(v.strip() for v in row)
        ]
        got = scenario.records(table)
        assert got == tuple(expected), table
        for a, b in zip(got, expected, strict=True):
            assert [type(getattr(a, c)) for c in columns(model)] == [
                type(getattr(b, c)) for c in columns(model)
            ]
        lines = [line for line, row in raw.rows if any(v.strip() for v in row)]
        assert scenario.table(table).locations == tuple((model.FILE, n) for n in lines)


def test_columns_have_numpy_types_and_missing_ranges_are_nan():
    assert column_dtypes(ContractRow) == {
        "low": "float64",
        "high": "float64",
        "citation": "object",
        "contract": "object",
        "partner": "object",
        "year": "int64",
        "min_t": "float64",
        "max_t": "float64",
        "price_usd_per_t": "float64",
        "breach_penalty_usd_per_t": "float64",
        "halted": "bool",
    }
    rows = [
        SourceRow(source="a", year=2025, capacity_t=10.0, cost_usd_per_t=1.0),
        SourceRow(source="a", year=2026, capacity_t=12.0, cost_usd_per_t=1.0, low=11.0),
    ]
    table = Table.from_records(SourceRow, rows, [("s.csv", 2), ("s.csv", 3)])
    assert np.isnan(table.column("low")[0]) and table.column("low")[1] == 11.0
    assert table.values("low") == [None, 11.0]
    assert table.records == tuple(rows)
    assert table.records[0].low is None  # type: ignore[attr-defined]
    assert table.record(1) == rows[1]
    assert table.find(("a", 2026)) == 1 and table.find(("b", 2026)) is None
    assert table.location(1) == ("s.csv", 3)
    frame = table.frame(provenance=False)
    assert list(frame.columns) == ["source", "year", "capacity_t", "min_output_t", "cost_usd_per_t"]
    assert frame["year"].dtype == np.int64


def test_stored_columns_cannot_be_changed_in_place():
    table = ndalloc.load_scenario("india-base").table("sources")
    with pytest.raises(ValueError, match="read-only"):
        table.column("capacity_t")[0] = 1e6
    frame = table.frame()
    frame.loc[0, "capacity_t"] = 1e6  # a frame is a copy
    assert table.column("capacity_t")[0] != 1e6


def test_replaced_rows_change_only_those_rows_and_their_location():
    table = ndalloc.load_scenario("india-base").table("contracts")
    index = table.find(("japan-2012", 2030))
    assert index is not None
    record = table.record(index).model_copy(update={"max_t": 1.0})
    changed = table.replaced({index: (record, {"max_t": ("scenario.toml", 9)})})
    assert changed.record(index).max_t == 1.0  # type: ignore[attr-defined]
    assert changed.location(index, "max_t") == ("scenario.toml", 9)
    # The row, and its cells no patch set, are still where they were read.
    assert changed.location(index) == table.location(index) == ("contracts.csv", index + 2)
    assert changed.location(index, "min_t") == table.location(index)
    others = [i for i in range(len(table)) if i != index]
    assert [changed.record(i) for i in others] == [table.record(i) for i in others]
    assert table.record(index).max_t != 1.0  # type: ignore[attr-defined]
    # Columns the new rows do not change are shared, not copied: a sweep compares only the rest.
    assert changed.column("price_usd_per_t") is table.column("price_usd_per_t")
    assert changed.column("max_t") is not table.column("max_t")
    assert changed_rows(changed, table) == [index]


def _copy(name: str, to: Path) -> Path:
    return Path(shutil.copytree(bundled_path(name), to))


def test_input_hash_ignores_row_order_and_citations_but_not_values(tmp_path):
    base = ndalloc.load_scenario("india-base").input_hash
    folder = _copy("india-base", tmp_path / "shuffled")
    path = folder / "sources.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    assert ndalloc.load_scenario(folder).input_hash == base

    cited = _copy("india-base", tmp_path / "cited")
    text = (cited / "sources.csv").read_text(encoding="utf-8")
    head, first, *rest = text.splitlines()
    column = head.split(",").index("citation")
    cells = first.split(",")
    cells[column] = "another source"
    (cited / "sources.csv").write_text("\n".join([head, ",".join(cells), *rest]) + "\n")
    assert ndalloc.load_scenario(cited).input_hash == base

    changed = _copy("india-base", tmp_path / "changed")
    patch = '\n[[patch]]\ntable = "sources"\nkey = "irel"\nyear = 2030\ncolumn = "capacity_t"\n'
    (changed / "scenario.toml").write_text(
        (changed / "scenario.toml").read_text(encoding="utf-8") + patch + "scale = 1.0000001\n",
        encoding="utf-8",
    )
    assert ndalloc.load_scenario(changed).input_hash != base


def test_a_loaded_scenario_keeps_a_few_hundred_bytes_per_row(tmp_path):
    """One pydantic record per row took about 2,000 bytes (dict, field set, boxed values);
    the columns take about 100 bytes per row here, names shared between rows."""
    size = Size(sources=60, makers=60, contracts=60, sectors=120, years=20)
    folder = generate(size, 1, tmp_path / "gen")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        scenario = ndalloc.load_scenario(folder)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    rows = sum(len(t) for t in scenario.tables.values())
    assert rows > 5_000
    assert kept / rows < 300, f"{kept / rows:.0f} bytes per row"


def test_tables_compare_by_rows_and_where_they_were_read():
    a = ndalloc.load_scenario("india-base")
    b = ndalloc.load_scenario("india-base")
    assert a.table("contracts") == b.table("contracts")  # NaN (no range) equals NaN
    assert a.table("contracts") != b.table("sources")
    inherited = ndalloc.load_scenario("export-halt-2026")
    assert inherited.table("sources") != a.table("sources")  # same values, read elsewhere
    assert inherited.table("sources").records == a.table("sources").records


def test_patches_applied_together_equal_patches_applied_one_by_one():
    """A sweep point applies all its patches at once (one index and one copy per table); the
    result is the same as one patch after another, a later patch seeing an earlier one."""
    from ndalloc.data.loader import apply_patch, apply_patches
    from ndalloc.data.patch import Patch

    base = ndalloc.load_scenario("india-base")
    patches = [
        Patch(table="contracts", key="japan-2012", years="2026-2030", column="min_t", scale=0.5),
        Patch(table="contracts", key="japan-2012", year=2027, column="min_t", scale=0.5),
        Patch(table="contracts", column="halted", value=True, year=2031),
        Patch(table="sources", key="irel", column="capacity_t", value=999.0),
        Patch(table="sources", key="nobody", column="capacity_t", value=1.0),  # matches nothing
    ]
    where = [("p.toml", n) for n in range(len(patches))]
    together, one_by_one = dict(base.tables), dict(base.tables)
    issues_together: list = []
    issues_one_by_one: list = []
    apply_patches(list(zip(patches, where, strict=True)), together, issues_together)
    for patch, at in zip(patches, where, strict=True):
        apply_patch(patch, at, one_by_one, issues_one_by_one)
    assert issues_together == issues_one_by_one
    assert [i.line for i in issues_together] == [4]
    for name in ("contracts", "sources"):
        assert together[name] == one_by_one[name]
        assert together[name].records == one_by_one[name].records
    japan = together["contracts"]
    row = japan.find(("japan-2012", 2027))
    assert row is not None
    assert japan.record(row).min_t == base.table("contracts").record(row).min_t / 4  # type: ignore[attr-defined]
    assert japan.location(row, "min_t") == ("p.toml", 1)  # the later of the two patches
    assert japan.location(row) == base.table("contracts").location(row)
    assert japan.location(row, "max_t") == base.table("contracts").location(row)


def test_a_patch_to_negative_zero_is_kept():
    """-0.0 is stored as given (its sign survives), not taken for the 0.0 it replaces."""
    from ndalloc.data.loader import apply_patch
    from ndalloc.data.patch import Patch

    base = ndalloc.load_scenario("india-base")
    tables = dict(base.tables)
    issues: list = []
    apply_patch(
        Patch(table="stockpiles", column="min_t", value=-0.0, year=2030), ("p", 1), tables, issues
    )
    assert issues == []
    stock = tables["stockpiles"]
    row = stock.find(("national", 2030))
    assert row is not None
    assert str(stock.values("min_t")[row]) == "-0.0" and str(stock.record(row).min_t) == "-0.0"  # type: ignore[attr-defined]
