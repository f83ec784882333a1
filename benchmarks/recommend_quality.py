"""Recommendation quality on real public listeners: are the songs MusicFlow ranks first the new songs
they went on to stream?

For each public listener with at least 2,000 streams (the rule of model_quality.py), the store is cut at
T, the 70th percentile of the listener's stream times (the time split of the evaluation protocol,
`model.dataset.time_split`): their plays before T stay, everyone else's stay as stored (`StoreBefore`).
On that store the model is trained by the code `musicflow train` runs (`load_snapshot`, then `fit_final`,
which fits the model that serves; the evaluation it also runs is left out), and the scoring pack is made
by `scoring_pack` from that model and the listener's history before T, so artist affinity counts plays
before T only.

Candidates: every song of the shared catalogs (each CSV of ../shared/data/catalogs imported with
`MusicFlow.add_catalog`, then the listeners' features fetched again, as `catalog add` and `features fetch`
do) that scoring accepts (`frames.checked`: audio features present) and that the listener had not
streamed before T. The rows of one song (same Spotify id or same loose song key, `match_key`) are one
candidate. A candidate is a hit when it is a song the listener first streamed after T, matched by Spotify
id, else by loose song key.

Rankers, on the same candidates: MusicFlow (`score_rows`' predicted streams, a song's best row); the same
with `recommend`'s default cap of 2 songs per artist; the model alone, uncapped and capped (its
predictions before thin evidence is weighed, `model.evidence`: what MusicFlow ranked by before);
popularity (the catalog's value, songs without one last); artist affinity (the listener's streams of
the artist before T, popularity breaking ties); random (the mean of RANDOM_SEEDS seeds). Remaining ties
are broken by one seeded shuffle, the same for every ranker. Metrics at 10, 20, 50 and 100: hits,
recall (hits / later-streamed songs among the candidates), NDCG.

Two ceilings, not rankers anyone can have: the songs of the artists the listener went on to stream a new
song of after T (known in advance), ranked by popularity and by MusicFlow's predicted streams. They
measure how far knowing the next artists would go, and so which goals these inputs can reach.

The store with the catalogs imported is cached as `.bench/recommend-<key>.db`, a copy of the listeners'
store (listeners_store.py) rebuilt when that store or a catalog file changes; the models are trained on
every run. About three minutes on two busy cores once the stores are cached (building them: about one
and a half more). Prints a table per listener, then hits at 100 per listener, each ranker's hits summed
over the listeners with its mean recall and NDCG, and whether MusicFlow met its goals: at least 3x the
best baseline's hits at 100 in all, and below no baseline for any listener.

`MusicFlow and popularity` ranks by the two places averaged (MusicFlow's and popularity's), `MusicFlow,
popularity and artist affinity` by the three places averaged. With
`--chosen`, "as recommend ranks" is what `recommend` ranks by: `train` chooses it (`app/ranker_choice.py`,
run here on the store as it stood at T): the listener's history before T is cut again at the 70th
percentile of their streams, and the ranker that found the most of the songs they first streamed between
the two cuts is picked, if it found clearly more than MusicFlow's predicted streams (it doubles the time);
"as recommend lists" is the same way as `recommend` shows it by default: no song the listener played
before T (a short play too: the candidates above leave out only the songs they streamed), at most 2 songs
by one artist. Two more with `--chosen`, each as ranked and as listed, measured and not ways `recommend`
ranks by: MusicFlow x popularity² listed that way, whose first 100s found more than the chosen way's
and its first 10s fewer, and the chosen way's first FIRST_OF_WAY then MusicFlow x popularity²'s next (no
song twice, the cap over the whole list), which is how `recommend` lists more than FIRST_OF_WAY songs.

`--seeds=N` trains each listener's model with N training seeds (0 to N-1: which zeros are drawn and the
booster's seed) and runs everything once per seed, then prints each ranker's hits at 100 summed over the
listeners for every seed, their mean and range: how far a count moves by the draw alone.

Usage: python -m benchmarks.recommend_quality [--chosen] [--seeds=N] [--evidence K,K,...] [NAME ...]
e.g. `python -m benchmarks.recommend_quality emb400 pikachu`; without names, every eligible listener.
NAME `design` or `report` stands for the listeners of that set (model_quality.py). `--evidence` adds two
rankers per K (`k=K`, and `k=K, capped` at 2 per artist): the model alone's predictions weighed by
n / (n + K) against the listener's base rate instead of by `model.evidence.EVIDENCE_SONGS` (how it was
chosen, on the design set).
The public data is read from ../shared/data beside the repository, or from MUSICFLOW_SHARED_DATA.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import math
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import numpy.typing as npt

from benchmarks.listeners_store import ALL_LISTENERS, BENCH_DIR, SHARED, cache_key, listeners_store
from benchmarks.model_quality import chosen
from musicflow.app import ranker_choice
from musicflow.app.catalog_scoring import DEFAULT_PER_ARTIST, scoring_pack
from musicflow.app.history_before import StoreBefore
from musicflow.app.ranker_choice import FIRST_OF_WAY, WEIGHED, RankerChoice, choose_ranker, weighed_keys
from musicflow.app.service import MusicFlow
from musicflow.app.serving import ServingModel
from musicflow.app.training import training_options, training_snapshot
from musicflow.config import Settings
from musicflow.core.songs import credited_artists, match_key, primary_artist
from musicflow.errors import MusicflowError
from musicflow.model.dataset import TIME_SPLIT_QUANTILE, zero_strategy_for
from musicflow.model.evidence import toward_base_rate
from musicflow.model.listener import Listener
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.train import fit_final
from musicflow.scale.frames import checked, release_times
from musicflow.scale.score_rows import score_rows
from musicflow.scale.staging import native_frame
from musicflow.store import open_store
from musicflow.store.ports import (
    Store,
)
from musicflow.store.sql import SqlStore

if TYPE_CHECKING:
    from musicflow.scale.pack import ScoringPack

if TYPE_CHECKING:
    import polars as pl

KS = (10, 20, 50, 100)  # 20: what Discover and `recommend` show by default
RANDOM_SEEDS = 5
BUILD = "1"  # bump when the way the store below is built changes
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# The rankers `recommend` may rank by are named as `app/ranker_choice.py` names them.
MUSICFLOW, POPULARITY, AFFINITY, MIXED, ALL_THREE = (
    ranker_choice.MODEL,
    ranker_choice.POPULARITY,
    ranker_choice.AFFINITY,
    ranker_choice.MIXED,
    ranker_choice.ALL_THREE,
)
CAPPED = f"MusicFlow, {DEFAULT_PER_ARTIST} per artist"
# MusicFlow's predicted streams x (popularity / 100)² (`ranker_choice.WEIGHED`): the model learns a
# listener's songs against songs other people streamed, all known songs; most catalog songs are ones few
# people heard, which popularity tells. `recommend` ranks a list capped per artist so after its first
# FIRST_OF_WAY songs (docs/recommend-quality.md).
WEIGHED_CAPPED = f"MusicFlow x popularity², {DEFAULT_PER_ARTIST} per artist"
ALONE, ALONE_CAPPED = "model alone", f"model alone, {DEFAULT_PER_ARTIST} per artist"
RANDOM = f"random ({RANDOM_SEEDS} seeds)"
USAGE = "Usage: python -m benchmarks.recommend_quality [--chosen] [--seeds=N] [--evidence K,K,...] [NAME ...]"
CHOSEN = "as recommend ranks"  # `--chosen`: the way `train` chose on the listener's own past
# The list `recommend` shows by default: no song played before T (streamed or not), at most
# DEFAULT_PER_ARTIST songs by one artist over the whole list, its first FIRST_OF_WAY songs the chosen
# way's, then WEIGHED's (none twice).
CHOSEN_CAPPED = f"as recommend lists (unplayed, {DEFAULT_PER_ARTIST} per artist)"
# `--chosen`: the chosen way throughout, as listed: `recommend`'s list before it went on by WEIGHED.
CHOSEN_WAY_LISTED = "the chosen way throughout, as listed"
WEIGHED_LISTED = f"{WEIGHED}, as recommend lists"  # `--chosen`: unplayed, DEFAULT_PER_ARTIST per artist
# `--chosen`: the first FIRST_OF_WAY songs as `recommend` ranks them, then WEIGHED's, not capped.
SPLICED = f"first {FIRST_OF_WAY} as recommend ranks, then {WEIGHED}"
# Not rankers anyone can have: they know which artists the listener went on to stream a new song of
# after T, and rank only those artists' songs; what is left is which of their songs. A goal beyond these
# is beyond knowing the listener's next artists.
CEILING_POPULARITY = "ceiling: later artists, by popularity"
CEILING_MUSICFLOW = "ceiling: later artists, by MusicFlow"
RANKERS = (
    MUSICFLOW,
    CAPPED,
    WEIGHED,
    WEIGHED_CAPPED,
    ALONE,
    ALONE_CAPPED,
    POPULARITY,
    AFFINITY,
    RANDOM,
    MIXED,
    ALL_THREE,
    CEILING_POPULARITY,
    CEILING_MUSICFLOW,
)
# What `recommend` ranks by (`app/ranker_choice.py`): chosen when the model is trained, on the listener's
# own past; its margin was chosen on the design listeners (0, 1, 2, 3, 5 measured 35, 35, 48, 50, 50
# there; MusicFlow 34).
BASELINES = (POPULARITY, AFFINITY, RANDOM)
SHORT = {
    MUSICFLOW: "MusicFlow",
    WEIGHED: "x pop²",
    WEIGHED_CAPPED: "x pop², cap",
    CAPPED: "capped",
    ALONE: "alone",
    ALONE_CAPPED: "alone, cap",
    POPULARITY: "popularity",
    AFFINITY: "affinity",
    RANDOM: "random",
    MIXED: "mixed",
    ALL_THREE: "three",
    CEILING_POPULARITY: "ceil. pop",
    CEILING_MUSICFLOW: "ceil. ours",
    CHOSEN: "as ranked",
    CHOSEN_CAPPED: "as listed",
    WEIGHED_LISTED: "x pop², list",
    SPLICED: "10, x pop²",
    CHOSEN_WAY_LISTED: "way, list",
}
GOAL_RATIO = 3.0


# -- metrics ---------------------------------------------------------------------------------------
# A ranking is given as the label of each candidate in ranked order: the later-streamed song it is,
# or -1. Two candidates of one song count once, at the first.
def hits_at(labels: Sequence[int], k: int) -> int:
    """Distinct later-streamed songs among the first k candidates."""
    return len({label for label in labels[:k] if label >= 0})


def recall_at(labels: Sequence[int], k: int, relevant: int) -> float:
    """Hits at k over the later-streamed songs among all candidates (0 when there are none)."""
    return hits_at(labels, k) / relevant if relevant else 0.0


def ndcg_at(labels: Sequence[int], k: int, relevant: int) -> float:
    """Binary NDCG at k: a hit at rank i (from 0) gains 1/log2(i+2), against all hits ranked first."""
    seen: set[int] = set()
    gained = 0.0
    for rank, label in enumerate(labels[:k]):
        if label >= 0 and label not in seen:
            seen.add(label)
            gained += 1 / math.log2(rank + 2)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, relevant)))
    return gained / ideal if ideal else 0.0


@dataclass(frozen=True)
class Scores:
    """Hits, recall and NDCG at each of KS (hits are a mean for the random ranker)."""

    hits: tuple[float, ...]
    recall: tuple[float, ...]
    ndcg: tuple[float, ...]

    @classmethod
    def of(cls, labels: Sequence[int], relevant: int) -> Scores:
        return cls(
            tuple(float(hits_at(labels, k)) for k in KS),
            tuple(recall_at(labels, k, relevant) for k in KS),
            tuple(ndcg_at(labels, k, relevant) for k in KS),
        )

    @classmethod
    def mean(cls, scores: Sequence[Scores]) -> Scores:
        def column(values: Sequence[tuple[float, ...]]) -> tuple[float, ...]:
            return tuple(float(np.mean(c)) for c in zip(*values, strict=True))

        return cls(
            column([s.hits for s in scores]),
            column([s.recall for s in scores]),
            column([s.ndcg for s in scores]),
        )

    @property
    def top_hits(self) -> float:
        """Hits at the largest k."""
        return self.hits[-1]


def catalog_files() -> dict[str, Path]:
    """Each CSV of the shared catalogs, named by its folder (and its file, in a folder of several)."""
    files = {}
    for folder in sorted(p for p in (SHARED / "catalogs").iterdir() if p.is_dir()):
        found = sorted(folder.glob("*.csv"))
        for path in found:
            files[folder.name if len(found) == 1 else f"{folder.name}-{path.stem}"] = path
    return files


def catalog_store() -> tuple[SqlStore, Settings]:
    """The listeners' store with every shared catalog imported and the listeners' features fetched
    again from all the catalogs (built on first use, cached)."""
    store, settings = listeners_store()
    source = Path((settings.database_url or "").removeprefix("sqlite:///"))
    store.close()
    digest = hashlib.sha256(f"{BUILD}|{cache_key()}".encode())
    for name, path in catalog_files().items():
        digest.update(name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    db = BENCH_DIR / f"recommend-{digest.hexdigest()[:16]}.db"
    if not db.exists():
        for stale in BENCH_DIR.glob("recommend-*.db*"):
            stale.unlink()
        _build(source, db)
    built = _settings(db)
    return open_store(built), built


def _settings(db: Path) -> Settings:
    return Settings(data_dir=BENCH_DIR, database_url=f"sqlite:///{db}")


def _build(source: Path, db: Path) -> None:
    """Copy the listeners' store, import the catalogs and fetch features as a user would; renamed once
    complete, so an interrupted build is not reused."""
    partial = db.with_name(f"building-{db.name}")
    for leftover in BENCH_DIR.glob(f"{partial.name}*"):
        leftover.unlink()
    with (
        contextlib.closing(sqlite3.connect(source)) as old,
        contextlib.closing(sqlite3.connect(partial)) as new,
    ):
        old.backup(new)
    with MusicFlow.open(_settings(partial)) as app:
        for name, path in catalog_files().items():
            try:
                imported = app.add_catalog(path, name)
            except MusicflowError as exc:
                print(f"catalog {name}: not imported ({exc})")
                continue
            print(f"catalog {name}: {imported.stored} rows imported")
        for listener in ALL_LISTENERS:
            app.fetch_features(listener, ["catalog"])
    partial.rename(db)


# -- candidates ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidates:
    """The catalogs' rows that can be scored, and the song each belongs to (rows of one Spotify id or
    one loose song key are one song)."""

    frame: pl.DataFrame  # the rows, as `frames.checked` passes them
    song: IntArray  # row -> song
    ids: list[str | None]  # row -> Spotify id
    keys: list[str | None]  # row -> loose song key
    artist: list[str]  # song -> artist key of its first row
    credits: list[tuple[str, ...]]  # song -> every artist its first row credits, keyed (`credited_artists`)
    popularity: FloatArray  # song -> the highest popularity of its rows, -1 where none has one
    released: FloatArray  # song -> the earliest release its rows give (epoch seconds), inf where none does

    @property
    def songs(self) -> int:
        return len(self.artist)


def load_candidates(store: Store, catalogs: Sequence[str]) -> Candidates:
    import polars as pl

    frames = [native_frame(rows) for name in catalogs if (rows := list(store.features.catalog_rows(name)))]
    good, _bad = checked(pl.concat(frames).with_row_index("row", 1))
    ids: list[str | None] = good.get_column("spotify_id").to_list()
    songs: list[str | None] = good.get_column("song").to_list()
    firsts = [(a or "").split(";")[0].strip() for a in good.get_column("artists").to_list()]
    keys = [match_key(f, s) if f and s else None for f, s in zip(firsts, songs, strict=True)]
    song = _songs_of(ids, keys)
    first_row = np.unique(song, return_index=True)[1]
    popularity = np.full(len(first_row), -1.0)
    row_popularity = good.get_column("popularity").fill_null(-1).to_numpy().astype(np.float64)
    np.maximum.at(popularity, song, row_popularity)
    artist = [primary_artist(firsts[int(i)]) if firsts[int(i)] else "" for i in first_row]
    credited = good.get_column("artists").to_list()
    credits = [credited_artists(credited[int(i)] or "") for i in first_row]  # as `recommend` caps a list
    released = np.full(len(first_row), np.inf)
    np.minimum.at(released, song, release_times(good))
    return Candidates(good, song, ids, keys, artist, credits, popularity, released)


def _songs_of(ids: Sequence[str | None], keys: Sequence[str | None]) -> IntArray:
    """Union-find over Spotify ids and song keys: row -> song, numbered in order of first row."""
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for row, (spotify_id, key) in enumerate(zip(ids, keys, strict=True)):
        for token in (("id", spotify_id), ("key", key)):
            if token[1] is not None:
                other = first_with.setdefault((token[0], token[1]), row)
                parent[root(row)] = root(other)
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(root(row), len(numbers)) for row in range(len(ids))], dtype=np.int64)


# -- one listener ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cut:
    """A listener's history cut at T: the ids and keys of songs streamed before it, and the songs first
    streamed after it by id and by key; the ids and keys of every song played before it, streamed or not
    (`recommend` lists none of them)."""

    name: str
    profile_id: int
    cutoff: int
    before: frozenset[str]
    later_ids: dict[str, int]
    later_keys: dict[str, int]
    later_songs: int
    played_before: frozenset[str] = frozenset()


def cut_of(snapshot: Snapshot, store: Store, name: str) -> Cut:
    profile_id = snapshot.profiles[name]
    plays = snapshot.plays[profile_id]
    cutoff = int(np.quantile(plays.ended_at[plays.is_stream], TIME_SPLIT_QUANTILE))
    streamed_before = set(plays.song[plays.is_stream & (plays.ended_at < cutoff)].tolist())
    streamed_after = set(plays.song[plays.is_stream & (plays.ended_at >= cutoff)].tolist()) - streamed_before
    played = set(plays.song[plays.ended_at < cutoff].tolist())
    before: set[str] = set()
    played_before: set[str] = set()
    later_ids: dict[str, int] = {}
    later_keys: dict[str, int] = {}
    for track in store.history.played_tracks(profile_id):
        song = snapshot.song_of_track[track.track_id]
        if song in played:
            played_before.update(t for t in (track.spotify_id, track.match_key) if t)
        if song in streamed_before:
            before.update(t for t in (track.spotify_id, track.match_key) if t)
        elif song in streamed_after:
            later_keys.setdefault(track.match_key, song)
            if track.spotify_id:
                later_ids.setdefault(track.spotify_id, song)
    return Cut(
        name,
        profile_id,
        cutoff,
        frozenset(before),
        later_ids,
        later_keys,
        len(streamed_after),
        frozenset(played_before),
    )


def played_songs(candidates: Candidates, cut: Cut) -> npt.NDArray[np.bool_]:
    """Which candidate songs the listener played before T (a row's id or key among theirs)."""
    played = np.zeros(candidates.songs, dtype=np.bool_)
    for row, (spotify_id, key) in enumerate(zip(candidates.ids, candidates.keys, strict=True)):
        if (spotify_id and spotify_id in cut.played_before) or (key and key in cut.played_before):
            played[int(candidates.song[row])] = True
    return played


def labels_of(candidates: Candidates, cut: Cut) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Song -> the later-streamed song it is (-1: none), and which songs are candidates (not streamed
    before T)."""
    labels = np.full(candidates.songs, -1, dtype=np.int64)
    streamed = np.zeros(candidates.songs, dtype=np.bool_)
    for row, (spotify_id, key) in enumerate(zip(candidates.ids, candidates.keys, strict=True)):
        song = int(candidates.song[row])
        if (spotify_id and spotify_id in cut.before) or (key and key in cut.before):
            streamed[song] = True
            continue
        hit = cut.later_ids.get(spotify_id) if spotify_id else None
        if hit is None and key:
            hit = cut.later_keys.get(key)
        if hit is not None and labels[song] < 0:
            labels[song] = hit
    return labels, ~streamed


@dataclass(frozen=True)
class Predicted:
    """Per candidate song: MusicFlow's predicted streams (its best row), the model's alone (before thin
    evidence is weighed), the listener's streams of the song's artist and songs of theirs streamed;
    and the listener's base rate."""

    ours: FloatArray
    alone: FloatArray
    artist_streams: FloatArray
    artist_songs: FloatArray
    base_rate: float | None
    left_out: dict[str, str]  # the features the model left out, as `train` records them


def predicted_streams(
    store: SqlStore, settings: Settings, cut: Cut, candidates: Candidates, seed: int = 0
) -> Predicted:
    """MusicFlow's predictions of each candidate song from a model trained on the store as it stood at
    T (with the training seed `seed`: which zeros are drawn, the booster's seed), and the listener's
    affinity for each song's artist before T."""
    before = StoreBefore(store, cut.profile_id, cut.cutoff).as_store()
    options = dataclasses.replace(training_options(settings), seed=seed)
    snapshot = training_snapshot(before, options)
    strategy = options.zeros or zero_strategy_for(snapshot)
    model = fit_final(snapshot, cut.name, strategy, options, before)
    listener = Listener.load(before.history, cut.name, stream_min_ms=settings.stream_min_ms)
    pack = scoring_pack(ServingModel(cut.name, 0, model, listener))

    def best(scoring: ScoringPack) -> FloatArray:
        rows = score_rows(scoring, candidates.frame).frame.get_column("predicted_streams").to_numpy()
        found = np.full(candidates.songs, -np.inf)
        np.maximum.at(found, candidates.song, rows)
        return found

    def affinity(at: int) -> FloatArray:
        table = pack.artist_affinity
        return np.array([float(table[a][at]) if a in table else 0.0 for a in candidates.artist])

    alone = best(dataclasses.replace(pack, base_rate=None))
    left_out = dict(model.training["dropped_features"])
    return Predicted(best(pack), alone, affinity(0), affinity(1), pack.base_rate, left_out)


def ranked(keep: npt.NDArray[np.bool_], tiebreak: FloatArray, *by: FloatArray) -> IntArray:
    """The songs in `keep`, highest first by each of `by` in turn, then by `tiebreak`."""
    songs = np.flatnonzero(keep)
    order = np.lexsort((tiebreak[songs], *(-values[songs] for values in reversed(by))))
    return songs[order]


def capped(order: IntArray, credits: Sequence[tuple[str, ...]], per_artist: int, limit: int) -> list[int]:
    """The first `limit` songs of `order`, at most `per_artist` by one artist (a song counting for every
    artist it credits, as `recommend` counts it)."""
    taken: Counter[str] = Counter()
    kept: list[int] = []
    for song in order.tolist():
        if all(taken[artist] < per_artist for artist in credits[song]):
            taken.update(credits[song])
            kept.append(song)
            if len(kept) == limit:
                break
    return kept


def spliced(
    first: IntArray, rest: IntArray, credits: Sequence[tuple[str, ...]] | None, limit: int
) -> list[int]:
    """The first FIRST_OF_WAY songs of `first`, then those of `rest` not among them, to `limit` songs;
    with `artists`, at most DEFAULT_PER_ARTIST songs by one artist over the whole list, as `recommend`
    caps it."""
    taken: Counter[str] = Counter()
    kept: list[int] = []
    seen: set[int] = set()
    for order, room in ((first, FIRST_OF_WAY), (rest, limit)):
        for song in order.tolist():
            if len(kept) == room:
                break
            if song in seen or (
                credits is not None and any(taken[a] >= DEFAULT_PER_ARTIST for a in credits[song])
            ):
                continue
            seen.add(song)
            kept.append(song)
            if credits is not None:
                taken.update(credits[song])
    return kept


def by_later_artists(
    candidates: Candidates, keep: npt.NDArray[np.bool_], labels: IntArray
) -> npt.NDArray[np.bool_]:
    """The candidates in `keep` by an artist of whom the listener streamed a song of `keep` after T (what
    the ceilings rank: no ranker can know it at T)."""
    later = {candidates.artist[song] for song in np.flatnonzero(keep & (labels >= 0)).tolist()}
    return keep & np.array([artist in later for artist in candidates.artist], dtype=np.bool_)


@dataclass(frozen=True)
class Result:
    name: str
    cutoff: int
    candidates: int
    later_songs: int
    relevant: int
    scores: dict[str, Scores]
    seconds: float
    left_out: dict[str, str]  # what the model at T left out, which `train` hands to its ranking choice


def evaluate(
    store: SqlStore,
    settings: Settings,
    cut: Cut,
    candidates: Candidates,
    evidence: Sequence[float] = (),
    chosen: bool = False,
    seed: int = 0,
) -> Result:
    """Every ranker's scores for one listener (with `chosen`, also each way `recommend` may rank by,
    capped at DEFAULT_PER_ARTIST songs by one artist, for `with_chosen`), the model trained with `seed`."""
    started = time.perf_counter()
    labels, keep = labels_of(candidates, cut)
    keep &= ~(candidates.released > cut.cutoff) | np.isinf(candidates.released)  # none released after T
    relevant = len(set(labels[keep].tolist()) - {-1})
    tiebreak = np.random.default_rng(0).random(candidates.songs)
    predicted = predicted_streams(store, settings, cut, candidates, seed)
    artist_streams = predicted.artist_streams
    popularity = candidates.popularity
    top = max(KS)

    def places(order: IntArray) -> FloatArray:
        """Each candidate's place in `order` (0: first)."""
        found = np.zeros(candidates.songs)
        found[order] = np.arange(len(order))
        return found

    def scores(order: Sequence[int] | IntArray) -> Scores:
        return Scores.of(labels[np.asarray(order[:top], dtype=np.int64)].tolist(), relevant)

    def ways(among: npt.NDArray[np.bool_]) -> dict[str, IntArray]:
        """The songs of `among` in the order of each way `recommend` may rank by, and of popularity."""
        mine = ranked(among, tiebreak, predicted.ours)
        popular = ranked(among, tiebreak, popularity)
        affine = ranked(among, tiebreak, artist_streams, popularity)
        return {
            MUSICFLOW: mine,
            POPULARITY: popular,
            AFFINITY: affine,
            MIXED: ranked(among, tiebreak, -(places(mine) + places(popular))),
            ALL_THREE: ranked(among, tiebreak, -(places(mine) + places(popular) + places(affine))),
            WEIGHED: ranked(among, tiebreak, weighed_keys(predicted.ours, popularity)),
        }

    orders = ways(keep)
    songs = np.flatnonzero(keep)
    shuffled = [
        songs[np.random.default_rng(seed + 1).permutation(len(songs))] for seed in range(RANDOM_SEEDS)
    ]
    results = {
        MUSICFLOW: scores(orders[MUSICFLOW]),
        WEIGHED: scores(orders[WEIGHED]),
        WEIGHED_CAPPED: scores(capped(orders[WEIGHED], candidates.credits, DEFAULT_PER_ARTIST, top)),
        CAPPED: scores(capped(orders[MUSICFLOW], candidates.credits, DEFAULT_PER_ARTIST, top)),
        ALONE: scores(alone := ranked(keep, tiebreak, predicted.alone)),
        ALONE_CAPPED: scores(capped(alone, candidates.credits, DEFAULT_PER_ARTIST, top)),
        POPULARITY: scores(orders[POPULARITY]),
        AFFINITY: scores(orders[AFFINITY]),
        RANDOM: Scores.mean([scores(order) for order in shuffled]),
        MIXED: scores(orders[MIXED]),
        ALL_THREE: scores(orders[ALL_THREE]),
    }
    theirs = by_later_artists(candidates, keep, labels)
    results[CEILING_POPULARITY] = scores(ranked(theirs, tiebreak, popularity))
    results[CEILING_MUSICFLOW] = scores(ranked(theirs, tiebreak, predicted.ours))
    if chosen:  # each way `recommend` may rank by, as it lists: never a song played before T, at most
        # DEFAULT_PER_ARTIST songs by one artist
        listed = ways(keep & ~played_songs(candidates, cut))
        results[capped_name(WEIGHED)] = scores(
            capped(listed[WEIGHED], candidates.credits, DEFAULT_PER_ARTIST, top)
        )
        for way in ranker_choice.CHOICES:
            results[capped_name(way)] = scores(
                capped(listed[way], candidates.credits, DEFAULT_PER_ARTIST, top)
            )
            # the first FIRST_OF_WAY songs of `way`, the rest by MusicFlow x popularity²
            results[spliced_name(way)] = scores(spliced(orders[way], orders[WEIGHED], None, top))
            results[capped_name(spliced_name(way))] = scores(
                spliced(listed[way], listed[WEIGHED], candidates.credits, top)
            )
    for k in evidence:  # a song's best row, weighed by its first row's artist: close enough to compare
        weighed = toward_base_rate(predicted.alone, predicted.artist_songs, predicted.base_rate, k)
        order = ranked(keep, tiebreak, weighed)
        results[f"k={k:g}"] = scores(order)
        results[f"k={k:g}, capped"] = scores(capped(order, candidates.credits, DEFAULT_PER_ARTIST, top))
    seconds = time.perf_counter() - started
    return Result(
        cut.name, cut.cutoff, int(keep.sum()), cut.later_songs, relevant, results, seconds, predicted.left_out
    )


# -- output ----------------------------------------------------------------------------------------
def with_chosen(result: Result, choice: RankerChoice | None) -> Result:
    """`result` with CHOSEN: what the ranker `recommend` ranks by finds (`choice`, made by the product's
    `choose_ranker` on the store as it stood at T; None: MusicFlow's predicted streams), and CHOSEN_CAPPED
    as `recommend` lists it: its first FIRST_OF_WAY songs the chosen way's, the rest WEIGHED's, capped
    per artist; beside them the chosen way throughout as listed (the list before), WEIGHED as listed and
    SPLICED without the cap."""
    picked = choice.ranker if choice is not None else MUSICFLOW
    found = ", ".join(f"{way} {n}" for way, n in choice.found.items()) if choice is not None else "nothing"
    print(f"   {result.name}: on the past, {found}: {picked}")
    listed = result.scores[capped_name(spliced_name(picked))]
    chosen = {CHOSEN: result.scores[picked], CHOSEN_CAPPED: listed}
    chosen[CHOSEN_WAY_LISTED] = result.scores[capped_name(picked)]
    chosen[WEIGHED_LISTED] = result.scores[capped_name(WEIGHED)]
    chosen[SPLICED] = result.scores[spliced_name(picked)]
    kept = {name: s for name, s in result.scores.items() if not name.endswith(FOR_CHOSEN)}
    return dataclasses.replace(result, scores={**kept, **chosen})


FOR_CHOSEN = " (for --chosen)"
CAPPED_SUFFIX = f", as listed{FOR_CHOSEN}"


def capped_name(way: str) -> str:
    return f"{way}{CAPPED_SUFFIX}"


def spliced_name(way: str) -> str:
    return f"{way}, first {FIRST_OF_WAY}, then {WEIGHED}{FOR_CHOSEN}"


def _print_listener(result: Result) -> None:
    day = dt.datetime.fromtimestamp(result.cutoff, dt.UTC).date()
    print(
        f"== {result.name} ({result.seconds:.1f} s): T {day}, {result.candidates:,} candidates; "
        f"{result.later_songs:,} songs first streamed after T, {result.relevant:,} among the candidates"
    )
    heads = [f"{m}@{k}" for m in ("hits", "recall", "ndcg") for k in KS]
    print(f"   {'ranker':24}" + "".join(f"{h:>11}" for h in heads))
    for name, scores in result.scores.items():
        cells = [*(f"{h:g}" if h == int(h) else f"{h:.1f}" for h in scores.hits)]
        cells += [f"{v:.3f}" for v in (*scores.recall, *scores.ndcg)]
        print(f"   {name:24}" + "".join(f"{c:>11}" for c in cells))
    print()


def _print_summary(results: Sequence[Result]) -> None:
    """Hits at 100 per listener; each ranker's hits summed over listeners and mean NDCG; the goals."""
    top = max(KS)
    print(f"hits@{top} per listener ('later': songs first streamed after T among the candidates)")
    rankers = list(results[0].scores) if results else list(RANKERS)
    print(
        f"{'listener':15}{'candidates':>12}{'later':>8}" + "".join(f"{SHORT.get(r, r):>12}" for r in rankers)
    )
    for result in results:
        cells = [result.scores[r].top_hits for r in rankers]
        print(
            f"{result.name:15}{result.candidates:>12,}{result.relevant:>8,}"
            + "".join(f"{_hits(c):>12}" for c in cells)
        )
    totals = {r: sum(result.scores[r].top_hits for result in results) for r in rankers}
    relevant = sum(r.relevant for r in results)
    print(f"{'total':15}{'':>12}{relevant:>8,}" + "".join(f"{_hits(totals[r]):>12}" for r in rankers))
    heads = [*(f"hits@{k}" for k in KS), f"recall@{top}", *(f"ndcg@{k}" for k in KS)]
    print(f"\nover {len(results)} listeners: hits summed, recall and NDCG the mean of the listeners'")
    print(f"{'ranker':24}" + "".join(f"{h:>11}" for h in heads))
    for ranker in rankers:
        scores = [result.scores[ranker] for result in results]
        summed = [_hits(sum(s.hits[i] for s in scores)) for i in range(len(KS))]
        means = [statistics.mean(s.recall[-1] for s in scores)]
        means += [statistics.mean(s.ndcg[i] for s in scores) for i in range(len(KS))]
        print(f"{ranker:24}" + "".join(f"{c:>11}" for c in [*summed, *(f"{m:.3f}" for m in means)]))
    best = max(BASELINES, key=lambda b: totals[b])
    for ranker in (r for r in (MUSICFLOW, CHOSEN, CHOSEN_CAPPED) if r in totals):
        ratio = totals[ranker] / totals[best] if totals[best] else math.inf
        beaten = {
            r.name: [b for b in BASELINES if r.scores[ranker].top_hits < r.scores[b].top_hits]
            for r in results
        }
        below = [f"{name} ({', '.join(by)})" for name, by in beaten.items() if by]
        print(
            f"\n{ranker}: hits@{top} over {len(results)} listeners {_hits(totals[ranker])}, against "
            f"{_hits(totals[best])} for the best baseline ({best}): {ratio:.2f}x "
            f"({'met' if ratio >= GOAL_RATIO else 'not met'}: goal at least {GOAL_RATIO:g}x)"
        )
        print(
            f"{ranker}: hits@{top} below a baseline's for {len(below)} of {len(results)} listeners"
            + (f": {'; '.join(below)}" if below else "")
            + f" ({'met' if not below else 'not met'}: goal none)"
        )


def _print_seeds(by_seed: Sequence[Sequence[Result]]) -> None:
    """Each ranker's hits at 100 over the listeners for every training seed: their mean and range, and
    the goals on the mean. Which zeros a model learns from is drawn: a count that moves less than this
    range between two designs says nothing of them."""
    top = max(KS)
    rankers = list(by_seed[0][0].scores) if by_seed and by_seed[0] else []
    totals = {r: [sum(res.scores[r].top_hits for res in results) for results in by_seed] for r in rankers}
    print(f"\nhits@{top} over the listeners, for each of {len(by_seed)} training seeds")
    print(f"{'ranker':24}{'mean':>8}{'min':>7}{'max':>7}   per seed")
    for ranker, found in totals.items():
        cells = f"{statistics.mean(found):>8.1f}{_hits(min(found)):>7}{_hits(max(found)):>7}"
        print(f"{ranker:24}{cells}   {' '.join(_hits(f) for f in found)}")
    best = max(BASELINES, key=lambda b: statistics.mean(totals[b]))
    for ranker in (r for r in (MUSICFLOW, CHOSEN, CHOSEN_CAPPED) if r in totals):
        ratios = [f / b if b else math.inf for f, b in zip(totals[ranker], totals[best], strict=True)]
        print(
            f"{ranker}: {statistics.mean(ratios):.2f}x the best baseline ({best}) on the mean of the seeds "
            f"({min(ratios):.2f}x to {max(ratios):.2f}x; goal at least {GOAL_RATIO:g}x)"
        )


def _hits(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    names: list[str]
    chosen: bool = False
    seeds: int = 1
    evidence: list[float] = dataclasses.field(default_factory=list)


def parse_options(argv: Sequence[str]) -> Options:
    """The options, or a usage error (exit 2) naming what was wrong, before anything is built."""
    args = list(argv)
    past = "--chosen" in args
    args = [a for a in args if a != "--chosen"]
    seeds, evidence = 1, []
    try:
        for arg in [a for a in args if a.startswith("--seeds=")]:
            seeds = int(arg.split("=", 1)[1])
            if seeds < 1:
                raise ValueError(arg)
            args.remove(arg)
        if args[:1] == ["--evidence"]:
            evidence = [float(k) for k in args[1].split(",")]
            args = args[2:]
    except (ValueError, IndexError):
        _usage("--seeds takes a whole number, 1 or more; --evidence numbers separated by commas")
    unknown = [a for a in args if a.startswith("-")]
    if unknown:
        _usage(f"unknown option {unknown[0]}")
    return Options(args, past, seeds, evidence)


def _usage(problem: str) -> NoReturn:
    print(f"Error: {problem}\n{USAGE}", file=sys.stderr)
    raise SystemExit(2)


def main() -> None:
    asked = parse_options(sys.argv[1:])
    started = time.perf_counter()
    store, settings = catalog_store()
    try:
        names = [c.name for c in store.features.catalogs() if c.name in catalog_files()]
        candidates = load_candidates(store, names)
        rows = sum(c.rows for c in store.features.catalogs() if c.name in names)
        print(
            f"{len(names)} shared catalogs, {rows:,} rows; {candidates.frame.height:,} can be scored, "
            f"{candidates.songs:,} songs ({time.perf_counter() - started:.1f} s)\n"
        )
        snapshot = load_snapshot(
            store, stream_min_ms=settings.stream_min_ms, precedence=settings.feature_precedence
        )
        args, evidence, past, seeds = asked.names, asked.evidence, asked.chosen, asked.seeds
        by_seed = []
        for seed in range(seeds):
            if seeds > 1:
                print(f"#### training seed {seed}\n")
            results = []
            for name in chosen(snapshot, args):
                cut = cut_of(snapshot, store, name)
                result = evaluate(store, settings, cut, candidates, evidence, chosen=past, seed=seed)
                if past:  # as `train` chooses, on the store as it stood at T
                    at_t = StoreBefore(store, cut.profile_id, cut.cutoff).as_store()
                    options = dataclasses.replace(training_options(settings), seed=seed)
                    choice = choose_ranker(at_t, settings, options, name, cut.profile_id, result.left_out)
                    result = with_chosen(result, choice)
                _print_listener(result)
                results.append(result)
            _print_summary(results)
            by_seed.append(results)
        if seeds > 1:
            _print_seeds(by_seed)
    finally:
        store.close()
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
