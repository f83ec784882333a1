"""The history as it stood when a song was found (a design measured by model_ablation): the affinity
of a song's artist counts only the streams before the song's first play, where the whole period's
counts the streams that came after it too."""

from __future__ import annotations

import math

import numpy as np
from benchmarks.found_history import FoundAffinity

from musicflow.features.merge import MergedFeatures
from musicflow.model.dataset import affinity_index
from musicflow.model.snapshot import ProfilePlays
from musicflow.model.training_rows import Row, RowKind

DAY = 86_400
ARTISTS = {1: "alpha", 2: "alpha", 3: "beta"}
# (day, song, streamed): alpha's song 1 three times, alpha's song 2 found on day 3, beta's song 3 on day 5.
PLAYS = [(1, 1, True), (2, 1, True), (3, 2, True), (4, 1, True), (5, 3, True), (6, 2, True), (7, 3, False)]


def _plays() -> ProfilePlays:
    return ProfilePlays(
        song=np.array([p[1] for p in PLAYS], dtype=np.int64),
        ended_at=np.array([p[0] * DAY for p in PLAYS], dtype=np.int64),
        is_stream=np.array([p[2] for p in PLAYS], dtype=np.bool_),
        is_skip=np.array([not p[2] for p in PLAYS], dtype=np.bool_),
    )


def _row(song: int, kind: RowKind = RowKind.STREAMED) -> Row:
    return Row(song, kind, 1 if kind is RowKind.STREAMED else 0, MergedFeatures(), ARTISTS.get(song, "alpha"))


def _found() -> FoundAffinity:
    plays = _plays()
    everything = np.ones(len(PLAYS), dtype=np.bool_)
    return FoundAffinity(plays, everything, ARTISTS, affinity_index(plays, everything, ARTISTS))


def test_a_song_meets_its_artist_as_the_listener_had_streamed_them_before_finding_it() -> None:
    table = _found().table([_row(2), _row(1), _row(3)], seed=0)
    assert table is not None
    streams, songs, share, first_days, last_days = table[0, :5]
    # Before day 3: song 1 twice, and nothing else streamed at all (the whole period says 3 streams).
    assert (streams, songs, share, first_days, last_days) == (2, 1, 1.0, 2.0, 1.0)
    assert table[1, 0] == 0 and math.isnan(table[1, 3])  # the first song of an artist: a new artist then
    assert table[2, 0] == 0  # beta was never streamed before day 5


def test_a_zero_meets_the_history_of_a_moment_a_song_was_found() -> None:
    found = _found()
    zero = _row(99, RowKind.OTHERS)
    seen = set()
    for seed in range(20):
        table = found.table([_row(1), _row(2), _row(3), zero], seed)
        assert table is not None
        seen.add(int(table[3, 0]))
    # alpha's streams before day 1, day 3 and day 5 (when songs 1, 2 and 3 were found)
    assert seen == {0, 2, 4}


def test_no_song_of_the_listener_no_table() -> None:
    assert _found().table([_row(99, RowKind.OTHERS)], seed=0) is None
