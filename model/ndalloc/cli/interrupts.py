"""Ctrl-C (SIGINT) and SIGTERM: one line, exit 128 + signal, nothing published.

`install` (called first thing by `ndalloc.cli.main`) makes both signals raise `Interrupted`
wherever the command is, start-up included, and records which came. A command that cleans up
after one (`ndalloc solve`: "no run folder was written") says so with `stopped`; for the rest
`main` prints "interrupted". Typer turns a KeyboardInterrupt into a silent exit 130, so `main`
also restores the right code (143 for SIGTERM) from the record.
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn

from ndalloc.solver.status import Interrupted

#: Signals received since `install`, in order.
received: list[int] = []
#: True once a command has told the user it was interrupted.
said: list[bool] = []


def _raise(signum: int, frame: object) -> None:
    received.append(signum)
    raise Interrupted(signum)


def install() -> None:
    """SIGINT and SIGTERM raise `Interrupted(signum)` from here on."""
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)


def code_of(exc: BaseException) -> int:
    """The exit code of an interruption: 128 + the signal (130 when it is not known)."""
    if isinstance(exc, Interrupted):
        return exc.exit_code
    return 128 + received[0] if received else 130


def stopped(exc: KeyboardInterrupt, message: str) -> NoReturn:
    """Say what the interruption left (one line on stderr) and exit 128 + signal."""
    print(message, file=sys.stderr)
    said.append(True)
    raise SystemExit(code_of(exc)) from None


def finish(code: int | str | None) -> int | str | None:
    """The process's exit code after the app ended with `code`: an interruption nobody
    reported is said here, with its signal's code."""
    if not received:
        return code
    if not said:
        print("interrupted", file=sys.stderr)
    return 128 + received[0]
