"""Which model answers a request, without making requests wait for the champion check.

The application checks the registry's champion at most once a second; that check is a store query, run
in a worker thread. A request that arrives when the check is due is answered by the model already loaded
(its answer names that version) while one check runs in the background: no request waits for it, and a
promotion made elsewhere is served from the request after the check has seen it. Only the first
request for a profile, with nothing loaded yet, waits for the model to load, and the first after its
plays or library changed (the answer must not quote the old ones).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from fastapi.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.app.types import ServingModel

log = logging.getLogger(__name__)


class ChampionWatch:
    """The serving model of each profile, checked against the champion in the background."""

    def __init__(self) -> None:
        self._checking: dict[str, asyncio.Task[ServingModel]] = {}

    async def serving(self, app: MusicFlow, profile: str) -> ServingModel:
        fresh = app.serving.current(profile)
        if fresh is not None:
            return fresh
        loaded = app.serving.loaded(profile)
        if loaded is None or app.serving.stale(profile):  # nothing loaded, or answers would quote old plays
            return await run_in_threadpool(app.serving.get, profile)
        if profile not in self._checking:
            checking = asyncio.get_running_loop().create_task(run_in_threadpool(app.serving.get, profile))
            self._checking[profile] = checking
            checking.add_done_callback(lambda done: self._checked(profile, done))
        return loaded

    def _checked(self, profile: str, done: asyncio.Task[ServingModel]) -> None:
        del self._checking[profile]
        if not done.cancelled() and done.exception() is not None:
            log.warning("profile '%s': the champion could not be checked: %s", profile, done.exception())
