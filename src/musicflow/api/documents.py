"""The application layer's results in the API's shapes (the original MusicFlow ones, and what is added)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from musicflow.api.schemas import (
    AlbumPart,
    Features,
    KnownSong,
    ModelDetail,
    ModelEvaluation,
    ModelSummary,
    PredictionBody,
    RawFeatures,
    SourceAnswer,
    TrackPart,
)
from musicflow.app.results import Prediction, evaluation_document, value_sources
from musicflow.app.vocabulary import notes_as_trained
from musicflow.core.feature_spec import FEATURES, Group
from musicflow.core.timezone import iso_utc

if TYPE_CHECKING:
    from musicflow.app.results import ModelRecord
    from musicflow.app.types import SongFeatures

# The audio features of the original `audio_features` object, in the feature table's order.
AUDIO = tuple(spec.name for spec in FEATURES if spec.group is Group.AUDIO)
PRECISION = ("year", "month", "day")


def raw_features(lookup: SongFeatures) -> RawFeatures:
    query = lookup.query
    answers = [
        SourceAnswer(
            source=answer.source,
            origin=answer.origin,
            fetched_at=iso_utc(answer.fetched_at),
            spotify_id=answer.spotify_id,
            isrc=answer.isrc,
            values=dict(answer.values),
        )
        for answer in lookup.merged.answers
    ]
    return RawFeatures(song=query.song, artist=query.artist, matched=_matched(lookup), answers=answers)


def _matched(lookup: SongFeatures) -> KnownSong | None:
    found = lookup.matched
    return KnownSong(song=found.song, artist=found.artist) if found else None


def _release(values: Mapping[str, object]) -> AlbumPart:
    parts = [values.get(name) for name in ("release_year", "release_month", "release_day")]
    known = 0
    for part in parts:
        if not isinstance(part, int) or isinstance(part, bool):
            break
        known += 1
    if not known:
        return AlbumPart(name=None, release_date=None, release_date_precision=None, date_is_complete=False)
    text = "-".join(f"{part:02d}" if i else f"{part:04d}" for i, part in enumerate(parts[:known]))
    return AlbumPart(
        name=None, release_date=text, release_date_precision=PRECISION[known - 1], date_is_complete=known == 3
    )


def _int(values: Mapping[str, object], name: str) -> int | None:
    value = values.get(name)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def features(lookup: SongFeatures) -> Features:
    merged = lookup.merged
    query = lookup.query
    values: Mapping[str, object] = merged.values
    explicit = values.get("explicit")
    track = TrackPart(
        name=query.song,
        artist=query.artist,
        spotify_id=merged.spotify_id,
        isrc=merged.isrc,
        markets=None,
        n_markets=_int(values, "n_markets"),
        n_artists=_int(values, "n_artists"),
        duration_ms=_int(values, "duration_ms"),
        explicit=explicit if isinstance(explicit, bool) else None,
        popularity=_int(values, "popularity"),
    )
    audio = {name: merged.values.get(name) for name in AUDIO}
    return Features(
        matched=_matched(lookup),
        track=track,
        album=_release(values),
        audio_features=audio,
        feature_sources=value_sources(merged),
    )


def prediction(result: Prediction) -> PredictionBody:
    return PredictionBody.model_validate(result.as_document())


def model_summary(record: ModelRecord, serving: int | None) -> ModelSummary:
    return ModelSummary(
        version=record.version,
        created_at=iso_utc(record.created_at),
        status=str(record.status),
        is_champion=record.is_champion,
        serving=record.version == serving,
    )


def model_detail(record: ModelRecord, serving: int | None) -> ModelDetail:
    return ModelDetail(
        **model_summary(record, serving).model_dump(),
        profile=record.profile,
        feature_names=list(record.feature_names),
        evaluation=_as_trained(evaluation_document(record.evaluation)),
    )


def _as_trained(evaluation: Mapping[str, Any]) -> ModelEvaluation:
    """The stored evaluation (its times in ISO 8601), its notes saying what they say of the store as it
    stood when the model was trained (`notes_as_trained`: an older version wrote them in the present
    tense)."""
    document = dict(evaluation)
    if isinstance(document.get("notes"), list):
        document["notes"] = notes_as_trained(str(note) for note in document["notes"])
    return ModelEvaluation.model_validate(document)
