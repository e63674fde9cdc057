"""The hand-solved tree of docs/formulation.md section 11.4, written to disk for tests."""

from __future__ import annotations

from pathlib import Path

from hand_solved import maker, offer, sector, source, stockpile
from scenario_factory import write_scenario

Y26, Y27 = 2026, 2027


def base_tables(cost: float = 25.0) -> dict[str, list[dict]]:
    """The base's tables, with the 2026 oxide at `cost` USD/t."""
    return {**BASE_TABLES, "sources": [source("mine", Y26, 80, cost), source("mine", Y27, 0, 25)]}


#: The base: stock bought in 2026 (up to 80 t) at 25 USD/t serves a 2027 demand of 100 t
#: (shortage 50 USD/t) that imports (20 USD/t, up to 1,000 t) can also meet.
BASE_TABLES = {
    "sources": [source("mine", Y26, 80, 25), source("mine", Y27, 0, 25)],
    "makers": [maker("plant", Y27, 1000, 1.0, 0.0)],
    "demand": [sector("ev", Y27, 100, 50)],
    "imports": [offer("china", "magnet", Y27, 1000, 20)],
    "stockpiles": [
        stockpile("reserve", Y26, max_t=1000, inject=1000, release=1000),
        stockpile("reserve", Y27, max_t=1000, inject=1000, release=1000),
    ],
}
BASE_META = {"name": "hand-base", "first_year": Y26, "last_year": Y27, "discount_rate": 0.0}

CURB_PATCH = """
[[node.patch]]
table = "imports"
key = ["china", "magnet"]
column = "max_t"
value = 0.0
"""


def node(id: str, year: int, parent: str | None = None, p: float | None = None) -> str:
    out = f'\n[[node]]\nid = "{id}"\nyear = {year}\n'
    if parent is not None:
        out += f'parent = "{parent}"\n'
    if p is not None:
        out += f"probability = {p!r}\n"
    return out


def two_scenario_tree(
    folder: Path,
    p_open: float = 0.6,
    p_curb: float = 0.4,
    curb_first: bool = False,
    cost: float = 25.0,
) -> Path:
    """tree.toml beside a base folder: root 2026, children open and curb (imports 0) in 2027."""
    write_scenario(folder / "base", BASE_META, **base_tables(cost))
    open_node = node("open", Y27, "root", p_open)
    curb_node = node("curb", Y27, "root", p_curb) + CURB_PATCH
    children = curb_node + open_node if curb_first else open_node + curb_node
    text = 'base = "base"\nname = "hand-tree"\n' + node("root", Y26) + children
    path = folder / "tree.toml"
    path.write_text(text, encoding="utf-8")
    return path
