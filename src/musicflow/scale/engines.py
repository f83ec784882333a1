"""Where partitions run: `local` (this process, one partition at a time, memory flat whatever the
catalog's size) or `dask` (an existing cluster's workers, or a `distributed.LocalCluster` started for
the job). Both run the same `score_partition`, so they give the same predictions.

Other work spread the same way (a model trained per profile) goes through `each`: one task per item,
the same function on both engines, each item's result or error handed back in this process.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from musicflow.core.plurals import counted
from musicflow.errors import ClusterError, ConfigError

if TYPE_CHECKING:
    from distributed import Client, Future

    from musicflow.scale.pack import ScoringPack

log = logging.getLogger(__name__)

PartitionTask = Callable[[Mapping[str, Any], Mapping[str, Any], str, int], dict[str, int]]
Done = Callable[[dict[str, int]], None]
SYNCHRONOUS = "synchronous"
T = TypeVar("T")
R = TypeVar("R")
ItemDone = Callable[[int, "R | Exception"], None]
DASHBOARD_S = 2  # seconds a scheduler's dashboard page has to answer before its link is left unsaid
CONNECT_S = 10  # seconds a scheduler has to answer (connecting, or asked how many workers it has)
WORKER_WAIT_S = 30.0  # seconds a cluster may be without a worker: at the start, or having lost them all
HEALTH_S = 2.0  # how often a running job asks the scheduler whether it still has workers
POLL_S = 0.1
DASK_LOGGERS = ("distributed", "tornado", "bokeh")


class Engine(Protocol):
    name: str

    def opened(self) -> AbstractContextManager[None]:
        """Ready for the calls made inside (a cluster connected and checked, before any work is done)."""
        ...

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

    def opened(self) -> AbstractContextManager[None]:
        return nullcontext()

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
    A task lost with its worker is run again on another one (Dask's own retries); the listener's pack
    travels as the result of a task of its own, which the scheduler computes again if every worker
    holding it is lost (data scattered to workers would be gone with them), copied to every worker
    before the partitions are submitted (a task is first placed on a worker holding what it needs: with
    the pack on one worker, the others waited for Dask to steal work for them, and a million rows in
    four partitions on two workers took 7.9 s against 6.2 s).

    Every wait is bounded: a scheduler that does not answer is said at once (`CONNECT_S` at most), a
    cluster with no worker, or with workers that cannot run MusicFlow's tasks, before any work, and a
    cluster that loses its scheduler, or every worker for `worker_wait_s`, ends the job with one line
    (`ClusterError`) rather than waiting for ever.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | Client | None = None,
        *,
        workers: int | None = None,
        on_dashboard: Callable[[str], None] | None = None,
        worker_wait_s: float = WORKER_WAIT_S,
    ) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.on_dashboard = on_dashboard
        self.worker_wait_s = worker_wait_s
        self._open: Client | None = None

    @contextmanager
    def opened(self) -> Iterator[None]:
        """The cluster connected and checked for the calls made inside: said to be unusable before any
        work, and used by `run` and `each` there rather than connected to again."""
        if self.scheduler == SYNCHRONOUS or self._open is not None:
            yield
            return
        require_dask()
        with self.client() as client:
            self._open = client
            try:
                yield
            finally:
                self._open = None

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
        with self.client() as client:
            futures = {client.submit(task, item, pure=False, retries=1): i for i, item in enumerate(items)}
            try:
                for future in self.completed(client, list(futures)):
                    try:
                        result = self.result_of(client, future)
                    except ClusterError as error:
                        if client.status != "running":  # the scheduler is gone: no item can be done
                            raise
                        done(futures[future], error)
                    except Exception as error:  # noqa: BLE001 - the task failed: that item's result
                        done(futures[future], error)
                    else:
                        done(futures[future], result)
            finally:
                cancel(client, list(futures))

    def _run_on(
        self,
        client: Client,
        task: PartitionTask,
        pack: ScoringPack,
        partitions: Sequence[Mapping[str, Any]],
        job_dir: Path,
        done: Done,
    ) -> None:
        if not partitions:
            return
        plain = client.submit(_held, pack.to_plain(), pure=False)
        self.result_of(client, plain)  # held by one worker: copied to the others, as a task goes only
        with suppress(OSError, TimeoutError):  # to a worker holding what it needs (until it is stolen)
            client.replicate([plain])
        futures = [
            client.submit(task, plain, dict(p), str(job_dir), 1, pure=False, retries=2) for p in partitions
        ]
        try:
            for future in self.completed(client, futures):
                done(self.result_of(client, future))
                future.release()  # its part is on disk: not to be computed again if its worker is lost
        finally:
            cancel(client, [*futures, plain])

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
        """A client of the chosen cluster, checked (`_checked`), its dashboard link told to
        `on_dashboard`; Dask's own log lines kept out of the command's output unless asked for (-v)."""
        if self._open is not None:
            yield self._open
            return
        with _quiet_dask(), self._connected() as client:
            self._checked(client)
            link = client.dashboard_link
            if self.on_dashboard is not None and link and _serves_dashboard(self.scheduler, link):
                self.on_dashboard(link)
            yield client

    def completed(self, client: Client, futures: Sequence[Future]) -> Iterator[Future]:
        """`futures` as each finishes; a `ClusterError` when the cluster has had no worker for
        `worker_wait_s` or lost its scheduler (Dask would wait for ever)."""
        from distributed import as_completed

        queue = as_completed(futures, loop=client.loop)
        alone_since: float | None = None
        next_check = time.monotonic() + HEALTH_S
        while not queue.is_empty():
            batch = queue.next_batch(block=False)
            yield from batch
            if batch:
                continue
            time.sleep(POLL_S)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + HEALTH_S
                alone_since = self._still_served(client, alone_since)

    def result_of(self, client: Client, future: Future) -> Any:
        """A finished task's result; the cluster's own failures as a `ClusterError` in our words (a
        task's own error, ours or not, as it is). Fetching it is bounded as waiting is: a result held by
        a worker lost meanwhile is computed again, which needs a worker."""
        from distributed import CancelledError, KilledWorker

        alone_since: float | None = None
        while True:
            try:
                return future.result(timeout=HEALTH_S)
            except TimeoutError:
                if future.status == "error":  # the task's own
                    raise
                alone_since = self._still_served(client, alone_since)
            except KilledWorker:
                raise ClusterError(
                    f"a task of the job stopped every worker of {self.where(client)} that ran it: is a"
                    " worker short of memory?"
                ) from None
            except CancelledError as exc:
                if client.status != "running" or "connection" in str(getattr(exc, "reason", exc)):
                    raise ClusterError(f"lost the connection to {self.where(client)}") from None
                raise ClusterError(f"{self.where(client)} dropped the job's tasks ({exc})") from None
            except OSError:  # fetching the result from the cluster (Dask's CommClosedError is one)
                if future.status == "error":  # the task's own
                    raise
                raise ClusterError(f"lost the connection to {self.where(client)}") from None

    def where(self, client: Client | None = None) -> str:
        """The cluster as a message names it."""
        if self.scheduler is None:
            return "the local Dask cluster started for the job"
        if isinstance(self.scheduler, str):
            return f"the Dask scheduler at {self.scheduler}"
        address = getattr(getattr(client or self.scheduler, "scheduler", None), "address", None)
        return f"the Dask scheduler at {address}" if address else "the Dask cluster"

    def _still_served(self, client: Client, alone_since: float | None) -> float | None:
        """When the cluster was first seen without a worker (None: it has some); a `ClusterError` once
        that is `worker_wait_s` ago, or when the scheduler does not answer."""
        if client.status != "running":
            raise ClusterError(f"lost the connection to {self.where(client)}")
        try:
            workers = client.nthreads(callback_timeout=CONNECT_S)
        except (OSError, TimeoutError):
            raise ClusterError(f"lost the connection to {self.where(client)}") from None
        if workers:
            return None
        now = time.monotonic()
        if alone_since is not None and now - alone_since >= self.worker_wait_s:
            raise ClusterError(
                f"{self.where(client)} has had no worker for {self.worker_wait_s:.0f} s: every worker"
                " was lost"
            )
        return alone_since if alone_since is not None else now

    def _checked(self, client: Client) -> None:
        """Refuse a cluster that cannot run the job before any work: no worker joins it in
        `worker_wait_s`, or a worker cannot run MusicFlow's tasks (MusicFlow missing there, or another
        version of it than this one, which may score differently)."""
        from musicflow import __version__

        try:
            client.wait_for_workers(1, timeout=self.worker_wait_s)
            versions = client.run(worker_version, on_error="return")
        except TimeoutError:
            raise ClusterError(
                f"no worker joined {self.where(client)} in {self.worker_wait_s:.0f} s: start one with"
                f" `dask worker {client.scheduler.address}`"
            ) from None
        except OSError:  # the scheduler went away
            raise ClusterError(f"lost the connection to {self.where(client)}") from None
        lacking = sorted(address for address, v in versions.items() if not isinstance(v, str))
        others = sorted({v for v in versions.values() if isinstance(v, str) and v != __version__})
        if lacking:
            raise ClusterError(
                f"{counted(len(lacking), 'worker')} of {self.where(client)} cannot run MusicFlow's tasks"
                f" ({lacking[0]}: {_words(versions[lacking[0]])}): install MusicFlow {__version__} with"
                " its dask extra on every worker"
            )
        if others:
            raise ClusterError(
                f"workers of {self.where(client)} run MusicFlow {', '.join(others)}, this machine"
                f" {__version__}: install the same version on every worker"
            )

    def _connected(self) -> AbstractContextManager[Client]:
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            return _local_cluster_client(self.workers)
        if isinstance(self.scheduler, str):
            _answers(self.scheduler)
            try:
                client: Client = Client(self.scheduler, timeout=f"{CONNECT_S}s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"no Dask scheduler answers at {self.scheduler} ({exc})") from None
            return closing(client)
        assert not isinstance(self.scheduler, LocalCluster)
        return nullcontext(self.scheduler)


def worker_version() -> str:
    """MusicFlow's version where this runs (a worker that cannot import MusicFlow cannot run this)."""
    from musicflow import __version__

    return __version__


def _words(error: object) -> str:
    """What went wrong on a worker, in its own words: Dask hands back `ModuleNotFoundError("No module
    named 'musicflow'")` as the text of a plain Exception."""
    text = str(error)
    quoted = re.fullmatch(r"""\w+\((['"])(.*)\1\)""", text)
    return quoted.group(2) if quoted else text


def _held(plain: dict[str, Any]) -> dict[str, Any]:
    """The pack, as the result of a task: the scheduler can compute it again if it is lost."""
    return plain


def _answers(address: str) -> None:
    """A usage error, at once, for a scheduler address that is no address or where nothing listens:
    Dask's client would try again for `CONNECT_S` before saying so."""
    from distributed.comm.addressing import get_address_host_port, parse_address

    try:
        host, port = get_address_host_port(address)
    except (ValueError, TypeError):
        raise ConfigError(
            f"--scheduler {address}: not a Dask scheduler address (like tcp://HOST:8786)"
        ) from None
    if parse_address(address)[0] not in ("tcp", "tls"):
        return
    try:
        socket.create_connection((host, port), timeout=CONNECT_S).close()
    except OSError as exc:
        why = "nothing listens there" if isinstance(exc, ConnectionRefusedError) else exc.strerror or exc
        raise ConfigError(f"no Dask scheduler answers at {address} ({why})") from None


def cancel(client: Client, futures: Sequence[Future]) -> None:
    """Cancel what is left of a job; a client that lost its scheduler has nothing to cancel."""
    if client.status == "running":
        with suppress(OSError, TimeoutError):
            client.cancel(list(futures))


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's log lines in this process kept out of the command's output for the job, but CRITICAL ones,
    unless -v asked for INFO: the job's own lines say what happened (a lost worker, a lost scheduler), in
    our words, once. A filter on the handlers, as Dask sets levels of its own on some of its loggers."""
    if logging.getLogger().getEffectiveLevel() < logging.WARNING:
        yield
        return
    quiet = _OnlyCriticalOfDask()
    handlers = [*logging.getLogger().handlers, *logging.getLogger("distributed").handlers]
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)


class _OnlyCriticalOfDask(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.CRITICAL or not record.name.startswith(DASK_LOGGERS)


def _has_bokeh() -> bool:
    """Whether a `LocalCluster` serves a dashboard (without bokeh its link shows "Dask needs bokeh")."""
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _serves_dashboard(scheduler: str | Client | None, link: str) -> bool:
    """Whether `link` shows a dashboard: a `LocalCluster` started here serves one where this machine
    has bokeh; a scheduler of one's own where its page is one (a scheduler without bokeh answers the link
    "Dask needs bokeh", or 404 Not Found where it was started without a dashboard address)."""
    if scheduler is None:
        return _has_bokeh()
    import urllib.request

    try:
        with urllib.request.urlopen(link, timeout=DASHBOARD_S) as page:
            return bool(page.status == 200) and b"needs bokeh" not in page.read(4096)
    except (OSError, ValueError):  # HTTPError (404) is an OSError
        return False


class _LocalClusterClient(AbstractContextManager["Client"]):
    """A `LocalCluster` of worker processes for one job, closed with it; its processes log only what
    is CRITICAL unless -v asked for INFO."""

    def __init__(self, workers: int | None) -> None:
        from distributed import Client, LocalCluster

        verbose = logging.getLogger().getEffectiveLevel() < logging.WARNING
        with warnings.catch_warnings():  # "Port 8787 is already in use": it takes another port
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                silence_logs=logging.WARNING if verbose else logging.CRITICAL,
                # its HTTP server serves a dashboard with bokeh only; without, it needs no known port
                dashboard_address=":8787" if _has_bokeh() else ":0",
                preload=["musicflow.scale.local_workers"],  # Ctrl-C is this process's to answer
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
