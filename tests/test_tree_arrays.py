"""A tree's scenario LPs, made from the base's by the entries of their patches, are exactly the
LPs that building each scenario gives (`ndalloc.lp.entries`, `scenario_lps`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ndalloc.data.tree import load_tree
from ndalloc.lp.build import build_lp
from ndalloc.lp.entries import patched_arrays
from ndalloc.stochastic.extensive import scenario_lps

#: One patch on every LP-bound column of india-base's tables, spread over a tree of three
#: scenarios (the root changes the tables without years).
PATCHES = {
    "root": [
        ("stockpile_initial", ["national"], None, "initial_t", "value = 120.0"),
    ],
    "a": [
        ("demand", ["ev"], None, "demand_t", "scale = 1.3"),
        ("demand", ["defence"], None, "shortage_penalty_usd_per_t", "scale = 2.0"),
        ("demand", ["wind"], None, "import_share_max", "value = 0.5"),
        ("makers", ["midwest"], None, "oxide_per_t", "value = 0.41"),
        ("makers", ["midwest"], None, "capacity_t", "scale = 0.5"),
        ("makers", ["midwest"], None, "conversion_cost_usd_per_t", "value = 31000.0"),
        ("contracts", ["japan-2012"], None, "halted", "value = true"),
        ("contracts", ["japan-2012"], None, "min_t", "value = 0.0"),
    ],
    "b": [
        ("contracts", ["japan-2012"], None, "price_usd_per_t", "scale = 1.25"),
        ("contracts", ["japan-2012"], None, "breach_penalty_usd_per_t", "value = 50000.0"),
        ("contracts", ["japan-2012"], None, "max_t", "scale = 1.2"),
        ("sources", ["irel"], None, "capacity_t", "scale = 0.7"),
        ("sources", ["irel"], None, "min_output_t", "value = 100.0"),
        ("sources", ["irel"], None, "cost_usd_per_t", "value = 27000.0"),
        ("imports", ["china", "oxide"], None, "price_usd_per_t", "scale = 1.5"),
    ],
    "bb": [
        ("imports", ["china", "magnet"], "2030-2031", "max_t", "scale = 0.2"),
        ("stockpiles", ["national"], None, "min_t", "value = 50.0"),
        ("stockpiles", ["national"], None, "max_inject_t", "value = 300.0"),
        ("stockpiles", ["national"], None, "max_release_t", "value = 200.0"),
        ("stockpiles", ["national"], None, "holding_cost_usd_per_t", "value = 2000.0"),
        ("stockpiles", ["national"], None, "handling_cost_usd_per_t", "value = 500.0"),
        ("stockpiles", ["national"], "2035-2035", "terminal_value_usd_per_t", "value = 60000.0"),
        ("stockpiles", ["national"], None, "max_t", "scale = 2.0"),
    ],
}
NODES = [("root", 2025, None, None), ("a", 2027, "root", 0.3), ("b", 2027, "root", 0.7)]
NODES += [("bb", 2029, "b", 0.5), ("bn", 2029, "b", 0.5)]


def every_column_tree(folder: Path) -> Path:
    text = 'base = "india-base"\nname = "every-column"\n'
    for nid, year, parent, p in NODES:
        text += f'\n[[node]]\nid = "{nid}"\nyear = {year}\n'
        if parent is not None:
            text += f'parent = "{parent}"\nprobability = {p}\n'
        for table, key, years, column, setting in PATCHES.get(nid, []):
            keys = ", ".join(f'"{k}"' for k in key)
            text += f'\n[[node.patch]]\ntable = "{table}"\nkey = [{keys}]\n'
            text += f'column = "{column}"\n{setting}\n'
            if years is not None:
                text += f'years = "{years}"\n'
    path = folder / "tree.toml"
    path.write_text(text, encoding="utf-8")
    return path


ARRAYS = ("col_cost", "row_lower", "row_upper", "start", "index", "value")
ARRAYS += ("term_row", "term_col", "term_value")


def test_every_scenario_is_exactly_its_own_build(tmp_path):
    tree = load_tree(every_column_tree(tmp_path))
    lps = scenario_lps(tree)
    assert len(lps.arrays) == len(tree.scenarios) == 3
    changed = 0
    for ts, made in zip(tree.scenarios, lps.arrays, strict=True):
        built = build_lp(ts.scenario, dense=True).arrays
        for name in ARRAYS:
            mine, theirs = getattr(made, name), getattr(built, name)
            assert mine.dtype == theirs.dtype, name
            assert np.array_equal(mine, theirs), (ts.name, name)
        for name in ("col_cost", "row_lower", "row_upper", "value"):
            changed += not np.array_equal(getattr(made, name), getattr(lps.head.arrays, name))
    assert changed >= 9  # every scenario moved costs and bounds; one a coefficient too


def test_arrays_that_do_not_change_are_shared(tmp_path):
    tree = load_tree(every_column_tree(tmp_path))
    lps = scenario_lps(tree)
    a = lps.arrays[0]  # scenario a: no import patch, so no import price differs
    assert a.start is lps.head.arrays.start and a.index is lps.head.arrays.index
    assert a.value is not lps.head.arrays.value  # its oxide_per_t moved a coefficient
    same = patched_arrays(lps.head.arrays, [])
    assert all(getattr(same, n) is getattr(lps.head.arrays, n) for n in ARRAYS)


def test_a_coefficient_entry_moves_the_matrix_and_its_row_terms(tmp_path):
    tree = load_tree(every_column_tree(tmp_path))
    lps = scenario_lps(tree)
    head, a = lps.head.arrays, lps.arrays[0]
    moved = np.flatnonzero(head.value != a.value)
    assert len(moved) and np.all(a.value[moved] == pytest.approx(0.41))
    assert np.count_nonzero(head.term_value != a.term_value) == len(moved)
