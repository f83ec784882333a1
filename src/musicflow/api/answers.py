"""Predictions already answered, reused for a few seconds: a popular song is asked about again and again,
and its answer only changes when the champion moves, the song's features are fetched anew, or time
passes (how recently the listener played its artist). Kept as the response's bytes, keyed by the model
version that made it, so a swap is never hidden and a reused answer still names the version that made
it; for at most `ttl_s` seconds (0 turns the reuse off) and at most `size` answers.

Work that touches the store runs in worker threads; while the event loop is busy those threads get the
interpreter only now and then, so a request that waits for one can wait long. Hence an answer asked for
in its last second is made again in the background while the current one is still given, and when an
answer is missing while many clients ask for it, one request makes it and the others wait for that one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from musicflow.app.prediction_log import Given

AnswerKey = tuple[str, int, str, str]
V = TypeVar("V")
Made = tuple[AnswerKey, V]
Maker = Callable[[], Awaitable[Made[V]]]
Answered = tuple[bytes, "Given"]  # a prediction's response body, and the prediction as the log keeps it

log = logging.getLogger(__name__)


class RecentAnswers(Generic[V]):
    """Recent answers (a response's body, with what the route keeps beside it) by (profile, the load of
    its serving model, song, artist): a new champion or a new library of the listener is a new load."""

    def __init__(self, ttl_s: float, size: int = 4096) -> None:
        self._ttl_s = ttl_s
        self._renew_s = min(1.0, ttl_s / 2)
        self._size = size
        self._answers: dict[AnswerKey, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self._making: dict[AnswerKey, asyncio.Future[V | None]] = {}
        self._renewing: set[asyncio.Task[V]] = set()

    async def answer(self, key: AnswerKey, make: Maker[V]) -> V:
        """The recent answer for `key`, or the one `make` returns (with the key of what made it)."""
        if self._ttl_s <= 0:
            return (await make())[1]
        found = self._answers.get(key)
        now = time.monotonic()
        if found is not None and found[0] > now:
            if found[0] - now < self._renew_s and key not in self._making:
                self._renew(key, make)
            return found[1]
        making = self._making.get(key)
        if making is not None:
            shared = await asyncio.shield(making)
            if shared is not None:
                return shared
            return (await make())[1]  # that request failed; its error was its own: this one asks anew
        return await self._make(key, make)

    def _renew(self, key: AnswerKey, make: Maker[V]) -> None:
        renewing = asyncio.get_running_loop().create_task(self._make(key, make))
        self._renewing.add(renewing)
        renewing.add_done_callback(self._renewed)

    def _renewed(self, task: asyncio.Task[V]) -> None:
        self._renewing.discard(task)
        if not task.cancelled() and task.exception() is not None:  # its kind: its words name the song
            log.info("an answer could not be made again in advance: %s", type(task.exception()).__name__)

    async def _make(self, key: AnswerKey, make: Maker[V]) -> V:
        making = asyncio.get_running_loop().create_future()
        self._making[key] = making
        try:
            made_key, body = await make()
        except BaseException:
            making.set_result(None)
            raise
        finally:
            del self._making[key]
        self.put(made_key, body)
        making.set_result(body)
        return body

    def get(self, key: AnswerKey) -> V | None:
        found = self._answers.get(key)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]

    def forget(self, profile: str) -> None:
        """Drop every answer about the profile (its data was deleted)."""
        with self._lock:
            for key in [key for key in self._answers if key[0] == profile]:
                del self._answers[key]

    def put(self, key: AnswerKey, body: V) -> None:
        if self._ttl_s <= 0:
            return
        with self._lock:
            while len(self._answers) >= self._size:
                del self._answers[next(iter(self._answers))]
            self._answers.pop(key, None)  # to the back: the oldest answers go first
            self._answers[key] = (time.monotonic() + self._ttl_s, body)
