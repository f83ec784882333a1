"""Where partitions run: `local` (this process, one partition at a time, memory flat whatever the
catalog's size) or `dask` (an existing cluster's workers, or a `distributed.LocalCluster` started for
the job). Both run the same `score_partition`, so they give the same predictions.

Other work spread the same way (a model trained per profile) goes through `each`: one task per item,
the same function on both engines, each item's result or error handed back in this process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from musicflow.errors import ConfigError

if TYPE_CHECKING:
    from distributed import Client

    from musicflow.scale.pack import ScoringPack

log = logging.getLogger(__name__)

PartitionTask = Callable[[Mapping[str, Any], Mapping[str, Any], str, int], dict[str, int]]
Done = Callable[[dict[str, int]], None]
SYNCHRONOUS = "synchronous"
T = TypeVar("T")
R = TypeVar("R")
ItemDone = Callable[[int, "R | Exception"], None]


class Engine(Protocol):
    name: str

    def run(
        self,
        task: PartitionTask,
        pack: ScoringPack,
        partitions: Sequence[Mapping[str, Any]],
        job_dir: Path,
        done: Done,
    ) -> None:
        """Run `task` on every partition; `done` is called in this process as each one finishes."""
        ...

    def each(self, task: Callable[[T], R], items: Sequence[T], done: ItemDone[R]) -> None:
        """Run `task(item)` for every item, as a task of its own; `done(index, result)` is called in this
        process as each one finishes, `done(index, error)` when it raised (the others go on)."""
        ...


class LocalEngine:
    """One partition after another in this process, LightGBM using every core."""

    name = "local"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or os.cpu_count() or 1

    def run(
        self,
        task: PartitionTask,
        pack: ScoringPack,
        partitions: Sequence[Mapping[str, Any]],
        job_dir: Path,
        done: Done,
    ) -> None:
        plain = pack.to_plain()
        for partition in partitions:
            done(task(plain, partition, str(job_dir), self.threads))

    def each(self, task: Callable[[T], R], items: Sequence[T], done: ItemDone[R]) -> None:
        _in_turn(task, items, done)


class DaskEngine:
    """Partitions as Dask tasks: one per partition, each read and written by the worker running it.

    `scheduler`: a scheduler address (`tcp://host:8786`), an open `distributed.Client`, None for a
    `LocalCluster` started for this job, or "synchronous" (Dask's in-process scheduler, for tests).
    A task lost with its worker is run again on another one (Dask's own retries).
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | Client | None = None,
        *,
        workers: int | None = None,
        on_dashboard: Callable[[str], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.on_dashboard = on_dashboard

    def run(
        self,
        task: PartitionTask,
        pack: ScoringPack,
        partitions: Sequence[Mapping[str, Any]],
        job_dir: Path,
        done: Done,
    ) -> None:
        require_dask()
        if self.scheduler == SYNCHRONOUS:
            self._run_synchronously(task, pack, partitions, job_dir, done)
            return
        with self.client() as client:
            self._run_on(client, task, pack, partitions, job_dir, done)

    def each(self, task: Callable[[T], R], items: Sequence[T], done: ItemDone[R]) -> None:
        """A task per item on the cluster (run again once if its worker is lost)."""
        require_dask()
        if self.scheduler == SYNCHRONOUS or not items:
            _in_turn(task, items, done)
            return
        from distributed import as_completed

        with self.client() as client:
            futures = {client.submit(task, item, pure=False, retries=1): i for i, item in enumerate(items)}
            try:
                for future in as_completed(futures):
                    try:
                        result = future.result()
                    except Exception as error:  # noqa: BLE001 - the task failed, or its worker was lost twice
                        done(futures[future], error)
                    else:
                        done(futures[future], result)
            finally:
                client.cancel(list(futures))

    @staticmethod
    def _run_on(
        client: Client,
        task: PartitionTask,
        pack: ScoringPack,
        partitions: Sequence[Mapping[str, Any]],
        job_dir: Path,
        done: Done,
    ) -> None:
        from distributed import as_completed

        if not partitions:
            return
        plain = client.scatter(pack.to_plain(), broadcast=True, hash=False)
        futures = [
            client.submit(task, plain, dict(p), str(job_dir), 1, pure=False, retries=2) for p in partitions
        ]
        try:
            for future in as_completed(futures):
                done(future.result())
        finally:
            client.cancel(futures)

    @staticmethod
    def _run_synchronously(
        task: PartitionTask,
        pack: ScoringPack,
        partitions: Sequence[Mapping[str, Any]],
        job_dir: Path,
        done: Done,
    ) -> None:
        import dask

        plain = pack.to_plain()
        tasks = [dask.delayed(task, pure=False)(plain, dict(p), str(job_dir), 1) for p in partitions]
        for result in dask.compute(*tasks, scheduler="synchronous"):
            done(result)

    @contextmanager
    def client(self) -> Iterator[Client]:
        """A client of the chosen cluster, its dashboard link told to `on_dashboard`."""
        with self._connected() as client:
            if self.on_dashboard is not None and client.dashboard_link:
                self.on_dashboard(client.dashboard_link)
            yield client

    def _connected(self) -> AbstractContextManager[Client]:
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            return _local_cluster_client(self.workers)
        if isinstance(self.scheduler, str):
            try:
                client: Client = Client(self.scheduler, timeout="10s")
            except OSError as exc:
                raise ConfigError(f"no Dask scheduler answers at {self.scheduler} ({exc})") from None
            return closing(client)
        assert not isinstance(self.scheduler, LocalCluster)
        return nullcontext(self.scheduler)


class _LocalClusterClient(AbstractContextManager["Client"]):
    """A `LocalCluster` of worker processes for one job, closed with it."""

    def __init__(self, workers: int | None) -> None:
        from distributed import Client, LocalCluster

        self._cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True
        )
        self._client = Client(self._cluster)

    def __enter__(self) -> Client:
        return self._client

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        self._cluster.close()


def _local_cluster_client(workers: int | None) -> AbstractContextManager[Client]:
    return _LocalClusterClient(workers)


def _in_turn(task: Callable[[T], R], items: Sequence[T], done: ItemDone[R]) -> None:
    for index, item in enumerate(items):
        try:
            result = task(item)
        except Exception as error:  # noqa: BLE001 - one item failing is its result; the others go on
            done(index, error)
        else:
            done(index, result)


def require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the dask engine needs Dask: install MusicFlow's dask extra (on every worker too)"
        ) from None


def engine_named(
    name: str,
    scheduler: str | None = None,
    on_dashboard: Callable[[str], None] | None = None,
) -> Engine:
    if name == "local":
        if scheduler:
            raise ConfigError("--scheduler is for the dask engine: add --engine dask")
        return LocalEngine()
    if name == "dask":
        require_dask()
        return DaskEngine(scheduler, on_dashboard=on_dashboard)
    raise ConfigError(f"unknown engine {name!r}: choose local or dask")
