"""Write tree files for the common cases: a Markov curb/no-curb tree, and a two-stage tree from
a list of scenarios with probabilities (`ndalloc tree ...`).

The text is a tree file as `ndalloc.data.tree.load_tree` reads it (docs/formulation.md section
11.5), with a comment saying how it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ndalloc.data.diff import differences
from ndalloc.data.scenario import Scenario


class TreeSpecError(ValueError):
    """Generator settings that make no tree (a one-line reason)."""


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _node(id: str, year: int, parent: str | None, probability: float | None) -> str:
    out = f"\n[[node]]\nid = {_toml(id)}\nyear = {year}\n"
    if parent is not None:
        out += f"parent = {_toml(parent)}\nprobability = {probability!r}\n"
    return out


def _patch(
    table: str, key: list[str], years: str | None, column: str, change: str, value: object
) -> str:
    span = f"years = {_toml(years)}\n" if years is not None else ""
    return (
        f"\n[[node.patch]]\ntable = {_toml(table)}\nkey = {_toml(key)}\n{span}"
        f"column = {_toml(column)}\n{change} = {_toml(value)}\n"
    )


def _head(name: str, description: str, base: str, command: str) -> str:
    return (
        f"# Made by: {command}\n"
        f"base = {_toml(base)}\nname = {_toml(name)}\ndescription = {_toml(description)}\n"
    )


@dataclass(frozen=True)
class MarkovCurbs:
    """A curb/no-curb Markov chain over years: a curb starts with probability `p_curb` in a
    year without one and ends with probability `p_end` in a year with one; a curb cuts
    `max_t` of the `origin`'s imports of `products` by `severity`."""

    first_year: int
    last_year: int
    p_curb: float
    p_end: float
    severity: float
    origin: str = "china"
    products: tuple[str, ...] = ("magnet", "oxide")

    def check(self, base: Scenario) -> None:
        meta = base.meta
        if not meta.first_year < self.first_year <= self.last_year <= meta.last_year:
            raise TreeSpecError(
                f"--years must lie within {meta.first_year + 1}-{meta.last_year} (after the "
                f"base's first year, the root's), not {self.first_year}-{self.last_year}"
            )
        for name, p in (("--p-curb", self.p_curb), ("--p-end", self.p_end)):
            if not 0.0 <= p <= 1.0:
                raise TreeSpecError(f"{name} is a probability in [0, 1], not {p}")
        if not 0.0 <= self.severity <= 1.0:
            raise TreeSpecError(f"--severity is a share in [0, 1], not {self.severity}")
        stages = self.last_year - self.first_year + 1
        if stages > 12:
            raise TreeSpecError(f"{stages} years make 2^{stages} scenarios: at most 12 years")
        offered = base.table("imports")
        pairs = set(zip(offered.values("origin"), offered.values("product"), strict=True))
        missing = [p for p in self.products if (self.origin, p) not in pairs]
        if missing:
            raise TreeSpecError(f"the base has no imports of {missing} from {self.origin!r}")


def markov_tree_text(
    spec: MarkovCurbs, base_ref: str, base: Scenario, name: str, command: str
) -> str:
    """The tree file of a Markov curb tree. Node ids spell the states from the first year of
    `spec` on (c: curbed, n: not); a node's curb patches cover its own year only, except in the
    last year of `spec`, whose state holds to the end of the horizon. A branch of probability
    0 is left out."""
    spec.check(base)
    last = base.meta.last_year
    text = _head(
        name,
        f"China curbs as a Markov chain {spec.first_year}-{spec.last_year}: a curb starts "
        f"with probability {spec.p_curb:g} a year and ends with probability {spec.p_end:g}; "
        f"a curb cuts {spec.origin}'s {' and '.join(spec.products)} imports by "
        f"{spec.severity:.0%}. The state of {spec.last_year} holds to {last}.",
        base_ref,
        command,
    )
    text += _node("root", base.meta.first_year, None, None)
    frontier: list[tuple[str, bool]] = [("root", False)]
    for year in range(spec.first_year, spec.last_year + 1):
        span = f"{year}-{last}" if year == spec.last_year else f"{year}-{year}"
        nxt = []
        for parent, curbed in frontier:
            p_c = 1.0 - spec.p_end if curbed else spec.p_curb
            prefix = "" if parent == "root" else parent
            for state, p in (("c", p_c), ("n", 1.0 - p_c)):
                if p <= 0.0:
                    continue
                node = prefix + state
                text += _node(node, year, parent, p)
                if state == "c":
                    for product in spec.products:
                        text += _patch(
                            "imports",
                            [spec.origin, product],
                            span,
                            "max_t",
                            "scale",
                            1.0 - spec.severity,
                        )
                nxt.append((node, state == "c"))
        frontier = nxt
    return text


def two_stage_tree_text(
    base_ref: str,
    base: Scenario,
    year: int,
    branches: Sequence[tuple[str, Scenario, float]],
    name: str,
    command: str,
) -> str:
    """A root in the base's first year and one child in `year` per (label, scenario,
    probability): each child's patches are the cells in which its scenario differs from the
    base (they must all be from `year` on, and only values may differ)."""
    if not base.meta.first_year < year <= base.meta.last_year:
        raise TreeSpecError(
            f"--year must lie within {base.meta.first_year + 1}-{base.meta.last_year}"
        )
    text = _head(
        name,
        f"Two stages: decide {base.meta.first_year}-{year - 1} not knowing which of "
        + ", ".join(f"{label} ({p:g})" for label, _, p in branches)
        + f" comes from {year}.",
        base_ref,
        command,
    )
    text += _node("root", base.meta.first_year, None, None)
    for label, scenario, p in branches:
        text += _node(label, year, "root", p)
        for d in differences(base, scenario):
            if d.kind == "setting" and d.column in ("name", "description", "inherits"):
                continue
            if d.kind != "changed":
                what = "setting" if d.kind == "setting" else "rows"
                raise TreeSpecError(
                    f"{label} differs from the base in its {what} ({d.table} {d.column or d.key}):"
                    " a tree node can only change values"
                )
            if d.year is not None and d.year < year:
                raise TreeSpecError(
                    f"{label} differs from the base in {d.year}, before {year}: {d.table} "
                    f"{d.key} {d.column}"
                )
            key = d.key.split("/") if d.key else []
            years = f"{d.year}-{d.year}" if d.year is not None else None
            text += _patch(d.table, key, years, str(d.column), "value", d.value_b)
    return text
