"""The API's request and response bodies, as the OpenAPI schema publishes them.

The original MusicFlow shapes (`/api/features/`, `/api/prediction/`) are kept field for field; what is
new is added beside them. A value a source no longer gives is `null`, never made up.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from musicflow.app.vocabulary import MAX_NAME, MAX_PROFILE_NAME
from musicflow.errors import ErrorKind

MAX_TEXT = MAX_NAME
MAX_SONGS = 100
SPOTIFY_ID = r"^[0-9A-Za-z]{22}$"
# The kinds an error body names: the application's own (`ErrorKind`), and two the HTTP layer alone meets.
METHOD_NOT_ALLOWED = "method not allowed"
INTERNAL = "internal"
ERROR_KINDS = (*(kind.value for kind in ErrorKind), METHOD_NOT_ALLOWED, INTERNAL)

FeatureNumber = float | int | bool | None
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
# A moment, as every answer gives one: ISO 8601 in UTC to the second (`core.timezone.iso_utc`). A field
# named `..._at` that holds a time holds this, and so does an evaluation's `cutoff`: no answer gives a time
# in Unix seconds (the records a version keeps do: `app/results.py` gives them in this form).
Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    profile: str | None = Field(
        description="The server's profile and the version serving it; null where tokens are required."
    )
    model_version: int | None


class KnownSong(BaseModel):
    """A song as the store or a catalog spells it."""

    song: str
    artist: str


class ValidationProblem(BaseModel):
    """One thing wrong with the input: where, and why in words."""

    field: str = Field(
        description="Where: `query.song`, `path.version`, `body[3].spotify_id`, or `body` as a whole."
    )
    reason: str = Field(description="What is wrong with it, in words (`must not be empty`).")


class ErrorDetail(BaseModel):
    """What went wrong, in words, and what would cure it; the other fields appear where they apply."""

    kind: str = Field(
        description="The kind of failure, in the application's words: " + ", ".join(ERROR_KINDS) + ".",
        json_schema_extra={"enum": list(ERROR_KINDS)},
    )
    message: str = Field(description="What is wrong; long input is shown cut short, never whole.")
    hint: str | None = Field(description="What would cure it, when something would (else null).")
    retry_after_s: int | None = Field(default=None, description="Also sent as the Retry-After header.")
    searched: dict[str, str] | None = Field(
        default=None, description="A song not found: the song and artist looked up (cut short if long)."
    )
    sources_asked: list[str] | None = Field(default=None, description="A song not found: who was asked.")
    suggestions: list[KnownSong] | None = Field(
        default=None,
        description="A song not found: the nearest songs known (the closest first; empty when none is near).",
    )
    profiles: list[str] | None = Field(default=None, description="Existing profiles, if listing is allowed.")
    problems: list[ValidationProblem] | None = Field(
        default=None, description="Invalid input (422): each problem, one per field."
    )


class ApiError(BaseModel):
    """Every error the API answers with, whatever its status: `{"error": {"kind", "message", "hint"}}`."""

    error: ErrorDetail


class SourceAnswer(BaseModel):
    source: str
    origin: str | None
    fetched_at: Moment = Field(description="When the source gave this answer (UTC, ISO 8601).")
    spotify_id: str | None
    isrc: str | None
    values: dict[str, FeatureNumber]


MATCHED = (
    "The known song answered for when the song and artist asked are not known as typed (a typo, another"
    " spelling), else null."
)


class RawFeatures(BaseModel):
    song: str
    artist: str
    matched: KnownSong | None = Field(default=None, description=MATCHED)
    answers: list[SourceAnswer] = Field(description="Each source's own answer, highest precedence first.")


class TrackPart(BaseModel):
    name: str
    artist: str
    spotify_id: str | None
    isrc: str | None
    markets: list[str] | None = Field(description="No source gives the list of markets any more.")
    n_markets: int | None
    n_artists: int | None
    duration_ms: int | None
    explicit: bool | None
    popularity: int | None


class AlbumPart(BaseModel):
    name: str | None = Field(description="No source in use gives the album's name.")
    release_date: str | None
    release_date_precision: str | None = Field(description="year, month or day")
    date_is_complete: bool


class Features(BaseModel):
    matched: KnownSong | None = Field(default=None, description=MATCHED)
    track: TrackPart
    album: AlbumPart
    audio_features: dict[str, FeatureNumber]
    feature_sources: dict[str, str] = Field(description="Which source gave each value.")


class SongMetadata(BaseModel):
    song: str
    artist: list[str]
    album: str | None


class Message(BaseModel):
    emoji: str
    text: str


class SongHistoryPart(BaseModel):
    """The listener's history of the song and its artist, as their taste page counts it."""

    song_streams: int = Field(description="Times the listener streamed this song (0: new to them).")
    song_short_plays: int = Field(
        description="Times the listener played this song without ever streaming it (each play shorter than"
        " a stream; 0 for a song they streamed or never played)."
    )
    artist: str
    artist_streams: int = Field(description="Streams of every song of the artist, this one included.")
    artist_songs: int
    artist_share: float = Field(description="The artist's share of all the listener's streams (0 to 1).")


class SongLibraryPart(BaseModel):
    """What the listener's library (YourLibrary.json of their export) says of the song."""

    saved: bool = Field(description="In their Liked Songs.")
    artist_followed: bool
    banned: Literal["song", "artist"] | None = Field(
        description="They banned the song or its artist: the prediction is a firm 0."
    )


class ArtistStreams(BaseModel):
    streams: int = Field(description="The listener's streams of the artist's other songs.")
    songs: int = Field(description="How many other songs of the artist they streamed.")


class Reason(BaseModel):
    feature: str = Field(description="The model input this reason is about (a column of /api/features/).")
    value: float | None = Field(
        description="That input's value for the song as the model read it: an audio feature as a source"
        " gave it, or for a history input the model's own measure (for the artist's streams and songs, the"
        " natural log of one plus the count). `words` says it for a person, from your history now; null:"
        " not known for this song."
    )
    contribution: float = Field(description="Push on the model's log scale of streams; positive means more.")
    streams: float | None = Field(
        description="What it changed in `prediction`, in streams: the prediction minus the one the model"
        " gives without this push, every other as it is (they do not add up to the prediction: each is"
        " measured alone); null where not measured."
    )
    words: str


class PredictionBody(BaseModel):
    song: str = Field(description="The song answered for, as the store or a catalog spells it.")
    artist: str
    matched: KnownSong | None = Field(description=MATCHED)
    did_you_mean: str | None = Field(description="`matched` in words: did you mean 'Sugar' by Maroon 5?")
    version_of: str | None = Field(
        description="For a song the listener never played, the version of it they did: 'a remix of Grip,"
        " which you streamed 40 times' (null when none)."
    )
    prediction: float = Field(ge=0, le=30, description="Predicted streams, two decimals.")
    description: str
    song_metadata: SongMetadata
    message: Message
    model_version: int
    profile: str
    reasons: list[Reason]
    feature_sources: dict[str, str] = Field(description="Which source gave each feature used.")
    basis: str = Field(description="What the prediction rests on: audio features, metadata, or history.")
    spotify_id: str | None
    artist_affinity: ArtistStreams
    features: dict[str, FeatureNumber] = Field(description="The song's merged features.")
    history: SongHistoryPart
    library: SongLibraryPart


class SongQuestion(BaseModel):
    """The query of a song route (`/api/prediction/`, `/api/features/`, `/api/raw_features/`)."""

    model_config = ConfigDict(extra="ignore")

    # Blanks around a name are no part of it: a name of blanks alone is empty, the same problem as "".
    song: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        min_length=1, max_length=MAX_TEXT, description="The song's title."
    )
    artist: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        min_length=1, max_length=MAX_TEXT, description="The song's artist."
    )
    profile: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_PROFILE_NAME,
        description="Whose taste (default: the server's profile).",
    )


def query_parameters(model: type[BaseModel]) -> list[dict[str, object]]:
    """A query model's fields as OpenAPI parameters, for a route that reads its query itself."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {key: value for key, value in field.items() if key != "default"},
            "description": field.get("description", ""),
        }
        for name, field in schema["properties"].items()
    ]


BOTH_IDS = "both_ids"  # the validation problem of an item that names its id twice


class SongItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    song: str = Field(max_length=MAX_TEXT)
    artist: str = Field(max_length=MAX_TEXT)
    spotify_id: str | None = Field(
        default=None,
        pattern=SPOTIFY_ID,
        validation_alias=AliasChoices("spotify_id", "track_id"),  # the name older versions gave it
        description="A Spotify track id (22 letters and digits), if known (`track_id` is taken too;"
        " not both).",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_id(cls, item: Any) -> Any:
        """Both names of the id in one item is a question of its own, answered as such: the alias would
        take `spotify_id` and the other would read as an unknown field ("track_id is not a field this
        takes"), which is untrue of a name taken alone. One of them null is no second id: the other is it."""
        if isinstance(item, dict) and "spotify_id" in item and "track_id" in item:
            unset = [name for name in ("spotify_id", "track_id") if item[name] is None]
            if unset:
                return {name: value for name, value in item.items() if name != unset[0]}
            raise PydanticCustomError(
                BOTH_IDS,
                "has both spotify_id and track_id: give spotify_id or track_id (its older name), not both",
            )
        return item


class BatchAnswer(BaseModel):
    prediction: PredictionBody | None
    error: str | None = Field(description="Why this song could not be predicted, else null.")
    problem: ErrorDetail | None = Field(
        default=None,
        description="The same, as the error body of `GET /api/prediction/` for this song would give it"
        " (kind, message, hint; for a song not found, what was searched and the nearest songs known).",
    )


class BatchBody(BaseModel):
    profile: str
    answers: list[BatchAnswer]


class RecommendedSong(BaseModel):
    song: str
    artist: str
    spotify_id: str | None = Field(description="The catalog's Spotify id of the song, where it has one")
    predicted_streams: float = Field(description="What `GET /api/prediction/` answers for it (0-30)")
    popularity: float | None = Field(description="The catalog's popularity (0-100), where it has one")
    artist_streams: int = Field(
        description="The listener's streams of the artist, as their taste page counts"
    )
    version_of: str | None = Field(
        description="Another version of a song the listener streamed says so: 'a remix of Grip, which you"
        " streamed 40 times'"
    )
    how_sure: str | None = Field(description="What the model's own test says of songs like it")
    reasons: list[str] = Field(
        description="Why, strongest first, in words: another version of a song streamed first, then each"
        " reason with the way it moved the estimate ('↑ ...' raised it, '↓ ...' lowered it)"
    )


class RecommendationsBody(BaseModel):
    """Songs of the imported catalogs the listener never played, best first (`musicflow recommend
    --format json` writes the same document)."""

    profile: str
    model_version: int = Field(description="The champion that ranked them")
    catalogs: list[str] = Field(description="The catalogs drawn from; empty: none is imported yet")
    entries: int = Field(description="Their rows (a song may have several)")
    top: int
    per_artist: int
    new_songs_only: bool
    ranked_by: str | None = Field(description="How the list is ranked, and why (null: the list is empty)")
    by_prediction: bool = Field(description="Ranked by predicted streams alone")
    how_sure: list[str]
    note: str | None = Field(description="Why the list is empty, when it is")
    recommendations: list[RecommendedSong]


class ModelSummary(BaseModel):
    version: int
    created_at: Moment = Field(
        description="When the version was made (ISO 8601, UTC: 2026-12-06T10:41:07+00:00)"
    )
    status: str
    is_champion: bool
    serving: bool = Field(description="This server answers with this version now.")


class ModelList(BaseModel):
    profile: str
    serving_version: int | None
    versions: list[ModelSummary]


class EvaluationSplit(BaseModel):
    """One way the version was tested (its other fields as `musicflow evaluate --format json` gives them:
    seeds, train_sizes, test_sizes, metrics, features, source_mix, answered)."""

    model_config = ConfigDict(extra="allow")

    split: str = Field(
        description="time (the songs first heard after `cutoff` are the test songs) or random (by song:"
        " optimistic)"
    )
    cutoff: Moment | None = Field(
        default=None,
        description="The time split's cut-off (ISO 8601, UTC: 2025-10-24T04:59:06+00:00); null for the random"
        " split, and for a time split stored before the cut-off was",
    )


class ModelEvaluation(BaseModel):
    """The version's stored evaluation (its other fields: profile, zero_strategy, protocol, coverage,
    notes)."""

    model_config = ConfigDict(extra="allow")

    splits: list[EvaluationSplit] = Field(default_factory=list)


class ModelDetail(ModelSummary):
    profile: str
    feature_names: list[str]
    evaluation: ModelEvaluation


class JobBody(BaseModel):
    """A job that takes an upload in (or retrains the profile): where it is, how far, how it ended."""

    id: str
    profile: str
    kind: str = Field(
        description="upload; ingest; train (queued by new plays, or by the schedule); refresh (the schedule"
        " asks the sources again for songs without features)"
    )
    reason: str | None = Field(default=None, description="Why it was queued")
    state: str = Field(description="queued, running, done, failed, or undone (an import taken back)")
    stage: str = Field(description="queued, ingesting, fetching features, training, done, failed or undone")
    progress: dict[str, bool | int | float | str] = Field(
        description="bytes_done/bytes_total (ingesting), tracks_done/tracks_total (fetching), training (0-1)"
    )
    result: dict[str, bool | int | float | str | list[str] | dict[str, int | list[int]]] | None = Field(
        description="When done: plays, new_plays, features_fetched, still_missing, model_version and serving"
        " (or training), old_versions_removed (when the training removed old model versions); library"
        " (entries per kind: saved_song, saved_album, followed_artist, banned_song, banned_artist) when the"
        " export held YourLibrary.json; files_unreadable (each file of the export that could not be read, as"
        " sent, with why) and records_unreadable and unreadable_examples (records of the export passed over,"
        " and a few of them named) when there were any; for an import taken back, taken_back"
        " (plays_removed and model_versions_removed). When failed after storing something: what was stored"
        " and is kept (plays, new_plays, files, library, features_fetched) and failed_at, the stage that"
        " failed; null when nothing was stored"
    )
    error: str | None = Field(description="When failed: why, and what to do")
    attempts: int
    created_at: Moment = Field(description="When it was queued (ISO 8601, UTC: 2026-12-06T10:41:07+00:00)")
    updated_at: Moment = Field(
        description="When its row last changed: a step, its progress, or the running job's heartbeat (ISO"
        " 8601, UTC)"
    )


class UploadAccepted(JobBody):
    new: bool = Field(description="False: the same export was uploaded before; this is the job that took it")


class CalibrationBand(BaseModel):
    predicted_from: float
    predicted_to: float
    songs: int
    mean_predicted: float | None
    mean_streams: float | None = Field(
        description="Mean streams since the cut-off of the band's songs; null when none of them is judged"
        " yet (no play after the cut-off is in the store: `plays_after` is 0) or the band holds no song"
    )


class VersionAccuracy(BaseModel):
    model_version: int
    removed: bool = Field(
        description="The version was removed (`musicflow models prune`); its predictions are judged all"
        " the same"
    )
    cut_off_at: Moment = Field(
        description="The last play the version learned from, or a later time that stands for it"
        " (cut_off_from): ISO 8601, UTC, 2026-02-03T22:01:00+00:00"
    )
    cut_off_exact: bool = Field(
        description="False: judged from a later time that stands for it (cut_off_from)"
    )
    cut_off_from: str = Field(
        description="'last play' (as the version recorded it), 'when made' (an older version that did not"
        " record it) or 'first prediction' (a removed version of which no record is left)"
    )
    songs: int = Field(description="Distinct songs it was asked about")
    streamed: int = Field(description="Of those, streamed after the cut-off")
    plays_after: int
    window_days: float
    auc: float | None = Field(description="Streamed since against not streamed; null under five on a side")
    spearman: float | None = Field(description="Among the streamed: predicted against streams since")
    calibration: list[CalibrationBand]


class FeatureDrift(BaseModel):
    feature: str
    mean_learned: float = Field(description="Mean over the streams the model learned from")
    mean_since: float = Field(description="Mean over the streams since its cut-off")
    shift_sd: float = Field(description="The move, in standard deviations of the streams learned from")
    beyond_limit: bool


class DriftLimits(BaseModel):
    min_streams_since: int
    new_artist_share: float
    artist_distance: float
    feature_shift_sd: float


class DriftBody(BaseModel):
    """The plays since the champion's cut-off set against those it learned from."""

    model_version: int
    cut_off_at: Moment = Field(
        description="The last play the champion learned from: ISO 8601, UTC, 2026-02-03T22:01:00+00:00"
    )
    streams_learned: int
    streams_since: int
    enough_plays: bool = Field(description="False: too few streams since to tell")
    drifted: bool
    summary: str = Field(description="The verdict in plain words")
    new_artist_share: float | None = Field(description="Share of streams since to artists it never saw")
    artist_distance: float | None = Field(description="Total variation distance of the artists' shares")
    features: list[FeatureDrift] = Field(description="Audio features, largest shift first")
    retrain: str | None = Field(description="queued or running when a retrain is under way")
    limits: DriftLimits


class AccuracyBody(BaseModel):
    profile: str
    logged_predictions: int
    versions: list[VersionAccuracy] = Field(description="Newest first; only versions that gave predictions")
    drift: DriftBody | None = Field(description="Null when no model serves yet")


class UndoneBody(BaseModel):
    """An upload taken back."""

    plays_removed: int = Field(description="Plays only this upload held")
    plays_kept: int = Field(description="Plays it held that another export also holds")
    tracks_removed: int = Field(description="Songs no play was left of")
    model_versions_removed: list[int] = Field(
        description="The listener's model versions that learned from the plays removed, removed with them"
    )
    serving_version: int | None = Field(
        description="The version that answers now: the one that served, or when it was removed, the newest"
        " left; null when none is left until the retrain"
    )
    retrain_queued: bool = Field(description="Whether a retrain follows (false when no play is left)")
