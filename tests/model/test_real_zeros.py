"""Three real listeners ingested one after another into one store, each trained as it arrives: none fails
for lack of zeros, though the catalog knows every song of the last one and few of the others'."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from musicflow.config import Settings
from musicflow.core.clock import SystemClock
from musicflow.features.catalog import import_catalog_file
from musicflow.features.fetch import fetch_features
from musicflow.features.source_choice import open_sources
from musicflow.ingest.ingesting import ingest_paths
from musicflow.model.dataset import DEFAULT_ZEROS
from musicflow.model.train import TrainingOptions, train_profile
from musicflow.store import open_store
from tests.scale.catalogs import bundled_rows

BASIC = Path("histories") / "basic"
# Basic exports (a few thousand plays each); the catalog knows every song of the last, 1 in 100 of the others.
LISTENERS = {
    "ashleyjmurray": (BASIC / "ashleyjmurray" / "StreamingHistory4.json", 100),
    "emb400": (BASIC / "emb400" / "StreamingHistory2.json", 100),
    "dana": (BASIC / "lshatkin" / "dana_data__StreamingHistory1.json", 1),
}
# Zeros from the other listeners, made up from catalog and shipped songs: the rule `auto` follows in a
# store of several listeners (with fewer than five, `auto` takes the shipped songs straight away).
FAST = TrainingOptions(
    zeros=DEFAULT_ZEROS, params={"n_estimators": 60, "learning_rate": 0.1}, seeds=(0,), splits=("time",)
)


def their_catalog(shared_data: Path, path: Path) -> Path:
    """Real audio features (rows of the bundled catalog) under the listeners' songs, and unplayed rows."""
    songs: dict[tuple[str, str], None] = {}
    for history, every in LISTENERS.values():
        plays = json.loads((shared_data / history).read_text(encoding="utf-8"))
        streamed = dict.fromkeys((p["trackName"], p["artistName"]) for p in plays if p["msPlayed"] >= 30_000)
        songs.update(dict.fromkeys(list(streamed)[::every]))
    features = bundled_rows(len(songs), offset=10_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {
            "spotify_id": [f"{i:022d}" for i in range(len(songs))],
            "song": [song for song, _ in songs],
            "artists": [artist for _, artist in songs],
        }
    )
    unplayed = bundled_rows(300, offset=40_000)
    played = pl.concat([names, features], how="horizontal")
    pl.concat([played, unplayed.select(played.columns)]).write_parquet(path)
    return path


def test_listeners_ingested_one_after_another_all_train(tmp_path: Path, shared_data: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'real.db'}", use_bundled_catalog=False
    )
    store = open_store(settings)
    try:
        import_catalog_file(store.features, their_catalog(shared_data, tmp_path / "theirs.parquet"), "theirs")
        trained = {}
        for name, (history, _) in LISTENERS.items():
            ingest_paths([shared_data / history], store, name, settings)
            profile_id = store.profile_id(name)
            assert profile_id is not None
            with open_sources(["catalog"], settings, store.features, SystemClock()) as sources:
                fetch_features(store.features, profile_id, sources, clock=SystemClock(), miss_ttl_s=60.0)
            trained[name] = train_profile(store, name, FAST).training
    finally:
        store.close()
    last = trained["dana"]
    zeros = last["zeros"]
    assert set(zeros["wanted"]) == {"audio"}  # every song the last listener streamed has audio features
    assert zeros["wanted"]["audio"] > 500
    # as many zeros with audio features as streamed songs with them; the others' few such songs first
    assert sum(zeros["drawn"]["audio"].values()) == zeros["wanted"]["audio"]
    made_up = zeros["made_up"]["audio"]
    assert 0 < zeros["drawn"]["audio"]["others"] < zeros["wanted"]["audio"]
    assert sum(made_up.values()) == zeros["wanted"]["audio"] - zeros["drawn"]["audio"]["others"]
    patterns = last["features"]["patterns"]["rows"]
    assert patterns == {"audio": {"streamed": zeros["wanted"]["audio"], "zeros": zeros["wanted"]["audio"]}}
    assert last["rows"]["streamed"] == zeros["wanted"]["audio"]
    for name in ("ashleyjmurray", "emb400"):  # mostly songs without features, matched by zeros without
        rows = trained[name]["features"]["patterns"]["rows"]
        assert rows["none"]["zeros"] == pytest.approx(rows["none"]["streamed"], abs=1)
