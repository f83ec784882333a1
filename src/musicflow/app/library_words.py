"""The listener's library in words, the same in the CLI's ingest report and on the upload page."""

from __future__ import annotations

from collections.abc import Mapping

# LibraryKind values, as the listener knows them in Spotify.
KIND_WORDS = {
    "saved_song": "saved songs (Liked Songs)",
    "saved_album": "saved albums",
    "followed_artist": "followed artists",
    "banned_song": "songs you banned",
    "banned_artist": "artists you banned",
}


def library_sentence(counts: Mapping[str, int]) -> str:
    """One sentence of what a library held, e.g. "Your library: 2,906 Liked Songs, 53 saved albums and
    no followed artist; you banned 1 song: it is answered 0 and never recommended"."""
    saved = [
        _count(counts.get("saved_song", 0), "Liked Song"),
        _count(counts.get("saved_album", 0), "saved album"),
        _count(counts.get("followed_artist", 0), "followed artist"),
    ]
    sentence = f"Your library: {', '.join(saved[:-1])} and {saved[-1]}"
    bans = [
        _count(counts[kind], noun)
        for kind, noun in (("banned_song", "song"), ("banned_artist", "artist"))
        if counts.get(kind)
    ]
    if bans:
        sentence += f"; you banned {' and '.join(bans)}: answered 0 and never recommended"
    return sentence + "."


def _count(n: int, noun: str) -> str:
    if n == 0:
        return f"no {noun}"
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
