"""MusicFlow's own exception types.

Every failure a user can meet is one of these. Each type has a `kind` (what sort of failure it is) and an
error may carry a `hint` (what would cure it) and the profile it concerns. A kind means one exit code and
one HTTP status for every front end (`app/error_map.py`); each front end words the hint in one place (the
CLI as a command to run, `cli/error_hints.py`). A message here says what is wrong, never which command
to type.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from musicflow.core.songs import SongName


class ErrorKind(StrEnum):
    NOT_FOUND = "not found"
    INVALID_INPUT = "invalid input"
    NOT_READY = "not ready"
    UPSTREAM_UNAVAILABLE = "upstream unavailable"
    UPSTREAM_INVALID = "upstream invalid"
    RATE_LIMITED = "rate limited"
    CONFLICT = "conflict"
    CONFIG = "configuration"
    STORE = "store"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"


class Hint(StrEnum):
    """What would cure an error, named by the remedy; each front end words it for its own users."""

    INGEST = "ingest a Spotify data export for this profile"
    FETCH_FEATURES = "get features for the listener's tracks, or add a catalog"
    ADD_ZEROS = "add a catalog with audio features, or the listening history of another listener"
    AUTO_ZEROS = "let training choose the zeros (auto)"
    ADD_FEATURE_SOURCE = "add a catalog that has the song, enable another source, or analyse its audio file"
    ANALYZE_AUDIO = "analyse your own audio files instead"
    TRAIN = "train a model of this listener"
    RETRAIN = "train a new model"
    LIST_MODELS = "see which model versions exist"
    PROMOTE = "promote a version to champion"
    LIST_CATALOGS = "see which catalogs exist"
    INSTALL_AUDIO = "install MusicFlow's audio extra"
    LIST_TOKENS = "see which tokens exist"
    LIST_JOBS = "see which jobs exist"
    TOKEN = "send a token of this profile as 'Authorization: Bearer <token>'"
    WRITE_TOKEN = "use a token made with --scope write"


class MusicflowError(Exception):
    """Base of every error MusicFlow raises on purpose."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID_INPUT

    def __init__(self, message: str, *, hint: Hint | None = None, profile: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.profile = profile


class ConfigError(MusicflowError):
    """The settings are unusable (bad value, unreadable config file)."""

    kind = ErrorKind.CONFIG


class StoreError(MusicflowError):
    """The store cannot be opened, migrated or written."""

    kind = ErrorKind.STORE


class NoStoreError(MusicflowError):
    """No store is where the settings point (a data directory never used, or mistyped): a command that
    only reads says so rather than making an empty store there."""

    kind = ErrorKind.NOT_FOUND


class IngestError(MusicflowError):
    """An input path cannot be read at all (missing, not an export, unsafe archive)."""


class NothingReadError(IngestError):
    """The paths given hold no streaming history and no library: nothing was stored."""


class UnsafeArchiveError(IngestError):
    """A zip member could inflate past the configured limits (a zip bomb)."""


class ProfileNotFoundError(MusicflowError):
    """A listener profile that holds no data yet; `known` names the profiles the store holds (a front end
    says them where its users may see them: the CLI always, the API and the page when allowed)."""

    kind = ErrorKind.NOT_FOUND

    def __init__(
        self,
        message: str,
        *,
        hint: Hint | None = None,
        profile: str | None = None,
        known: Sequence[str] = (),
    ) -> None:
        super().__init__(message, hint=hint, profile=profile)
        self.known = tuple(known)


class CatalogError(MusicflowError):
    """A catalog file cannot be read at all (missing, unknown format, no usable columns)."""


class CatalogNotFoundError(CatalogError):
    """No catalog of that name is in the store."""

    kind = ErrorKind.NOT_FOUND


class UpstreamError(MusicflowError):
    """A feature source answered with an error, garbage, or not at all."""

    kind = ErrorKind.UPSTREAM_UNAVAILABLE


class UpstreamUnavailableError(UpstreamError):
    """A source kept failing (connection errors, timeouts, 5xx) past its retry budget."""


class UpstreamAuthError(UpstreamError):
    """A source refused our credentials (401/403 that a token refresh did not cure)."""


class RateLimitedError(UpstreamError):
    """A source asked us to wait longer than we are willing to sleep; resume at `resume_at`."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(self, message: str, *, source: str, resume_at: float) -> None:
        super().__init__(message)
        self.source = source
        self.resume_at = resume_at  # Unix time


class InvalidPayloadError(UpstreamError):
    """A source's answer is not what its API promises (HTML, wrong types, values out of range)."""

    kind = ErrorKind.UPSTREAM_INVALID


class SongNotFoundError(MusicflowError):
    """No configured source knows the song a user asked about; `suggestions`: the nearest names known."""

    kind = ErrorKind.NOT_FOUND

    def __init__(
        self, message: str, *, hint: Hint | None = None, suggestions: Sequence[SongName] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.suggestions = tuple(suggestions)


class ModelError(MusicflowError):
    """A model cannot be trained, loaded or used (too little data, a feature list that does not match)."""


class NoModelError(ModelError):
    """A trained model is needed and there is none yet (or no version of that number)."""

    kind = ErrorKind.NOT_READY


class ModelVersionNotFoundError(NoModelError):
    """A version number the profile does not have."""

    kind = ErrorKind.NOT_FOUND


class NotEnoughDataError(ModelError):
    """A listener has too few songs with features to train or evaluate a model honestly."""


class ModelIntegrityError(ModelError):
    """A version's artifact files are missing or differ from the checksums recorded at registration."""

    kind = ErrorKind.NOT_READY


class ModelMismatchError(ModelError):
    """A version was trained on other features than the ones this MusicFlow builds."""

    kind = ErrorKind.NOT_READY


class NotReproducibleError(ModelError):
    """A version cannot be built again: what it learned from is gone from the store or changed, or it was
    trained before versions recorded it."""

    kind = ErrorKind.CONFLICT


class ChampionMovedError(ModelError):
    """The champion changed while a command was deciding where to move it; nothing was changed."""

    kind = ErrorKind.CONFLICT


class InputFileError(MusicflowError):
    """A file the user gave a command (a list of songs) cannot be read as what it should be."""


class OutputFileError(MusicflowError):
    """A file a command writes could not be written once the work began (its disk is full)."""


class ClusterError(MusicflowError):
    """The Dask cluster a job was given cannot run it, or stopped running it: no worker joins, a worker
    cannot run MusicFlow's tasks, the scheduler or every worker was lost."""

    kind = ErrorKind.UPSTREAM_UNAVAILABLE


class TooManyRequestsError(MusicflowError):
    """A client asked more often than the server allows; it may ask again after `retry_after_s`."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UpstreamBudgetError(UpstreamError):
    """Answering would call a feature source past the share of its quota this server may spend now."""

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotReadyError(MusicflowError):
    """A server cannot answer yet (its store does not answer, or no model serves); ask again later."""

    kind = ErrorKind.NOT_READY


class UnauthorizedError(MusicflowError):
    """A request without a valid token to a server that asks for one (missing, unknown, revoked,
    expired)."""

    kind = ErrorKind.UNAUTHORIZED


class ForbiddenError(MusicflowError):
    """A valid token that may not do this (a read token asked to change data)."""

    kind = ErrorKind.FORBIDDEN


class JobNotFoundError(MusicflowError):
    """No job of this id (or none the asker may see)."""

    kind = ErrorKind.NOT_FOUND


class TooLargeError(MusicflowError):
    """What was sent is larger than the server accepts (an upload past its limit): HTTP 413."""


class ConflictError(MusicflowError):
    """What was asked cannot be done in the state things are in now (an import still running)."""

    kind = ErrorKind.CONFLICT
