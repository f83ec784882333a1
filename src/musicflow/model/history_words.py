"""The reasons about the listener's history of an artist, worded from the numbers the taste page shows.

The model sees the artist's streams without the song's own (so that a song does not explain itself); a
reason that said "you streamed this artist 11 times" beside a taste page showing 195 would contradict the
listener's own knowledge. So a reason about the artist states the history's own counts: every song of
the artist, this one included, and how many of them were this song.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from musicflow.core.plurals import share, times
from musicflow.model.explain import Contribution
from musicflow.model.listener import SongHistory

HISTORY_COLUMNS = frozenset({"artist_streams", "artist_songs", "artist_share"})
# The dates of the artist's other songs: none when this song is the only one streamed, which the
# model's own words ("you have not discovered this artist yet") would deny.
DATE_COLUMNS = frozenset({"artist_first_days", "artist_last_days"})


def history_words(contribution: Contribution, history: SongHistory) -> Contribution:
    """The contribution with words from `history` when it is about the artist's streams, songs or share,
    or about when the listener first or last streamed the artist: the month itself ("you have streamed
    Ed Sheeran since May 2019"), where the model's column only says whether that was more or less long
    before the history's end than for most songs (a listener whose history is one year long had found
    most of their artists in its first weeks, which "recently" would misname)."""
    feature = contribution.feature
    if feature in DATE_COLUMNS and history.artist_streams and _missing(contribution.value):
        first = feature == "artist_first_days"
        alone = "you know {} from this song alone" if first else "you have streamed no other song by {}"
        return replace(contribution, words=alone.format(history.artist))
    if feature in DATE_COLUMNS and history.artist_streams and history.artist_since is not None:
        if feature == "artist_first_days":
            words = f"you have streamed {history.artist} since {_month(history.artist_since)}"
        else:
            words = f"you last streamed {history.artist} in {_month(history.artist_until)}"
        return replace(contribution, words=words)
    if feature not in HISTORY_COLUMNS:
        return contribution
    return replace(contribution, words=_words(feature, history))


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _words(feature: str, history: SongHistory) -> str:
    """Each column its own sentence, an artist never streamed included: no answer says one thing twice."""
    artist = history.artist
    if not history.artist_streams:
        return {
            "artist_streams": f"you have never streamed {artist}",
            "artist_songs": f"no song by {artist} is among the songs you stream",
        }.get(feature, f"{artist} is none of what you stream")
    if feature == "artist_streams":
        other = history.artist_streams - history.song_streams
        if history.song_streams and other:
            return f"you streamed {artist} {times(history.artist_streams)}, {other:,} of them other songs"
        if history.song_streams == 1:
            return f"you streamed {artist} once: this song"
        if history.song_streams:
            return f"you streamed {artist} {times(history.artist_streams)}, all of them this song"
        return f"you streamed {artist} {times(history.artist_streams)}"
    if feature == "artist_songs":
        songs = history.artist_songs
        return f"you streamed {songs:,} song{'' if songs == 1 else 's'} by {artist}"
    return f"{artist} is {share(history.artist_share)} of what you stream"


def _month(moment: int | None) -> str:
    """The month of an epoch time in UTC, as "May 2019" (the export's times are UTC)."""
    if moment is None:
        return "a month not known"
    return time.strftime("%B %Y", time.gmtime(moment))
