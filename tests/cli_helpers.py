"""Run the installed `ndalloc` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Seconds any one command may take; india-base solves in about 2 s.
TIMEOUT_S = 120


def ndalloc_executable() -> str:
    """The installed console script: on PATH, else beside the running interpreter."""
    found = shutil.which("ndalloc")
    if found:
        return found
    beside = Path(sys.executable).parent / "ndalloc"
    assert beside.is_file(), f"the ndalloc command is not installed (looked on PATH and {beside})"
    return str(beside)


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell, without settings that change what the CLI prints.

    NDALLOC_DEBUG would turn internal errors into tracebacks; COLUMNS, LINES and the colour
    variables would change how rich lays out its output.
    """
    env = dict(os.environ)
    for name in ("NDALLOC_DEBUG", "COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def run_ndalloc(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `ndalloc ARGS...` in `cwd` and capture its output (text)."""
    return subprocess.run(
        [ndalloc_executable(), *(str(a) for a in args)],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def run_many(
    calls: Sequence[tuple[Sequence[str | Path], Path]], workers: int = 3
) -> list[subprocess.CompletedProcess[str]]:
    """Run several `(args, cwd)` commands side by side (each starts a Python: about 1 s)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_ndalloc, *args, cwd=cwd) for args, cwd in calls]
        return [f.result() for f in futures]


def flat(text: str) -> str:
    """`text` with every run of whitespace (line breaks included) turned into one space.

    rich may wrap long lines at the terminal width (80 columns when output is not a terminal);
    tests of content compare flattened text, and dedicated tests check the line layout.
    """
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """`text` without any whitespace, to find a long path even if rich folded it."""
    return "".join(text.split())


def output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    """What a command printed, for assertion messages."""
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in output(proc), describe(proc)
