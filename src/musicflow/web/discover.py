"""Recommendations for the page (`/discover`): what the application's answer looks like on the page.

The answer is the application's (`MusicFlow.recommendations`), kept there per listener and question for
as long as their model and the catalogs stay the same, so the page and the API share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.app.vocabulary import BUNDLED_CATALOG, DEFAULT_PER_ARTIST, streams_shown
from musicflow.core.plurals import listed
from musicflow.web import words

if TYPE_CHECKING:
    from musicflow.app.types import Recommendation, Recommendations

TOP = 20


@dataclass(frozen=True)
class Pick:
    song: str
    artist: str
    streams: float
    reasons: list[str]
    ranked_on: list[str] | None = None  # what besides the predicted streams ranks it: "popularity 84"

    @property
    def streams_shown(self) -> str:
        return streams_shown(self.streams)


@dataclass(frozen=True)
class Picks:
    """What the page shows; `catalogs` empty means none is imported yet (a message, not an error)."""

    version: int
    catalogs: list[str]
    entries: int  # the catalogs' rows (a song may have several)
    picks: list[Pick]
    per_artist: int = DEFAULT_PER_ARTIST
    ranked_by: str | None = None  # how the list is ranked, and why
    by_prediction: bool = True  # ranked by predicted streams
    # How sure the model is of a song depends only on whether its artist is one the listener streams:
    # said once under the list for each kind it holds, as `recommend` says it under its table.
    how_sure: list[str] | None = None

    @property
    def drawn_from(self) -> str:
        """The catalogs as a sentence names them: "the bundled catalog", "the catalogs bundled and mine"."""
        if self.catalogs == [BUNDLED_CATALOG]:
            return "the bundled catalog"
        if len(self.catalogs) == 1:
            return f"the catalog {self.catalogs[0]}"
        return f"the catalogs {listed(self.catalogs)}"


def pick_of(found: Recommendation) -> Pick:
    reasons = [f"{r.words} ({words.change(r)})" for r in found.reasons]
    if found.version_of:
        reasons.insert(0, found.version_of)
    beside = [f"{what} {value}" for what, value in found.shown_beside()]
    return Pick(found.song, found.artist_words, found.predicted_streams, reasons, beside)


def picks_of(answer: Recommendations) -> Picks:
    """The page's view of the application's answer (the one `GET /api/recommendations/` sends)."""
    return Picks(
        answer.model_version,
        answer.catalogs,
        answer.entries,
        [pick_of(found) for found in answer.items],
        answer.question.per_artist,
        answer.ranked_by,
        answer.by_prediction,
        answer.how_sure,
    )
