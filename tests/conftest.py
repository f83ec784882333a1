"""Shared fixtures: isolated settings, a store on each backend, the public data beside the repository, the
demo listener built once per session (see tests/trained.py) and `musicflow demo` run once per session.

scripts/test.sh runs the tests on pytest-xdist workers (`-n auto --dist worksteal`): what a session builds
once is then built once per run and shared by the workers (`tests.trained.shared_folder`), or started by
the one worker that runs the tests needing it (`WORKER_ONCE`). `pytest -n 0` runs them in one process."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from filelock import FileLock
from sqlalchemy import create_engine, text

from musicflow.config import Settings
from musicflow.store import open_store
from musicflow.store.sql import SqlStore
from tests import numba_cache
from tests.lists_made import ListsMade
from tests.trained import shared_folder

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
POSTGRES_URL_ENV = "MUSICFLOW_TEST_DATABASE_URL"
IN_CI = os.environ.get("CI") == "true"
# librosa's numba functions: each test process keeps a cache of its own (set before anything imports
# librosa), a copy of the one the run's warm-up compiled (tests/numba_cache.py).
# A cache named by a developer stays theirs; one set by the controller (which pytest-xdist's workers
# inherit) gives way to the worker's own.
_PROCESS = os.environ.get("PYTEST_XDIST_WORKER") or "main"
_OWN_NUMBA_CACHE = os.environ.get("NUMBA_CACHE_DIR", str(numba_cache.SHARED)).startswith(
    str(numba_cache.SHARED)
)
if _OWN_NUMBA_CACHE:
    os.environ["NUMBA_CACHE_DIR"] = str(numba_cache.own_cache(_PROCESS))
# Fixtures that start other processes: `musicflow demo`, a Dask cluster, a browser. A test that uses one,
# itself or through another fixture, is marked `slow` (as are the tests that take seconds on their own):
# `pytest -m "not slow"` leaves them out.
PROCESS_FIXTURES = frozenset({"demo_run", "dask_client", "browser"})
# Fixtures that start something once per session, so once per pytest-xdist worker that uses them: the web
# page's app and its recommendations, a server and a browser; a Dask cluster. Under xdist the tests using
# them run first, those of one kind together: with `--dist worksteal` (scripts/test.sh) the first worker
# starts with them, and a worker out of work takes tests from the end of another's queue, never these.
# The tests using the demo's run (one per run) go with the web page's, which runs it: another worker would
# only wait for it.
WORKER_ONCE = ({"demo_run", "demo_app", "server", "browser"}, {"dask_client"})
UNDER_XDIST = "PYTEST_XDIST_WORKER" in os.environ


def pytest_configure(config: pytest.Config) -> None:
    """The run's first process (xdist's controller, or the only one) starts compiling librosa's functions
    in the background, once for every process of the run."""
    if _OWN_NUMBA_CACHE and not hasattr(config, "workerinput"):
        config.stash[_WARM_UP] = numba_cache.start_warm_up()


def pytest_unconfigure(config: pytest.Config) -> None:
    warm_up = config.stash.get(_WARM_UP, None)
    if warm_up is not None:
        numba_cache.stop_warm_up(warm_up)


_WARM_UP = pytest.StashKey["subprocess.Popen[str]"]()


@pytest.fixture(scope="session")
def compiled_audio() -> None:
    """librosa's functions compiled, in this process's own cache: for the tests that analyse audio."""
    if _OWN_NUMBA_CACHE:
        numba_cache.copy_shared_cache(_PROCESS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    if UNDER_XDIST:
        items.sort(key=_started_once_first)  # stable: in each kind, and the rest, the order stays


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing the tests and the libraries made lives until the end: kept out of the collector's
    full passes (as a started server keeps what it loaded), which would walk it again and again. Full
    passes took a sixth of the CPU time of the model and CLI tests; this saves about 7% of it. LightGBM and
    scikit-learn, which MusicFlow imports only to train (answering needs neither), are imported here
    first: most test processes train, and their modules are kept out of those passes too."""
    import lightgbm  # noqa: F401
    import sklearn.base  # noqa: F401

    gc.collect()
    gc.freeze()


def _started_once_first(item: pytest.Item) -> int:
    fixtures = set(getattr(item, "fixturenames", ()))
    return next((at for at, kind in enumerate(WORKER_ONCE) if kind & fixtures), len(WORKER_ONCE))


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test reads the developer's own settings or data; each gets an empty data directory."""
    for name in list(os.environ):
        if name.startswith("MUSICFLOW_") and name != POSTGRES_URL_ENV:
            monkeypatch.delenv(name)
    data_dir = tmp_path / "musicflow-data"
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", str(data_dir))
    # A server's lists made ahead would score the catalog behind every test's back (seconds of the
    # suite's two cores each); tests/api/test_lists_ahead.py turns it on.
    monkeypatch.setenv("MUSICFLOW_API_RECOMMEND_AHEAD", "false")
    return data_dir


@pytest.fixture
def lists_made(monkeypatch: pytest.MonkeyPatch) -> ListsMade:
    """Which listeners' recommendation lists are made during the test, as they are made."""
    return ListsMade(monkeypatch)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public data files in ../shared/data; required in CI, optional on a laptop without them.

    Session-wide so that module-wide fixtures built from the data apply the same rule.
    """
    if not SHARED_DATA.is_dir():
        if IN_CI:
            pytest.fail(f"CI needs the public data beside the repository at {SHARED_DATA}")
        pytest.skip(f"the public data is not at {SHARED_DATA}")
    return SHARED_DATA


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        if IN_CI:
            pytest.fail(f"CI must run the PostgreSQL tests: {POSTGRES_URL_ENV} is not set")
        pytest.skip(f"no PostgreSQL for tests: set {POSTGRES_URL_ENV} (scripts/test.sh does)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database URL whose connections see a schema of their own, dropped after the test."""
    base = _postgres_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh store on each backend: the same tests run against both."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "store")
    url = request.getfixturevalue("postgres_url")
    return Settings(data_dir=tmp_path / "store", database_url=url)


@pytest.fixture
def store(backend_settings: Settings) -> Iterator[SqlStore]:
    opened = open_store(backend_settings)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def catalog_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with nothing but the bundled catalog imported: shared, so copy it first."""
    from tests.trained import catalog_data_dir

    return catalog_data_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def ingested_listener(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo listener ingested with its features, no model: shared, so copy it before changing it."""
    from tests.trained import ingested_data_dir

    return ingested_data_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def trained_listener(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo listener with model v1: shared, so copy it (`trained.copy_of`) before changing it."""
    from tests.trained import trained_data_dir

    return trained_data_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def two_versions_listener(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo listener with models v1 and v2 (champion): shared, so copy it before changing it."""
    from tests.trained import two_versions_data_dir

    return two_versions_data_dir(tmp_path_factory)


@dataclass(frozen=True)
class DemoRun:
    done: subprocess.CompletedProcess[str]
    env: dict[str, str]
    data_dir: Path

    def save(self, path: Path) -> None:
        done = {"args": self.done.args, "returncode": self.done.returncode}
        done |= {"stdout": self.done.stdout, "stderr": self.done.stderr}
        path.write_text(json.dumps({"done": done, "env": self.env, "data_dir": str(self.data_dir)}))

    @classmethod
    def load(cls, path: Path) -> DemoRun:
        saved = json.loads(path.read_text())
        done = subprocess.CompletedProcess(**saved["done"])
        return cls(done, saved["env"], Path(saved["data_dir"]))


class DemoProcess:
    """`musicflow demo` as a user runs it, in a real process and a data dir of its own, wide enough that no
    table cell wraps; its output goes to files, read when it has finished."""

    def __init__(self, folder: Path) -> None:
        self.data_dir = folder / "musicflow-data"
        self.env = {name: value for name, value in os.environ.items() if not name.startswith("MUSICFLOW_")}
        self.env |= {"MUSICFLOW_DATA_DIR": str(self.data_dir), "COLUMNS": "60"}
        self.args = [sys.executable, "-m", "musicflow", "demo"]
        self._out, self._err = folder / "stdout.txt", folder / "stderr.txt"
        with self._out.open("w") as out, self._err.open("w") as err:
            self.process = subprocess.Popen(self.args, env=self.env, stdout=out, stderr=err, text=True)

    def finished(self, timeout_s: float = 300.0) -> DemoRun:
        code = self.process.wait(timeout=timeout_s)
        out, err = (path.read_text(encoding="utf-8") for path in (self._out, self._err))
        return DemoRun(subprocess.CompletedProcess(self.args, code, out, err), self.env, self.data_dir)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session", autouse=True)
def demo_process(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoProcess | None]:
    """`musicflow demo` started with the session when a test will use it: it takes seconds of one core, and
    runs beside the first tests on the other one. Not under pytest-xdist, whose workers keep both cores
    busy: there `demo_run` runs it in the first worker that needs it."""
    needed = any("demo_run" in getattr(item, "fixturenames", ()) for item in request.session.items)
    started = DemoProcess(tmp_path_factory.mktemp("demo")) if needed and not UNDER_XDIST else None
    yield started
    if started is not None:
        started.stop()


@pytest.fixture(scope="session")
def demo_run(demo_process: DemoProcess | None, tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`musicflow demo`, once per run: under pytest-xdist the first worker that needs it runs it, and the
    others read how it went. Its data dir is shared: copy it before changing it."""
    if demo_process is not None or not UNDER_XDIST:
        return _finished(demo_process or DemoProcess(tmp_path_factory.mktemp("demo")))
    root = shared_folder(tmp_path_factory)
    saved = root / "demo-run.json"
    with FileLock(root / "demo-run.lock"):
        if saved.exists():
            return DemoRun.load(saved)
        folder = root / "demo"
        folder.mkdir(exist_ok=True)
        run = _finished(DemoProcess(folder))
        run.save(saved)
    return run


def _finished(process: DemoProcess) -> DemoRun:
    try:
        return process.finished()
    finally:
        process.stop()
