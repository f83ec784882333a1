"""The listener's artist affinity as it stood when each song was found: a design measured, not shipped.

A streamed song is a training row whose artist affinity, read over the whole training period, holds the
streams that came after the song was found: the song that made someone a fan of an artist reads as a
song by an artist they already loved. A new song meets the listener's history as it stands before any
of that. The design: the booster on the listener's history alone (`CountRegressor.anchor_columns`)
learns from each of the listener's songs with the affinity as it stood at the song's first play, and
from each zero with the affinity at a moment drawn from those first plays (both classes meet histories
of the same lengths); the booster on every column and serving keep the history of the whole period.
`model_ablation`'s design "history as found". On the design listeners it doubled Sp+ at the same AUC;
on the report listeners it lost AUC for every one of them and Sp+ on the mean, so the model learns the
whole period's history (docs/model-quality.md, "The history as it stood when a song was found").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from musicflow.model.affinity import DAY_S, AffinityIndex
from musicflow.model.dataset import Split
from musicflow.model.snapshot import BoolArray, ProfilePlays, Snapshot
from musicflow.model.training_rows import Row, RowKind
from musicflow.model.vectorize import AFFINITY_COLUMNS, Floats

_SHIFT = 33  # an artist's code above the moment (seconds since 1970 stay below 2**33 until 2242)
_OWN = frozenset({RowKind.STREAMED, RowKind.SKIPPED})
Ints = npt.NDArray[np.int64]


class FoundAffinity:
    """Streams within a set of plays by artist and time, answering the affinity of `AffinityIndex` as it
    stood at any moment (the genre match as the index says it: a listener's genres move slowly)."""

    def __init__(
        self, plays: ProfilePlays, mask: BoolArray, artist_of_song: Mapping[int, str], index: AffinityIndex
    ) -> None:
        self._index = index
        songs, firsts = np.unique(plays.song[mask], return_index=True)  # plays are oldest first
        self._found = dict(zip(songs.tolist(), plays.ended_at[mask][firsts].tolist(), strict=True))
        streamed = mask & plays.is_stream
        song, moment = plays.song[streamed], plays.ended_at[streamed].astype(np.int64)
        artists = sorted({artist_of_song[s] for s in set(song.tolist())})
        self._codes = {artist: code for code, artist in enumerate(artists)}
        code = np.array([self._codes[artist_of_song[s]] for s in song.tolist()], dtype=np.int64)
        self._streams = np.sort((code << _SHIFT) | moment)
        self._times = np.sort(moment)
        # Each song's first stream, keyed the same way: how many of the artist's songs were streamed by then.
        order = np.lexsort((moment, song))
        first_of = np.unique(song[order], return_index=True)[1]
        self._songs = np.sort((code[order][first_of] << _SHIFT) | moment[order][first_of])
        bounds = np.arange(len(artists), dtype=np.int64) << _SHIFT
        self._stream_start = np.searchsorted(self._streams, bounds)
        self._song_start = np.searchsorted(self._songs, bounds)

    def found_at(self, song: int) -> int | None:
        """When the listener first played `song` within these plays (None: never)."""
        return self._found.get(song)

    def table(self, rows: Sequence[Row], seed: int) -> Floats | None:
        """The rows' affinity as `affinity_table` lays it out, as it stood when each was found: the
        listener's songs at their first play, the others at a moment drawn (seeded) from those; None
        when no row is the listener's."""
        own = [self.found_at(r.song_id) if r.kind in _OWN else None for r in rows]
        moments_found = np.array([m for m in own if m is not None], dtype=np.int64)
        if not len(moments_found):
            return None
        drawn = np.random.default_rng(seed).choice(moments_found, size=len(rows))
        at = np.array([int(d) if m is None else m for m, d in zip(own, drawn, strict=True)], dtype=np.int64)
        code = np.array([self._codes.get(r.artist_key, -1) for r in rows], dtype=np.int64)
        known = code >= 0
        safe = np.where(known, code, 0)
        keys = (safe << _SHIFT) | at
        streams = np.where(known, np.searchsorted(self._streams, keys) - self._stream_start[safe], 0)
        songs = np.where(known, np.searchsorted(self._songs, keys) - self._song_start[safe], 0)
        total = np.searchsorted(self._times, at)
        heard = streams > 0
        start = self._stream_start[safe]
        first = self._moment(np.where(heard, start, 0))
        last = self._moment(np.where(heard, start + streams - 1, 0))
        table = np.full((len(rows), len(AFFINITY_COLUMNS)), math.nan, dtype=np.float64)
        table[:, 0] = streams
        table[:, 1] = songs
        table[:, 2] = np.where(heard, streams / np.maximum(total, 1), 0.0)
        table[:, 3] = np.where(heard, (at - first) / DAY_S, math.nan)
        table[:, 4] = np.where(heard, (at - last) / DAY_S, math.nan)
        matches: dict[str, float] = {}
        for i, row in enumerate(rows):
            if row.artist_key not in matches:
                matches[row.artist_key] = self._index.of(row.artist_key).genre_match
            table[i, 5] = matches[row.artist_key]
        return table

    def _moment(self, at: Ints) -> Ints:
        """The moments of the streams at these positions (0 where there are none)."""
        if not len(self._streams):
            return np.zeros(len(at), dtype=np.int64)
        return self._streams[at] & ((1 << _SHIFT) - 1)


def found_history(snapshot: Snapshot, profile_id: int, split: Split) -> FoundAffinity:
    """The training side of a time split (the plays before its cut-off; every play without one) as a
    `FoundAffinity`."""
    plays = snapshot.plays[profile_id]
    mask = plays.ended_at < split.cutoff if split.cutoff is not None else np.ones(len(plays.song), np.bool_)
    artist_of_song = {song_id: song.artist_key for song_id, song in snapshot.songs.items()}
    return FoundAffinity(plays, mask, artist_of_song, split.affinity)
