"""The one prediction path: (profile, songs) into typed answers, for a song alone, a list or a request.

Every front end asks here: `predict` (CLI, page, API) is a list of one, `predict --input` and
`POST /api/predictions` a list. The serving model is resolved once by the caller; the songs' facts are
read once for the whole list (`SongFinder`); one vectoriser and one call to the model score them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import overload

from musicflow.app.error_map import MAX_MESSAGE_CHARS, cut, error_detail
from musicflow.app.results import Prediction
from musicflow.app.serving import ServingModel
from musicflow.core.songs import SongRequest, song_lookup_keys
from musicflow.errors import Hint, MusicflowError, SongNotFoundError
from musicflow.features.lookup import (
    SongFeatures,
    SongFinder,
    Spend,
    missing_features_error,
    no_features_message,
)
from musicflow.features.source_port import FeatureSource
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.basis import NOTHING_KNOWN, basis_of
from musicflow.model.history_words import worded
from musicflow.model.listener import SongHistory, SongPrediction
from musicflow.model.predict import banned, only_its_plays, predict_batch

NEEDS_NAMES = "song and artist are both needed"


@dataclass(frozen=True)
class Unanswered:
    """Why one song of a list could not be predicted: the error a song asked alone would raise."""

    error: MusicflowError
    reason: str  # the words a list gives for it


@dataclass(frozen=True)
class PredictionList(Sequence[Prediction | Unanswered]):
    """The answers to a list of songs, one per song in order, and their one JSON form: what
    `POST /api/predictions` sends and `predict --input --format json` writes. Each answer is the
    prediction's own document (as `GET /api/prediction/` gives it), or why not: in words (`error`) and
    as the error body the song asked alone would get (`problem`)."""

    profile: str
    asked: Sequence[SongRequest]
    answers: Sequence[Prediction | Unanswered]
    sources: Sequence[str]  # the feature sources asked, which a song not found names

    @overload
    def __getitem__(self, index: int) -> Prediction | Unanswered: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Prediction | Unanswered]: ...
    def __getitem__(self, index: int | slice) -> Prediction | Unanswered | Sequence[Prediction | Unanswered]:
        return self.answers[index]

    def __len__(self) -> int:
        return len(self.answers)

    def __iter__(self) -> Iterator[Prediction | Unanswered]:
        return iter(self.answers)

    def as_document(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "answers": [self._answer(a, q) for a, q in zip(self.answers, self.asked, strict=True)],
        }

    def _answer(self, answer: Prediction | Unanswered, asked: SongRequest) -> dict[str, object]:
        if isinstance(answer, Prediction):
            return {"prediction": answer.as_document(), "error": None, "problem": None}
        message = cut(str(answer.error), MAX_MESSAGE_CHARS)
        problem = error_detail(answer.error, message, (asked.song, asked.artist), self.sources)
        return {"prediction": None, "error": answer.reason, "problem": problem}


def predict_songs(
    serving: ServingModel,
    finder: SongFinder,
    sources: Sequence[FeatureSource],
    requests: Sequence[SongRequest],
    *,
    explain: int,
    keep: bool,
    spend: Spend | None = None,
) -> list[Prediction | Unanswered]:
    """One answer per song, in order: its prediction, or why there is none."""
    wanted = [(i, r) for i, r in enumerate(requests) if r.song.strip() and r.artist.strip()]
    listener, model = serving.listener, serving.model
    found = finder.find([r for _, r in wanted], sources, keep=keep, spend=spend, theirs=listener)
    names = [source.name for source in sources]
    answers: list[Prediction | Unanswered] = [
        Unanswered(MusicflowError(NEEDS_NAMES), NEEDS_NAMES) for _ in requests
    ]
    scorable: list[tuple[int, SongFeatures, SongRequest]] = []
    affinities = []
    for (index, request), features in zip(wanted, found, strict=True):
        affinity = listener.affinity(features.query.artist, features.track_id, *_identity(features, request))
        if basis_of(features.merged, affinity, model.layout.allow_spotify) is None:
            answers[index] = _from_history_alone(serving, features, request, affinity) or _unanswered(
                request, names, features
            )
            continue
        scorable.append((index, features, request))
        affinities.append(affinity)
    predictions = predict_batch(
        model, [(f.merged, a) for (_, f, _), a in zip(scorable, affinities, strict=True)], explain
    )
    for (index, features, request), affinity, prediction in zip(
        scorable, affinities, predictions, strict=True
    ):
        history = _history(serving, features, request)
        reasons = worded(prediction.contributions, history)
        prediction = replace(prediction, contributions=reasons)
        if history.library.banned is not None:
            prediction = banned(prediction, history.library.banned, history.artist)
        answers[index] = Prediction(
            serving.profile,
            serving.version,
            SongPrediction(_named_as_theirs(features, history), affinity, prediction, history),
        )
    return answers


def _named_as_theirs(features: SongFeatures, history: SongHistory) -> SongFeatures:
    """The song as its answer names it: one the store holds, as stored; one it does not (a catalog's, or
    nobody's), asked by an artist the listener streams, by the artist as their history spells it ("Hey
    Jude" asked by "beatles" is answered as The Beatles', the name its reasons give)."""
    query = features.query
    if features.track_id is not None or not history.artist_streams:
        return features
    if history.artist == query.artist:
        return features
    return replace(features, query=replace(query, artist=history.artist))


def _from_history_alone(
    serving: ServingModel, features: SongFeatures, request: SongRequest, affinity: ArtistAffinity
) -> Prediction | None:
    """A song no source knows, by an artist the listener streamed no other song of, answered from what
    their history and library hold of it, never refused as unknown: their ban (0 streams), or their plays
    of it first (`Prediction.verdict`: streams, or plays none of which was a stream) and, for a song like
    it, the model's base rate. None when they hold nothing of it."""
    history = _history(serving, features, request)
    if history.library.banned is not None:
        made = banned(None, history.library.banned, history.artist)
    elif history.song_streams > 0 or history.short_plays > 0:
        alone = only_its_plays(serving.model, history.artist, streamed=history.song_streams > 0)
        if alone is None:
            return None
        made = alone
    else:
        return None
    named = _named_as_theirs(features, history)
    return Prediction(serving.profile, serving.version, SongPrediction(named, affinity, made, history))


def _history(serving: ServingModel, features: SongFeatures, request: SongRequest) -> SongHistory:
    """What the listener's history and library say of the song found."""
    query = features.query
    spotify_id, key = _identity(features, request)
    return serving.listener.history(query.artist, features.track_id, query.song, spotify_id, key)


def _identity(features: SongFeatures, request: SongRequest) -> tuple[str | None, tuple[str, ...]]:
    """The song found as the listener's history knows songs (a song of theirs is theirs under any
    track): the Spotify id asked, which is the exact recording whatever the name typed, where the store
    or a source knows that id; else (no id asked, or one nobody knows, answered by its name) the id a
    source answered with, and the song's keys (`song_lookup_keys`: its loose key, then without the
    subtitle a catalog gave it)."""
    query = features.query
    if request.spotify_id and _id_known(features, request.spotify_id):
        return request.spotify_id, ()
    return features.merged.spotify_id or query.spotify_id, song_lookup_keys(query.artist, query.song)


def _id_known(features: SongFeatures, spotify_id: str) -> bool:
    """Whether the song found is the recording of this id: a stored track of it, or a source's answer
    for it (not an answer found by the name typed beside an id nobody knows)."""
    merged = features.merged.spotify_id
    return merged == spotify_id or (merged is None and features.track_id is not None)


def _unanswered(request: SongRequest, asked: Sequence[str], found: SongFeatures) -> Unanswered:
    if found.errors:
        error = missing_features_error(request.song, request.artist, asked, found)
        return Unanswered(error, str(error))
    message = no_features_message(request.song, request.artist, asked, found)
    error = SongNotFoundError(
        f"{message}; and you never streamed '{request.artist}', so nothing is known to answer from",
        hint=Hint.ADD_FEATURE_SOURCE,
        suggestions=found.suggestions,
    )
    return Unanswered(error, NOTHING_KNOWN)
