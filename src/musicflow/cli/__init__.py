"""The `musicflow` command: thin wiring from arguments to the application layer, and Rich output.

`main` imports the command tree only once it runs, inside the guard that turns Ctrl-C into one line and
exit code 130, so an interrupt during start-up is no traceback either. `interrupted` is that one answer
to Ctrl-C; `common.reports_errors` gives it too, for an interrupt inside a command (which Typer would
otherwise end silently).
"""

from __future__ import annotations

import sys
from typing import NoReturn

INTERRUPTED_LINE = "interrupted: what was already saved stays; run the command again to go on"


def main() -> None:
    try:
        from musicflow.cli.command_tree import run

        run()
    except KeyboardInterrupt:
        interrupted()


def interrupted() -> NoReturn:
    """Ctrl-C, wherever it lands: one line on stderr and exit code 130 (what was committed stays)."""
    from musicflow.app.error_map import INTERRUPTED

    sys.stderr.write(f"\n{INTERRUPTED_LINE}\n")
    raise SystemExit(INTERRUPTED)
