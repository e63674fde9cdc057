"""Write a table as CSV, byte for byte as `DataFrame.to_csv(index=False, lineterminator="\\n")`
writes it, a column at a time and without a Python loop over the rows.

Each distinct value of a column is formatted once, as pandas formats it (a float by `repr`:
`5.0`, `0.1`, `1e-07`; NaN and None as an empty cell; a bool as `True`/`False`; a text
quoted only when it holds a comma, a quote or a "\\n", its quotes doubled); Arrow then takes
the texts row by row and joins the cells and lines in C++, and the file is written from
Arrow's buffer. tests/test_csv_writer.py checks the bytes against pandas on every table of
bundled runs and on awkward values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def _quoted(text: str) -> str:
    """A text as the csv module writes it (QUOTE_MINIMAL, lineterminator "\\n": a "\\r" is
    not quoted)."""
    if "," in text or '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _text(value: object) -> str:
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, float):  # numpy floats too
        return repr(float(value))
    return _quoted(str(value))


def _cells(column: pd.Series) -> pa.Array:
    """The cells of one column as pandas' CSV writer prints them, as an Arrow string array."""
    dtype = column.dtype
    if dtype == np.float64:
        return _floats(column.to_numpy())
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return _integers(column.to_numpy())
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pc.if_else(pa.array(column.to_numpy()), "True", "False")
    if dtype == np.dtype(object) and pd.api.types.infer_dtype(column, skipna=True) != "string":
        # mixed objects (numbers, bools, texts): each cell formatted on its own
        return pa.array(["" if pd.isna(v) else _text(v) for v in column.tolist()], pa.string())
    texts = pa.array(column, type=pa.string(), from_pandas=True)  # no copy for Arrow strings
    # Whether a text needs quotes is asked of each distinct text once (a column repeats its
    # names: a scenario's entities, a table's fixed words).
    distinct = pc.unique(texts)
    if pc.any(pc.match_substring_regex(distinct, '[,"\n]')).as_py():
        special = pc.match_substring_regex(texts, '[,"\n]')
        doubled = pc.replace_substring(texts, '"', '""')
        texts = pc.if_else(special, pc.binary_join_element_wise('"', doubled, '"', ""), texts)
    return pc.fill_null(texts, "") if texts.null_count else texts


def _integers(values: np.ndarray) -> pa.Array:
    """Integer cells; a narrow range (years, counts) written once per value and taken."""
    if len(values) > 1000:
        low, high = int(values.min()), int(values.max())
        if high - low < len(values) // 4:
            words = pa.array([str(v) for v in range(low, high + 1)], pa.string())
            if values.dtype.kind == "u":  # no wrap-around: every value is at least low
                offsets = (values - values.dtype.type(low)).astype(np.int64)
            else:  # int8 or int16 would wrap below zero
                offsets = values.astype(np.int64) - low
            return words.take(pa.array(offsets))
    return pc.cast(pa.array(values), pa.string())


#: Floats that Arrow's shortest form and Python's `repr` write alike (up to a ".0" that Arrow
#: leaves off a whole number) when Arrow writes them without an exponent: zero, and
#: 1e-4 <= |x| < 1e16, where both write every digit positionally. Others (1e-05, 1e+16,
#: Arrow's 1e+10, inf) are written by `repr`.
_POSITIONAL = (1e-4, 1e16)


def _floats(values: np.ndarray) -> pa.Array:
    """Float cells as `repr` writes them, NaN as an empty cell, formatted by Arrow in C++."""
    size = np.abs(values)
    alike = (values == 0) | ((size >= _POSITIONAL[0]) & (size < _POSITIONAL[1]))
    texts = pc.cast(pa.array(np.where(alike, values, 0.0)), pa.string())
    alike &= ~_numpy(pc.match_substring(texts, "e"))  # Arrow's 1e+10: repr writes it out
    whole = alike & (np.floor(values) == values)  # Arrow writes "5" where repr writes "5.0"
    if whole.any():
        texts = pc.if_else(pa.array(whole), pc.binary_join_element_wise(texts, ".0", ""), texts)
    others = np.flatnonzero(~alike & np.isfinite(values))
    if len(others):
        written = pa.array([repr(v) for v in values[others].tolist()], pa.string())
        at = np.zeros(len(values), dtype=bool)
        at[others] = True
        filled = np.zeros(len(values), dtype=np.int64)
        filled[others] = np.arange(len(others))
        texts = pc.if_else(pa.array(at), written.take(pa.array(filled)), texts)
    for special, text in ((np.inf, "inf"), (-np.inf, "-inf")):
        found = values == special
        if found.any():
            texts = pc.if_else(pa.array(found), text, texts)
    nan = np.isnan(values)
    return pc.if_else(pa.array(nan), "", texts) if nan.any() else texts


def _numpy(mask: pa.Array) -> np.ndarray:
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def _handled(dtype: object) -> bool:
    """The dtypes written here: float64, integers, bools, texts and plain objects."""
    if isinstance(dtype, np.dtype):
        return dtype == np.float64 or dtype.kind in "iubO"
    return isinstance(dtype, pd.StringDtype)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV file of `frame`: a header line, then one line per row, each ending in "\\n"."""
    if any(not _handled(frame[c].dtype) for c in frame.columns) or not frame.shape[1]:
        # float32, nullable and datetime columns, or no column at all: pandas writes them
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    names = [_quoted(str(c)) for c in frame.columns]
    if names == [""]:  # the csv module quotes a lone empty cell, lest the line look blank
        names = ['""']
    header = (",".join(names) + "\n").encode("utf-8")
    if not len(frame):
        return header
    cells = [_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    if len(cells) == 1:  # the csv module quotes a lone empty cell, lest the line look blank
        cells = [pc.if_else(pc.equal(cells[0], ""), '""', cells[0])]
    return header + _body(cells, len(frame))


def _body(cells: list[pa.Array], n: int) -> bytes:
    """The rows, cells joined by "," and each row ended by "\\n", from one Arrow buffer."""
    joined = pc.binary_join_element_wise(*cells, ",")
    ended = pc.binary_join_element_wise(joined, pa.scalar(""), "\n")  # "row" + "\n" + ""
    ended = ended.combine_chunks() if isinstance(ended, pa.ChunkedArray) else ended
    offsets = np.frombuffer(ended.buffers()[1], dtype=np.int32)[ended.offset :]
    data = ended.buffers()[2]
    return data.to_pybytes()[int(offsets[0]) : int(offsets[n])] if data is not None else b""


def csv_text(frame: pd.DataFrame) -> str:
    """`csv_bytes` as text."""
    return csv_bytes(frame).decode("utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` as `csv_bytes` gives it."""
    path.write_bytes(csv_bytes(frame))


#: Rows from which a set of tables is written by two threads (Arrow's kernels let go of the
#: GIL, so two tables are formatted at once on two cores).
_PARALLEL_ROWS = 200_000


def write_csvs(tables: Mapping[Path, pd.DataFrame]) -> None:
    """Write every table to its path as `write_csv` does; the largest first, on two threads
    when there are many rows (the files are the same bytes either way)."""
    _write_all(write_csv, tables)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as a Parquet file (Arrow's writer, zstd; no index column)."""
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, compression="zstd")


def write_parquets(tables: Mapping[Path, pd.DataFrame]) -> None:
    """`write_parquet` of every table, as `write_csvs` shares them out."""
    _write_all(write_parquet, tables)


def _write_all(
    write: Callable[[pd.DataFrame, Path], None], tables: Mapping[Path, pd.DataFrame]
) -> None:
    order = sorted(tables, key=lambda path: -len(tables[path]))
    rows = sum(len(t) for t in tables.values())
    workers = min(2, os.cpu_count() or 1) if rows >= _PARALLEL_ROWS else 1
    if workers == 1:
        for path in order:
            write(tables[path], path)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="ndalloc-write")
    try:
        for done in [pool.submit(write, tables[path], path) for path in order]:
            done.result()
    finally:  # an error or Ctrl-C: the writes not yet started are dropped
        pool.shutdown(wait=True, cancel_futures=True)
