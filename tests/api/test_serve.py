"""`musicflow serve` as a real process: ready, answering, swapping models under load, stopping on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.conftest import within_one_rate_window
from tests.servers import free_port, wait_until_ready
from tests.trained import PROFILE

SONG = {"song": "Blinding Lights", "artist": "The Weeknd"}
MUSICFLOW = [sys.executable, "-m", "musicflow"]
STDERR: dict[int, IO[bytes]] = {}  # each server's stderr, by process id


@contextmanager
def serving(data_dir: Path, **settings: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`musicflow serve` on `data_dir` with these `MUSICFLOW_*` settings, once it is ready. Its stderr
    (the access log too: a line a request) goes to a file, which never fills up as a pipe would."""
    port = free_port()
    env = {**os.environ, "MUSICFLOW_DATA_DIR": str(data_dir), **settings}
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen([*MUSICFLOW, "serve", "--port", str(port)], env=env, stderr=stderr)
        STDERR[process.pid] = stderr
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, process)
            yield process, url
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            del STDERR[process.pid]


def stderr_of(process: subprocess.Popen[bytes]) -> str:
    """What the server wrote on stderr so far."""
    stderr = STDERR[process.pid]
    stderr.seek(0)
    return stderr.read().decode(errors="replace")


@pytest.fixture
def server(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    with serving(data_dir, MUSICFLOW_API_RATE_LIMIT="100000/minute") as started:
        yield started


@pytest.mark.slow
def test_a_client_on_loopback_cannot_name_itself_in_forwarded_for(data_dir: Path):
    """No proxy is configured: X-Forwarded-For names nobody, even sent from the server's own machine."""
    with serving(data_dir, MUSICFLOW_API_RATE_LIMIT="2/minute") as (_, url):
        within_one_rate_window()
        statuses = [
            httpx.get(f"{url}/api/prediction/", params=SONG, headers={"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(3)
        ]
    assert [answer.status_code for answer in statuses] == [200, 200, 429]


def predictions_of_each_version(data_dir: Path) -> dict[int, float]:
    """What each version predicts, asked of a fresh application after promoting it (v2 ends champion)."""
    found: dict[int, float] = {}
    for version in (1, 2):
        with MusicFlow.open(Settings(data_dir=data_dir)) as app:
            app.promote(PROFILE, str(version))
        with MusicFlow.open(Settings(data_dir=data_dir)) as app:
            made = app.predict(PROFILE, SONG["song"], SONG["artist"])
            found[made.model_version] = made.streams
    return found


@pytest.mark.slow
def test_serve_answers_swaps_models_under_load_and_stops_on_sigterm(server, data_dir: Path):
    process, url = server
    ready = httpx.get(f"{url}/api/health/ready")
    assert ready.status_code == 200 and ready.json()["model_version"] == 2
    assert httpx.get(f"{url}/api/prediction/", params=SONG).json()["model_version"] == 2
    expected = predictions_of_each_version(data_dir)  # v1 and v2 predict differently; v2 stays champion
    assert expected[1] != expected[2]

    answers: list[tuple[int, float]] = []
    failures: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            while not stop.is_set():
                response = client.get("/api/prediction/", params=SONG)
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text}")
                    continue
                body = response.json()
                answers.append((body["model_version"], body["prediction"]))

    def more_answers(count: int = 40, timeout_s: float = 10.0) -> None:
        """Until `count` more answers came in (each swap happens under load), or `timeout_s` passed."""
        wanted, deadline = len(answers) + count, time.monotonic() + timeout_s
        while len(answers) < wanted and not failures and time.monotonic() < deadline:
            time.sleep(0.05)

    clients = [threading.Thread(target=ask) for _ in range(8)]
    for thread in clients:
        thread.start()

    def served(version: int, timeout_s: float = 30.0) -> None:
        """Until an answer made after this call names `version` (a swap loads the model beside the old
        one, which keeps answering meanwhile), or `timeout_s` passed."""
        seen, deadline = len(answers), time.monotonic() + timeout_s
        while not failures and time.monotonic() < deadline:
            if any(v == version for v, _ in answers[seen:]):
                return
            time.sleep(0.05)

    with MusicFlow.open(Settings(data_dir=data_dir)) as elsewhere:  # another process, as `musicflow models`
        for move, then in (("promote", 1), ("rollback", 2), ("promote", 1)):
            more_answers()
            if move == "promote":
                elsewhere.promote(PROFILE, "1")
            else:
                elsewhere.rollback(PROFILE)
            served(then)
    more_answers()
    stop.set()
    for thread in clients:
        thread.join()

    assert not failures
    assert {version for version, _ in answers} == {1, 2}
    for version, streams in answers:
        assert streams == round(expected[version], 2), f"v{version} answered {streams}"
    deadline = time.monotonic() + 20  # the last promotion serves, once its model is loaded beside the old
    while httpx.get(f"{url}/api/prediction/", params=SONG).json()["model_version"] != 1:
        assert time.monotonic() < deadline, "the last promotion is not served"
        time.sleep(0.2)

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert "Traceback" not in stderr_of(process)


@pytest.mark.slow
def test_serve_prints_the_access_log_with_no_flag(data_dir: Path):
    """One line a request on stderr, as `musicflow serve` starts by default: method, path, status,
    time and profile; no query string, no client address, no token."""
    with serving(data_dir) as (process, url):
        asked = {**SONG, "profile": "someone"}
        httpx.get(f"{url}/api/prediction/", params=asked, headers={"Authorization": "Bearer tok-secret"})
        httpx.get(f"{url}/api/prediction/", params=SONG)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        stderr = stderr_of(process)
    logged = [line for line in stderr.splitlines() if " ms profile=" in line]
    assert "GET /api/health/ready 200" in logged[0]  # the test's own probe, before
    moment = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(rf"{moment} GET /api/prediction/ 404 \d+\.\d ms profile=someone", logged[-2])
    assert re.fullmatch(rf"{moment} GET /api/prediction/ 200 \d+\.\d ms profile={PROFILE}", logged[-1])
    assert "127.0.0.1" not in "\n".join(logged) and "Blinding" not in stderr and "tok-secret" not in stderr
