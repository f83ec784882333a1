"""Recent answers: a burst of the same question computes once, an answer is never older than its time to
live, a failure is nobody else's, and reuse can be turned off."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from musicflow.api.answers import AnswerKey, Made, RecentAnswers
from musicflow.errors import SongNotFoundError

KEY: AnswerKey = ("default", 2, "Blinding Lights", "The Weeknd")
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: a test process may already run an event loop in its main
    thread (Playwright's, once a browser test ran in the same worker)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Maker:
    """Makes numbered answers slowly, as a prediction in a worker thread does; counts its calls."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls = 0
        self.fail_first = fail_first

    async def __call__(self) -> Made[bytes]:
        self.calls += 1
        await asyncio.sleep(0.05)
        if self.fail_first and self.calls == 1:
            raise LookupError("that client's own trouble")
        return KEY, f"answer {self.calls}".encode()


def test_a_burst_of_the_same_question_computes_once():
    async def burst() -> list[bytes]:
        answers, make = RecentAnswers[bytes](ttl_s=5), Maker()
        bodies = await asyncio.gather(*(answers.answer(KEY, make) for _ in range(20)))
        assert make.calls == 1
        return bodies

    assert set(run(burst())) == {b"answer 1"}


def test_an_answer_is_made_again_once_its_time_is_up():
    async def ask() -> None:
        answers, make = RecentAnswers[bytes](ttl_s=0.3), Maker()
        assert await answers.answer(KEY, make) == b"answer 1"
        assert await answers.answer(KEY, make) == b"answer 1"
        await asyncio.sleep(0.35)
        assert await answers.answer(KEY, make) == b"answer 2"  # expired: never older than its ttl
        assert make.calls == 2

    run(ask())


def test_an_answer_asked_for_near_its_end_is_renewed_in_the_background():
    async def ask() -> None:
        answers, make = RecentAnswers[bytes](ttl_s=0.4), Maker()
        await answers.answer(KEY, make)
        await asyncio.sleep(0.25)  # inside its last half: given as it is, and made again meanwhile
        started = time.monotonic()
        assert await answers.answer(KEY, make) == b"answer 1"
        assert time.monotonic() - started < 0.04  # did not wait for the renewal
        await asyncio.sleep(0.1)
        assert make.calls == 2 and answers.get(KEY) == b"answer 2"

    run(ask())


def test_a_failed_answer_is_not_shared_and_not_kept():
    async def ask() -> tuple[object, object]:
        answers, make = RecentAnswers[bytes](ttl_s=5), Maker(fail_first=True)
        first, second = await asyncio.gather(
            answers.answer(KEY, make), answers.answer(KEY, make), return_exceptions=True
        )
        return first, second

    first, second = run(ask())
    assert isinstance(first, LookupError)
    assert second == b"answer 2"  # the waiter asked for itself


def test_no_reuse_when_the_time_to_live_is_zero():
    async def ask() -> int:
        answers, make = RecentAnswers[bytes](ttl_s=0), Maker()
        for _ in range(3):
            await answers.answer(KEY, make)
        return make.calls

    assert run(ask()) == 3


def test_a_renewal_that_failed_is_logged_without_the_song(caplog: pytest.LogCaptureFixture):
    class FailsAgain(Maker):
        async def __call__(self) -> Made[bytes]:
            made = await super().__call__()
            if self.calls > 1:
                raise SongNotFoundError("no source has features for 'Blinding Lights' by 'The Weeknd'")
            return made

    async def ask() -> None:
        answers, make = RecentAnswers[bytes](ttl_s=0.4), FailsAgain()
        await answers.answer(KEY, make)
        await asyncio.sleep(0.25)
        await answers.answer(KEY, make)  # renewed in the background, which fails
        await asyncio.sleep(0.15)

    with caplog.at_level(logging.DEBUG, logger="musicflow.api.answers"):
        run(ask())
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "could not be made again in advance: SongNotFoundError" in text
    assert "Blinding Lights" not in text and "Weeknd" not in text
