"""MusicFlow's own exception types.

Every failure a user can meet is one of these, so the CLI (and later the HTTP API) can map them to a
clear message in one place instead of showing a traceback.
"""


class MusicflowError(Exception):
    """Base of every error MusicFlow raises on purpose."""

    exit_code = 1


class ConfigError(MusicflowError):
    """The settings are unusable (bad value, unreadable config file)."""

    exit_code = 2


class StoreError(MusicflowError):
    """The store cannot be opened, migrated or written."""


class IngestError(MusicflowError):
    """An input path cannot be read at all (missing, not an export, unsafe archive)."""


class UnsafeArchiveError(IngestError):
    """A zip member could inflate past the configured limits (a zip bomb)."""


class ProfileNotFoundError(MusicflowError):
    """A command asked for a listener profile that holds no data yet."""


class CatalogError(MusicflowError):
    """A catalog file cannot be read at all (missing, unknown format, no usable columns)."""


class UpstreamError(MusicflowError):
    """A feature source answered with an error, garbage, or not at all."""


class UpstreamUnavailableError(UpstreamError):
    """A source kept failing (connection errors, timeouts, 5xx) past its retry budget."""


class UpstreamAuthError(UpstreamError):
    """A source refused our credentials (401/403 that a token refresh did not cure)."""


class RateLimitedError(UpstreamError):
    """A source asked us to wait longer than we are willing to sleep; resume at `resume_at`."""

    def __init__(self, message: str, *, source: str, resume_at: float) -> None:
        super().__init__(message)
        self.source = source
        self.resume_at = resume_at  # Unix time


class InvalidPayloadError(UpstreamError):
    """A source's answer is not what its API promises (HTML, wrong types, values out of range)."""


class SongNotFoundError(MusicflowError):
    """No configured source knows the song a user asked about."""


class ModelError(MusicflowError):
    """A model cannot be trained, loaded or used (too little data, a feature list that does not match)."""


class NoModelError(ModelError):
    """A command needs a trained model and there is none yet: run `musicflow train` first."""


class NotEnoughDataError(ModelError):
    """A listener has too few songs with features to train or evaluate a model honestly."""


class ModelIntegrityError(ModelError):
    """A version's artifact files are missing or differ from the checksums recorded at registration."""


class ModelMismatchError(ModelError):
    """A version was trained on other features than the ones this MusicFlow builds."""


class ChampionMovedError(ModelError):
    """The champion changed while a command was deciding where to move it; nothing was changed."""


class InputFileError(MusicflowError):
    """A file the user gave a command (a list of songs) cannot be read as what it should be."""
