"""The expected-value scenario of a tree: every number the probability-weighted mean.

docs/formulation.md section 11.3 (EV). Patches change values, never rows, so the scenarios of a
tree have the same rows in the same order; each number column is averaged position by
position. Flags and texts cannot be averaged: they must agree in every scenario.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ndalloc.data.scenario import Scenario, Table
from ndalloc.data.tree import Tree


class AverageError(ValueError):
    """A column that cannot be averaged over the tree's scenarios."""


def expected_scenario(tree: Tree, members: Sequence[int] | None = None) -> Scenario:
    """The scenario whose every number is the mean over the tree's scenarios (or the
    `members` among them), each weighted by its probability given the group (its name:
    `<tree>/expected-value`)."""
    chosen = [
        tree.scenarios[i] for i in (members if members is not None else range(len(tree.scenarios)))
    ]
    p = np.array([s.probability for s in chosen])
    p = p / p.sum()
    base = tree.base
    tables: dict[str, Table] = {}
    for name, table in base.tables.items():
        each = [s.scenario.table(name) for s in chosen]
        data = {}
        for column, array in table.data.items():
            stacked = np.stack([t.column(column) for t in each])
            if array.dtype == np.float64:
                missing = np.isnan(stacked)
                if (missing != missing[0]).any():
                    raise AverageError(f"{name}.{column} is given in some scenarios, not others")
                mean = np.where(missing[0], np.nan, p @ np.where(missing, 0.0, stacked))
            else:
                if (stacked != stacked[0]).any():
                    raise AverageError(
                        f"{name}.{column} differs between the tree's scenarios and has no "
                        "mean: the expected-value scenario needs it equal in all of them"
                    )
                mean = array
            mean = np.asarray(mean)
            mean.flags.writeable = False
            data[column] = mean
        tables[name] = Table(table.model, data, table.labels, table.lines)
    meta = base.meta.model_copy(update={"name": f"{tree.name}/expected-value"})
    return Scenario(meta, tables, tree.origin)
