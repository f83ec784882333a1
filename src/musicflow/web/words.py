"""What the pages say: numbers turned into sentences a person reads at a glance."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from musicflow.app.vocabulary import (
    COIN_TOSS,
    NO_TEST,
    by_artist_words,
    ranks_above,
    times_in_100,
    too_few_words,
)
from musicflow.core.plurals import sentence

if TYPE_CHECKING:
    from musicflow.app.types import Contribution, Standing

AFFINITY_ALONE = "artist affinity alone"
SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
SPOTIFY_LINK = re.compile(r"(?:open\.spotify\.com/(?:intl-[a-z]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")


def spotify_id_of(text: str) -> str | None:
    """The track id in a pasted Spotify link, URI or bare id; None when there is none."""
    text = text.strip()
    if SPOTIFY_ID.match(text):
        return text
    found = SPOTIFY_LINK.search(text)
    return found.group(1) if found else None


def duration(ms: float) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def change(reason: Contribution) -> str:
    """What a reason changed in the predicted streams, as the prediction is written: "+0.84 streams",
    "-4.14 streams" (the prediction without it would be that much lower, or higher); only which way,
    where that was not measured."""
    if reason.streams is None:
        return reason.arrow
    moved = reason.streams
    unit = "stream" if round(abs(moved), 2) == 1 else "streams"
    return f"{moved:+.2f} {unit}"


def moved(reason: Contribution) -> float:
    """How far a chart draws a reason: what it changed in streams where measured, else its push."""
    return reason.effect if reason.streams is None else reason.streams


def how_sure(standing: Standing | None, known_artist: bool, alone_in: str | None = None) -> str:
    """The model's evaluation on the time split, for songs like this one (by an artist the listener
    streams, or new to them: `known_artist`), in one or two plain sentences. The figure is that subset's,
    the one the recommendations quote too (`auc_words.by_artist_words`); where the test had too few such
    songs, the page says so rather than quote the overall one. `alone_in`: the artist of a song the
    listener streamed, and no other song of theirs; the model sees it as a song by an artist new to
    them, which the page says, as "songs by artists new to you" alone would be false to them."""
    said = _how_sure(standing, known_artist)
    if alone_in is None or known_artist or not standing or not standing.ours or standing.ours.auc is None:
        return said
    return f"{said} {alone_in} counts as new to you here: you streamed {alone_in} in this song alone."


def _how_sure(standing: Standing | None, known_artist: bool) -> str:
    ours = standing.ours if standing else None
    if standing is None or ours is None or ours.auc is None:
        return f"{sentence(NO_TEST)}."
    auc = standing.by_artist.get(known_artist)
    said = by_artist_words(known_artist, auc)
    if auc is None or said is None:
        return f"{sentence(too_few_words(known_artist))}."
    reference = standing.reference(AFFINITY_ALONE)
    base = reference.auc if reference and reference.auc is not None else None
    # What the taste page says too: never "reliable" where the artist history alone is as good (of an
    # artist new to the listener, their artist history says nothing: no comparison there).
    than = against_history(ours.auc, base) if known_artist else None
    if than is not None:
        level = f"a hint {than} your artist history alone"
    else:
        level = "a fairly reliable hint" if auc >= 0.75 else "a useful hint" if auc >= 0.65 else "a weak hint"
        if auc <= COIN_TOSS_AT:  # 0.51: "a weak hint" would claim what a coin toss does as well
            level = "no more of a hint than a coin toss"
    return f"It gives {level}: {said} (AUC {auc:.2f}; {COIN_TOSS})."


COIN_TOSS_AT = 0.55  # an AUC this near 0.5 is within what the seeds of one test move it (README's spreads)


def against_history(ours: float, base: float | None) -> str | None:
    """How the model compares with the listener's artist history alone when it is not clearly better
    ("barely better than", "no better than"); None when it is, or when there is nothing to compare."""
    if base is None or ours > base + 0.01:
        return None
    return "barely better than" if ours > base else "no better than"


# Where the test songs a listener did not stream came from, in their words.
ZERO_WORDS = {
    "others": "songs other listeners in this store streamed",
    "shipped": "songs other people streamed, from the list MusicFlow ships",
    "catalog": "catalog songs",
    "skipped": "songs you skipped",
}


def listed_zeros(zeros: dict[str, int]) -> str:
    """Where the songs a listener did not stream came from, most first: 'songs other people streamed,
    from the list MusicFlow ships'."""
    kinds = sorted(zeros.items(), key=lambda item: -item[1])
    return " and ".join(ZERO_WORDS.get(kind, kind) for kind, _ in kinds)


def tested_on(standing: Standing) -> str:
    """What the model was tested on, the listener's songs apart from the zeros: '1,139 songs you first
    heard after its training data and 1,505 you did not stream (songs other listeners ... streamed)'."""
    zeros = sum(standing.zeros.values())
    kinds = "; ".join(
        f"{ZERO_WORDS.get(kind, kind)}: {count:,}" if len(standing.zeros) > 1 else ZERO_WORDS.get(kind, kind)
        for kind, count in sorted(standing.zeros.items(), key=lambda item: -item[1])
    )
    streamed = f"{standing.streamed_songs:,} songs you first heard after its training data"
    return f"{streamed} and {zeros:,} you did not stream ({kinds})" if zeros else streamed


def what_it_means(standing: Standing | None) -> str:
    """The sentence under the evaluation chart on the taste page."""
    if standing is None or standing.ours is None or standing.ours.auc is None:
        return "There is no evaluation yet: train a model to see how well it knows your taste."
    ours = standing.ours.auc
    reference = standing.reference(AFFINITY_ALONE)
    base = reference.auc if reference and reference.auc is not None else None
    said = f"On songs new to you, the model {ranks_above(ours)}"
    if base is None:
        return f"{said} ({COIN_TOSS})."
    than = against_history(ours, base)
    if than is None:
        return (
            f"{said}, your artist history alone {times_in_100(base)}: what the model knows of the song "
            "itself adds to what your favourite artists already say."
        )
    return (
        f"{said}, {than} your artist history alone ({times_in_100(base)} times in 100): it mostly knows "
        "who you like, not what you like to hear."
    )
