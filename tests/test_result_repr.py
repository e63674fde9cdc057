"""`repr(RunResult)` is one short line, not the tables' contents."""

from __future__ import annotations

import re

import ndalloc


def test_repr_is_short_and_says_what_the_result_holds():
    res = ndalloc.solve("india-base")
    text = repr(res)
    assert len(text) < 400, len(text)
    assert "\n" not in text
    assert text.startswith("RunResult(scenario='india-base', status=optimal, objective=")
    assert re.search(r"objective=-2\.5\de\+09 USD", text), text
    assert f"{res.counts['variables']:,} variables" in text
    assert f"{res.counts['constraints']:,} constraints" in text
    assert f"allocation[{len(res.allocation)}]" in text
    assert f"ranging[{len(res.ranging)}]" in text
    variables = sum(len(t) for t in res.variables.values())
    assert f"var_*[{len(res.variables)} tables, {variables:,} rows]" in text
    assert f"dual_*[{len(res.duals)} tables" in text


def test_repr_without_a_solution():
    from ndalloc.results.tables import RunResult
    from ndalloc.solver.status import Status

    res = RunResult("s", Status.INFEASIBLE, "no", None, None, counts={"variables": 3})
    assert repr(res) == (
        "RunResult(scenario='s', status=infeasible, objective=None, 3 variables, tables: none)"
    )
