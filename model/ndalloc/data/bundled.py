"""Where the bundled scenarios are, for an editable install and for a built wheel alike."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def bundled_root() -> Path:
    """The folder holding the bundled scenarios.

    A wheel carries them as `ndalloc/_bundled` (see pyproject's force-include); a source
    checkout or editable install finds them in the repository's `data/` folder.
    """
    inside = _PACKAGE / "_bundled"
    if inside.is_dir():
        return inside
    return _PACKAGE.parent.parent / "data"


def bundled_names() -> list[str]:
    root = bundled_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "scenario.toml").is_file())


def bundled_path(name: str) -> Path:
    return bundled_root() / name
