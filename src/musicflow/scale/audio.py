"""The analysis of the user's own audio files spread over a Dask cluster: one file per task.

Decoding and measuring a file is CPU-bound and independent of every other file, so it spreads well;
the results come back to this process, which stores them. (Fetching from Spotify or ReccoBeats is never
spread: their rate limits are shared by every process.)

librosa compiles its functions (numba) on first use and caches them on disk, once per machine. Worker
processes of one machine that compile at the same time write that cache at the same time and can corrupt
it (every later analysis then crashes). So each worker process makes its first analysis holding a lock
of the machine (`FIRST_ANALYSIS_LOCK`): the first compiles and writes the cache, the others then read it.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from musicflow.scale.engines import DaskEngine, cancel, require_dask

if TYPE_CHECKING:
    from distributed import Client

Result = TypeVar("Result")


@contextmanager
def dask_file_mapper(
    scheduler: str | Client | None, on_dashboard: Callable[[str], None] | None = None
) -> Iterator[Callable[[Callable[[Path], Result], Sequence[Path]], Iterator[Result]]]:
    """A `map_files` for `analyze_folder`, on the cluster at `scheduler` (or a LocalCluster)."""
    require_dask()
    engine = DaskEngine(scheduler, on_dashboard=on_dashboard)
    with engine.client() as client:

        def map_files(analyze: Callable[[Path], Result], paths: Sequence[Path]) -> Iterator[Result]:
            one_file = functools.partial(first_one_at_a_time, analyze)
            futures = client.map(one_file, list(paths), pure=False, retries=2)
            try:
                for future in engine.completed(client, futures):
                    yield engine.result_of(client, future)
            finally:
                cancel(client, futures)

        yield map_files


FIRST_ANALYSIS_LOCK = Path(tempfile.gettempdir()) / "musicflow-first-analysis.lock"
_analysed_here: set[int] = set()  # the processes (by id) that made their first analysis


def first_one_at_a_time(analyze: Callable[[Path], Result], path: Path) -> Result:
    """`analyze(path)`; the first call in a process waits for the machine's lock (see the module's
    docstring), later ones do not."""
    if os.getpid() in _analysed_here:
        return analyze(path)
    import fcntl

    with FIRST_ANALYSIS_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = analyze(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _analysed_here.add(os.getpid())
    return result
