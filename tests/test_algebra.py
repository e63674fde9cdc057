"""The expressions families are declared with (`ndalloc.lp.algebra`): the rows they give
HiGHS, term by term, and the mistakes they refuse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ndalloc.lp.registry import ArrayRegistry


def _lp() -> tuple[ArrayRegistry, object, object]:
    lp = ArrayRegistry()
    x = lp.add_variables("x", pd.DataFrame({"i": ["a", "b", "c"]}), "t", "x")
    y = lp.add_variables("y", pd.DataFrame({"year": [2025, 2026]}), "t", "y")
    return lp, x, y


def test_rows_read_like_the_maths():
    lp, x, y = _lp()
    # 2 x_a - y_2025 <= 5 and 3 x_c - y_2026 <= 7; then y_2025 + y_2026 = x_a + x_b + x_c.
    lp.add_constraints(
        "r",
        pd.DataFrame({"year": [2025, 2026]}),
        np.array([2.0, 3.0]) * x[[0, 2]] - y <= np.array([5.0, 7.0]),
        "t",
        "r",
    )
    lp.add_constraints(
        "s", pd.DataFrame({"k": [0]}), y.sum_by([0, 0], 1) - x.sum_by([0, 0, 0], 1) == 0.0, "t", "s"
    )
    arrays = lp.assemble({"x": np.array([1.0, 0.0, 2.0])})
    np.testing.assert_array_equal(arrays.row_upper, [5.0, 7.0, 0.0])
    np.testing.assert_array_equal(arrays.row_lower, [-np.inf, -np.inf, 0.0])
    # Columns in the order the rows first mention them: x_a, y_2025, x_c, y_2026, x_b.
    np.testing.assert_array_equal(arrays.cols["x"], [0, 4, 2])
    np.testing.assert_array_equal(arrays.cols["y"], [1, 3])
    np.testing.assert_array_equal(arrays.term_row, [0, 0, 1, 1, 2, 2, 2, 2, 2])
    np.testing.assert_array_equal(arrays.term_col, [0, 1, 2, 3, 1, 3, 0, 4, 2])
    np.testing.assert_array_equal(arrays.term_value, [2, -1, 3, -1, 1, 1, -1, -1, -1])
    np.testing.assert_array_equal(arrays.col_cost, [1.0, 0.0, 2.0, 0.0, 0.0])


def test_a_reflected_comparison_and_product_give_the_same_rows():
    lp, x, _ = _lp()
    lp.add_constraints("a", pd.DataFrame({"i": list("abc")}), 2.0 * x >= 1.0, "t", "a")
    lp.add_constraints(
        "b", pd.DataFrame({"i": list("abc")}), np.ones(3) <= x * np.full(3, 2.0), "t", "b"
    )
    rows = lp.rows
    np.testing.assert_array_equal(rows["a"].lower, rows["b"].lower)
    np.testing.assert_array_equal(rows["a"].terms[0].coef, rows["b"].terms[0].coef)


def test_mismatched_shapes_and_keys_are_refused():
    lp, x, y = _lp()
    with pytest.raises(ValueError, match="cannot add an expression of 2 rows to one of 3"):
        x + y
    with pytest.raises(ValueError, match=r"a factor per row needs 3 values, not \(2,\)"):
        np.ones(2) * x
    with pytest.raises(ValueError, match="r: 2 keys for 3 rows"):
        lp.add_constraints("r", pd.DataFrame({"year": [2025, 2026]}), x <= 1.0, "t", "r")
    with pytest.raises(ValueError, match="x: 2 rows for 3 members"):
        x.sum_by([0, 1], 2, [0, 1, 2])
