"""Errors about one audio file: each names the file and what was wrong, and never stops a folder scan."""

from __future__ import annotations

from pathlib import Path

from musicflow.errors import MusicflowError


class AudioFileError(MusicflowError):
    """One audio file cannot be used: unreadable, damaged, empty, not audio, or not decodable here."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


class SongNotNamedError(AudioFileError):
    """The file has neither usable tags nor a file name (or folders) that name its song and artist."""
