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
