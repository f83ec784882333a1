"""Which song a file holds: from its tags (ID3, Vorbis comments, MP4 atoms), else from its path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from musicflow.features.audio.errors import SongNotNamedError
from musicflow.features.audio.filename import guess_from_path, is_placeholder

logger = logging.getLogger(__name__)

_ID3_FRAMES = {"song": ("TIT2",), "artist": ("TPE1", "TPE2"), "album": ("TALB",)}
_MP4_ATOMS = {"song": ("\xa9nam",), "artist": ("\xa9ART", "aART"), "album": ("\xa9alb",)}
_VORBIS_FIELDS = {"song": ("title",), "artist": ("artist", "albumartist"), "album": ("album",)}


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
    """Tags as far as mutagen understands them; a file it cannot parse simply has no tags here.

    Damage is not reported from here: decoding the audio reports it with a better reason.
    """
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as error:
        logger.debug("no readable tags in %s: %s", path, error)
        return _Tags()
    if audio is None:
        return _Tags()
    fields = _tag_fields(audio.tags)
    return _Tags(
        song=fields.get("song"),
        artist=fields.get("artist"),
        album=fields.get("album"),
        duration_ms=_duration_ms(audio),
    )


def _tag_fields(tags: Any) -> dict[str, str]:
    """song/artist/album from whichever tag flavour the container holds; placeholders are left out."""
    if tags is None:
        return {}
    found: dict[str, str] = {}
    for field, keys in _keys_for(tags).items():
        for key in keys:
            text = _joined(_values(tags, key))
            if text and not is_placeholder(text):
                found[field] = text
                break
    return found


def _keys_for(tags: Any) -> dict[str, tuple[str, ...]]:
    if isinstance(tags, ID3):
        return _ID3_FRAMES
    if isinstance(tags, MP4Tags):
        return _MP4_ATOMS
    return _VORBIS_FIELDS


def _values(tags: Any, key: str) -> Sequence[object]:
    """The text values of one tag: ID3 frames hold a list in `.text`, others map a key to a list."""
    if isinstance(tags, ID3):
        return [text for frame in tags.getall(key) for text in frame.text]
    try:
        values = tags.get(key)
    except (KeyError, ValueError, TypeError):
        return []
    if values is None:
        return []
    return values if isinstance(values, list) else [values]


def _joined(values: Sequence[object]) -> str:
    """Several values (two ARTIST comments) become one comma-separated text, which matching splits."""
    texts = [" ".join(str(value).split()) for value in values]
    return ", ".join(text for text in texts if text)


def _duration_ms(audio: Any) -> int | None:
    length = getattr(getattr(audio, "info", None), "length", None)
    if not isinstance(length, int | float) or not length > 0:
        return None
    return round(length * 1000)
