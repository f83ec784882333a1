"""Recommendations as one answer: the songs, the catalogs they were drawn from, how they were ranked and
which model said so, in one typed result with one JSON form (the CLI's `recommend --format json`, the
API's `GET /api/recommendations/`); the page renders the same result.

Recommending reads every row of the chosen catalogs (seconds over the bundled catalog), so an answer is
kept per listener and question, valid for one load of the listener's serving model
(`ServingModel.loaded`: a new champion, or their library changed) and one import of each catalog, every
imported one, not only those chosen (the entry a song of several is listed as is chosen among them all,
as `predict` looks): the page and the API, asked again, read it instead of scoring the catalogs again,
and a question for fewer songs reads the first songs of a longer list kept (`first_songs_of`).
A server makes a listener's default list ahead of the asking (`ListsAhead`), when their model is loaded
or retrained, so that the first look at Discover does not wait for that reading.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from musicflow.app.catalog_scoring import DEFAULT_PER_ARTIST, Recommendation, goes_on_another_way
from musicflow.errors import CatalogNotFoundError, Hint, MusicflowError

if TYPE_CHECKING:
    from musicflow.store.ports import CatalogInfo

log = logging.getLogger(__name__)
KEPT_ANSWERS = 32
CatalogKey = tuple[tuple[str, float, int], ...]  # each catalog's name, import time and rows


@dataclass(frozen=True)
class RecommendationQuestion:
    """What was asked: the catalogs (none: every imported one), how many songs, at most how many by one
    artist, whether other versions of songs streamed are left out, and whether to rank by predicted
    streams whatever was chosen for the listener."""

    catalogs: tuple[str, ...] = ()
    top: int = 20
    per_artist: int = DEFAULT_PER_ARTIST
    new_songs_only: bool = False
    by_prediction: bool = False


@dataclass(frozen=True)
class Recommendations:
    """The answer; `catalogs` empty means none is imported yet (nothing to recommend from)."""

    profile: str
    model_version: int
    catalogs: list[str]
    entries: int  # the chosen catalogs' rows (a song may have several)
    question: RecommendationQuestion
    items: list[Recommendation] = field(default_factory=list)

    @property
    def ranked_by(self) -> str | None:
        """How the list is ranked, and why (None when ranked by predicted streams with nothing to add)."""
        return self.items[0].ranked_by if self.items else None

    @property
    def by_prediction(self) -> bool:
        return self.items[0].by_prediction if self.items else True

    @property
    def how_sure(self) -> list[str]:
        """What the model's test says of songs like those listed, once per kind the list holds."""
        return list(dict.fromkeys(item.how_sure for item in self.items if item.how_sure))

    @property
    def note(self) -> str | None:
        """Why the list is empty, when it is."""
        if self.items:
            return None
        if not self.catalogs:
            return "no catalog is imported yet, so there is nothing to pick from"
        return f"every song of {', '.join(self.catalogs)} is one you already played"

    def as_document(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "model_version": self.model_version,
            "catalogs": self.catalogs,
            "entries": self.entries,
            "top": self.question.top,
            "per_artist": self.question.per_artist,
            "new_songs_only": self.question.new_songs_only,
            "ranked_by": self.ranked_by,
            "by_prediction": self.by_prediction,
            "how_sure": self.how_sure,
            "note": self.note,
            "recommendations": [item.as_document() for item in self.items],
        }


Asked = tuple[str, RecommendationQuestion]  # the listener, and what they asked
Kept = tuple[int, CatalogKey, "Recommendations"]  # the model load and catalogs it holds for, the answer


def chosen_catalogs(imported: Sequence[CatalogInfo], names: Sequence[str]) -> list[CatalogInfo]:
    """The catalogs asked for, in the order asked (none asked: every imported one); an unknown name is
    an error that says how to list them."""
    if not names:
        return list(imported)
    known = {c.name: c for c in imported}
    for name in names:
        if name not in known:
            raise CatalogNotFoundError(f"no catalog named '{name}'", hint=Hint.LIST_CATALOGS)
    return [known[name] for name in dict.fromkeys(names)]


class KeptRecommendations:
    """The last answers, by listener and question; safe to share between a server's threads. One answer
    is computed at a time (each reads the whole catalog); one kept is returned at once."""

    def __init__(self, size: int = KEPT_ANSWERS) -> None:
        self._size = size
        self._kept: OrderedDict[Asked, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._computing = threading.Lock()

    def answer(
        self,
        profile: str,
        question: RecommendationQuestion,
        loaded: int,
        catalogs: Sequence[CatalogInfo],
        make: Callable[[], Recommendations],
        still_loaded: Callable[[], int],
    ) -> Recommendations:
        """The answer kept for this load of the listener's model and these catalog imports (`catalogs`:
        every imported one), else `make`'s, kept unless the model changed while it was made (never an
        answer kept under another model)."""
        where = (profile, question)
        identity: CatalogKey = tuple((c.name, c.imported_at, c.rows) for c in catalogs)
        kept = self._fresh(where, loaded, identity)
        if kept is not None:
            return kept
        with self._computing:
            kept = self._fresh(where, loaded, identity)
            if kept is not None:
                return kept
            made = make()
            if still_loaded() == loaded:
                with self._lock:
                    self._kept[where] = (loaded, identity, made)
                    self._kept.move_to_end(where)
                    while len(self._kept) > self._size:
                        self._kept.popitem(last=False)
            return made

    def forget(self, profile: str) -> None:
        """Drop the answers kept for a profile (its data was deleted)."""
        with self._lock:
            for where in [where for where in self._kept if where[0] == profile]:
                del self._kept[where]

    def _fresh(self, where: Asked, loaded: int, identity: CatalogKey) -> Recommendations | None:
        """The answer kept for this question, else the first songs of one kept for a longer list that
        begins with them (`first_songs_of`), for this load of the model and these catalog imports."""
        profile, asked = where
        with self._lock:
            exact = self._kept.get(where)
            held = [exact] if exact is not None else []
            held += [
                kept
                for (whose, longer), kept in self._kept.items()
                if whose == profile and first_songs_of(longer, asked)
            ]
        made = next((kept[2] for kept in held if kept[0] == loaded and kept[1] == identity), None)
        if made is None or made.question == asked:
            return made
        return replace(made, question=asked, items=made.items[: asked.top])


def first_songs_of(longer: RecommendationQuestion, asked: RecommendationQuestion) -> bool:
    """Whether the list answering `longer` begins with the list answering `asked`: the same question for
    fewer songs, ranked the same way throughout. A list is its best songs in order, each artist's cap
    taken in that order, so its first songs are the shorter list's; but one longer than FIRST_OF_WAY
    songs, capped per artist and ranked the way chosen, goes on by another ranking after them and says
    so (`goes_on_another_way`), which a list of at most FIRST_OF_WAY does not."""
    if longer.top < asked.top or replace(longer, top=asked.top) != asked:
        return False

    def goes_on(question: RecommendationQuestion) -> bool:
        return goes_on_another_way(question.top, question.per_artist, by_prediction=question.by_prediction)

    return goes_on(longer) == goes_on(asked)


class ListsAhead:
    """Makes listeners' default lists (`make`: `MusicFlow.recommendations` with the default question) one
    after another in a thread of its own, started at the first `ask`. A listener asked for again before
    their turn is made once; a list already kept costs a look. `stop` lets the list being made finish
    on its own (the thread is a daemon: a process ending does not wait for it) and makes no other."""

    def __init__(self, make: Callable[[str], object]) -> None:
        self._make = make
        self._waiting: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._asked: set[str] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def ask(self, profile: str) -> None:
        with self._lock:
            if self._stopped or profile in self._asked:
                return
            self._asked.add(profile)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lists-ahead", daemon=True)
                self._thread.start()
        self._waiting.put(profile)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._waiting.put(None)

    def _run(self) -> None:
        while (profile := self._waiting.get()) is not None:
            with self._lock:
                self._asked.discard(profile)
                if self._stopped:
                    return
            started = time.perf_counter()
            try:
                self._make(profile)
            except MusicflowError as failed:  # no model yet, say: asked, the list says so itself
                log.debug("no list made ahead for '%s': %s", profile, failed)
                continue
            except Exception:  # a list made ahead is only a head start: asked, it is made
                if not self._stopped:  # a store closed under it is the server stopping, not a fault
                    log.warning("Discover's list for '%s' was not made ahead", profile, exc_info=True)
                continue
            log.info("Discover's list for '%s' is ready (%.1f s)", profile, time.perf_counter() - started)
