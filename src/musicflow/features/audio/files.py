"""Which files below a folder are audio, and a cheap fingerprint to skip the ones already analysed."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wav", ".aif", ".aiff"}
)

ANALYSIS_VERSION = "audio-v1"
"""Part of every fingerprint: bump it when the measures change, so stored results are recomputed."""


def is_audio_file(path: Path) -> bool:
    """An audio file by its extension (case-insensitive); hidden files such as macOS `._x.mp3` are not."""
    return path.suffix.lower() in AUDIO_EXTENSIONS and not path.name.startswith(".")


def find_audio_files(folder: Path) -> list[Path]:
    """Audio files anywhere below `folder`, sorted by their path relative to it (stable across runs).

    Hidden folders are skipped and symbolic links to folders are not followed, so a link loop cannot make
    the scan endless. A folder that cannot be listed is logged and skipped.
    """
    found: list[Path] = []
    for current, folders, files in os.walk(folder, onerror=_log_unlistable):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(Path(current, name) for name in files if is_audio_file(Path(name)))
    return sorted(found, key=lambda path: _sort_key(path.relative_to(folder)))


def _sort_key(relative: Path) -> tuple[str, str]:
    text = relative.as_posix()
    return text.casefold(), text


def _log_unlistable(error: OSError) -> None:
    logger.warning("cannot list %s: %s", error.filename, error.strerror)


def file_fingerprint(path: Path) -> str:
    """A short key that changes when the file is replaced, edited, moved or when our analysis changes.

    Built from the absolute path, size and modification time (no file content is read, so checking
    thousands of files is a matter of milliseconds). The store remembers it beside the features, and a
    later scan passes the remembered set to `analyze_folder` to skip unchanged files.
    """
    stat = path.stat()
    identity = f"{ANALYSIS_VERSION}\x1f{path.absolute()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}"
    return hashlib.blake2b(identity.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
