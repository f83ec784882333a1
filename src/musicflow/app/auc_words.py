"""What an AUC means, in the words every front end uses for it (CLI, API, web page).

An AUC is the share of pairs (a song the listener streamed, one they did not) in which a model ranks the
streamed song higher, a tie counting half: 0.92 means 92 times in 100, and a coin toss does 50. It is
not how often the model is "right": say it one way, here, so no page says otherwise.
"""

from __future__ import annotations

RANKS = "ranks a song you streamed above one you did not"
COIN_TOSS = "a coin toss does it 50 times in 100"


def times_in_100(auc: float) -> int:
    """An AUC as the number of pairs in 100 the streamed song is ranked higher."""
    return round(auc * 100)


def ranks_above(auc: float) -> str:
    """'ranks a song you streamed above one you did not 92 times in 100'."""
    return f"{RANKS} {times_in_100(auc)} times in 100"
