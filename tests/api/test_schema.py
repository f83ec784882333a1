"""Schemathesis against the API's own OpenAPI schema, in process through ASGI, with all default checks:
every answer, errors included, is what the schema says, and no input ends in a server error. The server
asks for tokens, as one shared by listeners does, and every case sends a read token of the trained
listener: what would change data (an upload, deleting the profile) is answered 403, never done. The store
holds a catalog of 2,000 songs in place of the bundled 95,000, so that each new question about
recommendations scores a fiftieth of the rows (the route's answers are those of any catalog); that route
has fewer cases than the others, as each new question scores the catalog again."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from starlette.types import Receive, Scope, Send

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE, copy_of

DATA_DIR = Path(tempfile.mkdtemp(prefix="musicflow-schema-"))
APP = create_app(Settings(data_dir=DATA_DIR, api_rate_limit="1000000/minute"), access="tokens")
TOKEN: dict[str, str] = {}


async def started_once(scope: Scope, receive: Receive, send: Send) -> None:
    """The app, whose start-up and shut-down happen once for the module (`started`) and not once per
    operation, as schemathesis would do (it ends an app's lifespan after each test): each start opens the
    store and loads the model again, a second of the run's time fifteen times over."""
    if scope["type"] != "lifespan":
        return await APP(scope, receive, send)
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})
    return None


schema = schemathesis.openapi.from_asgi("/openapi.json", started_once)
pytestmark = pytest.mark.slow  # a hundred cases of every route


@pytest.fixture(scope="module", autouse=True)
def started(two_versions_listener: Path) -> Iterator[None]:
    """The trained store in place and the app started (store open, model loaded) for every case."""
    # Under xdist a worker may set this module up again after it was torn down, when the folder is gone.
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    copy_of(two_versions_listener, DATA_DIR)
    bundled_rows(2_000, offset=3_000).write_parquet(DATA_DIR / "small.parquet")
    with MusicFlow.open(Settings(data_dir=DATA_DIR)) as app:
        TOKEN["read"] = app.create_token(PROFILE).token
        app.remove_catalog("bundled")
        app.add_catalog(DATA_DIR / "small.parquet", "small")
    with TestClient(APP):
        yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


SCORES_A_CATALOG = "/api/recommendations/"  # each new question scores the catalog again


def fuzzed(examples: int) -> settings:
    """Hypothesis' settings of these tests: `examples` cases an operation, the same ones every run."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# How long an answer may take here: this checks what the answers hold, not how fast they come (the
# benchmarks measure that), and a machine running other tests beside it may take longer than
# schemathesis' default of 10 s to score a catalog for recommendations.
PATIENCE_S = 120


def called_with_a_read_token(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN['read']}"}, timeout=PATIENCE_S)


@schema.exclude(path=SCORES_A_CATALOG).parametrize()
@fuzzed(100)
def test_the_api_keeps_its_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    called_with_a_read_token(case)


@schema.include(path=SCORES_A_CATALOG).parametrize()
@fuzzed(10)
def test_the_recommendations_keep_their_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    called_with_a_read_token(case)
