"""The run folder's CSV writer gives the bytes pandas' `to_csv(index=False,
lineterminator="\\n")` gives: on every table of bundled runs and on awkward values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ndalloc
from ndalloc.data.csv_writer import csv_text


def _pandas(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("name", ["india-base", "china-curbs"])
def test_every_table_of_a_run_as_pandas_writes_it(name):
    tables = ndalloc.solve(name).tables()
    assert len(tables) > 20
    for table, frame in tables.items():
        assert csv_text(frame) == _pandas(frame), table


def test_awkward_values():
    frame = pd.DataFrame(
        {
            "f": [0.1, 5.0, -0.0, 1e-7, 0.0, np.nan, np.inf, 123456789.123456789],
            "i": np.arange(8, dtype=np.int64),
            "b": [True, False] * 4,
            "s": ["a,b", 'say "x"', "line\nbreak", "", None, "plain", " space ", "é"],
            "o": pd.Series([1, 2.5, None, "x", True, np.float64(0.5), "a,b", ""], dtype=object),
            "t": pd.Series(["x", None, "y", "z,", "", "q", "r", "s"], dtype="str"),
        }
    )
    assert csv_text(frame) == _pandas(frame)
    assert csv_text(frame.iloc[:0]) == _pandas(frame.iloc[:0])
    lone = pd.DataFrame({"only": ["", "a", None]})
    assert csv_text(lone) == _pandas(lone)
    for odd in (
        pd.DataFrame({"": ["x"]}),  # a lone empty header cell is quoted too
        pd.DataFrame(index=range(3)),  # rows without columns
        pd.DataFrame({"f": np.array([0.1, 2.5], dtype=np.float32)}),
        pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),
        pd.DataFrame({"d": pd.to_datetime(["2026-12-03", None])}),
    ):
        assert csv_text(odd) == _pandas(odd), odd.dtypes


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20),
    st.lists(st.text(max_size=8), min_size=1, max_size=20),
)
def test_any_floats_and_texts(floats, texts):
    n = min(len(floats), len(texts))
    frame = pd.DataFrame({"x": floats[:n], "name": pd.Series(texts[:n], dtype=object)})
    assert csv_text(frame) == _pandas(frame)


def test_floats_of_every_magnitude_as_repr_writes_them():
    rng = np.random.default_rng(7)
    exponents = rng.uniform(-12, 20, 200_000)
    values = rng.choice([-1.0, 1.0], 200_000) * 10.0**exponents
    edges = [1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 0.1 + 0.2, 2.0**53]
    whole = np.round(values[:1000] * 1e3)
    values = np.concatenate([values, edges, -np.asarray(edges), whole, [0.0, -0.0, 5.0]])
    frame = pd.DataFrame({"x": values})
    assert csv_text(frame) == _pandas(frame)


def test_many_tables_written_on_two_threads_as_pandas_writes_them(tmp_path, monkeypatch):
    """Above the row threshold the tables are written by two threads: the same bytes; an
    error in one table is raised after the others were written or dropped."""
    from ndalloc.data import csv_writer

    monkeypatch.setattr(csv_writer, "_PARALLEL_ROWS", 10)
    rng = np.random.default_rng(0)
    frames = {
        tmp_path / f"t{i}.csv": pd.DataFrame(
            {
                "name": [f"e{j % 7}, x" if j % 5 == 0 else f"e{j}" for j in range(40 + i)],
                "year": np.arange(40 + i) + 2025,
                "value": np.where(rng.random(40 + i) < 0.2, np.inf, rng.normal(size=40 + i)),
            }
        )
        for i in range(6)
    }
    csv_writer.write_csvs(frames)
    for path, frame in frames.items():
        assert path.read_text() == _pandas(frame)
    broken = {**frames, tmp_path / "missing" / "t.csv": next(iter(frames.values()))}
    with pytest.raises(FileNotFoundError):
        csv_writer.write_csvs(broken)


@pytest.mark.parametrize(
    "values",
    [
        np.tile(np.array([-100, 100], dtype=np.int8), 600),
        np.tile(np.array([-32768, 32767], dtype=np.int16), 140_000),
        np.tile(np.array([2**64 - 3, 2**64 - 1], dtype=np.uint64), 600),
        np.tile(np.array([-(2**63), 2**63 - 1], dtype=np.int64), 600),
        np.arange(2000, dtype=np.int64) % 20 + 2025,
    ],
    ids=["int8", "int16", "uint64", "int64-limits", "years"],
)
def test_integer_columns_narrow_and_wide(values):
    frame = pd.DataFrame({"x": values})
    assert csv_text(frame) == _pandas(frame)


def test_text_array_writes_each_value_as_str():
    from ndalloc.data.text_columns import text_array

    assert text_array(pd.Series(["x", None], dtype=object)).to_pylist() == ["x", "None"]
    assert text_array(pd.Series([1, 2])).to_pylist() == ["1", "2"]
    assert text_array(pd.Series(["a", None], dtype="str")).to_pylist() == ["a", "nan"]
