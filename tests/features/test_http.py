"""The shared HTTP client, against a fake server that really listens: retries, rate limits, bad payloads."""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import logging
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from musicflow.core.clock import SystemClock
from musicflow.errors import (
    ConfigError,
    InvalidPayloadError,
    RateLimitedError,
    UpstreamAuthError,
    UpstreamError,
    UpstreamUnavailableError,
)
from musicflow.features.http import HttpOptions, JsonHttpClient
from musicflow.features.throttle import ThrottleOptions
from tests.fakes.clock import FakeClock
from tests.fakes.options import FAST_HTTP
from tests.fakes.reccobeats import AUDIO_PATH, FakeReccoBeats
from tests.fakes.server import Hang, Reset, Response, Slow, html_page, json_response

SONG_ID = "4uLU6hMCjMI75M1A2tKUQC"
PATH = "/audio-features"


@pytest.fixture
def server(reccobeats_server: FakeReccoBeats) -> FakeReccoBeats:
    reccobeats_server.add(SONG_ID)
    return reccobeats_server


def make_client(
    server: FakeReccoBeats, clock: FakeClock, rng: random.Random | None = None, **options: object
) -> JsonHttpClient:
    merged = dataclasses.replace(FAST_HTTP, **options)  # type: ignore[arg-type]
    return JsonHttpClient(
        source="testsource",
        base_url=server.base_url,
        clock=clock,
        options=merged,
        rng=rng or random.Random(1),
    )


class FixedDraw(random.Random):
    """Draws the same fraction every time, so a backoff shows the ceiling it is drawn under."""

    def __init__(self, fraction: float) -> None:
        super().__init__(0)
        self.fraction = fraction

    def random(self) -> float:
        return self.fraction


@pytest.fixture
def client(server: FakeReccoBeats, clock: FakeClock) -> Iterator[JsonHttpClient]:
    with make_client(server, clock) as made:
        yield made


def ask(client: JsonHttpClient) -> object:
    return client.get_json(PATH, params={"ids": SONG_ID}).body


def error(status: int) -> Response:
    return json_response(status, {"error": {"status": status, "message": f"failure {status}"}})


def test_server_errors_timeouts_and_resets_are_retried_until_an_answer(client, server, clock):
    server.script(AUDIO_PATH, error(500), Hang(2.0), Reset(), error(503))

    body = ask(client)

    assert isinstance(body, dict) and len(body["content"]) == 1
    assert server.count(AUDIO_PATH) == 5
    assert len(clock.sleeps) == 4  # one backoff per failure, on the injected clock


def test_backoff_grows_exponentially_up_to_the_cap(server, clock):
    server.script(AUDIO_PATH, *[error(500)] * 5)
    with make_client(
        server, clock, FixedDraw(1.0), backoff_base=1.0, backoff_cap=4.0, max_attempts=10
    ) as client:
        ask(client)

    assert clock.sleeps == pytest.approx([1.0, 2.0, 4.0, 4.0, 4.0])  # the ceilings themselves


def test_backoff_is_drawn_anywhere_under_its_ceiling(server, clock):
    server.script(AUDIO_PATH, *[error(500)] * 5)
    with make_client(
        server, clock, FixedDraw(0.25), backoff_base=1.0, backoff_cap=4.0, max_attempts=10
    ) as client:
        ask(client)
    assert clock.sleeps == pytest.approx([0.25, 0.5, 1.0, 1.0, 1.0])

    server.script(AUDIO_PATH, *[error(500)] * 5)
    jittered = FakeClock()
    with make_client(server, jittered, backoff_base=1.0, backoff_cap=4.0, max_attempts=10) as client:
        ask(client)
    ceilings = [1.0, 2.0, 4.0, 4.0, 4.0]
    fractions = [slept / ceiling for slept, ceiling in zip(jittered.sleeps, ceilings, strict=True)]
    assert all(0 <= f <= 1 for f in fractions) and len(set(fractions)) == 5  # full jitter: each its own draw


def test_retry_budget_spent_raises_unavailable_naming_source_and_last_failure(client, server):
    server.script(AUDIO_PATH, *[error(502)] * 20)

    with pytest.raises(UpstreamUnavailableError) as raised:
        ask(client)

    assert "testsource" in str(raised.value)
    assert "HTTP 502" in str(raised.value) and "failure 502" in str(raised.value)
    assert server.count(AUDIO_PATH) == FAST_HTTP.max_attempts


def test_time_budget_limits_retries_even_with_attempts_left(server, clock):
    server.script(AUDIO_PATH, *[error(500)] * 50)
    with (
        make_client(server, clock, retry_budget=10.0, backoff_base=2.0, max_attempts=50) as client,
        pytest.raises(UpstreamUnavailableError),
    ):
        ask(client)

    assert clock.slept <= 10.0
    assert server.count(AUDIO_PATH) < 50


@pytest.mark.parametrize(
    ("status", "error_type"), [(400, UpstreamError), (403, UpstreamAuthError), (404, UpstreamError)]
)
def test_client_errors_are_not_retried(client, server, clock, status, error_type):
    server.script(AUDIO_PATH, error(status))

    with pytest.raises(error_type) as raised:
        ask(client)

    assert f"HTTP {status}" in str(raised.value)
    assert not isinstance(raised.value, UpstreamUnavailableError)
    assert server.count(AUDIO_PATH) == 1
    assert clock.sleeps == []


def test_allowed_status_comes_back_to_the_caller(client, server):
    server.script(AUDIO_PATH, error(404))

    reply = client.get_json(PATH, params={"ids": SONG_ID}, allow={404})

    assert reply.status == 404
    assert reply.body == {"error": {"status": 404, "message": "failure 404"}}


def test_short_retry_after_in_seconds_is_slept_on_the_clock(client, server, clock):
    server.script(AUDIO_PATH, json_response(429, {}, {"Retry-After": "3"}))

    ask(client)

    assert clock.sleeps == [3.0]
    assert server.count(AUDIO_PATH) == 2


def test_short_retry_after_as_http_date_is_slept_on_the_clock(client, server, clock):
    when = email.utils.formatdate(clock.now() + 5, usegmt=True)
    server.script(AUDIO_PATH, json_response(429, {}, {"Retry-After": when}))

    ask(client)

    assert clock.sleeps == [pytest.approx(5.0)]


def test_long_retry_after_raises_rate_limited_with_resume_time_at_once(client, server, clock):
    server.script(AUDIO_PATH, json_response(429, {}, {"Retry-After": "7200"}))
    started = clock.now()

    with pytest.raises(RateLimitedError) as raised:
        ask(client)

    assert raised.value.source == "testsource"
    assert raised.value.resume_at == pytest.approx(started + 7200)
    assert clock.sleeps == []
    assert server.count(AUDIO_PATH) == 1


def test_long_retry_after_as_http_date_gives_that_date_as_resume_time(client, server, clock):
    resume = clock.now() + 5 * 3600
    server.script(
        AUDIO_PATH, json_response(429, {}, {"Retry-After": email.utils.formatdate(resume, usegmt=True)})
    )

    with pytest.raises(RateLimitedError) as raised:
        ask(client)

    assert raised.value.resume_at == pytest.approx(resume)


def test_endless_zero_retry_after_ends_as_unavailable(client, server):
    server.script(AUDIO_PATH, *[json_response(429, {}, {"Retry-After": "0"})] * 20)

    with pytest.raises(UpstreamUnavailableError, match="429"):
        ask(client)
    assert server.count(AUDIO_PATH) == FAST_HTTP.max_attempts


def test_a_base_url_that_is_not_http_is_a_config_error(clock):
    with (
        JsonHttpClient(source="testsource", base_url="ftp://example.org/v1", clock=clock) as client,
        pytest.raises(ConfigError, match="testsource"),
    ):
        ask(client)


def test_a_base_url_that_is_no_url_is_a_config_error(clock):
    with pytest.raises(ConfigError, match="testsource"):
        JsonHttpClient(source="testsource", base_url="http://[::1", clock=clock)


def test_429_without_retry_after_backs_off_and_retries(client, server, clock):
    server.script(AUDIO_PATH, json_response(429, {}), json_response(429, {}))

    ask(client)

    assert server.count(AUDIO_PATH) == 3
    assert len(clock.sleeps) == 2


def test_html_page_with_200_is_an_invalid_payload_not_retried(client, server):
    server.script(AUDIO_PATH, html_page(200))

    with pytest.raises(InvalidPayloadError) as raised:
        ask(client)

    assert "testsource" in str(raised.value) and "text/html" in str(raised.value)
    assert server.count(AUDIO_PATH) == 1


def test_broken_json_is_an_invalid_payload(client, server):
    server.script(AUDIO_PATH, Response(200, b'{"content": [', {"Content-Type": "application/json"}))

    with pytest.raises(InvalidPayloadError):
        ask(client)


def test_authorization_header_never_reaches_logs_or_errors(client, server, caplog):
    caplog.set_level(logging.DEBUG)
    server.script(AUDIO_PATH, *[error(500)] * 20)

    with pytest.raises(UpstreamUnavailableError) as raised:
        client.get_json(PATH, params={"ids": SONG_ID}, headers={"Authorization": "Bearer s3cr3t-t0ken"})

    assert "s3cr3t" not in caplog.text
    assert "s3cr3t" not in str(raised.value)


def run_long_job(server: FakeReccoBeats, clock: FakeClock, throttle: ThrottleOptions, requests: int) -> None:
    options = dataclasses.replace(FAST_HTTP, throttle=throttle, max_retry_after=60.0)
    with JsonHttpClient(
        source="testsource", base_url=server.base_url, clock=clock, options=options
    ) as client:

        def one(_: int) -> object:
            return ask(client)

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(one, range(requests)))


def test_throttle_keeps_a_long_concurrent_job_free_of_429(server, clock):
    server.rate_limit(10, 30.0, clock)

    run_long_job(server, clock, ThrottleOptions(max_requests=10, window_seconds=30.0), requests=60)

    assert server.statuses[429] == 0
    assert server.statuses[200] == 60
    assert clock.now() - 1_800_000_000.0 >= 5 * 30.0  # 60 requests at 10 per 30 s need 5 more windows


def test_the_same_job_without_throttle_meets_the_servers_limit(server, clock):
    server.rate_limit(10, 30.0, clock)

    with contextlib.suppress(RateLimitedError):  # threads sleeping on one fake clock can outrun the budget
        run_long_job(server, clock, ThrottleOptions(max_requests=0), requests=30)

    assert server.statuses[429] > 0


def test_throttle_holds_on_the_real_clock_with_threads_and_latency(server):
    real = SystemClock()
    server.rate_limit(8, 0.25, real)
    server.script(AUDIO_PATH, *[Slow(0.08)] * 6)  # slow answers: a slot counts until its answer came
    options = dataclasses.replace(FAST_HTTP, throttle=ThrottleOptions(max_requests=8, window_seconds=0.25))
    with (
        JsonHttpClient(source="testsource", base_url=server.base_url, clock=real, options=options) as client,
        ThreadPoolExecutor(max_workers=6) as pool,
    ):
        list(pool.map(lambda _: ask(client), range(40)))

    assert server.statuses[429] == 0
    assert server.statuses[200] == 40


def test_throttle_lets_a_short_job_through_without_waiting(server, clock):
    run_long_job(server, clock, ThrottleOptions(max_requests=10, window_seconds=30.0), requests=10)

    assert clock.sleeps == []


def test_options_are_plain_values_with_defaults():
    options = HttpOptions()
    assert options.max_retry_after < 3600 and options.retry_budget > 0 and options.read_timeout > 0
