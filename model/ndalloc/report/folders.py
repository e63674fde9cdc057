"""Read a run or sweep folder for a report: its manifest and its CSV tables, nothing else.

Reports are built from what is on disk (`ndalloc.comparison.Run` reads the tables), so the
report a solve writes and the one `ndalloc report RUN` rebuilds later come from the same
bytes. While a run is being written its folder is a hidden staging folder whose manifest is
not yet on disk: `open_folder(staging, manifest)` reads the tables from there with the
manifest that is about to be written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ndalloc.comparison import Run, RunFolderError, read_run

#: Key columns of a dual table are those before the first of these.
DUAL_VALUES = ("activity_t", "rhs_t", "slack_t", "binding")
#: Columns of a variable table that are not its key.
VARIABLE_VALUES = ("value_t", "reduced_cost_pv_usd_per_t", "unit")


@dataclass(frozen=True)
class Folder:
    """A run or sweep folder, read back for a report."""

    run: Run
    _missing: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def folder(self) -> Path:
        return self.run.folder

    @property
    def manifest(self) -> dict[str, Any]:
        return self.run.manifest

    @property
    def run_id(self) -> str:
        """The manifest's run id (a staging folder's name is not the run's)."""
        return str(self.manifest.get("run_id") or self.folder.name)

    @property
    def scenario(self) -> str:
        return self.run.scenario

    @property
    def status(self) -> str:
        return self.run.status

    @property
    def optimal(self) -> bool:
        return self.run.optimal

    @property
    def is_sweep(self) -> bool:
        return self.manifest.get("kind") == "sweep"

    @property
    def is_tree(self) -> bool:
        """A tree run or a tree sweep (report page only, no workbook)."""
        return self.manifest.get("kind") in ("tree", "tree-sweep")

    @property
    def objective_usd(self) -> float | None:
        return self.run.objective_usd if self.optimal else None

    def table(self, stem: str) -> pd.DataFrame:
        """`<stem>.csv` (a copy), or an empty frame when the run has no such table. The run
        keeps each table it has read (`Run.table`), so a table is read once and held once."""
        if stem in self._missing:
            return pd.DataFrame()
        try:
            return self.run.table(stem)
        except RunFolderError:
            path = self.folder / f"{stem}.csv"
            if path.is_file():
                raise  # there but unreadable: say so, do not draw an empty chart
            if f"{stem}.csv" in (self.manifest.get("tables") or ()):
                raise RunFolderError(
                    f"{path} is missing: the manifest lists it (the folder was changed"
                    " since it was written)"
                ) from None
            self._missing.add(stem)
            return pd.DataFrame()

    def size(self, stem: str) -> tuple[int, int]:
        """(rows, columns) of `<stem>.csv` without reading it as a table ((0, 0) if the run
        has no such table): its lines after the header, and the header's names."""
        path = self.folder / f"{stem}.csv"
        if not path.is_file():
            return 0, 0
        return csv_size(path)

    def years(self) -> list[int]:
        allocation = self.table("allocation")
        if allocation.empty:
            return []
        return [int(y) for y in allocation["year"]]


#: Bytes read at a time when counting the lines of a CSV file.
_CHUNK_BYTES = 1 << 20


def csv_size(path: Path) -> tuple[int, int]:
    """(rows, columns) of a CSV file that ndalloc wrote, counted without parsing it: its lines
    after the header (no cell of ndalloc's tables holds a line break), and the header's names."""
    lines = 0
    last = b"\n"
    first = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            if not first:
                first = chunk.split(b"\n", 1)[0]
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1  # the last line has no line break
    if not first.strip():
        return 0, 0
    header = next(csv.reader([first.decode("utf-8-sig").rstrip("\r")]))
    return max(0, lines - 1), len(header)


def open_folder(folder: str | Path | Run, manifest: dict[str, Any] | None = None) -> Folder:
    """A run or sweep folder; with `manifest`, a folder whose manifest is not on disk yet."""
    if isinstance(folder, Run):
        return Folder(folder)
    if manifest is not None:
        return Folder(Run(folder=Path(folder), manifest=manifest))
    return Folder(read_run(folder))


def keys(frame: pd.DataFrame) -> list[str]:
    """The key columns of a dual or variable table other than year (e.g. ["origin", "product"])."""
    out = []
    for column in frame.columns:
        if column in DUAL_VALUES or column in VARIABLE_VALUES:
            break
        if column != "year":
            out.append(column)
    return out


def entity(frame: pd.DataFrame) -> pd.Series:
    """Each row's key other than year, joined by "/" ("" for tables keyed by year alone)."""
    columns = keys(frame)
    if not columns:
        return pd.Series("", index=frame.index, dtype=object)
    joined = frame[columns[0]].astype(str)
    for column in columns[1:]:
        joined = joined + "/" + frame[column].astype(str)
    return joined


def by_year(
    frame: pd.DataFrame, column: str, years: list[int], fill: float | None = 0.0
) -> pd.DataFrame:
    """A table pivoted to one row per year (all `years`) and one column per entity, `fill`
    where a row is missing (None: NaN, a gap in a line); entities in order of appearance.
    Rows of the same year and entity are added up (NaN where all of them are NaN)."""
    index = pd.Index(years, name="year")
    if frame.empty:
        return pd.DataFrame(index=index)
    codes, uniques = pd.factorize(entity(frame), sort=False)
    names = [str(n) for n in uniques]
    rows = index.get_indexer(frame["year"].astype(int))  # -1: a year not in `years`
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    keep = (rows >= 0) & ~np.isnan(values)
    cells = rows[keep] * len(names) + codes[keep]
    shape = (len(years), len(names))
    size = shape[0] * shape[1]
    sums = np.bincount(cells, weights=values[keep], minlength=size).reshape(shape)
    counts = np.bincount(cells, minlength=size).reshape(shape)
    sums[counts == 0] = np.nan if fill is None else fill
    return pd.DataFrame(sums, index=index, columns=names)
