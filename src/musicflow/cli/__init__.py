"""The `musicflow` command: thin wiring from arguments to the application layer, and Rich output.

`main` imports the command tree only once it runs, inside the guard that turns Ctrl-C into one line and
exit code 130, so an interrupt during start-up is no traceback either.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130


def main() -> None:
    try:
        from musicflow.cli.app import run

        code = run()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted: nothing more was changed; what was already saved stays\n")
        code = INTERRUPTED
    sys.exit(code)
