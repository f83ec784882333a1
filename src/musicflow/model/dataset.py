"""The training data of one listener: positives, zeros, and the splits the evaluation protocol asks for.

Positives are all of the listener's streamed songs, with features or not (target: streams, clipped to
0..30): a song no source knows is still a row, known by its artist. Zeros come from the sources the zero
strategy names: the listener's own skip-only songs, other listeners' songs, catalog songs, the songs
MusicFlow ships; each source is drawn per availability pattern, in the proportions of the positives
(`zeros.py`), and where a pattern still lacks zeros the strategy's `fill` sources make up for it, in
order. `zero_strategy_for` is the rule of `auto`, for training and evaluation alike. Which rows have
which features may still differ between the classes; `balance.py` weighs the rows so that it cannot
tell them apart.
Songs are merged (see `songs.py`) before any split, and the artist affinity of a split is computed only
from the plays its training side may know.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from musicflow.core.plurals import counted
from musicflow.errors import Hint, NotEnoughDataError
from musicflow.features.genres import artist_genres
from musicflow.model.affinity import AffinityIndex
from musicflow.model.basis import Availability
from musicflow.model.shipped import (
    ShippedSong,
    shipped_songs,
    shipped_zeros,
    song_keys,
    songs_streamed_by,
)
from musicflow.model.snapshot import BoolArray, ProfilePlays, Snapshot
from musicflow.model.training_rows import Row, RowKind, ZeroSource, clipped
from musicflow.model.zeros import ZeroDraw, catalog_zeros, others_zeros, wanted_zeros
from musicflow.store.ports import Store

log = logging.getLogger(__name__)

TIME_SPLIT_QUANTILE = 0.7
WINDOW_DAYS = 30  # the fixed window after a test song's first play that `Exposure` counts streams in
RANDOM_TEST_SHARE = 0.2
MIN_POSITIVES = 20


@dataclass(frozen=True)
class ZeroStrategy:
    """Which zeros to train on, and how many other-listener / catalog / shipped songs per streamed song.

    `fill`: the sources that make up, in this order, what `sources` lack in an availability pattern
    (fewer zeros than `ratio` times the streamed songs of that pattern); a strategy named by the user
    has none, the automatic one (`zero_strategy_for`) has.
    `shipped`: the songs other people streamed that `shipped` zeros are drawn from; None is the list
    shipped with the package (the evaluation of a lone listener passes a list that leaves out the people
    whose songs it tests on).
    """

    sources: frozenset[ZeroSource] = frozenset({ZeroSource.SKIPS, ZeroSource.OTHERS})
    ratio: float = 1.0
    fill: tuple[ZeroSource, ...] = ()
    shipped: tuple[ShippedSong, ...] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if ZeroSource.SKIPS in self.fill:
            raise ValueError("the listener's skips cannot make up for other zeros: they are all taken")

    @property
    def fillers(self) -> tuple[ZeroSource, ...]:
        """The `fill` sources that are not among `sources` already."""
        return tuple(source for source in self.fill if source not in self.sources)

    @property
    def label(self) -> str:
        primary = "+".join(sorted(s.value for s in self.sources))
        return ", then ".join([primary, *(s.value for s in self.fillers)])

    @classmethod
    def parse(cls, text: str, ratio: float = 1.0) -> ZeroStrategy:
        """`skips+others`, `others`, `skips,catalog`, ..."""
        names = [part.strip() for part in text.replace(",", "+").split("+") if part.strip()]
        return cls(frozenset(ZeroSource(name) for name in names), ratio)


# Chosen on the real listeners (benchmarks/model_quality.py): other listeners' songs as zeros gave the
# best AUC on new songs; the listener's own skips made it worse (a skip is often "not now", not "not me").
# Alone in a store, the songs other people streamed that the package ships did best (`lone:` mode there:
# AUC 0.78 against 0.74 for catalog songs and 0.60 for skip-only and catalog songs). Either way, a
# pattern the chosen source lacks is made up from catalog songs, then from the shipped songs.
DEFAULT_ZEROS = ZeroStrategy(frozenset({ZeroSource.OTHERS}), fill=(ZeroSource.CATALOG, ZeroSource.SHIPPED))
FALLBACK_ZEROS = ZeroStrategy(frozenset({ZeroSource.SHIPPED}), fill=(ZeroSource.CATALOG,))
# Fewer other listeners than this in the store: their songs say what those few people stream, not what
# this listener passes over, and the songs many people streamed (the shipped list) teach "0" better.
# Measured on the design listeners (benchmarks/model_ablation.py --store=N, tested against songs of
# people in neither): with one other listener AUC 0.81 against 0.84, with two 0.82 against 0.84, with
# five 0.84 either way (docs/model-quality.md, "Zeros in a store of few listeners").
MIN_OTHER_LISTENERS = 5


def zero_strategy_for(snapshot: Snapshot) -> ZeroStrategy:
    """The zeros of `auto`: other listeners' songs where the store holds at least MIN_OTHER_LISTENERS
    other listeners, else the songs other people streamed that MusicFlow ships (`shipped.py`); each
    made up from the others where it lacks songs like the streamed ones."""
    others = len(snapshot.plays) - 1
    if others >= MIN_OTHER_LISTENERS:
        return DEFAULT_ZEROS
    log.info(
        "the store holds %d other listener(s), fewer than %d: zeros are songs other people streamed, "
        "shipped with MusicFlow",
        max(others, 0),
        MIN_OTHER_LISTENERS,
    )
    return FALLBACK_ZEROS


@dataclass(frozen=True)
class Exposure:
    """How long each streamed test song had to gather streams, and its streams in a fixed window.

    A song first heard right after T has months to gather streams, one first heard in the export's last
    week has days: its count says as much about when it was found as about taste. `days`: time from
    the song's first play to the export's last play; `windowed`: streams within WINDOW_DAYS of the first
    play, for the songs first played at least WINDOW_DAYS before the export's end (the same window for
    every song).
    """

    days: dict[int, float] = field(default_factory=dict)
    windowed: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Split:
    """Rows to train on, rows to test on, and the affinity the training side may know."""

    name: str
    train: list[Row]
    test: list[Row]
    affinity: AffinityIndex
    cutoff: int | None = None
    notes: list[str] = field(default_factory=list)
    zeros: ZeroStrategy | None = None  # the strategy the training zeros were drawn with, when not the given
    exposure: Exposure = field(default_factory=Exposure)
    draw: ZeroDraw = field(default_factory=ZeroDraw)  # the zeros drawn, by pattern and source


def listener_plays(snapshot: Snapshot, profile_id: int) -> ProfilePlays:
    plays = snapshot.plays.get(profile_id)
    if plays is None or not plays.is_stream.any():
        raise NotEnoughDataError("this profile has no streams yet", hint=Hint.INGEST)
    return plays


def time_split(
    snapshot: Snapshot,
    profile_id: int,
    strategy: ZeroStrategy,
    seed: int,
    store: Store | None = None,
    quantile: float = TIME_SPLIT_QUANTILE,
) -> Split:
    """Train on plays before T (a quantile of stream times); test on songs first heard after T.

    The test zeros are songs the listener never played, drawn in the availability patterns of all their
    streamed songs, (1 - quantile) of the zeros per streamed song. The training zeros are drawn as a
    model trained at T draws them (`zeros_at_cut`): a song the listener went on to stream after T may be
    one, as it may be for the model that serves today; none is a test zero.
    """
    cut = _TimeCut.of(snapshot, profile_id, quantile)
    skips = ZeroSource.SKIPS in strategy.sources
    train = listener_rows(snapshot, cut.plays, cut.before, skips)
    test = listener_rows(snapshot, cut.plays, cut.after, skips)
    rng = np.random.default_rng(seed)
    tested_share = dataclasses.replace(strategy, ratio=strategy.ratio * (1 - quantile))
    zero_test, _ = _pooled_zeros(snapshot, profile_id, tested_share, train + test, rng, store)
    zero_train, draw = zeros_at_cut(snapshot, profile_id, cut.cutoff, strategy, train, rng, store, zero_test)
    return cut.split("time", snapshot, train + zero_train, test + zero_test, draw=draw)


def zeros_at_cut(
    snapshot: Snapshot,
    profile_id: int,
    cutoff: int,
    strategy: ZeroStrategy,
    train: Sequence[Row],
    rng: np.random.Generator,
    store: Store | None,
    tested: Sequence[Row],
) -> tuple[list[Row], ZeroDraw]:
    """The training zeros of a time split: drawn for the training rows `train` from the store as it stood
    for the listener at `cutoff` (`as_of`), none of the `tested` zeros. Drawn leaving out every song the
    listener ever played (evaluations of protocol 1), they could never be a song the listener streamed
    after the cut: the model evaluated was spared a mistake the model that serves can make (a song of
    their future taught as a zero), and its figures were flattered."""
    tested_ids = frozenset(row.song_id for row in tested)
    avoid = frozenset(song_keys(snapshot, [row.song_id for row in tested if row.kind is RowKind.OTHERS]))
    at_cut = as_of(snapshot, profile_id, cutoff)
    zeros, draw = _pooled_zeros(
        at_cut, profile_id, strategy, train, rng, store, avoid, whole=False, avoid_songs=tested_ids
    )
    return [row for row in zeros if row.song_id not in tested_ids], draw


def as_of(snapshot: Snapshot, profile_id: int, cutoff: int) -> Snapshot:
    """The snapshot as the listener's history stood at `cutoff` (epoch seconds): their later plays left
    out, and the songs only those plays knew with them (other profiles' plays stay: they are zeros)."""
    plays = snapshot.plays.get(profile_id)
    if plays is None:
        return snapshot
    kept = plays.ended_at < cutoff
    before = ProfilePlays(plays.song[kept], plays.ended_at[kept], plays.is_stream[kept], plays.is_skip[kept])
    known = set(before.song.tolist())
    for owner, other in snapshot.plays.items():
        if owner != profile_id:
            known.update(other.song.tolist())
    unknown = set(plays.song.tolist()) - known
    if not unknown:
        return dataclasses.replace(snapshot, plays={**snapshot.plays, profile_id: before})
    gone = song_keys(snapshot, unknown) | {
        spotify_id for song in unknown if (spotify_id := snapshot.songs[song].features.spotify_id)
    }
    return dataclasses.replace(
        snapshot,
        plays={**snapshot.plays, profile_id: before},
        songs={song: info for song, info in snapshot.songs.items() if song not in unknown},
        played_keys=snapshot.played_keys - gone,
    )


def lone_time_split(
    snapshot: Snapshot,
    profile_id: int,
    strategy: ZeroStrategy,
    seed: int,
    store: Store | None = None,
    quantile: float = TIME_SPLIT_QUANTILE,
) -> Split:
    """The time split as a listener alone in their store meets it, for a store that holds others
    (the `lone` split of the evaluation, which benchmarks/model_quality.py runs in its `lone:` mode).

    The other profiles are halved at random: the training zeros come from the strategy's sources, with
    "other listeners" and the shipped list made of the first half only; the test zeros are songs the
    second half streamed (never a training zero), the same for every strategy. Skip-only songs are
    never test rows, so every strategy is scored against the same kind of zeros.
    """
    cut = _TimeCut.of(snapshot, profile_id, quantile)
    train = listener_rows(snapshot, cut.plays, cut.before, ZeroSource.SKIPS in strategy.sources)
    test = listener_rows(snapshot, cut.plays, cut.after, False)
    rng = np.random.default_rng(seed)
    others = sorted(p for p in snapshot.plays if p != profile_id)
    halves = rng.permutation(len(others))
    donors = {others[int(i)] for i in halves[: len(others) // 2]}
    positives = [row for row in train + test if row.is_positive]
    testers = _only(snapshot, profile_id, set(others) - donors)
    count = round(len(positives) * strategy.ratio * (1 - quantile))
    zero_test = others_zeros(testers, profile_id, wanted_zeros(positives, count, snapshot.allow_spotify), rng)
    lone = dataclasses.replace(strategy, shipped=tuple(songs_streamed_by(snapshot, donors)))
    zero_train, draw = zeros_at_cut(
        _only(snapshot, profile_id, donors), profile_id, cut.cutoff, lone, train, rng, store, zero_test
    )
    return cut.split("lone", snapshot, train + zero_train, test + zero_test, zeros=lone, draw=draw)


@dataclass(frozen=True)
class _TimeCut:
    """A listener's plays cut at T: those before it (the training side), and those after it of the songs
    first heard after it (the test side)."""

    plays: ProfilePlays
    cutoff: int
    before: BoolArray
    after: BoolArray

    @classmethod
    def of(cls, snapshot: Snapshot, profile_id: int, quantile: float) -> _TimeCut:
        plays = listener_plays(snapshot, profile_id)
        cutoff = int(np.quantile(plays.ended_at[plays.is_stream], quantile))
        before = plays.ended_at < cutoff
        first_index = np.unique(plays.song, return_index=True)
        new_songs = first_index[0][plays.ended_at[first_index[1]] >= cutoff]
        return cls(plays, cutoff, before, ~before & np.isin(plays.song, new_songs))

    def split(
        self,
        name: str,
        snapshot: Snapshot,
        train: list[Row],
        test: list[Row],
        zeros: ZeroStrategy | None = None,
        draw: ZeroDraw | None = None,
    ) -> Split:
        """These rows as a split, with the affinity the training side may know and the test exposure."""
        affinity = affinity_of(snapshot, self.plays, self.before, self.cutoff)
        exposure = exposure_of(self.plays, self.after)
        return Split(
            name, train, test, affinity, self.cutoff, zeros=zeros, exposure=exposure, draw=draw or ZeroDraw()
        )


def exposure_of(plays: ProfilePlays, mask: BoolArray, window_days: float = WINDOW_DAYS) -> Exposure:
    """The `Exposure` of the songs streamed within `mask` (the test plays of a time split)."""
    end = int(plays.ended_at.max())
    window = window_days * 86_400
    streams = mask & plays.is_stream
    firsts: dict[int, int] = {}
    for song, moment in zip(plays.song[mask].tolist(), plays.ended_at[mask].tolist(), strict=True):
        firsts.setdefault(song, moment)  # plays are oldest first
    exposure = Exposure({song: (end - first) / 86_400 for song, first in firsts.items()})
    for song, moment in zip(plays.song[streams].tolist(), plays.ended_at[streams].tolist(), strict=True):
        first = firsts[song]
        if end - first >= window and moment - first < window:
            exposure.windowed[song] = exposure.windowed.get(song, 0) + 1
    return exposure


def _only(snapshot: Snapshot, profile_id: int, others: set[int]) -> Snapshot:
    """The snapshot as if the store held the listener and `others` only."""
    kept = {p: v for p, v in snapshot.plays.items() if p == profile_id or p in others}
    return dataclasses.replace(snapshot, plays=kept)


def random_split(
    snapshot: Snapshot,
    profile_id: int,
    strategy: ZeroStrategy,
    seed: int,
    store: Store | None = None,
    test_share: float = RANDOM_TEST_SHARE,
) -> Split:
    """Songs split at random (optimistic: the test songs come from the same months as the training)."""
    plays = listener_plays(snapshot, profile_id)
    everything = np.ones(len(plays.song), dtype=np.bool_)
    rows = listener_rows(snapshot, plays, everything, ZeroSource.SKIPS in strategy.sources)
    rng = np.random.default_rng(seed)
    zeros, draw = _pooled_zeros(snapshot, profile_id, strategy, rows, rng, store)
    train, test = _split_rows(rows + zeros, test_share, rng)
    held_out = np.array(sorted({r.song_id for r in test if r.kind in _LISTENER_KINDS}), dtype=np.int64)
    known = ~np.isin(plays.song, held_out)
    return Split("random", train, test, affinity_of(snapshot, plays, known), draw=draw)


def all_rows(
    snapshot: Snapshot,
    profile_id: int,
    strategy: ZeroStrategy,
    seed: int,
    store: Store | None = None,
    avoid: frozenset[str] = frozenset(),
) -> Split:
    """Every row for the model that will serve: trained on the whole history, nothing held out; no
    shipped zero keyed in `avoid`."""
    plays = listener_plays(snapshot, profile_id)
    everything = np.ones(len(plays.song), dtype=np.bool_)
    rows = listener_rows(snapshot, plays, everything, ZeroSource.SKIPS in strategy.sources)
    rng = np.random.default_rng(seed)
    zeros, draw = _pooled_zeros(snapshot, profile_id, strategy, rows, rng, store, avoid)
    return Split("all", rows + zeros, [], affinity_of(snapshot, plays, everything), draw=draw)


def listener_rows(snapshot: Snapshot, plays: ProfilePlays, mask: BoolArray, skips: bool) -> list[Row]:
    """The listener's songs within the plays `mask`: streamed ones, and skip-only ones when asked."""
    songs = plays.song[mask]
    streamed, counts = np.unique(songs[plays.is_stream[mask]], return_counts=True)
    stream_count = dict(zip(streamed.tolist(), counts.tolist(), strict=True))
    skipped = set(songs[plays.is_skip[mask]].tolist()) if skips else set()
    rows: list[Row] = []
    for song in sorted(set(songs.tolist())):
        info = snapshot.songs[song]
        streams = stream_count.get(song, 0)
        if streams:
            rows.append(Row(song, RowKind.STREAMED, clipped(streams), info.features, info.artist_key))
        elif song in skipped:
            rows.append(Row(song, RowKind.SKIPPED, 0, info.features, info.artist_key))
    return rows


def affinity_of(
    snapshot: Snapshot, plays: ProfilePlays, mask: BoolArray, reference: int | None = None
) -> AffinityIndex:
    """The affinity index of the plays within `mask`, songs credited as the snapshot knows them."""
    artist_of_song = {song_id: song.artist_key for song_id, song in snapshot.songs.items()}
    return affinity_index(plays, mask, artist_of_song, reference)


def affinity_index(
    plays: ProfilePlays, mask: BoolArray, artist_of_song: Mapping[int, str], reference: int | None = None
) -> AffinityIndex:
    """Streams per song within `mask` (every played song counts, with features or not), with the times
    of each song's first and last stream; recency is measured from `reference` (default: the last play
    within `mask`)."""
    streams = mask & plays.is_stream
    song, ended = plays.song[streams], plays.ended_at[streams]
    if reference is None:
        reference = int(plays.ended_at[mask].max()) if mask.any() else None
    order = np.lexsort((ended, song))
    song, ended = song[order], ended[order]
    songs, starts, counts = np.unique(song, return_index=True, return_counts=True)
    firsts, lasts = ended[starts], ended[starts + counts - 1]
    return AffinityIndex(
        (
            (s, artist_of_song[s], n, f, last)
            for s, n, f, last in zip(
                songs.tolist(), counts.tolist(), firsts.tolist(), lasts.tolist(), strict=True
            )
        ),
        reference,
        artist_genres(),
    )


_LISTENER_KINDS = frozenset({RowKind.STREAMED, RowKind.SKIPPED})


def _pooled_zeros(
    snapshot: Snapshot,
    profile_id: int,
    strategy: ZeroStrategy,
    listener: Sequence[Row],
    rng: np.random.Generator,
    store: Store | None,
    avoid: frozenset[str] = frozenset(),
    whole: bool = True,
    avoid_songs: frozenset[int] = frozenset(),
) -> tuple[list[Row], ZeroDraw]:
    """Zeros for `listener`'s rows: each of the strategy's sources drawn in the availability patterns of
    the positives, then its `fill` sources for what a pattern still lacks; no shipped song keyed in
    `avoid`, no other listener's song of `avoid_songs`. The listener's skip-only songs among `listener`
    count towards their patterns. `whole`: the rows are all the listener's songs, and too few of them
    streamed is said as such (a split's training side is a part: its count would not be the listener's)."""
    positives = [row for row in listener if row.is_positive]
    if whole and len(positives) < MIN_POSITIVES:
        raise NotEnoughDataError(
            f"only {counted(len(positives), 'streamed song')} to learn from, where training needs at least"
            f" {MIN_POSITIVES}; an export with more of this listener's history would give them",
            hint=Hint.INGEST,
        )
    allow = snapshot.allow_spotify
    wanted = wanted_zeros(positives, round(len(positives) * strategy.ratio), allow)
    draw = ZeroDraw.of(wanted)
    draw.add((row for row in listener if row.kind is RowKind.SKIPPED), allow)
    source = _ZeroSources(snapshot, profile_id, strategy, positives, rng, store, avoid, avoid_songs)
    zeros: list[Row] = []
    for name in _DRAW_ORDER:
        if name in strategy.sources:
            drawn = source.draw(name, wanted, zeros)
            draw.add(drawn, allow)
            zeros += drawn
    for name in strategy.fillers:
        lacking = draw.lacking()
        if not lacking:
            break
        drawn = source.draw(name, lacking, zeros)
        draw.add(drawn, allow, made_up=True)
        zeros += drawn
    return zeros, draw


_DRAW_ORDER = (ZeroSource.OTHERS, ZeroSource.CATALOG, ZeroSource.SHIPPED)


@dataclass(frozen=True)
class _ZeroSources:
    """Where the zeros of one listener's rows are drawn from, one source at a time."""

    snapshot: Snapshot
    profile_id: int
    strategy: ZeroStrategy
    positives: Sequence[Row]
    rng: np.random.Generator
    store: Store | None
    avoid: frozenset[str]
    avoid_songs: frozenset[int] = frozenset()

    def draw(self, source: ZeroSource, wanted: Mapping[Availability, int], drawn: Sequence[Row]) -> list[Row]:
        """Up to `wanted[pattern]` zeros of each availability pattern from `source`, none a song of the
        zeros `drawn` already."""
        snapshot, rng = self.snapshot, self.rng
        if source is ZeroSource.OTHERS:
            return others_zeros(snapshot, self.profile_id, wanted, rng, self.avoid_songs)
        if source is ZeroSource.CATALOG:
            if self.store is None:
                return []
            return catalog_zeros(self.store.history, snapshot, self.positives, wanted, rng)
        if source is ZeroSource.SHIPPED:
            pool = shipped_songs() if self.strategy.shipped is None else self.strategy.shipped
            played = snapshot.played_keys if len(snapshot.plays) == 1 else set()
            listener = np.unique(snapshot.plays[self.profile_id].song).tolist()
            others = [row.song_id for row in drawn if row.kind is RowKind.OTHERS]
            excluded = played | song_keys(snapshot, [*listener, *others]) | self.avoid
            return shipped_zeros(pool, excluded, wanted, rng)
        return []  # the listener's skip-only songs are among the listener's rows already


def _split_rows(
    rows: Sequence[Row], test_share: float, rng: np.random.Generator
) -> tuple[list[Row], list[Row]]:
    """Split by song (each row is one song already, merged across ids and spellings)."""
    order = rng.permutation(len(rows))
    cut = round(len(rows) * test_share)
    test = sorted((rows[int(i)] for i in order[:cut]), key=lambda r: r.song_id)
    train = sorted((rows[int(i)] for i in order[cut:]), key=lambda r: r.song_id)
    return train, test
