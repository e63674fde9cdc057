"""Imports of oxide and magnets, within what each origin will sell."""

from __future__ import annotations

from ndalloc.lp.data import ModelData, column, key_frame, keys
from ndalloc.lp.registry import ArrayRegistry, Registry, each_row

#: Unit and meaning of each family of this module (shared by its add_ and emit_ functions).
FAMILIES: dict[str, tuple[str, str]] = {
    "imports": ("t product", "oxide or magnets imported"),
    "import_limit": ("t product", "one more tonne of import availability"),
}


def add_imports(reg: Registry, data: ModelData) -> None:
    r"""Imports per origin, product and year, within their availability.

    .. math::
        \mathit{imports}_{o,\pi,y} \le \mathit{max\_t}_{o,\pi,y} \quad (o,\pi,y) \in IY

    Dual: the value of one more tonne of import availability (>= 0, USD per t of product).
    """
    frame = data.imports
    index = ("origin", "product", "year")
    ks = keys(frame)
    imports = reg.var("imports", ks, index, *FAMILIES["imports"])
    maximum = column(frame, "max_t")
    reg.constraint(
        "import_limit",
        ks,
        lambda o, p, y: imports[o, p, y] <= maximum[o, p, y],
        index,
        *FAMILIES["import_limit"],
    )


def emit_imports(reg: ArrayRegistry, data: ModelData) -> None:
    """`add_imports` as arrays: the same variables and rows, in the same order."""
    frame = data.imports
    ks = key_frame(frame)
    reg.var("imports", ks, *FAMILIES["imports"])
    reg.constraint(
        "import_limit",
        ks,
        "<=",
        frame["max_t"].to_numpy(dtype=float),
        [each_row("imports", None, len(frame))],
        *FAMILIES["import_limit"],
    )
