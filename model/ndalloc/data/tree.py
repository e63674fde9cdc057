"""Scenario trees: a base scenario and nodes that change its data from their year on.

A tree file (`tree.toml`, docs/formulation.md section 11.5) names a base scenario and nodes,
each with a year, a parent, a probability given the parent and `[[node.patch]]` entries written
as the `[[patch]]` entries of scenario.toml. Every path from the root to a leaf is a scenario:
the base with the patches of the nodes on the path, each cut to the years from its node's year
on. `load_tree` reads, checks and expands a tree and raises one `ScenarioError` with every
problem found (file, line, key), as `load_scenario` does for a scenario.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ndalloc.data.bundled import bundled_root
from ndalloc.data.errors import Issue, ScenarioError
from ndalloc.data.loader import apply_patches, load_scenario, resolve_scenario_path
from ndalloc.data.parse import error_column, error_message
from ndalloc.data.patch import Patch
from ndalloc.data.readers import read_text
from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.schema import TABLES, Year
from ndalloc.data.tree_files import TREE_FILE, bundled_trees, header_lines, node_patch_lines
from ndalloc.data.validate import cross_table_issues

#: How far the probabilities of a node's children may be from adding to 1.
PROBABILITY_TOLERANCE = 1e-9

_NAME = r"^[a-z0-9][a-z0-9_\-]*$"


class TreeNode(BaseModel):
    """A `[[node]]` entry of a tree file."""

    model_config = ConfigDict(
        strict=True, frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    id: Annotated[str, Field(pattern=_NAME, max_length=80)]
    """The node's name, unique in the tree, e.g. "curb-2027" [lowercase name]."""
    year: Year
    """First year whose data the node's patches change; its decisions are those of this year
    until its children's year [year]."""
    parent: str | None = None
    """The node it follows; omitted for the root [node id]."""
    probability: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1.0
    """Probability of the node given its parent; the root's is 1 [fraction]."""
    patch: list[Any] = Field(default_factory=list)
    """Changes to the data from `year` on, as `[[node.patch]]` tables [patches]."""


class TreeFile(BaseModel):
    """The top-level keys of a tree file."""

    model_config = ConfigDict(
        strict=True, frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    base: str
    """The base scenario: a bundled name or a folder relative to the tree file [scenario]."""
    name: Annotated[str, Field(pattern=_NAME, max_length=80)]
    """The tree's name, used for its run folders [lowercase name]."""
    description: str = ""
    """What the tree asks, in a planner's words [text]."""
    node: list[Any]
    """The nodes, as `[[node]]` tables [nodes]."""


@dataclass(frozen=True)
class Node:
    """A checked node: its place in the tree and its probability from the root."""

    id: str
    year: int
    parent: str | None
    probability: float
    """Given the parent."""
    path_probability: float
    """From the root: the product of the probabilities on its path."""
    line: int


@dataclass(frozen=True)
class TreeScenario:
    """One path from the root to a leaf, as a scenario."""

    name: str
    """The leaf's id."""
    probability: float
    path: tuple[str, ...]
    """Node ids from the root to the leaf."""
    scenario: Scenario


@dataclass(frozen=True)
class Tree:
    """A checked scenario tree: its nodes (in file order), its base and its scenarios
    (depth first, children in file order)."""

    name: str
    description: str
    origin: str
    base: Scenario
    nodes: Mapping[str, Node]
    scenarios: tuple[TreeScenario, ...]


def load_tree(path: str | Path) -> Tree:
    """Read and check a tree file (or the bundled tree of that name) and build each of its
    scenarios (see the module)."""
    path = Path(path)
    if not path.is_file() and (bundled_root() / str(path) / TREE_FILE).is_file():
        path = bundled_root() / str(path) / TREE_FILE
    label = path.name
    issues: list[Issue] = []
    if not path.is_file():
        known = ", ".join(bundled_trees()) or "none"
        message = f"no tree file {str(path)!r} (bundled trees: {known})"
        raise ScenarioError([Issue(str(path), 0, "-", message)], scenario=str(path))
    text = read_text(path, label, issues)
    if text is None:
        raise ScenarioError(issues, scenario=str(path))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        raise ScenarioError(
            [Issue(label, line, "-", f"not valid TOML: {exc}")], str(path)
        ) from None
    top = _validated(TreeFile, raw, label, 1, issues)
    if top is None:
        raise ScenarioError(issues, scenario=str(path))
    node_lines = header_lines(text, "node")
    patch_lines = node_patch_lines(text)
    nodes: list[tuple[TreeNode, int]] = []
    for i, entry in enumerate(top.node):
        line = node_lines[i] if i < len(node_lines) else 0
        node = _validated(TreeNode, entry, label, line, issues)
        if node is not None:
            nodes.append((node, line))
    base = _base(top.base, path.parent, label, issues)
    checked = _structure(nodes, base, label, issues)
    patches = {
        node.id: _patches(node, patch_lines[i] if i < len(patch_lines) else [], label, issues)
        for i, (node, _) in enumerate(nodes)
    }
    if base is None:
        raise ScenarioError(_unique(issues), scenario=str(path))
    if issues or checked is None:
        # The tree cannot be expanded: still say which patches match nothing in the base.
        first, last = base.meta.first_year, base.meta.last_year
        for node, _ in nodes:
            cut = [
                (_from_year(p, node.year, (first, last), w, issues), w) for p, w in patches[node.id]
            ]
            apply_patches([(p, w) for p, w in cut if p is not None], dict(base.tables), issues)
        raise ScenarioError(_unique(issues), scenario=str(path))
    scenarios = _expand(top.name, checked, patches, base, str(path), label, issues)
    if issues:
        raise ScenarioError(_unique(issues), scenario=str(path))
    return Tree(top.name, top.description, str(path), base, checked, tuple(scenarios))


def _validated(model: type[BaseModel], raw: Any, label: str, line: int, issues: list[Issue]) -> Any:
    if not isinstance(raw, dict):
        issues.append(Issue(label, line, "-", f"expected a table of keys, got {raw!r}"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for e in exc.errors():
            issues.append(Issue(label, line, error_column(e), error_message(e)))
        return None


def _base(ref: str, folder: Path, label: str, issues: list[Issue]) -> Scenario | None:
    try:
        return load_scenario(resolve_scenario_path(ref, folder))
    except ScenarioError as exc:
        issues.append(Issue(label, 1, "base", f"base scenario {ref!r} cannot be used:"))
        issues.extend(exc.issues)
        return None


def _structure(
    nodes: list[tuple[TreeNode, int]], base: Scenario | None, label: str, issues: list[Issue]
) -> dict[str, Node] | None:
    """Nodes with their probability from the root, or None with the problems recorded."""
    before = len(issues)
    by_id: dict[str, tuple[TreeNode, int]] = {}
    for node, line in nodes:
        if node.id in by_id:
            issues.append(Issue(label, line, "id", f"node {node.id!r} is given twice"))
        by_id.setdefault(node.id, (node, line))
    roots = [(n, line) for n, line in by_id.values() if n.parent is None]
    if len(roots) != 1:
        issues.append(
            Issue(
                label,
                0,
                "parent",
                f"a tree has one root (a node without parent); found {len(roots)}",
            )
        )
    children: dict[str, list[tuple[TreeNode, int]]] = {}
    for node, line in by_id.values():
        if node.parent is None:
            if node.probability != 1.0:
                issues.append(Issue(label, line, "probability", "the root's probability is 1"))
            if base is not None and node.year != base.meta.first_year:
                issues.append(
                    Issue(
                        label,
                        line,
                        "year",
                        f"the root's year must be the base's first year, {base.meta.first_year}",
                    )
                )
            continue
        parent = by_id.get(node.parent)
        if parent is None:
            issues.append(Issue(label, line, "parent", f"no node {node.parent!r}"))
            continue
        if node.year <= parent[0].year:
            issues.append(
                Issue(
                    label,
                    line,
                    "year",
                    f"{node.year} is not after its parent's year {parent[0].year}",
                )
            )
        if base is not None and node.year > base.meta.last_year:
            issues.append(
                Issue(
                    label,
                    line,
                    "year",
                    f"{node.year} is after the base's last year {base.meta.last_year}",
                )
            )
        children.setdefault(node.parent, []).append((node, line))
    for parent_id, kids in children.items():
        years = sorted({k.year for k, _ in kids})
        if len(years) > 1:
            issues.append(
                Issue(
                    label,
                    kids[0][1],
                    "year",
                    f"the children of {parent_id!r} must share one year; found {years}",
                )
            )
        total = math.fsum(k.probability for k, _ in kids)
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            named = ", ".join(f"{k.id} {k.probability:g}" for k, _ in kids)
            issues.append(
                Issue(
                    label,
                    kids[0][1],
                    "probability",
                    f"the probabilities of the children of {parent_id!r} add to "
                    f"{total:.12g}, not 1 ({named})",
                )
            )
    if len(issues) > before or len(roots) != 1:
        return None
    out: dict[str, Node] = {}
    stack = [(roots[0][0], roots[0][1], 1.0)]
    while stack:
        node, line, above = stack.pop()
        p = above * node.probability
        out[node.id] = Node(node.id, node.year, node.parent, node.probability, p, line)
        stack.extend((k, kl, p) for k, kl in reversed(children.get(node.id, [])))
    unreached = [(n, line) for n, line in by_id.values() if n.id not in out]
    for node, line in unreached:
        issues.append(
            Issue(label, line, "parent", f"node {node.id!r} is not reached from the root (a cycle)")
        )
    return None if unreached else {n.id: out[n.id] for n, _ in nodes if n.id in out}


def _patches(
    node: TreeNode, lines: list[int], label: str, issues: list[Issue]
) -> list[tuple[Patch, tuple[str, int]]]:
    out = []
    for i, raw in enumerate(node.patch):
        line = lines[i] if i < len(lines) else 0
        patch = _validated(Patch, raw, label, line, issues)
        if patch is not None:
            out.append((patch, (label, line)))
    return out


def _from_year(
    patch: Patch,
    year: int,
    horizon: tuple[int, int],
    where: tuple[str, int],
    issues: list[Issue],
) -> Patch | None:
    """The patch cut to the years from `year` on (a table without years: the root only)."""
    model = TABLES.get(patch.table)
    if model is not None and "year" not in model.model_fields:
        if year == horizon[0]:
            return patch
        issues.append(
            Issue(*where, "table", f"{patch.table} has no years: only the root can change it")
        )
        return None
    low, high = patch.year_range() or (year, horizon[1])
    low = max(low, year)
    if low > high:
        issues.append(
            Issue(*where, "years", f"the patch's years end before its node's year {year}")
        )
        return None
    return patch.model_copy(update={"year": None, "years": f"{low}-{high}"})


def _expand(
    name: str,
    nodes: Mapping[str, Node],
    patches: Mapping[str, list[tuple[Patch, tuple[str, int]]]],
    base: Scenario,
    origin: str,
    label: str,
    issues: list[Issue],
) -> list[TreeScenario]:
    """Every leaf's scenario, depth first; each node's patches are applied once, onto its
    parent's tables."""
    first, last = base.meta.first_year, base.meta.last_year
    children: dict[str | None, list[Node]] = {}
    for node in nodes.values():
        children.setdefault(node.parent, []).append(node)
    out: list[TreeScenario] = []
    root = children[None][0]
    stack: list[tuple[Node, dict[str, Table], tuple[str, ...]]] = [(root, dict(base.tables), ())]
    while stack:
        node, above, path = stack.pop()
        tables = dict(above)
        cut = [
            (p, w)
            for p, w in (
                (_from_year(p, node.year, (first, last), w, issues), w) for p, w in patches[node.id]
            )
            if p is not None
        ]
        apply_patches(cut, tables, issues)  # type: ignore[arg-type]
        path = (*path, node.id)
        kids = children.get(node.id, [])
        if kids:
            stack.extend((k, tables, path) for k in reversed(kids))
            continue
        meta = base.meta.model_copy(update={"name": f"{name}/{node.id}"})
        for issue in cross_table_issues(meta, tables, frozenset()):
            issues.append(Issue(label, node.line, "-", f"scenario {node.id}: {issue}"))
        out.append(
            TreeScenario(node.id, node.path_probability, path, Scenario(meta, tables, origin))
        )
    return out


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))
