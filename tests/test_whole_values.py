"""Numbers, ids and names are printed whole: on a pipe, at COLUMNS=80, on a narrow terminal.

Rich squeezes a table wider than the console by cutting cells (`3780…`) or dropping columns;
`ndalloc.cli.app.show` lays every table out at least as wide as its whole values need.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from cli_helpers import TIMEOUT_S, cli_env, describe, ndalloc_executable, run_ndalloc

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
LONG_ID = "20261203T103059Z-phased-exit-stockpile-d3db22"


def run_in_terminal(*args: str | Path, cwd: Path, columns: int = 80) -> tuple[int, str]:
    """Run `ndalloc ARGS...` on a pseudo-terminal `columns` wide; (exit code, plain text)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = cli_env(TERM="xterm")
    proc = subprocess.Popen(
        [ndalloc_executable(), *(str(a) for a in args)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=TIMEOUT_S)
    finally:
        os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return code, ANSI.sub("", text)


def fake_runs(root: Path) -> Path:
    """Two run folders with manifests only (what `ndalloc runs` reads)."""
    runs = root / "runs"
    for run_id, scenario, status, objective, solve_s, started in (
        (LONG_ID, "phased-exit-stockpile", "optimal", -2678683616.5, 0.00791, "2026-12-03T10:30"),
        ("20261203T102917Z-child-a51de0", "child", "infeasible", None, 0.0123, "2026-12-03T10:29"),
    ):
        folder = runs / run_id
        folder.mkdir(parents=True)
        manifest = {
            "run_id": run_id,
            "scenario": scenario,
            "status": status,
            "objective_usd": objective,
            "timings_s": {"build_s": 0.07, "solve_s": solve_s, "extract_s": 0.1},
            "started_at": f"{started}:00+00:00",
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return runs


def check_runs_listing(text: str) -> None:
    lines = text.splitlines()
    first = next(line for line in lines if LONG_ID in line)
    assert re.search(
        r"phased-exit-stockpile\s+optimal\s+-2,678\.7\s+7\.91 ms\s+2026-12-03 10:30", first
    ), text
    second = next(line for line in lines if "20261203T102917Z-child-a51de0" in line)
    assert re.search(r"child\s+infeasible\s+12\.3 ms", second), text
    assert "…" not in text
    assert "solve" in text and "0.00" not in text


def check_contracts(text: str) -> None:
    assert "…" not in text, text
    for whole in (
        "price_usd_per_t",
        "breach_penalty_usd_per_t",
        "japan-2012",
        "29000.0",
        "88000.0",
        "37000.0",
    ):
        assert whole in text, (whole, text)
    row = next(line for line in text.splitlines() if "japan-2012" in line and "2026" in line)
    assert re.search(r"241\.0\D+265\.0\D+29000\.0\D+88000\.0\D+true\D+27300\.0\D+37000\.0", row), (
        row
    )


def test_show_prints_whole_values_when_piped_at_80_columns(tmp_path):
    for env in (cli_env(), cli_env(COLUMNS="80")):
        proc = subprocess.run(
            [ndalloc_executable(), "show", "export-halt-2026"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert proc.returncode == 0, describe(proc)
        check_contracts(proc.stdout)


def test_show_prints_whole_values_on_a_narrow_terminal(tmp_path):
    code, text = run_in_terminal("show", "export-halt-2026", cwd=tmp_path, columns=80)
    assert code == 0, text
    check_contracts(text)
    # Tables that fit stay within the terminal.
    sources = text[text.index("sources.csv") : text.index("contracts.csv")]
    assert max(len(line) for line in sources.splitlines()) <= 80, sources


def test_runs_keeps_every_column_and_the_whole_run_id_when_piped(tmp_path):
    runs = fake_runs(tmp_path)
    for env in (cli_env(), cli_env(COLUMNS="80"), cli_env(COLUMNS="40")):
        proc = subprocess.run(
            [ndalloc_executable(), "runs", "--dir", str(runs)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert proc.returncode == 0, describe(proc)
        check_runs_listing(proc.stdout)


@pytest.mark.parametrize("columns", [60, 80])
def test_runs_keeps_every_column_on_a_narrow_terminal(tmp_path, columns):
    code, text = run_in_terminal(
        "runs", "--dir", fake_runs(tmp_path), cwd=tmp_path, columns=columns
    )
    assert code == 0, text
    check_runs_listing(text)


def test_solve_table_says_unallocated_in_full_at_80_columns(tmp_path):
    """The allocation table's unallocated_t column is labelled "unallocated", never cut."""
    code, text = run_in_terminal("solve", "india-base", "--no-reports", cwd=tmp_path, columns=80)
    assert code == 0, text
    header = next(line for line in text.splitlines() if "year" in line and "output" in line)
    assert re.search(r"inject\s+┃\s+unallocated\s+┃\s+stock", header), header
    assert "unused" not in text and "…" not in text
    piped = run_ndalloc("solve", "india-base", "--no-reports", cwd=tmp_path)
    assert piped.returncode == 0, describe(piped)
    assert " unallocated " in piped.stdout and "unused" not in piped.stdout
    assert "…" not in piped.stdout


def test_show_helper_widens_only_as_much_as_needed(monkeypatch):
    """In-process: on an 80-column terminal a table that fits is laid out within 80 columns,
    one that cannot fit is printed at the width its whole values need."""
    import importlib
    import io

    from rich.console import Console
    from rich.table import Table

    app = importlib.import_module("ndalloc.cli.app")
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=True, color_system=None)
    monkeypatch.setattr(app, "out", console)
    narrow = Table("id", "text")
    narrow.add_row("an-id-that-must-stay-whole", "words " * 30)
    app.show(narrow)
    first_table = buffer.getvalue().splitlines()
    wide = Table(*(f"column_{i}" for i in range(8)))
    wide.add_row(*(f"{123456789 * (i + 1):,}" for i in range(8)))
    app.show(wide)
    assert console.width == 80
    text = buffer.getvalue()
    assert "an-id-that-must-stay-whole" in text
    assert len(first_table) > 5  # the text column wraps
    assert max(len(line) for line in first_table) <= 80
    assert all(f"{123456789 * (i + 1):,}" in text for i in range(8))
    assert max(len(line) for line in text.splitlines()) > 80
    assert "…" not in text
