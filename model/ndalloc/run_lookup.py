"""Find a run folder from what a user types: a path, a run id, or the start of a run id.

Kept apart from `ndalloc.comparison` (which re-exports these names) so that it needs neither
pandas nor Pyomo.
"""

from __future__ import annotations

from pathlib import Path

#: Where runs are written and looked up unless told otherwise (as `ndalloc solve --out`).
DEFAULT_RUNS_DIR = Path("runs")
#: The manifest file of a run folder, and the prefix of one being written (as `ndalloc.runs`).
MANIFEST = "manifest.json"
INCOMPLETE_PREFIX = ".incomplete-"


class RunFolderError(Exception):
    """A path that is not a complete, readable run folder (or a folder of runs)."""


class RunNotFoundError(RunFolderError):
    """No run, or more than one, answers to what was given."""


def _shown(folder: Path) -> str:
    """A folder as the user would type it: `runs/`."""
    return f"{folder.as_posix().rstrip('/')}/"


def _runs_starting_with(root: Path, prefix: str) -> list[Path]:
    """The complete run folders in `root` whose run id starts with `prefix`."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.name.startswith(prefix)
        and not p.name.startswith(INCOMPLETE_PREFIX)
        and (p / MANIFEST).is_file()
    )


def find_run(ref: str | Path, runs_dir: str | Path | None = DEFAULT_RUNS_DIR) -> Path:
    """The folder of a run given as a path, as a run id in `runs_dir`, or as the start of
    exactly one run id there. `RunFolderError` if there is none, or several."""
    path = Path(ref)
    if path.exists():
        return path
    if runs_dir is None or path.is_absolute():
        raise RunNotFoundError(f"no run {str(ref)!r}: not a folder")
    root = Path(runs_dir)
    if (root / path).exists():
        return root / path
    hint = "`ndalloc runs`" if root == DEFAULT_RUNS_DIR else f"`ndalloc runs --dir {root}`"
    found = _runs_starting_with(root, str(ref)) if len(path.parts) == 1 and str(ref) else []
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(p.name for p in found[:5]) + (", ..." if len(found) > 5 else "")
        raise RunNotFoundError(
            f"run id {str(ref)!r} is the start of {len(found)} runs in {_shown(root)}"
            f" ({names}); give more of it; see {hint}"
        )
    raise RunNotFoundError(f"no run {str(ref)!r} in {_shown(root)}; see {hint}")
