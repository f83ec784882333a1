"""Which song a file holds: from its tags (ID3, Vorbis comments, MP4 atoms), else from its path."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from tinytag import TinyTag, TinyTagException

from musicflow.features.audio.file_errors import SongNotNamedError
from musicflow.features.audio.filename import guess_from_path, is_placeholder

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SongIdentity:
    """The song a file holds. `from_tags` is False when any of song or artist was guessed from the path."""

    song: str
    artist: str
    album: str | None
    duration_ms: int | None
    from_tags: bool


@dataclass(frozen=True, slots=True)
class _Tags:
    song: str | None = None
    artist: str | None = None
    album: str | None = None
    duration_ms: int | None = None


def read_identity(path: Path, *, root: Path | None = None) -> SongIdentity:
    """The song, artist and album of a file: tags first, the file name and folders for what is missing.

    `root` is the scanned folder: folder names above it are never taken for an artist or album.
    Raises SongNotNamedError (with the reason) when no song title or no artist can be found.
    """
    tags = _read_tags(path)
    guess = guess_from_path(path, root)
    song = tags.song or guess.song
    artist = tags.artist or guess.artist
    if song is None:
        raise SongNotNamedError(path, "no title tag, and the file name does not name a song")
    if artist is None:
        raise SongNotNamedError(
            path, "no artist tag, and neither an 'Artist - Title' file name nor an Artist/Album/ folder"
        )
    return SongIdentity(
        song=song,
        artist=artist,
        album=tags.album or guess.album,
        duration_ms=tags.duration_ms,
        from_tags=tags.song is not None and tags.artist is not None,
    )


def _read_tags(path: Path) -> _Tags:
    """Tags as far as tinytag understands them; a file it cannot parse simply has no tags here.

    Damage is not reported from here: decoding the audio reports it with a better reason.
    """
    try:
        tags = TinyTag.get(path)
    except (TinyTagException, OSError, ValueError, EOFError) as error:
        logger.debug("no readable tags in %s: %s", path, error)
        return _Tags()
    return _Tags(
        song=_text(tags.title),
        artist=_text(tags.artist) or _text(tags.albumartist),
        album=_text(tags.album),
        duration_ms=_duration_ms(tags.duration),
    )


def _text(value: object) -> str | None:
    """A tag's text with its white space folded; placeholders ("Track 01", "Unknown Artist") are None."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text if text and not is_placeholder(text) else None


def _duration_ms(seconds: float | None) -> int | None:
    if not isinstance(seconds, int | float) or not seconds > 0:
        return None
    return round(seconds * 1000)
