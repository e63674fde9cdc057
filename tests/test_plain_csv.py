"""The fast loader (a plain CSV read column by column by Arrow, whole columns checked at once)
gives exactly what the row-by-row path gives: the same tables, lines and issues."""

from __future__ import annotations

import time

import numpy as np
import pytest

import ndalloc
import ndalloc.api
from ndalloc.data import readers
from ndalloc.data.parse import parse_table
from ndalloc.data.schema import TABLES

HEADER = "source,year,capacity_t,cost_usd_per_t,min_output_t,low,high,citation\n"
TEXTS = {
    "plain": HEADER + "a,2025,5,1,,,,est\nb,2026,5.5,2,1,4,6,x\n",
    "crlf": (HEADER + "a,2025,5,1,,,,est\nb,2026,5,2,,,,\n").replace("\n", "\r\n"),
    "no final newline": HEADER + "a,2025,5,1,,,,",
    "header only": HEADER,
    "header only, no newline": HEADER.rstrip("\n"),
    "blank line": HEADER + "a,2025,5,1,,,,\n\nb,2025,5,1,,,,\n",
    "blank lines at the end": HEADER + "a,2025,5,1,,,,\n\n\n",
    "spaces-only line": HEADER + "a,2025,5,1,,,,\n   \n",
    "commas-only line": HEADER + "a,2025,5,1,,,,\n,,,,,,,\n",
    "byte-order mark on line 2": HEADER + "\ufeffa,2025,5,1,,,,\n",
    "odd numbers": HEADER + "a,2025,+5,05,1_0,,,\nb,2025,1e5,-0,inf,,,\nc,2025,nan,1,,,,\n",
    "odd spaces": HEADER + "a ,2025, 5 ,\t1,,,,\nb\xa0,2025,5,1,,,,\u2003x\n\x1c,2025,5,1,,,,\n",
    "too many fields": HEADER + "a,2025,5,1,,,,,,\nb,2025,5,1\n",
    "duplicates": HEADER + "a,2025,5,1,,,,\nx,2025,-1,1,,,,\na,2025,6,1,,,,\nx,2025,2,1,,,,\n",
    "low above the value": HEADER + "a,2025,5,1,,9,10,\nb,2025,5,1,6,,,\n",
    "non-ASCII names": HEADER + "é,2025,5,1,,,,\nb,2025,5,1,,,,Nd\u2013Pr\u2026\n",
    "bools and choices": "origin,product,year,max_t,price_usd_per_t\nc,oxide,2025,1,1\n"
    "c,Oxide,2026,1,1\n",
}


def _load(tmp_path, text: str, plain: bool, monkeypatch) -> tuple[object, list]:
    name = "imports" if text.startswith("origin,product") else "sources"
    path = tmp_path / f"{name}-{plain}.csv"
    path.write_bytes(text.encode("utf-8"))
    issues: list = []
    with monkeypatch.context() as m:
        if not plain:
            m.setattr(readers, "_plain_csv", lambda text, label: None)
        raw = readers.read_csv(path, "t.csv", issues)
        table = parse_table(raw, TABLES[name], issues) if raw is not None else None
    return table, [(i.file, i.line, i.column, i.message) for i in issues]


@pytest.mark.parametrize("case", list(TEXTS))
def test_the_fast_path_reads_what_the_row_path_reads(case, tmp_path, monkeypatch):
    fast, fast_issues = _load(tmp_path, TEXTS[case], True, monkeypatch)
    rows, row_issues = _load(tmp_path, TEXTS[case], False, monkeypatch)
    assert fast_issues == row_issues
    assert (fast is None) == (rows is None)
    if fast is None:
        return
    assert fast.lines.tolist() == rows.lines.tolist()
    for column, values in rows.data.items():
        got = fast.data[column]
        assert got.dtype == values.dtype, column
        if values.dtype.kind == "f":
            np.testing.assert_array_equal(got, values, err_msg=column)
            assert (np.signbit(got) == np.signbit(values)).all(), column
        else:
            assert got.tolist() == values.tolist(), column


def test_a_byte_order_mark_inside_a_file_is_a_bad_name(tmp_path, monkeypatch):
    _, issues = _load(tmp_path, TEXTS["byte-order mark on line 2"], True, monkeypatch)
    assert [(line, column) for _, line, column, _ in issues] == [(2, "source")]


def test_ctrl_c_during_the_solve_does_not_wait_for_the_checks_beside_it(monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(3)
        return []

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ndalloc.api, "scaling_warnings", slow)
    monkeypatch.setattr(ndalloc.api, "solve_model", interrupted)
    sc = ndalloc.load_scenario("india-base")
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        ndalloc.solve(sc)
    assert time.perf_counter() - start < 1.5
