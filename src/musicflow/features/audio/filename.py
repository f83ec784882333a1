"""Naming a song from its file name and folders, for files without usable tags.

Understood layouts (a leading track number such as `01`, `01.`, `1-01` or `01 -` is dropped):
`Artist - Title.ext`, `01 - Artist - Title.ext`, and `Artist/Album/01. Title.ext` (artist and album from the
two folders above the file; there, `01 - Title - Live.ext` is a title, as its first part is not the folder's
artist). A title alone with no artist folder does not name a song.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from musicflow.core.songs import primary_artist

_TRACK_NUMBER = re.compile(
    r"""^(?:
        (?:\d{1,2}[-.])?\d{1,3}\s*(?:[._)-]|\s-)\s*   # 01. Title / 1-01 - Title / 01_Title / 03) Title
      | 0\d{1,2}\s+                                 # 01 Title (zero padded, so "99 Luftballons" stays)
    )""",
    re.VERBOSE,
)
_SPACED_DASH = re.compile(r"\s+[-–—]\s+")
_PLACEHOLDER = re.compile(
    r"^(?:(?:(?:audio\s*)?track|piste|titel|title|song|audio)[\s_#-]*\d+"
    r"|untitled|unknown|unknown\s+(?:artist|album|title)|no\s+title|)$",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\d{1,3}$")
_GENERIC_FOLDERS = frozenset(
    {"music", "musik", "musique", "my music", "itunes", "itunes media", "downloads", "desktop", "documents"}
    | {"audio", "mp3", "flac", "songs", "various artists", "compilations", "tmp", "temp", "home", "users"}
)


@dataclass(frozen=True, slots=True)
class NameGuess:
    """What the path says; any part may be unknown."""

    song: str | None
    artist: str | None
    album: str | None


def is_placeholder(text: str) -> bool:
    """True for names that say nothing: "", "Track 01", "Unknown Artist", "Untitled" (tags and paths)."""
    return bool(_PLACEHOLDER.match(" ".join(text.split())))


def guess_from_path(path: Path, root: Path | None = None) -> NameGuess:
    """Song, artist and album as far as the file name and its folders tell them.

    Folder names are used only below `root` when it is given (scanning `~/Music/Some Album` must not make
    "Music" the artist). Without `root`, the two folders above the file only fill in what the file name
    lacks, unless their names are generic ("Music", "Downloads", ...); an "X - Y" file name then always
    means artist X.
    """
    stem = _readable_stem(path.stem)
    folder_artist, folder_album = _artist_album_folders(path, root)
    parts = _SPACED_DASH.split(stem, maxsplit=1)
    trusted_folder_artist = folder_artist if root is not None else None
    if len(parts) == 2 and _names_the_artist(parts[0], trusted_folder_artist):
        return NameGuess(_useful(parts[1]), _useful(parts[0]), folder_album)
    return NameGuess(_useful(stem), folder_artist, folder_album)


def _names_the_artist(first_part: str, folder_artist: str | None) -> bool:
    """Whether "X - Y" means artist X: yes, unless an artist folder names someone else.

    Under `Artist/Album/`, "Title - Live" is a title with a suffix, while "Artist - Title" or
    "Artist feat. Guest - Title" repeats the folder's artist.
    """
    if folder_artist is None:
        return True
    return primary_artist(first_part) == primary_artist(folder_artist)


def _readable_stem(stem: str) -> str:
    """The stem without its track number, with `_` as spaces when the name has no spaces at all."""
    if " " not in stem:
        stem = stem.replace("_", " ")
    without_number = _TRACK_NUMBER.sub("", stem, count=1).strip()
    return without_number or stem.strip()


def _artist_album_folders(path: Path, root: Path | None) -> tuple[str | None, str | None]:
    """Artist and album from an `Artist/Album/` pair of folders above the file, else nothing.

    A single folder is left alone: "Adele/Hello.mp3" may be sorted by artist or by album, and guessing
    wrong would attach the song to someone else.
    """
    folders = [parent.name for parent in path.parents]
    if root is not None:
        folders = folders[: len(path.relative_to(root).parts) - 1]
    if len(folders) < 2:
        return None, None
    album, artist = (_folder_name(name) for name in folders[:2])
    if album is None or artist is None:
        return None, None
    return artist, album


def _folder_name(name: str) -> str | None:
    """A folder's name as an artist or album; "25" is a real album, "Music" and "Unknown Album" are not."""
    cleaned = " ".join(name.split())
    return None if cleaned.casefold() in _GENERIC_FOLDERS or is_placeholder(cleaned) else cleaned


def _useful(text: str) -> str | None:
    """The text with spacing tidied, or None when it is a placeholder or a bare track number."""
    cleaned = " ".join(text.split())
    return None if is_placeholder(cleaned) or _BARE_NUMBER.match(cleaned) else cleaned
