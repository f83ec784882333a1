"""The `musicflow` command: thin wiring from arguments to the application layer, and Rich output.

`main` imports the command tree only once it runs, inside the guard that turns Ctrl-C into one line and
exit code 130, so an interrupt during start-up is no traceback either. `interrupted` is that one answer
to Ctrl-C; `common.reports_errors` gives it too, for an interrupt inside a command (which Typer would
otherwise end silently).

Python can swallow the `KeyboardInterrupt` of a Ctrl-C: when it lands in code Python runs for itself
(a garbage collector's callback, a `__del__`), it is printed as "Exception ignored" and the program goes
on. So Ctrl-C is also remembered (`interrupt_pending`): the progress display raises it again at its next
step, and a command that ends anyway ends as interrupted; and the "Exception ignored" report of such a
swallowed interrupt (a traceback on stderr) is not printed (`_quiet_interrupt`), as the interrupt is
answered anyway.

A write that finds the disk full (the output sent to a file, `musicflow streams top -f csv > top.csv`, on
a full disk; `--help` too) is one line and exit code 1 (`disk_full`), never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from types import FrameType
from typing import NoReturn

INTERRUPTED_LINE = "interrupted: what was already saved stays; run the command again to go on"
FULL = frozenset({errno.ENOSPC, errno.EDQUOT})  # a write found no room: the disk, or the user's quota
_CTRL_C = threading.Event()


def main() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_ctrl_c)
        sys.unraisablehook = _quiet_interrupt
    try:
        from musicflow.cli.command_tree import run

        run()
    except KeyboardInterrupt:
        interrupted()
    except OSError as failed:
        if failed.errno not in FULL:
            raise
        disk_full(failed)
    except SystemExit as done:
        if _CTRL_C.is_set() and done.code in (0, None):
            interrupted()
        raise
    if _CTRL_C.is_set():
        interrupted()


def _on_ctrl_c(signum: int, frame: FrameType | None) -> None:
    _CTRL_C.set()
    raise KeyboardInterrupt


def _quiet_interrupt(unraisable: sys.UnraisableHookArgs) -> None:
    """Python's report of an exception it could not raise, except a Ctrl-C's (remembered, answered)."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def interrupt_pending() -> bool:
    """Ctrl-C was pressed (its `KeyboardInterrupt` may have been swallowed where it landed)."""
    return _CTRL_C.is_set()


def disk_full(failed: OSError) -> NoReturn:
    """A write that found no room: one line on stderr and exit code 1. What is still held for standard
    output goes nowhere (Python writes it out at exit, which would fail again, with a traceback)."""
    from musicflow.app.error_map import FAILED

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    with contextlib.suppress(OSError):  # standard error has no room either: the exit code says it
        sys.stderr.write(f"error: {failed.strerror or failed}: free some space, then run the command again\n")
    raise SystemExit(FAILED)


def interrupted() -> NoReturn:
    """Ctrl-C, wherever it lands: one line on stderr and exit code 130 (what was committed stays)."""
    from musicflow.app.error_map import INTERRUPTED

    sys.stderr.write(f"\n{INTERRUPTED_LINE}\n")
    raise SystemExit(INTERRUPTED)
