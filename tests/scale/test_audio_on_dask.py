"""`features analyze --engine dask`: the user's audio files analysed one per task on real workers, with
the same features stored as when this process analyses them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.scale.audio import dask_file_mapper
from tests.features.audio_synth import kick_track, write

pytestmark = pytest.mark.usefixtures("compiled_audio")  # librosa compiled once per run (tests/numba_cache.py)


def _music(folder: Path) -> Path:
    write(folder / "Kick Band - Four On The Floor.wav", kick_track(120, 5))
    write(folder / "Other Band - Fast One.flac", kick_track(140, 5))
    (folder / "Broken Band - Broken.mp3").write_bytes(b"\x00not audio at all" * 100)
    return folder


def _tempo(app: MusicFlow, song: str, artist: str) -> float:
    value = app.song_features(song, artist, sources=[]).merged.values["tempo"]
    return float(value)


def test_the_cluster_stores_what_this_process_would(tmp_path: Path, dask_client: Any):
    pytest.importorskip("librosa")
    music = _music(tmp_path / "Music")
    reports = []
    tempos = []
    for name, mapper in (("here", None), ("cluster", dask_client)):
        with MusicFlow.open(Settings(data_dir=tmp_path / name, use_bundled_catalog=False)) as app:
            if mapper is None:
                report = app.analyze_audio(music)
            else:
                with dask_file_mapper(mapper) as on_cluster:
                    report = app.analyze_audio(music, map_files=on_cluster)
            reports.append((report.files, report.analysed, dict(report.skipped)))
            tempos.append(_tempo(app, "Four On The Floor", "Kick Band"))
            if mapper is not None:
                with dask_file_mapper(mapper) as on_cluster:
                    again = app.analyze_audio(music, map_files=on_cluster)
                assert (again.unchanged, again.analysed) == (3, 0)
    assert reports[0] == reports[1]
    assert reports[0][:2] == (3, 2)
    assert tempos[0] == tempos[1]
    assert abs(tempos[0] - 120) < 2
    assert json.dumps(reports[1][2])  # the skipped file's reason travelled back as plain text
