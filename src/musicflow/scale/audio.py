"""The analysis of the user's own audio files spread over a Dask cluster: one file per task.

Decoding and measuring a file is CPU-bound and independent of every other file, so it spreads well;
the results come back to this process, which stores them. (Fetching from Spotify or ReccoBeats is never
spread: their rate limits are shared by every process.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from musicflow.scale.engines import DaskEngine, require_dask

if TYPE_CHECKING:
    from distributed import Client

Result = TypeVar("Result")


@contextmanager
def dask_file_mapper(
    scheduler: str | Client | None, on_dashboard: Callable[[str], None] | None = None
) -> Iterator[Callable[[Callable[[Path], Result], Sequence[Path]], Iterator[Result]]]:
    """A `map_files` for `analyze_folder`, on the cluster at `scheduler` (or a LocalCluster)."""
    require_dask()
    with DaskEngine(scheduler, on_dashboard=on_dashboard).client() as client:

        def map_files(analyze: Callable[[Path], Result], paths: Sequence[Path]) -> Iterator[Result]:
            from distributed import as_completed

            futures = client.map(analyze, list(paths), pure=False, retries=2)
            try:
                for future in as_completed(futures):
                    yield future.result()
            finally:
                client.cancel(futures)

        yield map_files
