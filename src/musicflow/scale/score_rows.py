"""Scoring checked catalog rows for one listener: affinity and "played" looked up, the matrix built
column by column, one pass of the model over it (`booster_output`).

The listener's affinity for a row's artist leaves the song's own plays out when they played it, as a
single prediction does. A row is "played" when its Spotify id or its loose song key (`match_key`, so a
remaster is the same song), or that of its title without a subtitle ("C.R.E.A.M. (Cash Rules Everything
Around Me)" for a listener of "C.R.E.A.M."), is among the listener's played songs. A prediction resting
on few of an artist's songs is weighed against the model's base rate (`model.evidence`), as a single
prediction is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from musicflow.core.songs import match_key, primary_artist, song_lookup_keys
from musicflow.features.genres import artist_genres, genre_match
from musicflow.model.evidence import toward_base_rate
from musicflow.model.stream_scale import streams_from
from musicflow.model.trained import computes_output, output_of_raw
from musicflow.model.training_rows import MAX_STREAMS
from musicflow.model.tree_shap import model_header
from musicflow.model.vectorize import Floats, model_matrix
from musicflow.scale.frames import ARTISTS, ID, SONG, feature_values
from musicflow.scale.pack import AffinityTuple, ScoringPack, booster_of, tables_of

if TYPE_CHECKING:
    import polars as pl

OUTPUT_COLUMNS = ("spotify_id", "song", "artist", "predicted_streams", "model_version", "played", "banned")
ARTIST_KEY = "artist_key"
NONE: AffinityTuple = (0, 0, 0.0, math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class Scored:
    """Scored rows (the output columns, plus the input's row number and the artist key) and their
    model input, for explaining a few of them afterwards."""

    frame: pl.DataFrame
    matrix: Floats


def score_rows(
    pack: ScoringPack, good: pl.DataFrame, threads: int = 1, by: Literal["lightgbm", "tables"] = "lightgbm"
) -> Scored:
    """Predicted streams for rows that passed `frames.checked` (`booster_output` says `threads` and `by`)."""
    import polars as pl

    frame, played, affinity = affinity_input(pack, good)
    matrix = model_matrix(feature_values(frame), affinity, pack.layout)
    raw = booster_output(pack, matrix, threads, by) if frame.height else np.empty(0)
    estimate = toward_base_rate(streams_from(raw, pack.target_transform), affinity[:, 1], pack.base_rate)
    streams = np.clip(estimate, 0.0, MAX_STREAMS)
    banned = _banned(pack, frame)
    streams[banned] = 0.0  # the listener's own word: a firm zero, as a single prediction answers
    scored = frame.select(
        "row",
        ID,
        pl.col(SONG).alias("song"),
        pl.col(ARTISTS).alias("artist"),
        pl.Series("predicted_streams", streams, dtype=pl.Float64),
        pl.lit(pack.model_version, dtype=pl.Int64).alias("model_version"),
        pl.Series("played", _mask(frame.height, played), dtype=pl.Boolean),
        pl.Series("banned", banned, dtype=pl.Boolean),
        ARTIST_KEY,
    )
    return Scored(scored, matrix)


def booster_output(
    pack: ScoringPack, matrix: Floats, threads: int = 1, by: Literal["lightgbm", "tables"] = "lightgbm"
) -> npt.NDArray[np.float64]:
    """What LightGBM's `predict` gives for each row, to the bit either way: by LightGBM itself on
    `threads` threads (batch scoring: the engines' workers), or by the tables single predictions use
    (`model.tree_shap`; a server has them built already, and so recommends without loading LightGBM).
    The tables are as fast as LightGBM on one thread in a plain process, but were measured seven times
    slower in a Dask worker (cause not found), so batch scoring keeps LightGBM."""
    if by == "tables":
        tables = tables_of(pack)
        objective = model_header(pack.model_text).get("objective", "").split(" ")[0]
        if tables.fallback is None and computes_output(objective):
            return output_of_raw(objective, tables.raw_score(matrix))
    return np.asarray(booster_of(pack).predict(matrix, num_threads=threads), dtype=np.float64)


def model_input(pack: ScoringPack, good: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, str], Floats]:
    """The rows with their artist key, which of them the listener played, and the model's input."""
    frame, played, affinity = affinity_input(pack, good)
    return frame, played, model_matrix(feature_values(frame), affinity, pack.layout)


def affinity_input(pack: ScoringPack, good: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, str], Floats]:
    """The rows with their artist key, which of them the listener played, and each row's artist
    affinity (as `affinity_table` lays it out: streams, songs, share, first and last days)."""
    import polars as pl

    first = pl.col(ARTISTS).str.split(";").list.first().str.strip_chars()
    frame = good.with_columns(first.fill_null("").alias("_first"))
    artists = frame.get_column("_first").unique().to_list()
    keys = {name: primary_artist(name) for name in artists}
    frame = frame.with_columns(
        pl.col("_first").replace_strict(keys, default="", return_dtype=pl.String).alias(ARTIST_KEY)
    )
    played = _played_keys(pack, frame)
    return frame, played, _affinity(pack, frame, played)


def _played_keys(pack: ScoringPack, frame: pl.DataFrame) -> dict[int, str]:
    """Row position -> played song key, for the rows the listener played: by Spotify id, else by the
    loose key or the key of the title without a subtitle (`song_lookup_keys`, as a prediction finds the
    listener's song). The keys are worked out only for rows by an artist the listener played: the others
    cannot be a played song."""
    found: dict[int, str] = {}
    ids = frame.get_column(ID)
    by_id = ids.is_in(list(pack.played_ids)).fill_null(False).to_numpy()
    for at in np.flatnonzero(by_id).tolist():
        found[at] = pack.played_ids[ids[at]]
    candidates = frame.get_column(ARTIST_KEY).is_in(list(pack.played_artists)).to_numpy() & ~by_id
    songs, firsts = frame.get_column(SONG), frame.get_column("_first")
    for at in np.flatnonzero(candidates).tolist():
        song = songs[at]
        for key in song_lookup_keys(firsts[at], song) if song else ():
            if key in pack.played_songs:
                found[at] = key
                break
    return found


def _unknown(pack: ScoringPack, artist: str) -> AffinityTuple:
    """An artist the listener never streamed: no history, but how well their genres match."""
    if not pack.listener_genres:
        return NONE
    return (*NONE[:-1], genre_match(artist, pack.listener_genres, artist_genres()))


def _banned(pack: ScoringPack, frame: pl.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows of a song or an artist the listener banned. The loose key is worked out only for rows by an
    artist with a banned song."""
    banned = np.zeros(frame.height, dtype=np.bool_)
    if not (pack.banned_songs or pack.banned_artists) or not frame.height:
        return banned
    keys = frame.get_column(ARTIST_KEY)
    banned |= keys.is_in(list(pack.banned_artists)).to_numpy()
    banned |= frame.get_column(ID).is_in(list(pack.banned_songs)).fill_null(False).to_numpy()
    by_artist = {key.split("\x1f", 1)[0] for key in pack.banned_songs if "\x1f" in key}
    songs, firsts = frame.get_column(SONG), frame.get_column("_first")
    for at in np.flatnonzero(keys.is_in(list(by_artist)).to_numpy() & ~banned).tolist():
        song = songs[at]
        banned[at] = bool(song) and match_key(firsts[at], song) in pack.banned_songs
    return banned


def _affinity(pack: ScoringPack, frame: pl.DataFrame, played: dict[int, str]) -> Floats:
    """Each row's artist affinity, looked up once per artist; a played song's own plays left out."""
    import polars as pl

    keys = frame.get_column(ARTIST_KEY)
    artists = keys.unique().to_list()
    table = np.array([pack.artist_affinity.get(k) or _unknown(pack, k) for k in artists], dtype=np.float64)
    table = table.reshape(-1, len(NONE))
    positions = keys.replace_strict(artists, list(range(len(artists))), return_dtype=pl.Int64)
    index = positions.to_numpy().astype(np.int64, copy=False)
    values: Floats = table[index]
    for at, song in played.items():
        values[at] = pack.played_songs.get(song) or values[at]
    return values


def _mask(size: int, positions: dict[int, str]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(size, dtype=bool)
    mask[list(positions)] = True
    return mask
