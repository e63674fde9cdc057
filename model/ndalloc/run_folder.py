"""A run folder read back: its manifest and, on demand, its CSV tables (json and pandas only).

`read_run` checks what it reads (`ndalloc.run_checks`): a folder that is not a complete run, or a
tampered manifest or table, is a `RunFolderError` naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ndalloc.run_checks import check_manifest, check_table
from ndalloc.run_lookup import INCOMPLETE_PREFIX, MANIFEST, RunFolderError, find_run

OPTIMAL = "optimal"
#: Columns read as text whatever they hold (entity names such as "2030" stay names).
_TEXT_COLUMNS = ("source", "contract", "maker", "stockpile", "sector", "origin", "product")


@dataclass(frozen=True)
class Run:
    """A run folder, read back: its manifest, and its CSV tables on demand."""

    folder: Path
    manifest: dict[str, Any]
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def run_id(self) -> str:
        """The folder's name: what `find_run` looks up (the manifest's run_id unless renamed)."""
        return self.folder.name

    @property
    def scenario(self) -> str:
        return str(self.manifest.get("scenario", ""))

    @property
    def status(self) -> str:
        return str(self.manifest["status"])

    @property
    def optimal(self) -> bool:
        return self.status == OPTIMAL

    @property
    def objective_usd(self) -> float | None:
        value = self.manifest.get("objective_usd")
        return float(value) if isinstance(value, int | float) else None

    @property
    def solve_s(self) -> float | None:
        value = (self.manifest.get("timings_s") or {}).get("solve_s")
        return float(value) if isinstance(value, int | float) else None

    def table(self, stem: str, columns: Iterable[str] = ()) -> pd.DataFrame:
        """The run's `<stem>.csv` (a copy), which must have `columns`; RunFolderError if not."""
        if stem not in self._tables:
            path = self.folder / f"{stem}.csv"
            if not path.is_file():
                raise RunFolderError(
                    f"run {self.run_id} is {self.status} but has no {stem}.csv in {self.folder}"
                )
            try:
                frame = pd.read_csv(path, dtype=dict.fromkeys(_TEXT_COLUMNS, str))
            except (OSError, ValueError) as exc:  # pandas' parser errors are ValueErrors
                raise RunFolderError(f"cannot read {path}: {exc}") from None
            check_table(path, stem, frame, _TEXT_COLUMNS)
            self._tables[stem] = frame
        frame = self._tables[stem]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise RunFolderError(
                f"{self.folder / f'{stem}.csv'} lacks column(s) {', '.join(missing)}"
            )
        return frame.copy()


def read_run(ref: str | Path | Run, runs_dir: str | Path | None = None) -> Run:
    """Read a run folder's manifest; RunFolderError with a plain message if it is not one."""
    if isinstance(ref, Run):
        return ref
    folder = find_run(ref, runs_dir)
    if not folder.is_dir():
        raise RunFolderError(f"{folder} is not a folder: give a run folder or a run id")
    if folder.name.startswith(INCOMPLETE_PREFIX):
        raise RunFolderError(
            f"{folder} is an incomplete run: a solve is still writing it, or was interrupted "
            "while writing it; it has no complete results"
        )
    path = folder / MANIFEST
    if not path.is_file():
        raise RunFolderError(f"{folder} is not a run folder: it has no {MANIFEST}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        raise RunFolderError(f"{path} is not a run manifest: it has no status")
    check_manifest(path, data)
    return Run(folder=folder, manifest=data)
