"""Predictions asked at the same moment, made together.

Under load, many clients' questions reach the server in one turn of its event loop. Made one by one,
each pays the fixed cost of a prediction (finding the song, the vectoriser, the model's tables: a few
dozen small numpy calls); made together, in one call of the one prediction path, that cost is paid once
for all of them: twenty songs in one list cost about half as much each as one song alone. A question
waits at most for the rest of the current turn (no timer): asked alone, it is made at once.

Only for a server that answers from this machine (`MusicFlow.answers_locally`): a question that may call
a network source is made in a worker thread, on its own, under its client's budget.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from musicflow.app.results import Prediction
from musicflow.app.service import MusicFlow
from musicflow.app.serving import ServingModel
from musicflow.core.songs import SongRequest
from musicflow.errors import MusicflowError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Asked:
    serving: ServingModel
    song: SongRequest
    answer: asyncio.Future[Prediction]


class AskedTogether:
    """Collects the questions of one turn of the event loop and answers them in one list per model."""

    def __init__(self, app: MusicFlow) -> None:
        self._app = app
        self._waiting: list[_Asked] = []

    async def predict(self, serving: ServingModel, song: str, artist: str) -> Prediction:
        """This song's prediction by `serving`, made with the others asked in this turn; a song that
        cannot be predicted raises the error it would raise asked alone."""
        loop = asyncio.get_running_loop()
        asked = _Asked(serving, SongRequest(song, artist), loop.create_future())
        if not self._waiting:
            loop.call_soon(self._answer_all)  # after the requests already running in this turn
        self._waiting.append(asked)
        return await asked.answer

    def _answer_all(self) -> None:
        waiting, self._waiting = self._waiting, []
        by_model: dict[int, list[_Asked]] = {}
        for asked in waiting:
            by_model.setdefault(id(asked.serving), []).append(asked)
        for together in by_model.values():
            self._answer(together)

    def _answer(self, together: Sequence[_Asked]) -> None:
        try:
            answers = self._app.predict_together(together[0].serving, [asked.song for asked in together])
        except Exception as exc:
            if len(together) == 1:
                _settle(together[0].answer, exc)
                return
            # Something no song's answer expected went wrong: each song alone, so that it reaches only
            # the request whose song caused it.
            log.exception("%d predictions made together failed; made one by one", len(together))
            for asked in together:
                self._answer([asked])
            return
        for asked, answer in zip(together, answers, strict=True):
            _settle(asked.answer, answer)


def _settle(future: asyncio.Future[Prediction], answer: Prediction | MusicflowError | Exception) -> None:
    if future.done():  # the client went away
        return
    if isinstance(answer, Prediction):
        future.set_result(answer)
    else:
        future.set_exception(answer)
