"""What the use cases return: plain data, rendered by the CLI and serialised by the API.

The JSON document of a prediction is built here, once, for every front end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from musicflow.features.coverage import CoverageReport
    from musicflow.features.fetch import SourceRun
    from musicflow.model.publish import Publication
    from musicflow.model.serving import SongPrediction
    from musicflow.store.base import ModelVersion

    ModelRecord = ModelVersion  # a registered model version, as front ends read it


@dataclass(frozen=True)
class Prediction:
    """One song's prediction, with the profile and the model version that made it."""

    profile: str
    model_version: int
    answer: SongPrediction

    @property
    def streams(self) -> float:
        return self.answer.prediction.streams

    def as_document(self) -> dict[str, object]:
        """The JSON shape of a prediction, the same in the CLI's `--format json` and the API."""
        query = self.answer.song.query
        merged = self.answer.song.merged
        affinity = self.answer.affinity
        return {
            "song": query.song,
            "artist": query.artist,
            "spotify_id": merged.spotify_id,
            **self.answer.prediction.as_dict(),
            "model_version": self.model_version,
            "profile": self.profile,
            "artist_affinity": {"streams": affinity.streams, "songs": affinity.songs},
            "features": dict(merged.values),
            "feature_sources": sorted(merged.sources),
        }


@dataclass(frozen=True)
class FetchResult:
    runs: list[SourceRun]
    coverage: CoverageReport

    @property
    def stopped(self) -> bool:
        """A source paused or failed before it finished: running again resumes."""
        return any(run.stopped for run in self.runs)


@dataclass(frozen=True)
class Training:
    """A training run: its evaluation and training report, and what the registry made of it."""

    evaluation: dict[str, Any]
    report: dict[str, Any]
    publication: Publication
