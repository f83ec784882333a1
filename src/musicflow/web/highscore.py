"""The best songs tried in this browser, kept in the signed session cookie.

The cookie is signed (Starlette's session middleware), so editing it breaks the signature and the
middleware hands over an empty session: a tampered highscore is an empty one. What is read back is still
checked entry by entry, so a cookie from an older page never ends in an error.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from musicflow.app.vocabulary import streams_as_written, streams_shown

KEY = "highscore"
JUST_RESET = "highscore_reset"  # whose highscore the listener just reset, for the page that follows
KEEP = 10
MAX_TEXT = 120  # the cookie must stay well under 4 KB


@dataclass(frozen=True)
class Entry:
    song: str
    artist: str
    streams: float
    profile: str

    @property
    def streams_shown(self) -> str:
        return streams_shown(self.streams)

    def same_song(self, other: Entry) -> bool:
        return (self.song.casefold(), self.artist.casefold(), self.profile) == (
            other.song.casefold(),
            other.artist.casefold(),
            other.profile,
        )


def entries(session: MutableMapping[str, Any], profile: str | None = None) -> list[Entry]:
    """The highscore, best first; only the profile's when one is given. Malformed entries are dropped."""
    raw = session.get(KEY)
    found = [entry for item in (raw if isinstance(raw, list) else []) if (entry := _parse(item))]
    found.sort(key=lambda e: -e.streams)
    return [e for e in found if profile is None or e.profile == profile]


def record(session: MutableMapping[str, Any], entry: Entry) -> None:
    """Add a tried song (a song tried again replaces its earlier score); keep the best `KEEP`.

    The score is kept as every answer writes it (`streams_as_written`), so the highscore shows the very
    number the answer showed."""
    streams = streams_as_written(entry.streams)
    entry = Entry(entry.song[:MAX_TEXT], entry.artist[:MAX_TEXT], streams, entry.profile)
    kept = [e for e in entries(session) if not e.same_song(entry)]
    kept.append(entry)
    kept.sort(key=lambda e: -e.streams)
    session[KEY] = [[e.song, e.artist, e.streams, e.profile] for e in kept[:KEEP]]


def reset(session: MutableMapping[str, Any], profile: str) -> None:
    session[KEY] = [
        [e.song, e.artist, e.streams, e.profile] for e in entries(session) if e.profile != profile
    ]


def mark_reset(session: MutableMapping[str, Any], profile: str) -> None:
    """Note that the listener reset `profile`'s highscore: the next page says so (`just_reset`)."""
    session[JUST_RESET] = profile


def just_reset(session: MutableMapping[str, Any], profile: str) -> bool:
    """Whether `profile`'s highscore was reset just before this page; said once (the note goes)."""
    reset: object = session.pop(JUST_RESET, None)
    return reset == profile


def _parse(item: object) -> Entry | None:
    if not isinstance(item, list) or len(item) != 4:
        return None
    song, artist, streams, profile = item
    if not all(isinstance(v, str) for v in (song, artist, profile)):
        return None
    if isinstance(streams, bool) or not isinstance(streams, int | float) or not math.isfinite(streams):
        return None
    return Entry(song, artist, float(streams), profile)
