"""The reasons about the listener's history of an artist, worded from the numbers the taste page shows.

The model sees the artist's streams without the song's own (so that a song does not explain itself); a
reason that said "you streamed this artist 11 times" beside a taste page showing 195 would contradict the
listener's own knowledge. So a reason about the artist states the history's own counts: every song of
the artist, this one included, and how many of them were this song.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

from musicflow.core.plurals import share, times
from musicflow.model.evidence import EVIDENCE, THIS_ARTIST
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
    if feature == EVIDENCE:
        return replace(contribution, words=contribution.words.replace(THIS_ARTIST, history.artist, 1))
    if feature in DATE_COLUMNS and history.artist_streams and _missing(contribution.value):
        first = feature == "artist_first_days"
        alone = "you know {} from this song alone" if first else "you have streamed no other song by {}"
        return replace(contribution, words=alone.format(history.artist))
    if feature in DATE_COLUMNS and history.artist_streams and history.artist_since is not None:
        if _month(history.artist_since) == _month(history.artist_until):  # first and last: one fact
            words = f"you streamed {history.artist} only in {_month(history.artist_since)}"
        elif feature == "artist_first_days":
            words = f"you have streamed {history.artist} since {_month(history.artist_since)}"
        else:
            words = f"you last streamed {history.artist} in {_month(history.artist_until)}"
        return replace(contribution, words=words)
    if feature not in HISTORY_COLUMNS:
        return contribution
    return replace(contribution, words=_words(feature, history))


def worded(contributions: Sequence[Contribution], history: SongHistory) -> list[Contribution]:
    """The reasons worded from `history` (`history_words`), a sentence said once: two reasons that say
    the same of the listener's history (the first and the last month they streamed an artist, when it
    is one month) are one, with both pushes, in the place their sum takes (thin evidence first). Where
    thin evidence is said, it counts the artist's songs: their count is not said again, the other way
    ("only 2 other songs by The Goo Goo Dolls" beside "you streamed 3 songs by The Goo Goo Dolls")."""
    merged: dict[str, Contribution] = {}
    leaned = any(c.feature == EVIDENCE for c in contributions)
    joined = False
    for contribution in contributions:
        if leaned and contribution.feature == "artist_songs":
            continue
        said = history_words(contribution, history)
        before = merged.get(said.words)
        if before is None:
            merged[said.words] = said
            continue
        joined = True
        streams = None if before.streams is None or said.streams is None else before.streams + said.streams
        merged[said.words] = replace(before, effect=before.effect + said.effect, streams=streams)
    if not joined:
        return list(merged.values())
    return sorted(merged.values(), key=lambda c: (c.feature != EVIDENCE, -abs(c.streams or 0.0)))


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
