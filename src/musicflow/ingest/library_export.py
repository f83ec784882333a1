"""The library file of a Spotify export (`YourLibrary.json`): what the listener saved, followed and banned.

It is a picture of the library when the export was made, with no dates: saved songs ("tracks", the Liked
Songs), saved albums, followed artists, and the songs and artists the listener asked Spotify never to
play ("bannedTracks", "bannedArtists"). Local files (`spotify:local:` entries) and podcasts are not music
MusicFlow can look up, and are counted, not kept. An entry without the names it needs, or with a name
no history record could have either (a NUL character, more than `MAX_NAME` characters) or an id that is
no Spotify id, is counted as unreadable; the rest of the file is kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from musicflow.core.songs import STORED_ID, keepable_name
from musicflow.store.ports import LibraryEntry, LibraryKind

# The lists of YourLibrary.json that hold music, and what each entry of them is.
_LISTS = {
    "tracks": LibraryKind.SAVED_SONG,
    "albums": LibraryKind.SAVED_ALBUM,
    "artists": LibraryKind.FOLLOWED_ARTIST,
    "bannedTracks": LibraryKind.BANNED_SONG,
    "bannedArtists": LibraryKind.BANNED_ARTIST,
}
_URI_PREFIX = {
    LibraryKind.SAVED_SONG: "spotify:track:",
    LibraryKind.BANNED_SONG: "spotify:track:",
    LibraryKind.SAVED_ALBUM: "spotify:album:",
    LibraryKind.FOLLOWED_ARTIST: "spotify:artist:",
    LibraryKind.BANNED_ARTIST: "spotify:artist:",
}


@dataclass
class ParsedLibrary:
    entries: list[LibraryEntry] = field(default_factory=list)
    unreadable: int = 0  # entries without the names they need, or with names or ids no store keeps
    unfit: int = 0  # of those, the entries whose names or id could not be kept (a NUL, too long)

    @property
    def counts(self) -> Counter[LibraryKind]:
        return Counter(entry.kind for entry in self.entries)


def is_library(data: object) -> bool:
    """A JSON object holding at least one of the library's music lists (and nothing that is a history)."""
    return isinstance(data, dict) and any(isinstance(data.get(name), list) for name in _LISTS)


def parse_library(data: dict[str, object]) -> ParsedLibrary:
    parsed = ParsedLibrary()
    for name, kind in _LISTS.items():
        items = data.get(name)
        if not isinstance(items, list):
            continue
        for item in items:
            entry = _entry(kind, item)
            unfit = entry is not None and not _storable(entry)
            if entry is None or unfit:
                parsed.unreadable += 1
                parsed.unfit += unfit
            else:
                parsed.entries.append(entry)
    return parsed


def _entry(kind: LibraryKind, item: object) -> LibraryEntry | None:
    if not isinstance(item, dict):
        return None
    uri = _text(item.get("uri"))
    spotify_id = uri.removeprefix(_URI_PREFIX[kind]) if uri.startswith(_URI_PREFIX[kind]) else None
    if kind in (LibraryKind.FOLLOWED_ARTIST, LibraryKind.BANNED_ARTIST):
        artist = _text(item.get("name")) or _text(item.get("artist"))
        return LibraryEntry(kind, artist, "", spotify_id) if artist else None
    artist = _text(item.get("artist"))
    name = _text(item.get("album" if kind is LibraryKind.SAVED_ALBUM else "track"))
    if not artist or not name:
        return None
    return LibraryEntry(kind, artist, name, spotify_id)


def _storable(entry: LibraryEntry) -> bool:
    """Whether the store and the answers can carry the entry's names and id as they are."""
    names_fit = keepable_name(entry.artist) and keepable_name(entry.name)
    return names_fit and (not entry.spotify_id or bool(STORED_ID.fullmatch(entry.spotify_id)))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
