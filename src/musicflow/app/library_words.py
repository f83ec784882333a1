"""The listener's library in words, the same in the CLI's ingest report and on the upload page."""

from __future__ import annotations

from collections.abc import Mapping

from musicflow.core.plurals import counted, listed, sentence

# LibraryKind values, as the listener knows them in Spotify.
KIND_WORDS = {
    "saved_song": "saved songs (Liked Songs)",
    "saved_album": "saved albums",
    "followed_artist": "followed artists",
    "banned_song": "songs you banned",
    "banned_artist": "artists you banned",
}


SAVED_WORDS = (
    ("saved_song", "Liked Song"),
    ("saved_album", "saved album"),
    ("followed_artist", "followed artist"),
)
BANNED_WORDS = (("banned_song", "song"), ("banned_artist", "artist"))


def library_sentence(counts: Mapping[str, int], *, named: bool = True) -> str:
    """One sentence of what a library held, e.g. "Your library: 2,906 Liked Songs and 53 saved albums;
    you banned 1 song: answered 0 and never recommended".

    A kind with no entry is not named: the store keeps the entries, not which lists the export's
    YourLibrary.json had, so a zero may be a list the export did not have at all, of which nothing is
    known (no "no followed artist" for an export without followed artists). `named=False` leaves out
    "Your library:", for a page whose heading says it: "2,906 Liked Songs and 53 saved albums"."""
    saved = [counted(counts[kind], noun) for kind, noun in SAVED_WORDS if counts.get(kind)]
    bans = [counted(counts[kind], noun) for kind, noun in BANNED_WORDS if counts.get(kind)]
    parts = []
    if saved:
        parts.append(listed(saved))
    if bans:
        parts.append(f"you banned {listed(bans)}: answered 0 and never recommended")
    said = f"{'; '.join(parts)}." if parts else "no song, album or artist in it."
    return f"Your library: {said}" if named else sentence(said)
