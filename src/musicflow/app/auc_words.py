"""What an AUC means, in the words every front end uses for it (CLI, API, web page).

An AUC is the share of pairs (a song the listener streamed, one they did not) in which a model ranks the
streamed song higher, a tie counting half: 0.92 means 92 times in 100, and a coin toss does 50. It is
not how often the model is "right": say it one way, here, so no page says otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musicflow.model.reports import Evaluation

RANKS = "ranks a song you streamed above one you did not"
COIN_TOSS = "a coin toss does it 50 times in 100"


def times_in_100(auc: float) -> int:
    """An AUC as the number of pairs in 100 the streamed song is ranked higher."""
    return round(auc * 100)


def ranks_above(auc: float) -> str:
    """'ranks a song you streamed above one you did not 92 times in 100'."""
    return f"{RANKS} {times_in_100(auc)} times in 100"


ARTISTS_WHOSE = {True: "artists you stream", False: "artists new to you"}


def by_artist(evaluation: Evaluation, split_name: str = "time") -> dict[bool, float | None]:
    """The model's AUC on a split (the time split unless named) for songs by artists the listener streams
    (True) and by artists new to them (False): the subset a song of either kind belongs to (None where
    the test had too few)."""
    from musicflow.model.split_scores import KNOWN_ARTISTS, NEW_ARTISTS

    split = evaluation.split(split_name)
    groups = ((True, KNOWN_ARTISTS), (False, NEW_ARTISTS))
    return {known: split.headline(group, "auc") if split else None for known, group in groups}


def by_artist_words(known_artist: bool, auc: float | None) -> str | None:
    """'for songs by artists new to you, the model ranked one you streamed above one you did not 52 times
    in 100'; None without a figure for that subset."""
    if auc is None:
        return None
    return (
        f"for songs by {ARTISTS_WHOSE[known_artist]}, the model ranked one you streamed above one you did"
        f" not {times_in_100(auc)} times in 100"
    )


NO_TEST = "this model has no test on songs you heard after its training: take its answer as a rough guess"


def too_few_words(known_artist: bool) -> str:
    """What is said of a song when the model's test held too few songs like it to give a figure."""
    return (
        f"its test held too few songs by {ARTISTS_WHOSE[known_artist]} to say how sure it is of such a song:"
        " take its answer as a rough guess"
    )


def how_sure(evaluation: Evaluation) -> dict[bool, str]:
    """For songs by artists the listener streams (True) and new to them (False): how often the model,
    tested on songs first heard after its training data, ranked a song they streamed above one they did
    not (what a recommendation and a prediction say of it); where its test held too few such songs, or
    there was no test, that, so that every answer says how far to trust it."""
    from musicflow.model.split_scores import OURS

    split = evaluation.split("time")
    if split is None or split.headline(OURS, "auc") is None:
        return {True: NO_TEST, False: NO_TEST}
    figures = by_artist(evaluation).items()
    return {known: by_artist_words(known, auc) or too_few_words(known) for known, auc in figures}
