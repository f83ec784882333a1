"""Scoring a catalog on the local engine and on Dask: the same predictions, every row exactly once,
whatever happens to a worker or to the job."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cloudpickle  # type: ignore[import-untyped]
import numpy as np
import polars as pl
import pytest

from musicflow.app.service import MusicFlow
from musicflow.scale.engines import DaskEngine, LocalEngine
from musicflow.scale.job import JobInput, job_dir_for, run_job
from musicflow.scale.partitions import done_path, part_path, score_partition
from tests.scale.catalogs import native_catalog
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
    import functools
    import sys

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    marker = tmp_path / "killed"
    task = functools.partial(kill_worker_once, str(marker))
    summary = _score(app, catalog, tmp_path / "out.parquet", DaskEngine(dask_client), task=task)
    assert marker.exists()  # a worker did die mid-job
    assert summary.rows_scored == ROWS
    assert _ids(summary.output) == _ids_of(catalog)


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
