"""Set-up of the worker processes of a `LocalCluster` started for a job (a Dask preload).

Ctrl-C in a terminal reaches every process of the command, the cluster's workers too: they stopped on
their own, each printing its KeyboardInterrupt's traceback, while the command itself was stopping them in
order. A worker of the job's own cluster ignores Ctrl-C; the command that started it closes it.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


def dask_setup(worker: Any) -> None:
    """Dask calls this in each worker process as it starts."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
