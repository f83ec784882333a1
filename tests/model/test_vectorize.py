from __future__ import annotations

import math

import numpy as np

from musicflow.features.merge import MergedFeatures, single_source
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.vectorize import FeatureLayout, vectorize, vectorize_many


def features(source: str = "catalog", **values: float) -> MergedFeatures:
    return single_source(source, values)


def test_the_same_vector_for_training_batch_and_single_prediction() -> None:
    layout = FeatureLayout.full()
    song = features(energy=0.7, key=2, release_year=2001, release_month=5)
    affinity = ArtistAffinity(12, 3)
    batch = vectorize_many([(song, affinity), (features(), ArtistAffinity())], layout)
    buffer = np.empty(layout.width)
    single = vectorize(song, affinity, layout, buffer)
    np.testing.assert_array_equal(batch[0], single)
    assert single[layout.index_of("key_D")] == 1.0 and single[layout.index_of("key_unknown")] == 0.0
    assert single[layout.index_of("release_date_precision")] == 2.0
    assert single[layout.index_of("artist_streams")] == math.log1p(12)
    assert math.isnan(single[layout.index_of("danceability")])  # missing stays missing, never 0
    assert batch[1][layout.index_of("key_unknown")] == 1.0


def test_spotify_values_stay_out_unless_allowed() -> None:
    song = features("spotify", energy=0.9)
    blocked = vectorize(song, ArtistAffinity(), FeatureLayout.full())
    allowed = vectorize(song, ArtistAffinity(), FeatureLayout.full(allow_spotify=True))
    index = FeatureLayout.full().index_of("energy")
    assert math.isnan(blocked[index]) and allowed[index] == 0.9
