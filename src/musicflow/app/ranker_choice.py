"""How a listener's recommendations are ranked: the way that found the most of their own later songs.

No one way of ranking a catalog finds the most for everyone (benchmarks/recommend_quality.py, README
"How good"): MusicFlow's predicted streams find the most for listeners who stay with their artists; for
others, the songs they go on to stream are those many people stream, and MusicFlow's order averaged with
popularity's finds several times more. So, when a model is trained, the listener's history is cut at the
70th percentile of their stream times, a model trained on the store as it stood then (`history_before.py`)
ranks the imported catalog songs they had not played by then (a sample of CHOICE_ROWS of larger
catalogs) each of WAYS, and each way counts the songs in its first TOP that the listener first streamed
after the cut. `recommend` ranks by the way of CHOICES that found the most, if it found at least MARGIN
more than MusicFlow's predicted streams did; else by those. The margin was chosen on the design
listeners of the benchmark; on its report listeners the choice found 54 songs in the first 100s where
MusicFlow's predicted streams found 46 (the last measure, with ALL_THREE among the choices: it was picked
for none of the design listeners and for one report listener, 8 -> 10 there). A list of more than
FIRST_OF_WAY songs capped at 2 per artist keeps the chosen way's first FIRST_OF_WAY songs and goes on by
WEIGHED (predicted streams x (popularity / 100)²), which found more in the first 50 and 100 as listed on
every seed of the design listeners, with the same first FIRST_OF_WAY (`catalog_scoring.recommend`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import polars as pl

    from musicflow.config import Settings
    from musicflow.model.train import TrainingOptions
    from musicflow.scale.pack import ScoringPack
    from musicflow.store.ports import Store

MODEL = "MusicFlow"  # the predicted streams
POPULARITY = "popularity"  # the catalog's, songs without one last
AFFINITY = "artist affinity"  # the listener's streams of the artist, popularity breaking ties
MIXED = "MusicFlow and popularity"  # the places of the two averaged
ALL_THREE = "MusicFlow, popularity and artist affinity"  # the places of the three averaged
# MusicFlow's predicted streams x (popularity / 100)²: not a way the choice picks, but how a list capped
# per artist goes on after the first FIRST_OF_WAY songs of the chosen way (`catalog_scoring.recommend`).
WEIGHED = "MusicFlow x popularity²"
FIRST_OF_WAY = 20
WAYS = (MODEL, POPULARITY, AFFINITY, MIXED, ALL_THREE)  # each counted on the listener's past
# Those a list may be ranked by: popularity alone is counted, to say how it compares, but a list of the
# catalog's most popular songs is nobody's own (on the public listeners it was never the one picked).
CHOICES = (MODEL, AFFINITY, MIXED, ALL_THREE)
PLACED = (MIXED, ALL_THREE)  # the ways that place each candidate among every other (`rank_keys`)
WAY_WORDS = {
    MODEL: "MusicFlow's predicted streams",
    POPULARITY: "the catalog's popularity",
    AFFINITY: "your streams of the artist, then the catalog's popularity",
    MIXED: "MusicFlow's predicted streams and the catalog's popularity together",
    ALL_THREE: (
        "MusicFlow's predicted streams, the catalog's popularity and your streams of the artist together"
    ),
}
MARGIN = 3
TOP = 100
CUT_QUANTILE = 0.7  # the evaluation's time split
MIN_STREAMS = 200  # fewer streams: too few songs after the cut to tell the ways apart
# Catalog rows scored for the choice at most: beyond, a seeded sample of them (every way ranks the same
# sample), so that a training does not score a catalog of millions; the shared catalogs hold 122,284.
CHOICE_ROWS = 250_000
RANKING_FACT = "recommend_ranking"  # where a model's training facts hold the choice
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RankerChoice:
    """The way a listener's recommendations are ranked, and what each way found on their own past: songs
    first streamed after `cutoff` among its first TOP (of `later` such songs among the candidates)."""

    ranker: str
    found: dict[str, int]
    later: int
    cutoff: int

    def as_dict(self) -> dict[str, Any]:
        return {"ranker": self.ranker, "found": self.found, "later": self.later, "cutoff": self.cutoff}

    @classmethod
    def of_model(cls, training: Mapping[str, Any]) -> RankerChoice | None:
        """The choice a model's training facts recorded (`RANKING_FACT`), if any."""
        return cls.from_dict(training.get(RANKING_FACT))

    @classmethod
    def from_dict(cls, data: object) -> RankerChoice | None:
        """The choice a model recorded; None for a model trained before choices were made (or without
        catalogs): it ranks by its predicted streams."""
        if not isinstance(data, Mapping) or data.get("ranker") not in CHOICES:
            return None
        found = data.get("found")
        found = {str(k): int(v) for k, v in found.items()} if isinstance(found, Mapping) else {}
        return cls(str(data["ranker"]), found, int(data.get("later") or 0), int(data.get("cutoff") or 0))

    def words(self, spliced: bool = False) -> str:
        """What a listener reads under their list (`spliced`: its songs after the first FIRST_OF_WAY are
        ranked WEIGHED)."""
        first = f"The first {FIRST_OF_WAY} ranked" if spliced else "Ranked"
        ranked = f"{first} by {WAY_WORDS[self.ranker]}"
        model = self.found.get(MODEL, 0)
        if self.ranker == MODEL:
            said = (
                f"{ranked}: on your own past, no other way found clearly more of the songs you went on to"
                f" stream ({model} in its first {TOP})."
            )
        else:
            said = (
                f"{ranked}: on your own past, that found {self.found.get(self.ranker, 0)} of the songs you"
                f" went on to stream in its first {TOP}, where MusicFlow's predicted streams alone found"
                f" {model}."
            )
        return f"{said} {THEN_WEIGHED}" if spliced else said


# What a list capped per artist says of its songs after the first FIRST_OF_WAY (docs/recommend-quality.md).
THEN_WEIGHED = (
    f"After them, by MusicFlow's predicted streams times the square of the catalog's popularity, which"
    f" found more of public listeners' later songs in the first {TOP} of such a list."
)


def list_words(choice: RankerChoice | None, spliced: bool, *, asked: bool = False) -> str:
    """What a list says of how it is ranked: the choice's words (`RankerChoice.words`); by predicted
    streams, as asked (`asked`: `--by-prediction`) or for a model trained before choices were made,
    going on by WEIGHED after its first songs where `spliced`."""
    if choice is not None:
        return choice.words(spliced)
    if spliced:
        return f"The first {FIRST_OF_WAY} ranked by {WAY_WORDS[MODEL]}. {THEN_WEIGHED}"
    return f"Ranked by {WAY_WORDS[MODEL]}{', as asked' if asked else ''}."


def existing_at(rows: pl.DataFrame, moment: int) -> pl.DataFrame:
    """The rows of songs that existed at `moment` (epoch seconds): a row dated later is left out, one
    no date is known of stays. At a past moment no list could hold a song that came out after it."""
    import polars as pl

    from musicflow.scale.frames import release_times

    released = release_times(rows)
    return rows.filter(pl.Series((released <= moment) | np.isinf(released)))


def popularity_of(rows: pl.DataFrame) -> pl.DataFrame:
    """Each catalog row's popularity by its `row` number, -1 where it has none (or the catalog no column)."""
    import polars as pl

    if "popularity" not in rows.columns:
        return rows.select("row", pl.lit(-1.0, dtype=pl.Float64).alias("popularity"))
    return rows.select("row", pl.col("popularity").cast(pl.Float64).fill_null(-1.0))


def scored_candidates(
    pack: ScoringPack, good: pl.DataFrame, by: Literal["lightgbm", "tables"], threads: int = 1
) -> tuple[pl.DataFrame, Floats]:
    """The rows of a checked catalog batch that may be recommended (`recommendable`), scored, with their
    popularity: what every way ranks; and the model input of every row of the batch (a candidate's is
    at its `_at`). `threads`: LightGBM's, where it scores (`score_rows.booster_output`)."""
    import polars as pl

    from musicflow.app.catalog_scoring import recommendable
    from musicflow.scale.score_rows import score_rows

    scored = score_rows(pack, good, threads=threads, by=by)
    at = scored.frame.with_row_index("_at").with_columns(pl.col("_at").cast(pl.Int64))
    joined = at.join(popularity_of(good), on="row", how="left", maintain_order="left")
    return joined.filter(recommendable()), scored.matrix


def ranked_columns(frame: pl.DataFrame, pack: ScoringPack) -> tuple[Floats, Floats, Floats]:
    """Of `scored_candidates`: each row's predicted streams, popularity and the listener's streams of its
    artist, as `rank_keys` takes them."""
    from musicflow.scale.score_rows import ARTIST_KEY

    affinity = pack.artist_affinity
    artists = frame.get_column(ARTIST_KEY).to_list()
    return (
        frame.get_column("predicted_streams").to_numpy().astype(np.float64),
        frame.get_column("popularity").fill_null(-1.0).to_numpy().astype(np.float64),
        np.array([float(affinity[a][0]) if a in affinity else 0.0 for a in artists], dtype=np.float64),
    )


def places(values: Floats, among: Floats) -> Floats:
    """Each value's place among `among` (sorted ascending): how many of them are higher (0: first)."""
    return (len(among) - np.searchsorted(among, values, side="right")).astype(np.float64)


def rank_keys(
    way: str,
    predicted: Floats,
    popularity: Floats,
    artist_streams: Floats,
    reference: Reference | None = None,
) -> Floats:
    """The value each candidate is ranked by under `way`, highest first (`popularity` -1 where a song has
    none; `reference`: every candidate's predicted streams, popularity and artist affinity, each sorted
    ascending, which the ways of PLACED place each candidate among; by default those given)."""
    if way == POPULARITY:
        return popularity + predicted / 1_000.0
    if way == WEIGHED:
        return weighed_keys(predicted, popularity)
    if way == AFFINITY:
        return affinity_keys(artist_streams, popularity)
    if way in PLACED:
        if reference is None:
            reference = sorted_reference(predicted, popularity, artist_streams)
        placed = places(predicted, reference[0]) + places(popularity, reference[1])
        if way == ALL_THREE:
            placed += places(affinity_keys(artist_streams, popularity), reference[2])
        return -placed
    return predicted


Reference = tuple[Floats, Floats, Floats]


def weighed_keys(predicted: Floats, popularity: Floats) -> Floats:
    """WEIGHED's order: predicted streams x (popularity / 100)², a song without a popularity last."""
    return predicted * (np.maximum(popularity, 0.0) / 100.0) ** 2


def affinity_keys(artist_streams: Floats, popularity: Floats) -> Floats:
    """AFFINITY's order: the listener's streams of the artist, popularity breaking ties."""
    return artist_streams + (popularity + 1.0) / 1_000.0


def sorted_reference(predicted: Floats, popularity: Floats, artist_streams: Floats) -> Reference:
    """What the ways of PLACED place candidates among, each sorted: every candidate's predicted streams,
    popularity and place in AFFINITY's order."""
    return np.sort(predicted), np.sort(popularity), np.sort(affinity_keys(artist_streams, popularity))


def found_first(
    keys: Floats, songs: npt.NDArray[np.int64], later: npt.NDArray[np.bool_], top: int = TOP
) -> int:
    """How many later-streamed songs the first `top` songs ranked by `keys` hold (`songs`: each
    candidate row's song, rows of one song counting once, at its best row)."""
    order = np.lexsort((songs, -keys))
    seen: set[int] = set()
    hits = 0
    for row in order.tolist():
        song = int(songs[row])
        if song in seen:
            continue
        seen.add(song)
        hits += bool(later[row])
        if len(seen) == top:
            break
    return hits


def pick(found: Mapping[str, int]) -> str:
    """Of CHOICES, the way that found the most, if MARGIN more than MusicFlow's predicted streams; else
    those."""
    best = max(CHOICES, key=lambda way: (found.get(way, 0), way == MODEL))
    return best if found.get(best, 0) >= found.get(MODEL, 0) + MARGIN else MODEL


def choose_ranker(
    store: Store,
    settings: Settings,
    options: TrainingOptions,
    profile: str,
    profile_id: int,
    left_out: Mapping[str, str] | None = None,
) -> RankerChoice | None:
    """Each way's count on the listener's own past, and the way picked; None when the store holds no
    catalog, the listener too few streams, or the history before the cut too little to train on. The
    model trained on that past leaves out `left_out` (those the model that will serve leaves out), or,
    when not given, what an evaluation on that past would leave out."""
    import polars as pl

    from musicflow.app.catalog_scoring import ListedRecordings, scoring_pack
    from musicflow.app.history_before import StoreBefore
    from musicflow.app.history_read_once import HistoryReadOnce
    from musicflow.app.serving import ServingModel
    from musicflow.app.training import training_snapshot
    from musicflow.errors import NotEnoughDataError
    from musicflow.model.dataset import zero_strategy_for
    from musicflow.model.listener import Listener
    from musicflow.model.train import fit_final
    from musicflow.scale.frames import checked
    from musicflow.scale.score_rows import ARTIST_KEY

    known = store.features.catalogs()
    catalogs = [c.name for c in known]
    share = min(1.0, CHOICE_ROWS / max(sum(c.rows for c in known), 1))
    history = HistoryReadOnce(store.history)  # here, in the snapshot at the cut, the listener, the pack
    streams = [p for p in history.plays(profile_id) if p.ms_played >= settings.stream_min_ms]
    if not catalogs or len(streams) < MIN_STREAMS:
        return None
    cutoff = int(np.quantile([p.ended_at for p in streams], CUT_QUANTILE))
    before_ids = {p.track_id for p in streams if p.ended_at < cutoff}
    after_ids = {p.track_id for p in streams if p.ended_at >= cutoff} - before_ids
    tracks = {t.track_id: t for t in history.played_tracks(profile_id)}
    before_keys = {tracks[t].match_key for t in before_ids if t in tracks}
    later_keys: set[str] = set()
    for track_id in after_ids:
        track = tracks.get(track_id)
        if track is not None and track.match_key not in before_keys:
            later_keys.update(k for k in (track.spotify_id, track.match_key) if k)
    if not later_keys:
        return None
    before = StoreBefore(store, profile_id, cutoff, history).as_store()
    snapshot = training_snapshot(before, options)
    try:
        strategy = options.zeros or zero_strategy_for(snapshot)
        model = fit_final(snapshot, profile, strategy, options, before, left_out)
    except NotEnoughDataError:
        return None
    listener = Listener.load(before.history, profile, stream_min_ms=settings.stream_min_ms)
    pack = scoring_pack(ServingModel(profile, 0, model, listener))
    parts: list[pl.DataFrame] = []
    sample = np.random.default_rng(0)
    for rows in ListedRecordings.read(store).batches(store, catalogs):  # each song as `recommend` lists it
        if share < 1.0:
            rows = rows.filter(pl.Series(sample.random(rows.height) < share))
        good, _bad = checked(rows)
        good = existing_at(good, cutoff)
        # Training loaded LightGBM; every core, as each row's prediction is its own, the same on any
        # number of threads (the bundled catalog's 90,000 rows: 1.2 s on one of two cores, 0.7 s on both).
        scored, _ = scored_candidates(pack, good, by="lightgbm", threads=os.cpu_count() or 1)
        keyed = scored.join(good.select("row", "match_key"), on="row", how="left", maintain_order="left")
        parts.append(keyed.select("spotify_id", ARTIST_KEY, "predicted_streams", "popularity", "match_key"))
    if not parts:
        return None
    frame = pl.concat(parts)
    keys = frame.get_column("match_key").to_list()  # as stored at import (every candidate has a name)
    ids = frame.get_column("spotify_id").to_list()
    later = np.array([k in later_keys or (i or "") in later_keys for k, i in zip(keys, ids, strict=True)])
    songs = np.unique(np.array(keys, dtype=object), return_inverse=True)[1].astype(np.int64)
    columns = ranked_columns(frame, pack)
    found = {way: found_first(rank_keys(way, *columns), songs, later) for way in WAYS}
    relevant = len({s for s, hit in zip(songs.tolist(), later.tolist(), strict=True) if hit})
    return RankerChoice(pick(found), found, relevant, cutoff)
