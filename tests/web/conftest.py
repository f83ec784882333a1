"""The web page's fixtures: the demo listener as `musicflow demo` leaves it (run once per session), `musicflow
serve` on it as a subprocess, and one headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from musicflow.app.catalog_scoring import Recommendation
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.web.discover import TOP
from tests.conftest import IN_CI, REPO, DemoRun
from tests.servers import free_port, wait_until_ready

PROFILE = "demo"
# The server counts the taste page's hours in a zone far from UTC, as a listener in New Zealand sets it.
SERVER_ZONE = "Pacific/Auckland"
SCRIPT_SONG = "<script>alert(1)</script>"
SCRIPT_ARTIST = "Mallory <b>& Co</b>"
CHROMIUM = Path(os.environ.get("MUSICFLOW_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("MUSICFLOW_ARTIFACTS") or REPO / ".artifacts") / "screenshots"
ODD_CATALOG = (
    "track_name,artist_name,danceability,energy,loudness,speechiness,acousticness,instrumentalness,"
    "liveness,valence,tempo,duration_ms\n"
    f'"{SCRIPT_SONG}","{SCRIPT_ARTIST}",0.61,0.83,-5.2,0.05,0.02,0.0,0.12,0.44,128.0,201000\n'
)


def demo_settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'musicflow.db'}",
        feature_sources=["catalog"],
    )


@pytest.fixture(scope="session")
def demo_dir(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo export ingested, its features from the bundled catalog and a model of the demo listener
    trained, by `musicflow demo` itself (run once per session), plus one catalog of odd titles."""
    assert demo_run.done.returncode == 0, demo_run.done.stderr
    data_dir = tmp_path_factory.mktemp("web-demo")
    shutil.copytree(demo_run.data_dir, data_dir, dirs_exist_ok=True)
    odd = data_dir / "odd-titles.csv"
    odd.write_text(ODD_CATALOG, encoding="utf-8")
    with MusicFlow.open(demo_settings(data_dir)) as app:
        app.add_catalog(odd, "odd-titles")
    return data_dir


@pytest.fixture
def copied(demo_dir: Path, tmp_path: Path) -> Iterator[MusicFlow]:
    """A copy of the demo listener's data, for changes the other tests must not see."""
    data_dir = tmp_path / "copy"
    shutil.copytree(demo_dir, data_dir)
    with MusicFlow.open(demo_settings(data_dir)) as app:
        yield app


@pytest.fixture(scope="session")
def demo_app(demo_dir: Path) -> Iterator[MusicFlow]:
    with MusicFlow.open(demo_settings(demo_dir)) as app:
        yield app


@pytest.fixture(scope="session")
def demo_picks(demo_app: MusicFlow) -> list[Recommendation]:
    """What the application layer recommends to the demo listener on `/discover`, asked once (it scores
    the whole bundled catalog): the pages must show these."""
    return demo_app.recommend(PROFILE, TOP)


@contextmanager
def serving(data_dir: Path, **env_settings: str) -> Iterator[str]:
    """`musicflow serve --profile demo` on `data_dir` in its own process on loopback; its base URL. Stopped
    with SIGTERM, as a service manager does, and it must exit cleanly."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSICFLOW_")}
    env |= {
        "MUSICFLOW_DATA_DIR": str(data_dir),
        "MUSICFLOW_DATABASE_URL": f"sqlite:///{data_dir / 'musicflow.db'}",
        "MUSICFLOW_FEATURE_SOURCES": "catalog",
        "MUSICFLOW_WEB_SESSION_SECRET": secrets.token_urlsafe(32),
        **env_settings,
    }
    command = [sys.executable, "-m", "musicflow", "serve", "--profile", PROFILE, "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process)
        yield base
    finally:
        process.terminate()
        stopped = process.wait(timeout=20)
    assert stopped == 0, f"musicflow serve exited with {stopped} on SIGTERM"


@pytest.fixture(scope="session")
def server(demo_dir: Path) -> Iterator[str]:
    """The demo listener served for the session, hours counted in a zone far from UTC. Its schedule is off:
    after the catalog of odd titles was added, the refresh it queued at start-up asked every song again
    and trained a v2 about a minute in, so a test's answer depended on when it ran ("Model v2 answered")."""
    with serving(demo_dir, MUSICFLOW_TIME_ZONE=SERVER_ZONE, MUSICFLOW_RETRAIN_EVERY_HOURS="0") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the module's tests (Playwright never downloads a browser here).

    Not for the session: while Playwright's sync API is started, this thread has an event loop running,
    and a later test's `asyncio.run` (tests/api/test_answers.py) would refuse to start."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"CI needs Chromium at {CHROMIUM}: bash scripts/install-chromium.sh")
        pytest.skip(f"no Chromium at {CHROMIUM}: bash scripts/install-chromium.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if ARTIFACTS.is_dir() and any(ARTIFACTS.glob("*.png")):
        terminalreporter.write_line(f"web page screenshots: {ARTIFACTS}")
