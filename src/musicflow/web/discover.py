"""Recommendations for the page (`/discover`): the unplayed catalog songs with the best predictions.

Recommending reads every row of the chosen catalogs (seconds over the bundled catalog), so the answer is
computed once per listener, catalog choice, champion version and catalog import, and kept: a new
champion (train, promote, rollback) or a re-imported catalog makes a new key, and the next visit
computes afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.app.vocabulary import DEFAULT_PER_ARTIST
from musicflow.errors import CatalogNotFoundError, Hint
from musicflow.web import words

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.app.types import CatalogInfo, Recommendation

TOP = 20
KEPT_ANSWERS = 32
CatalogKey = tuple[tuple[str, float, int], ...]


@dataclass(frozen=True)
class Pick:
    song: str
    artist: str
    streams: float
    reasons: list[str]
    how_sure: str | None = None


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


def pick_of(found: Recommendation) -> Pick:
    reasons = [f"{r.words} ({words.change(r.effect)})" for r in found.reasons]
    if found.version_of:
        reasons.insert(0, found.version_of)
    return Pick(found.song, found.artist, found.predicted_streams, reasons, found.how_sure)


class KeptPicks:
    """The last answers, by listener and catalog choice, each valid for one load of the listener's serving
    model (`ServingModel.loaded`: a new champion, or their library changed) and catalog import;
    safe to share between the server's threads (one recommendation is computed at a time)."""

    def __init__(self, size: int = KEPT_ANSWERS) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str], tuple[int, CatalogKey, Picks]] = OrderedDict()
        self._lock = threading.Lock()

    def picks(self, app: MusicFlow, profile: str, catalog: str | None) -> Picks:
        """The listener's picks; raises the use case's errors (no such listener, no model, no catalog)."""
        serving = app.serving.get(profile)
        version, loaded = serving.version, serving.loaded  # a new library is a new load, same version
        chosen = _chosen(app.catalogs(), catalog)
        identity: CatalogKey = tuple((c.name, c.imported_at, c.rows) for c in chosen)
        where = (profile, catalog or "")
        kept = self._fresh(where, loaded, identity)
        if kept is not None:
            return kept
        with self._lock:
            kept = self._fresh(where, loaded, identity)
            if kept is not None:
                return kept
            names = [c.name for c in chosen]
            found = app.recommend(profile, TOP, names, DEFAULT_PER_ARTIST) if names else []
            entries = sum(c.rows for c in chosen)
            first = found[0] if found else None
            how = (first.ranked_by, first.by_prediction) if first is not None else (None, True)
            picks = Picks(version, names, entries, [pick_of(f) for f in found], DEFAULT_PER_ARTIST, *how)
            if app.serving.get(profile).loaded == loaded:  # never keep an answer under another model
                self._keep(where, (loaded, identity, picks))
            return picks

    def forget(self, profile: str) -> None:
        """Drop the picks kept for a profile (its data was deleted)."""
        with self._lock:
            for where in [where for where in self._kept if where[0] == profile]:
                del self._kept[where]

    def _fresh(self, where: tuple[str, str], loaded: int, identity: CatalogKey) -> Picks | None:
        kept = self._kept.get(where)
        if kept is None or kept[0] != loaded or kept[1] != identity:
            return None
        return kept[2]

    def _keep(self, where: tuple[str, str], answer: tuple[int, CatalogKey, Picks]) -> None:
        self._kept[where] = answer
        self._kept.move_to_end(where)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)


def _chosen(catalogs: list[CatalogInfo], catalog: str | None) -> list[CatalogInfo]:
    if not catalog:
        return catalogs
    named = [c for c in catalogs if c.name == catalog]
    if not named:
        raise CatalogNotFoundError(f"no catalog named '{catalog}'", hint=Hint.LIST_CATALOGS)
    return named
