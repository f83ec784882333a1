"""How right were we: the use case behind `musicflow accuracy`, `GET /api/accuracy` and the taste page's
section. Each model version that gave predictions is judged against the plays after its cut-off
(`model/judging.py`), newest version first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.errors import ModelError
from musicflow.model.judging import Judgement, judge

if TYPE_CHECKING:
    from musicflow.model.registry import FileModelRegistry
    from musicflow.store.ports import HistoryStore, LoggedPrediction


@dataclass(frozen=True)
class Accuracy:
    """A profile's judged model versions (only those that gave predictions), newest first."""

    profile: str
    versions: tuple[Judgement, ...]
    logged: int  # predictions in the log, judged or not

    def as_document(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "logged_predictions": self.logged,
            "versions": [judgement.as_document() for judgement in self.versions],
        }


def judge_profile(
    profile: str,
    profile_id: int,
    logged: Sequence[LoggedPrediction],
    history: HistoryStore,
    registry: FileModelRegistry,
    stream_min_ms: int,
) -> Accuracy:
    """Judge every version of the profile that the log holds predictions of."""
    by_version: dict[int, list[LoggedPrediction]] = defaultdict(list)
    for entry in logged:
        by_version[entry.model_version].append(entry)
    plays = history.plays(profile_id)
    key_of = {track.track_id: track.match_key for track in history.played_tracks(profile_id)}
    streams = [(key_of.get(p.track_id, ""), p.ended_at) for p in plays if p.ms_played >= stream_min_ms]
    ended = [p.ended_at for p in plays]
    judged = []
    for version in registry.list(profile):  # newest first
        if version.version not in by_version:
            continue
        try:
            last_play = registry.metadata(version).get("training", {}).get("last_play_at")
        except ModelError:  # its files are gone: judged from when it was made
            last_play = None
        cut_off = float(last_play) if isinstance(last_play, int | float) else version.created_at
        judged.append(
            judge(
                version.version, cut_off, last_play is not None, by_version[version.version], streams, ended
            )
        )
    return Accuracy(profile, tuple(judged), len(logged))
