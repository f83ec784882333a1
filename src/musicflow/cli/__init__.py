"""The `musicflow` command: thin wiring from arguments to the application layer, and Rich output.

`main` imports the command tree only once it runs, inside the guard that turns Ctrl-C into one line and
exit code 130, so an interrupt during start-up is no traceback either.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130
INTERRUPTED_LINE = "interrupted: what was already saved stays; run the command again to go on"


def main() -> None:
    try:
        from musicflow.cli.app import run

        run()
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{INTERRUPTED_LINE}\n")
        sys.exit(INTERRUPTED)
