"""Where tree files are and where their entries start (for error lines)."""

from __future__ import annotations

import bisect
import re

from ndalloc.data.bundled import bundled_root

#: The file name of a bundled tree: data/<name>/tree.toml.
TREE_FILE = "tree.toml"


def bundled_trees() -> list[str]:
    """The names of the bundled trees (folders of data/ with a tree.toml)."""
    root = bundled_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / TREE_FILE).is_file())


def header_lines(text: str, header: str) -> list[int]:
    pattern = re.compile(r"\s*\[\[\s*" + re.escape(header).replace(r"\.", r"\s*\.\s*") + r"\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def node_patch_lines(text: str) -> list[list[int]]:
    """The line of each `[[node.patch]]`, grouped by the `[[node]]` it follows."""
    nodes = header_lines(text, "node")
    patches = header_lines(text, "node.patch")
    bounds = [bisect.bisect_right(patches, start) for start in nodes] + [len(patches)]
    return [patches[bounds[i] : bounds[i + 1]] for i in range(len(nodes))]
