"""A scoring job stopped and resumed: `--resume` goes on from the parts kept only when what scored them
is what would score the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from musicflow.app.service import MusicFlow
from musicflow.scale.engines import LocalEngine
from musicflow.scale.job import JobInput, ScoreSummary, run_job
from tests.scale.catalogs import native_catalog
from tests.trained import PROFILE

ROWS = 3_000
PARTITION_ROWS = 500
MORE_PLAYS = Path("histories/basic/lshatkin")  # a real public history, ingested into the demo profile


class StoppedError(Exception):
    pass


def _stop_after_two(done: int, total: int) -> None:
    if done == 2:
        raise StoppedError


def _score(app: MusicFlow, catalog: Path, out: Path, **options: Any) -> ScoreSummary:
    source = JobInput.of_file(catalog, lambda: iter(()))
    pack = app.scoring_pack(PROFILE)
    return run_job(pack, source, out, LocalEngine(), partition_rows=PARTITION_ROWS, **options)


def test_a_job_resumed_after_new_plays_starts_again(app: MusicFlow, tmp_path: Path, shared_data: Path):
    """New plays ingested between the stop and `--resume` (the same model: `ingest` does not train) were
    not seen: the parts kept, scored with the history before them, were joined to parts scored with the
    history after (on the shared catalogs, 5,948 of the first part's rows differed from a job run
    afresh, 366 of them in `played`)."""
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    out = tmp_path / "out.parquet"
    with pytest.raises(StoppedError):
        _score(app, catalog, out, progress=_stop_after_two)
    plays = sorted((shared_data / MORE_PLAYS).glob("MyData__StreamingHistory*.json"))
    app.ingest(plays, PROFILE, retrain=False)
    with MusicFlow.open(app.settings) as reopened:  # as the next command opens the store
        resumed = _score(reopened, catalog, out, resume=True)
        afresh = _score(reopened, catalog, tmp_path / "afresh.parquet")
    assert resumed.partitions_resumed == 0
    assert_frame_equal(pl.read_parquet(resumed.output), pl.read_parquet(afresh.output))


def test_a_job_resumed_with_the_same_history_goes_on_from_its_parts(app: MusicFlow, tmp_path: Path):
    """The store opened again (as by the next command) gives the same history: the job goes on."""
    catalog = native_catalog(tmp_path / "catalog.parquet", ROWS)
    out = tmp_path / "out.parquet"
    with pytest.raises(StoppedError):
        _score(app, catalog, out, progress=_stop_after_two)
    with MusicFlow.open(app.settings) as reopened:
        resumed = _score(reopened, catalog, out, resume=True)
        afresh = _score(reopened, catalog, tmp_path / "afresh.parquet")
    assert resumed.partitions_resumed == 2
    assert_frame_equal(pl.read_parquet(resumed.output), pl.read_parquet(afresh.output))
