"""A listener's taste as the web page draws it: top artists and tracks, when they listen, what the model
can see of their music, how good the model is, and the sound of the songs they stream most.

The numbers behind every chart are computed here by small pure functions (tested on their own), so a
wrong average fails a test rather than only looking odd; the words and scales of the charts are the
page's own (`web/`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, Any

from musicflow.core.timezone import local_time, zone_label, zone_named
from musicflow.model.reports import Evaluation

if TYPE_CHECKING:
    from musicflow.app.prediction_accuracy import Accuracy
    from musicflow.config import Settings
    from musicflow.model.listener import Listener
    from musicflow.model.registry import FileModelRegistry
    from musicflow.model.song_streams import Streamed
    from musicflow.store.ports import HistoryStore, ModelVersion, Store

TOP_LIMIT = 10
TOP_GENRES = 8
AVERAGE_OF_TOP = 50
# The audio features whose average over the most streamed songs is the listener's sound.
TASTE_FEATURES = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "tempo",
)
REFERENCE_MODELS = ("artist affinity alone", "training mean")
OURS = "ours"


@dataclass(frozen=True)
class Count:
    label: str
    value: int


@dataclass(frozen=True)
class Score:
    """One model's headline numbers on the time split (None where a metric could not be computed)."""

    model: str
    auc: float | None
    sp_plus: float | None


STREAMED = "streamed"  # the class of the listener's own test songs in an evaluation's sizes


@dataclass(frozen=True)
class Standing:
    """The serving model's honest evaluation against the reference rows, and the test sizes behind it."""

    version: int
    split: str
    scores: list[Score]
    streamed_songs: int  # test songs the listener streamed (first heard after the training data)
    zeros: dict[str, int]  # test songs the listener did not stream, by where they came from
    created_at: float | None = None  # when the version was trained (Unix seconds)
    # The model's AUC on songs by artists the listener streams (True) and new to them (False), on the same
    # split (`auc_words.by_artist`, what recommendations say too); None where the test had too few.
    by_artist: dict[bool, float | None] = field(default_factory=dict)

    @property
    def test_songs(self) -> int:
        return self.streamed_songs + sum(self.zeros.values())

    @property
    def ours(self) -> Score | None:
        return next((s for s in self.scores if s.model == OURS), None)

    def reference(self, model: str) -> Score | None:
        return next((s for s in self.scores if s.model == model), None)


@dataclass(frozen=True)
class Taste:
    profile: str
    streams: int
    top_artists: list[Count]
    top_tracks: list[Streamed]
    months: list[Count]
    hours: list[int]  # streams per hour of the day (in `time_zone`), 24 values
    weekdays: list[int]  # streams per weekday (in `time_zone`), Monday first
    sources: list[Count]  # streams of songs each source has features for
    seen_streams: int  # streams of songs with any features
    average_features: dict[str, float] = field(default_factory=dict)
    standing: Standing | None = None
    time_zone: str = "UTC"  # the zone hours, weekdays and months are counted in
    genres: list[tuple[str, float]] = field(default_factory=list)  # genre names and shares, most first
    library: dict[str, int] | None = None  # entries per kind, when an export held the library
    banned: list[str] = field(default_factory=list)  # what the listener banned, named
    genres_used: bool = False  # the serving model has the genre match among its columns
    genres_left_out: str | None = None  # why the serving model's training left the genre match out


@dataclass(frozen=True)
class TastePage:
    """What the taste page shows: the taste, how right the model's logged predictions were and how far the
    listening has moved since it learned (`accuracy.drift`), all counted from the same plays."""

    taste: Taste
    accuracy: Accuracy


# -- the numbers behind the charts (pure) --------------------------------------------------------------
def streams_per_month(ended_at: Iterable[int], zone: tzinfo | None = UTC) -> list[Count]:
    """Streams in each calendar month (in `zone`; None: this machine's) from the first to the last,
    empty months included as 0."""
    months = Counter(_month_of(t, zone) for t in ended_at)
    if not months:
        return []
    (year, month), last = min(months), max(months)
    found: list[Count] = []
    while (year, month) <= last:
        found.append(Count(f"{year:04d}-{month:02d}", months.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def streams_by_hour(ended_at: Iterable[int], zone: tzinfo | None = UTC) -> list[int]:
    """Streams in each hour of the day, in `zone` (None: this machine's)."""
    hours = [0] * 24
    for t in ended_at:
        hours[local_time(t, zone).hour] += 1
    return hours


def streams_by_weekday(ended_at: Iterable[int], zone: tzinfo | None = UTC) -> list[int]:
    """Streams on each day of the week, Monday first, in `zone` (None: this machine's)."""
    days = [0] * 7
    for t in ended_at:
        days[local_time(t, zone).weekday()] += 1
    return days


def average_features(songs: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """The mean of each charted feature over the songs that have it (a song without it is left out)."""
    totals: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for values in songs:
        for name in TASTE_FEATURES:
            value = values.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                totals[name] = totals.get(name, 0.0) + float(value)
                counts[name] += 1
    return {name: totals[name] / counts[name] for name in TASTE_FEATURES if counts[name]}


def top_songs_average(
    songs: Iterable[tuple[int, Mapping[str, Any]]], limit: int = AVERAGE_OF_TOP
) -> dict[str, float]:
    """The average sound of the `limit` most streamed songs that have features (`songs`: streams and
    values of each song); a song never streamed is not part of the listener's taste."""
    known = [(streams, values) for streams, values in songs if streams > 0 and values]
    known.sort(key=lambda item: -item[0])
    return average_features(values for _, values in known[:limit])


def source_shares(tracks: Iterable[tuple[int, Iterable[str]]]) -> tuple[list[Count], int]:
    """Streams of songs each source has features for, and streams of songs any source has features for.

    `tracks` holds each track's streams and the sources that gave it at least one value."""
    by_source: Counter[str] = Counter()
    seen = 0
    for streams, sources in tracks:
        names = set(sources)
        by_source.update(dict.fromkeys(names, streams))
        seen += streams if names else 0
    ranked = sorted(by_source.items(), key=lambda item: (-item[1], item[0]))
    return [Count(source, streams) for source, streams in ranked], seen


def standing_of(version: int, evaluation: Evaluation, split: str = "time") -> Standing | None:
    """The headline AUC and Sp+ of the model and its reference rows on one split of an evaluation."""
    from musicflow.app.auc_words import by_artist

    chosen = evaluation.split(split)
    if chosen is None:
        return None
    scores = [
        Score(model, chosen.headline(model, "auc"), chosen.headline(model, "sp_plus"))
        for model in (OURS, *REFERENCE_MODELS)
        if model in chosen.metrics
    ]
    # The songs the model was scored on (those it could answer); older evaluations only kept the sizes.
    counts = {kind: n for kind, n in (chosen.answered or chosen.test_sizes).items() if n > 0}
    streamed = counts.pop(STREAMED, 0)
    return Standing(version, split, scores, streamed, counts, by_artist=by_artist(evaluation, split))


def _month_of(t: int, zone: tzinfo | None) -> tuple[int, int]:
    moment = local_time(t, zone)
    return moment.year, moment.month


# -- gathering them from the store -------------------------------------------------------------------
def artist_counts(listener: Listener, limit: int) -> list[Count]:
    """The listener's most streamed artists and their streams, most first: the one count of an artist's
    streams, which the taste page and `musicflow streams artists` both show, so that they never differ
    (every song of theirs, every spelling of it, counted: `Listener.top_artists`)."""
    return [Count(a.name, a.streams) for a in listener.top_artists(limit)]


def build_taste(
    store: Store,
    history: HistoryStore,
    registry: FileModelRegistry,
    settings: Settings,
    profile: str,
    profile_id: int,
) -> Taste:
    """Two bulk reads of the `history` (`store.history`, or one read once for a whole page), one of the
    features; nothing per song."""
    from musicflow.features.merge import merged_features
    from musicflow.model.listener import Listener
    from musicflow.model.vectorize import GENRE_MATCH
    from musicflow.store.ports import LibraryKind

    stream_min = settings.stream_min_ms
    plays = history.plays(profile_id)
    stream_times = [p.ended_at for p in plays if p.ms_played >= stream_min]
    listener = Listener.of_plays(history.played_tracks(profile_id), plays, stream_min)
    features = store.features.profile_tracks(profile_id, stream_min)
    merged = merged_features(store.features, [t.track_id for t in features], settings.feature_precedence)
    sources, seen = source_shares((t.streams, merged[t.track_id].sources) for t in features)
    champion = registry.champion(profile)
    zone = zone_named(settings.time_zone)
    library = history.library(profile_id)
    kinds = Counter(entry.kind.value for entry in library)
    return Taste(
        profile=profile,
        streams=len(stream_times),
        top_artists=artist_counts(listener, TOP_LIMIT),
        top_tracks=listener.top_songs(TOP_LIMIT),
        months=streams_per_month(stream_times, zone),
        hours=streams_by_hour(stream_times, zone),
        weekdays=streams_by_weekday(stream_times, zone),
        time_zone=zone_label(zone),
        sources=sources,
        seen_streams=seen,
        average_features=top_songs_average((t.streams, merged[t.track_id].values) for t in features),
        standing=_standing_of(champion),
        genres=sorted(listener.genres().items(), key=lambda g: (-g[1], g[0]))[:TOP_GENRES],
        library={kind.value: kinds[kind.value] for kind in LibraryKind} if library else None,
        banned=[
            f"{entry.artist} (every song)"
            if entry.kind is LibraryKind.BANNED_ARTIST
            else f"'{entry.name}' by {entry.artist}"
            for entry in library
            if entry.kind in (LibraryKind.BANNED_SONG, LibraryKind.BANNED_ARTIST)
        ],
        genres_used=champion is not None and GENRE_MATCH in champion.feature_names,
        genres_left_out=_left_out(champion, GENRE_MATCH),
    )


def _left_out(champion: ModelVersion | None, feature: str) -> str | None:
    """Why the champion's training left `feature` out, as its evaluation recorded it (the time split's
    reason, else the first split's that gives one); None when it did not, or recorded no reason."""
    if champion is None:
        return None
    splits = Evaluation.from_dict(champion.evaluation).splits
    reasons = [
        s.features.dropped[feature]
        for s in sorted(splits, key=lambda s: s.split != "time")
        if feature in s.features.dropped
    ]
    return reasons[0] if reasons else None


def _standing_of(champion: ModelVersion | None) -> Standing | None:
    if champion is None:
        return None
    found = standing_of(champion.version, Evaluation.from_dict(champion.evaluation))
    return replace(found, created_at=champion.created_at) if found is not None else None


def listener_average(store: Store, settings: Settings, profile_id: int) -> dict[str, float]:
    """The average sound of the listener's most streamed songs (those with features)."""
    from musicflow.features.merge import merged_features

    played = store.features.profile_tracks(profile_id, settings.stream_min_ms)
    merged = merged_features(store.features, [t.track_id for t in played], settings.feature_precedence)
    return top_songs_average((t.streams, merged[t.track_id].values) for t in played)


def standing(registry: FileModelRegistry, profile: str, version: int) -> Standing | None:
    """The evaluation of the version that answered, as its headline numbers."""
    from musicflow.errors import NoModelError

    try:
        record = registry.show(profile, str(version))
    except NoModelError:
        return None
    return _standing_of(record)
