"""How right were we: the use case behind `musicflow accuracy`, `GET /api/accuracy` and the taste page's
section. Each model version that gave predictions is judged against the plays after its cut-off
(`model/judging.py`), newest version first, a version removed since (`models prune`) too, from the
record pruning keeps of it; and the plays since the champion's cut-off are set against
those it learned from (`model/drift.py`). Reading the report writes nothing: the retrain that drift calls
for is queued where new plays arrive (`MusicFlow.ingest`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.errors import ModelError
from musicflow.model.drift import Drift, Stream, measure_drift
from musicflow.model.judging import FIRST_PREDICTION, LAST_PLAY, WHEN_MADE, Judgement, judge

if TYPE_CHECKING:
    from musicflow.model.registry import FileModelRegistry
    from musicflow.store.ports import HistoryStore, LoggedPrediction, ModelVersion, Store


@dataclass(frozen=True)
class Accuracy:
    """A profile's judged model versions (only those that gave predictions), newest first."""

    profile: str
    versions: tuple[Judgement, ...]
    logged: int  # predictions in the log, judged or not
    drift: Drift | None = None  # None: no model serves yet

    def as_document(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "logged_predictions": self.logged,
            "versions": [judgement.as_document() for judgement in self.versions],
            "drift": self.drift.as_document() if self.drift is not None else None,
        }


def judge_profile(
    profile: str,
    profile_id: int,
    logged: Sequence[LoggedPrediction],
    history: HistoryStore,
    registry: FileModelRegistry,
    stream_min_ms: int,
    drift: Drift | None = None,
) -> Accuracy:
    """Judge every version of the profile that the log holds predictions of."""
    by_version: dict[int, list[LoggedPrediction]] = defaultdict(list)
    for entry in logged:
        by_version[entry.model_version].append(entry)
    plays = history.plays(profile_id)
    key_of = {track.track_id: track.match_key for track in history.played_tracks(profile_id)}
    streams = [(key_of.get(p.track_id, ""), p.ended_at) for p in plays if p.ms_played >= stream_min_ms]
    ended = [p.ended_at for p in plays]
    listed = {version.version: version for version in registry.list(profile)}
    removed = registry.removed(profile) if set(by_version) - set(listed) else {}
    judged = []
    for number in sorted(by_version, reverse=True):  # newest first
        entries = by_version[number]
        if number in listed:
            cut_off, cut_off_from = cut_off_of(listed[number], registry)
        elif number in removed:  # pruned: its record in the ledger says where it learned up to
            record = removed[number]
            last_play = record.last_play_at
            cut_off, cut_off_from = (
                (last_play, LAST_PLAY) if last_play is not None else (record.created_at, WHEN_MADE)
            )
        else:  # no record left at all: it cannot have learned from a play after its first answer
            cut_off, cut_off_from = min(entry.asked_at for entry in entries), FIRST_PREDICTION
        gone = number not in listed
        judged.append(judge(number, cut_off, cut_off_from, entries, streams, ended, removed=gone))
    return Accuracy(profile, tuple(judged), len(logged), drift)


def cut_off_of(version: ModelVersion, registry: FileModelRegistry) -> tuple[float, str]:
    """The last play the version learned from (`LAST_PLAY`); or, for an older version that did not
    record it (or whose files are damaged), when it was made (`WHEN_MADE`)."""
    try:
        last_play = registry.metadata(version).get("training", {}).get("last_play_at")
    except ModelError:
        last_play = None
    if isinstance(last_play, int | float):
        return float(last_play), LAST_PLAY
    return version.created_at, WHEN_MADE


def champion_drift(
    store: Store,
    history: HistoryStore,
    registry: FileModelRegistry,
    profile: str,
    profile_id: int,
    *,
    stream_min_ms: int,
    precedence: Sequence[str],
    allow_spotify: bool,
) -> Drift | None:
    """How far the profile's streams since the champion's cut-off are from those it learned from (None:
    no champion). Songs' features are today's on both sides, so a change is the listening's, not the
    sources'. Reads only: the plays from `history` (`store.history`, or one read once for a page)."""
    from musicflow.features.merge import merge
    from musicflow.model.affinity import artist_key
    from musicflow.model.vectorize import usable_values

    champion = registry.champion(profile)
    if champion is None:
        return None
    cut_off, _ = cut_off_of(champion, registry)
    streams = [p for p in history.plays(profile_id) if p.ms_played >= stream_min_ms]
    tracks = {t.track_id: t for t in history.played_tracks(profile_id)}
    answers = store.features.features_of(sorted({p.track_id for p in streams}))
    values = {
        track_id: usable_values(merge(found, precedence), allow_spotify)
        for track_id, found in answers.items()
    }
    artists = {track_id: artist_key(track.artist) for track_id, track in tracks.items()}
    learned: list[Stream] = []
    since: list[Stream] = []
    for play in streams:
        stream = Stream(artists.get(play.track_id, ""), values.get(play.track_id, {}))
        (learned if play.ended_at <= cut_off else since).append(stream)
    return measure_drift(champion.version, cut_off, learned, since, retrain_state(store, profile))


def retrain_state(store: Store, profile: str) -> str | None:
    """ "running" or "queued" when a retrain of the profile is under way, else None."""
    under_way = [job.state for job in store.jobs.jobs(profile) if job.kind == "train"]
    if "running" in under_way:
        return "running"
    return "queued" if "queued" in under_way else None
