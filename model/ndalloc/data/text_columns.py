"""Text columns made in Arrow and handed to pandas whole.

pandas keeps text in Arrow arrays (its `str` dtype); a column built from a Python list of
strings is converted string by string (about 80 ms for 600,000 rows), one built from an Arrow
array is wrapped (a few ms). Result tables of large runs are built with these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def text_array(column: pd.Series) -> pa.Array:
    """A column's values as Arrow text, each as `str` writes it (a missing value "nan"; no
    copy for pandas' own Arrow-backed text)."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        chunks = pa.array(column.array)
        chunks = chunks.combine_chunks() if isinstance(chunks, pa.ChunkedArray) else chunks
        if chunks.null_count:  # as `str` writes a missing value
            chunks = pc.fill_null(chunks, "nan")
        return chunks.cast(pa.string())  # pandas holds large_string
    return pa.array([str(v) for v in column.tolist()], pa.string())


def repeated_text(word: str, n: int) -> pa.Array:
    """`word`, `n` times, as Arrow text (one buffer of offsets into one word)."""
    return pa.array([word], pa.string()).take(pa.array(np.zeros(n, dtype=np.int32)))


def text_column(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A pandas text column (dtype `str`) around Arrow text."""
    return pd.Series(values, dtype="str")
