"""Scoring a catalog on the local engine and on Dask: the same predictions, every row exactly once,
whatever happens to a worker or to the job."""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import cloudpickle  # type: ignore[import-untyped]
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import musicflow
from musicflow.app.service import MusicFlow
from musicflow.errors import ClusterError, ConfigError, InputFileError
from musicflow.scale.engines import DaskEngine, Engine, LocalEngine
from musicflow.scale.job import JobInput, job_dir_for, run_job
from musicflow.scale.partitions import done_path, part_path, score_partition
from musicflow.scale.staging import file_rows
from tests.scale.catalogs import bundled_rows, native_catalog
from tests.trained import PROFILE

ROWS = 3_000
PARTITION_ROWS = 500


def _score(app: MusicFlow, catalog: Path, out: Path, engine: Any, **options: Any) -> Any:
    pack = app.scoring_pack(PROFILE)
    source = JobInput.of_file(catalog, lambda: iter(()))
    return run_job(pack, source, out, engine, partition_rows=PARTITION_ROWS, **options)


def _ids(path: Path) -> list[str]:
    return sorted(map(str, pl.read_parquet(path).get_column("spotify_id").to_list()))


def test_local_scores_every_row_once_with_the_champion(app: MusicFlow, tmp_path: Path):
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    summary = _score(app, catalog, tmp_path / "out.parquet", LocalEngine())
    scored = pl.read_parquet(summary.output)
    assert summary.rows_scored == scored.height == ROWS
    assert summary.partitions == ROWS // PARTITION_ROWS
    assert _ids(summary.output) == _ids_of(catalog)
    assert scored.get_column("model_version").unique().to_list() == [app.model(PROFILE).version]
    assert scored.get_column("played").sum() > 0  # the demo listener played some of the bundled songs
    assert not job_dir_for(summary.output).exists()


def test_local_and_dask_give_the_same_predictions(app: MusicFlow, tmp_path: Path, dask_client: Any):
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    local = pl.read_parquet(_score(app, catalog, tmp_path / "local.parquet", LocalEngine()).output)
    on_sync = _score(app, catalog, tmp_path / "sync.parquet", DaskEngine("synchronous")).output
    on_cluster = _score(app, catalog, tmp_path / "cluster.parquet", DaskEngine(dask_client)).output
    for other in (pl.read_parquet(on_sync), pl.read_parquet(on_cluster)):
        assert other.get_column("spotify_id").to_list() == local.get_column("spotify_id").to_list()
        assert other.get_column("played").to_list() == local.get_column("played").to_list()
        np.testing.assert_allclose(
            other.get_column("predicted_streams").to_numpy(),
            local.get_column("predicted_streams").to_numpy(),
            rtol=0,
            atol=1e-9,
        )


def _with_bad_rows(path: Path) -> Path:
    """The bundled catalog's first rows, some with a value that is no number or out of the feature
    table: a file whose scored and rejected rows both span every partition."""
    rows = bundled_rows(ROWS).with_row_index("i")
    bad = rows.with_columns(
        pl.when(pl.col("i") % 97 == 5)
        .then(pl.lit("abc"))
        .otherwise(pl.col("danceability").cast(pl.String))
        .alias("danceability"),
        pl.when(pl.col("i") % 101 == 7).then(pl.lit(7.5)).otherwise(pl.col("energy")).alias("energy"),
    ).drop("i")
    if path.suffix == ".csv":
        bad.write_csv(path)
    else:
        bad.write_parquet(path)
    return path


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0) if path.suffix == ".csv" else pl.read_parquet(path)


@pytest.mark.parametrize(("given", "written"), [("parquet", "parquet"), ("csv", "csv"), ("csv", "parquet")])
def test_every_engine_writes_the_same_files_row_for_row(
    app: MusicFlow, tmp_path: Path, dask_client: Any, given: str, written: str
):
    """The same predictions, the same rejected rows with the same reasons, in the same order, whether the
    job runs here, on a cluster's client or on a scheduler named by its address; CSV or Parquet in and
    out (a CSV file is converted first, a Parquet file in MusicFlow's layout read in place)."""
    catalog = _with_bad_rows(tmp_path / f"catalog.{given}")
    pack = app.scoring_pack(PROFILE)
    source = JobInput.of_file(catalog, lambda: file_rows(catalog, None))
    engines: dict[str, Engine] = {
        "local": LocalEngine(),
        "client": DaskEngine(dask_client),
        "address": DaskEngine(dask_client.scheduler.address),
    }
    results = {
        name: run_job(pack, source, tmp_path / f"{name}.{written}", engine, partition_rows=PARTITION_ROWS)
        for name, engine in engines.items()
    }
    local = results["local"]
    assert local.rows_rejected > 0 and local.rows_scored + local.rows_rejected == ROWS
    assert local.partitions > 1
    for name, summary in results.items():
        assert (summary.rows_scored, summary.rows_rejected) == (local.rows_scored, local.rows_rejected), name
        assert_frame_equal(_read(summary.output), _read(local.output), check_exact=True)
        assert_frame_equal(_read(summary.rejected_output), _read(local.rejected_output), check_exact=True)
        assert not job_dir_for(summary.output).exists()


def kill_worker_once(
    marker: str, pack: Mapping[str, Any], partition: Mapping[str, Any], job_dir: str, threads: int
) -> dict[str, int]:
    """The real task, but the worker process running partition 2 dies the first time."""
    if partition["index"] == 2 and not Path(marker).exists():
        Path(marker).touch()
        os._exit(1)
    return score_partition(pack, partition, job_dir, threads)


def test_a_killed_worker_still_scores_every_row_exactly_once(
    app: MusicFlow, tmp_path: Path, dask_client: Any
):
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    marker = tmp_path / "killed"
    task = functools.partial(kill_worker_once, str(marker))
    summary = _score(app, catalog, tmp_path / "out.parquet", DaskEngine(dask_client), task=task)
    assert marker.exists()  # a worker did die mid-job
    assert summary.rows_scored == ROWS
    assert _ids(summary.output) == _ids_of(catalog)


@pytest.mark.slow  # starts a local Dask cluster
def test_the_workers_of_the_cluster_started_for_a_job_leave_ctrl_c_to_the_command():
    """Ctrl-C in a terminal reaches every process of the command: the workers stopped on their own, some
    printing their KeyboardInterrupt's traceback, while the command was closing them."""
    with DaskEngine(None, workers=1).client() as client:
        said = client.run(lambda: repr(signal.getsignal(signal.SIGINT)))
    assert list(said.values()) == [repr(signal.SIG_IGN)]


class InterruptedJobError(Exception):
    pass


def test_a_job_killed_half_way_resumes_without_scoring_again(app: MusicFlow, tmp_path: Path):
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    out = tmp_path / "out.csv"

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise InterruptedJobError

    with pytest.raises(InterruptedJobError):
        _score(app, catalog, out, LocalEngine(), progress=stop_after_two)
    folder = job_dir_for(out)
    finished = {i: part_path(folder, i).stat().st_mtime_ns for i in range(6) if done_path(folder, i).exists()}
    assert sorted(finished) == [0, 1]
    scored_again: list[int] = []

    def counting(pack: Any, partition: Any, job_dir: str, threads: int) -> dict[str, int]:
        scored_again.append(int(partition["index"]))
        assert all(part_path(folder, i).stat().st_mtime_ns == t for i, t in finished.items())
        return score_partition(pack, partition, job_dir, threads)

    summary = _score(app, catalog, out, LocalEngine(), resume=True, task=counting)
    assert sorted(scored_again) == [2, 3, 4, 5]
    assert summary.partitions_resumed == 2
    written = pl.read_csv(out)
    assert written.height == ROWS
    assert sorted(map(str, written.get_column("spotify_id").to_list())) == _ids_of(catalog)


def _ids_of(catalog: Path) -> list[str]:
    return sorted(map(str, pl.read_parquet(catalog).get_column("spotify_id").to_list()))


def test_without_resume_a_stopped_job_starts_again(app: MusicFlow, tmp_path: Path):
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    out = tmp_path / "out.parquet"

    def stop(done: int, total: int) -> None:
        if done == 1:
            raise InterruptedJobError

    with pytest.raises(InterruptedJobError):
        _score(app, catalog, out, LocalEngine(), progress=stop)
    summary = _score(app, catalog, out, LocalEngine())
    assert summary.partitions_resumed == 0
    assert summary.rows_scored == ROWS


# What a job meets on a cluster that cannot run it, or stops running it: one line (ours), within seconds,
# before any work where it can be known then, and the finished parts kept for --resume.


def _nothing_written(folder: Path) -> bool:
    """No output, no rejected rows, no job folder: nothing at all beside the catalog and the store."""
    return not [p.name for p in folder.iterdir() if "out" in p.name]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "said"),
    [
        (
            "tcp://127.0.0.1:{port}",
            "no Dask scheduler answers at tcp://127.0.0.1:{port} (nothing listens there)",
        ),
        ("127.0.0.1", "--scheduler 127.0.0.1: not a Dask scheduler address (like tcp://HOST:8786)"),
        ("nonsense", "--scheduler nonsense: not a Dask scheduler address (like tcp://HOST:8786)"),
    ],
)
def test_a_scheduler_address_that_answers_nothing_is_said_at_once(
    app: MusicFlow, tmp_path: Path, address: str, said: str
):
    """Nothing listening took Dask's whole connect timeout (10 s); an address without a port ended in a
    traceback (ValueError: missing port number)."""
    port = _free_port()
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    started = time.monotonic()
    with pytest.raises(ConfigError) as refused:
        _score(app, catalog, tmp_path / "out.parquet", DaskEngine(address.format(port=port)))
    assert str(refused.value) == said.format(port=port)
    assert time.monotonic() - started < 5
    assert _nothing_written(tmp_path)  # nothing written


def test_a_cluster_without_a_worker_is_said_before_any_work(app: MusicFlow, tmp_path: Path):
    """A scheduler with no worker: the job waited for ever (or ended in a traceback: "No valid workers
    found")."""
    from distributed import Client, LocalCluster

    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        started = time.monotonic()
        with pytest.raises(ClusterError) as refused:
            _score(app, catalog, tmp_path / "out.parquet", DaskEngine(client, worker_wait_s=1))
        assert time.monotonic() - started < 5
        address = client.scheduler.address
    assert str(refused.value) == (
        f"no worker joined the Dask scheduler at {address} in 1 s: start one with `dask worker {address}`"
    )
    assert _nothing_written(tmp_path)


@pytest.mark.slow  # starts a cluster of its own, of a worker process
def test_workers_that_cannot_run_musicflow_are_refused_before_any_work(app: MusicFlow, tmp_path: Path):
    """A worker without MusicFlow (here: one whose imports of it fail, as where it is not installed)
    failed every task and the job ended in a traceback (FutureCancelledError: ... already forgotten)."""
    from distributed import Client, LocalCluster

    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    without = str(Path(__file__).with_name("without_musicflow.py"))
    with (
        LocalCluster(n_workers=1, processes=True, dashboard_address=":0", preload=[without]) as cluster,
        Client(cluster) as client,
    ):
        with pytest.raises(ClusterError) as refused:
            _score(app, catalog, tmp_path / "out.parquet", DaskEngine(client))
        worker, address = next(iter(client.nthreads())), client.scheduler.address
    assert str(refused.value) == (
        f"1 worker of the Dask scheduler at {address} cannot run MusicFlow's tasks"
        f" ({worker}: No module named 'musicflow'): install MusicFlow {musicflow.__version__} with its dask"
        " extra on every worker"
    )
    assert _nothing_written(tmp_path)


def stall_once(
    marker: str, pack: Mapping[str, Any], partition: Mapping[str, Any], job_dir: str, threads: int
) -> dict[str, int]:
    """The real task, but the first one to start once a part is scored says so (`marker`) and takes two
    seconds."""
    if not Path(marker).exists() and any(Path(job_dir).glob("parts/*.done")):
        Path(marker).touch()
        time.sleep(2)
    return score_partition(pack, partition, job_dir, threads)


def _when_started(marker: Path, then: Callable[[], object]) -> threading.Thread:
    def wait_then() -> None:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        then()

    thread = threading.Thread(target=wait_then, daemon=True)
    thread.start()
    return thread


def _kept_said(error: Exception, said: str, out: Path) -> None:
    """`error` is `said`, then how many parts are kept (at least the one scored before another stalled)
    and how to go on; nothing is at the output path."""
    message = re.fullmatch(
        f"{re.escape(said)}; ([0-9]) of {ROWS // PARTITION_ROWS} parts (?:is|are) scored and kept: the same"
        " command with --resume goes on from them",
        str(error),
    )
    assert message, str(error)
    assert int(message.group(1)) >= 1
    assert any(job_dir_for(out).glob("parts/*.done"))
    assert not out.exists()


def test_a_cluster_that_loses_every_worker_ends_the_job_in_one_line(app: MusicFlow, tmp_path: Path):
    """The job's tasks waited for ever for a worker once every worker was gone."""
    from distributed import Client, LocalCluster

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    out = tmp_path / "out.parquet"
    marker = tmp_path / "started"
    task = functools.partial(stall_once, str(marker))
    with (
        LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        address = client.scheduler.address
        losing = _when_started(marker, lambda: cluster.scale(0))
        started = time.monotonic()
        with pytest.raises(ClusterError) as stopped:
            _score(app, catalog, out, DaskEngine(client, worker_wait_s=1), task=task)
        assert time.monotonic() - started < 15
        losing.join()
    said = f"the Dask scheduler at {address} has had no worker for 1 s: every worker was lost"
    _kept_said(stopped.value, said, out)


@pytest.mark.slow  # starts a scheduler and a worker, as processes of their own
def test_a_job_whose_scheduler_is_killed_ends_in_one_line(app: MusicFlow, tmp_path: Path):
    """`kill -9` of the scheduler during the job ended it in a traceback (FutureCancelledError: ...
    cancelled for reason: scheduler-connection-lost) after Dask's own ERROR lines."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    out = tmp_path / "out.parquet"
    marker = tmp_path / "started"
    task = functools.partial(stall_once, str(marker))
    found = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet = subprocess.DEVNULL
    scheduler = subprocess.Popen(
        [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(found)],
        stdout=quiet,
        stderr=quiet,
    )
    worker = None
    try:
        deadline = time.monotonic() + 30
        while not found.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(found.read_text())["address"]
        worker = subprocess.Popen(
            [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--death-timeout", "10"],
            stdout=quiet,
            stderr=quiet,
        )
        losing = _when_started(marker, scheduler.kill)
        with pytest.raises(ClusterError) as stopped:
            _score(app, catalog, out, DaskEngine(address), task=task)
        losing.join()
    finally:
        for process in (scheduler, worker):
            if process is not None:
                process.kill()
                process.wait(timeout=10)
    _kept_said(stopped.value, f"lost the connection to the Dask scheduler at {address}", out)


def delete_input_once(
    catalog: str, pack: Mapping[str, Any], partition: Mapping[str, Any], job_dir: str, threads: int
) -> dict[str, int]:
    """The real task, but the input file is deleted before partition 2 is read."""
    if partition["index"] == 2:
        Path(catalog).unlink(missing_ok=True)
    return score_partition(pack, partition, job_dir, threads)


@pytest.mark.parametrize("on", ["local", "dask"])
def test_an_input_deleted_during_the_job_is_said_in_one_line(
    app: MusicFlow, tmp_path: Path, on: str, request: pytest.FixtureRequest
):
    """It ended in a traceback: FileNotFoundError: No such file or directory (os error 2)."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    engine = LocalEngine() if on == "local" else DaskEngine(request.getfixturevalue("dask_client"))
    task = functools.partial(delete_input_once, str(catalog))
    with pytest.raises(InputFileError) as failed:
        _score(app, catalog, tmp_path / "out.parquet", engine, task=task)
    assert str(failed.value) == (
        f"{catalog}: could not be read any more while it was scored (No such file or directory)"
    )
    assert not (tmp_path / "out.parquet").exists()
