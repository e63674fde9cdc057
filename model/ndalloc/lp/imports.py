"""Imports of oxide and magnets, within what each origin will sell."""

from __future__ import annotations

from ndalloc.lp.data import ModelData, key_frame
from ndalloc.lp.registry import ArrayRegistry


def add_imports(lp: ArrayRegistry, data: ModelData) -> None:
    r"""Imports per origin, product and year, within their availability.

    .. math::
        \mathit{imports}_{o,\pi,y} \le \mathit{max\_t}_{o,\pi,y} \quad (o,\pi,y) \in IY

    Dual: the value of one more tonne of import availability (>= 0, USD per t of product).
    """
    frame = data.imports
    keys = key_frame(frame)
    imports = lp.add_variables("imports", keys, "t product", "oxide or magnets imported")
    lp.add_constraints(
        "import_limit",
        keys,
        imports <= frame["max_t"].to_numpy(dtype=float),
        "t product",
        "one more tonne of import availability",
    )
