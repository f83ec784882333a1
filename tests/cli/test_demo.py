"""`musicflow demo` as a user runs it: the whole job in one real process, ending with how to see the model
in a browser; then that server, started as the demo says, answers and stops cleanly."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from musicflow.cli.demo import DEMO_SONGS as ASKED
from musicflow.model.predict import LOW_VERDICT, VERDICTS
from tests.conftest import DemoRun
from tests.servers import free_port, wait_until_ready

DEMO_SONGS = tuple(request.song for request in ASKED)
KNOWN_VERDICTS = {words for _, words in VERDICTS} | {LOW_VERDICT}
KNOWN_SONG = re.compile(  # a song in the history
    r"🔁 You have streamed it ([\d,]+ times|once) already"
    r"|⏭ You have played it ([\d,]+ times|once), never for 30 s or more"
)
Run = tuple[subprocess.CompletedProcess[str], dict[str, str], Path]


@pytest.fixture
def demo_run(demo_run: DemoRun) -> Run:
    """`musicflow demo`, run once per session (tests/conftest.py; the web page's tests use its data too)."""
    return demo_run.done, demo_run.env, demo_run.data_dir


def predicted_rows(out: str) -> dict[str, tuple[list[float], list[str]]]:
    """Each table row by its first cell: the cells that are numbers, and those that are verdicts."""
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if len(cells) > 1:
            numbers = [float(c) for c in cells if re.fullmatch(r"\d+(\.\d+)?", c)]
            verdicts = [c for c in cells if c in KNOWN_VERDICTS or KNOWN_SONG.fullmatch(c)]
            rows[cells[0]] = (numbers, verdicts)
    return rows


@pytest.mark.slow
def test_the_demo_runs_as_a_real_process(demo_run: Run):
    done, _, data_dir = demo_run
    assert done.returncode == 0, done.stderr
    assert "Ingested into profile 'demo'" in done.stdout
    assert "Top tracks of 'demo'" in done.stdout
    assert "Feature coverage of 'demo'" in done.stdout and "full audio features" in done.stdout
    assert "Model v1 registered and serving" in done.stdout
    assert "How much would this listener stream these? (model v1)" in done.stdout
    predicted = predicted_rows(done.stdout)
    for song in DEMO_SONGS:  # a failed prediction shows the song beside its error, with no number
        streams, verdicts = predicted[song]
        assert len(streams) == 1 and 0 <= streams[0] <= 30, predicted[song]
        assert len(verdicts) == 1, predicted[song]
        # The demo says it predicts songs the listener never played: a verdict of the model, not a count.
        assert verdicts[0] in KNOWN_VERDICTS, predicted[song]
    table = done.stdout.split("How much would this listener stream these?")[1]
    order = sorted(DEMO_SONGS, key=table.index)
    listed = [predicted[song][0][0] for song in order]
    assert listed == sorted(listed, reverse=True), order  # the most predicted streams first
    assert (data_dir / "musicflow.db").exists()


@pytest.mark.slow
def test_the_server_the_demo_tells_of_answers_and_stops_on_sigterm(demo_run: Run, tmp_path: Path):
    done, env, data_dir = demo_run
    assert done.returncode == 0, done.stderr
    # The demo's data dir is shared with other tests (which copy it, maybe meanwhile on another worker):
    # the server answering may store what it looked up, so it serves a copy of it.
    env = {**env, "MUSICFLOW_DATA_DIR": str(tmp_path / "demo-data")}
    shutil.copytree(data_dir, env["MUSICFLOW_DATA_DIR"])
    serve_line, open_line = done.stdout.strip().splitlines()[-2:]
    command = serve_line.split(": ", 1)[1]
    assert command == "musicflow serve --profile demo"
    assert open_line == "then open http://127.0.0.1:8000/"
    # Exactly that command; only the port is one that is free on this (shared) machine.
    port = free_port()
    argv = [sys.executable, "-m", *shlex.split(command), "--port", str(port)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = open_line.split()[-1].rstrip("/").replace(":8000", f":{port}")
    try:
        wait_until_ready(url, process)
        asked = ASKED[0]  # a song the demo listener never played: its verdict is a prediction's
        predicted = httpx.get(f"{url}/api/prediction/", params={"song": asked.song, "artist": asked.artist})
        assert predicted.status_code == 200, predicted.text
        body = predicted.json()
        assert body["profile"] == "demo" and body["model_version"] == 1
        assert 0 <= body["prediction"] <= 30
        message = f"{body['message']['emoji']} {body['message']['text']}"
        assert message in KNOWN_VERDICTS or KNOWN_SONG.fullmatch(message)
        assert body["history"]["song_streams"] == 0 or message.startswith("🔁")
        page = httpx.get(f"{url}/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'name="song"' in page.text and 'name="artist"' in page.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in process.communicate()[1]
