"""Property-based tests: whatever the files hold, loading gives a scenario or a ScenarioError."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ndalloc
from ndalloc.data.schema import TABLES
from scenario_factory import write_scenario

cells = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "2025", "2030", "1e30", "nan", "inf", "-inf", "1,000"]),
    st.sampled_from(["a", "b", "oxide", "magnet", "china", "x y", " 12 ", "0.5", "1e3"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(max_size=8),
)


def _base(folder: Path) -> Path:
    return write_scenario(
        folder,
        sources=[{"source": "a", "year": 2025, "capacity_t": 10, "cost_usd_per_t": 1}],
        demand=[{"sector": "d", "year": 2025, "demand_t": 1, "shortage_penalty_usd_per_t": 9}],
    )


def _outcome(folder: Path) -> str:
    try:
        ndalloc.load_scenario(folder)
    except ndalloc.ScenarioError as error:
        assert error.issues, "a ScenarioError must carry at least one issue"
        for issue in error.issues:
            assert issue.file and issue.column and issue.message
        return "invalid"
    return "valid"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.sampled_from(sorted(TABLES)),
    extra_columns=st.lists(st.sampled_from(["junk", "citation", "year"]), max_size=2),
    drop=st.integers(min_value=0, max_value=3),
    rows=st.lists(st.lists(cells, min_size=0, max_size=12), max_size=5),
)
def test_random_rows_give_a_scenario_or_a_validation_error(
    tmp_path_factory, table, extra_columns, drop, rows
):
    folder = _base(tmp_path_factory.mktemp("s"))
    model = TABLES[table]
    columns = list(model.model_fields)[: max(1, len(model.model_fields) - drop)] + extra_columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row[: len(columns) + 1])
    (folder / model.FILE).write_text(buffer.getvalue(), encoding="utf-8")
    assert _outcome(folder) in {"valid", "invalid"}


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=st.sampled_from(sorted(TABLES)), data=st.binary(max_size=200))
def test_random_bytes_give_a_scenario_or_a_validation_error(tmp_path_factory, table, data):
    folder = _base(tmp_path_factory.mktemp("s"))
    (folder / TABLES[table].FILE).write_bytes(data)
    assert _outcome(folder) in {"valid", "invalid"}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_random_scenario_toml_gives_a_scenario_or_a_validation_error(tmp_path_factory, text):
    folder = _base(tmp_path_factory.mktemp("s"))
    (folder / "scenario.toml").write_text(text, encoding="utf-8")
    assert _outcome(folder) in {"valid", "invalid"}
