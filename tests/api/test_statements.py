"""Each route reads each fact once: the SQL statements a request costs, counted, and a GET writes nothing.

Budgets: a prediction answered again within the answer window at most 1 statement; a song the store
holds (features cached) at most 3; a song it does not hold at most 4; `/api/features/` at most 2;
recommendations asked again at most 1 (the kept answer; the first question reads the catalogs). GET and
HEAD never INSERT, UPDATE or DELETE, and leave every table as it was; the predictions they give reach the
prediction log afterwards, written by its own thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, inspect, text

from musicflow.app.prediction_log import PredictionLogger
from musicflow.app.service import MusicFlow
from musicflow.core.songs import match_key
from musicflow.features.names import Credits
from tests.api.conftest import ClientFactory
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE

WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter")


def _engine(client: TestClient) -> Engine:
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    engine: Engine = app._store.engine  # type: ignore[attr-defined]
    return engine


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _tables(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in inspect(engine).get_table_names()
        }


@pytest.fixture
def client(api: ClientFactory) -> TestClient:
    started = _quiet(api)
    assert started.get("/api/prediction/", params={"song": "warm", "artist": "up"}).status_code == 404
    return started


def _quiet(api: ClientFactory) -> TestClient:
    """A server just started. A long champion check and answer window, and no job running beside the
    requests (a job the copied store had queued, taken up by the server's runner): the counts below are
    those of the request alone."""
    started = api(api_answer_ttl_s=60)
    started.app.state.jobs.stop()  # type: ignore[attr-defined]
    started.app.state.musicflow.serving._check_every_s = 3600  # type: ignore[attr-defined]
    started.app.state.musicflow._finder.index._check_every_s = 3600  # type: ignore[attr-defined]
    # The prediction log is written by its own thread, off the request path: here, only when asked.
    app: MusicFlow = started.app.state.musicflow  # type: ignore[attr-defined]
    log = app._store.prediction_log
    app._logger = PredictionLogger(log, app.clock, retention_days=365, flush_every_s=3600)
    return started


def _known(client: TestClient) -> tuple[str, str]:
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    top = app.top_streams(PROFILE, 1)[0]
    return top.track, top.artist


def _unknown() -> list[tuple[str, str]]:
    rows = bundled_rows(50, offset=7000).iter_rows(named=True)
    return [(r["song"], r["artists"].split("; ")[0]) for r in rows if r["song"] and r["artists"]][:3]


def test_each_route_stays_within_its_statement_budget(client: TestClient):
    engine = _engine(client)
    song, artist = _known(client)
    with counted(engine) as known:
        first = client.get("/api/prediction/", params={"song": song, "artist": artist})
    assert first.status_code == 200, first.text
    assert len(known) <= 3, known
    with counted(engine) as cached:
        again = client.get("/api/prediction/", params={"song": song, "artist": artist})
    assert again.json() == first.json()
    assert len(cached) <= 1, cached
    for never_song, never_artist in _unknown():
        with counted(engine) as unknown:
            answer = client.get("/api/prediction/", params={"song": never_song, "artist": never_artist})
        assert answer.status_code in (200, 404), answer.text
        assert len(unknown) <= 4, unknown
    with counted(engine) as features:
        found = client.get("/api/features/", params={"song": song, "artist": artist})
    assert found.status_code == 200 and found.json()["track"]["name"] == song
    assert len(features) <= 2, features
    with counted(engine) as scored:  # the first question reads the catalog, and writes nothing
        recommended = client.get("/api/recommendations/", params={"top": 3})
    assert recommended.status_code == 200, recommended.text
    assert not [s for s in scored if s.lstrip().split(None, 1)[0].lower() in WRITES]
    with counted(engine) as kept:  # asked again, the kept answer: only the catalogs' list is read
        again = client.get("/api/recommendations/", params={"top": 3})
    assert again.json() == recommended.json()
    assert len(kept) <= 1, kept


def test_a_name_no_key_finds_costs_no_more_than_any_song_asked_first(api: ClientFactory):
    """A song asked by an artist it features, or misspelt, as the first questions a server gets: what
    finds it (the catalogs' credits, the near names) was read when the server started."""
    client = _quiet(api)
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    rows = app._store.features.catalog_credits()
    credits = Credits(rows)
    keys = set(app._store.features.catalog_keys())
    credited = next(  # no catalog row has the asked artist first: only the credits find it
        (song, second)
        for _, song, artists in rows
        if credits.song_of(song, second := artists.split("; ")[1]) is not None
        and match_key(second, song) not in keys
    )
    (first, first_by), (song, artist) = _unknown()[:2]
    client.get("/api/prediction/", params={"song": first, "artist": first_by})  # (reads which catalogs)
    costs = []
    for asked in ((song, artist), credited, (song[:-1] + song[-1] * 2, artist)):
        with counted(_engine(client)) as statements:
            answer = client.get("/api/prediction/", params={"song": asked[0], "artist": asked[1]})
        assert answer.status_code == 200, answer.text
        costs.append(len(statements))
    ordinary, by_credit, misspelt = costs
    assert by_credit <= ordinary and misspelt <= ordinary + 1, costs  # (+1: the near name's catalog row)


def test_get_and_head_change_nothing_in_the_store(client: TestClient):
    engine = _engine(client)
    before = _tables(engine)
    song, artist = _known(client)
    asked = [(song, artist), *_unknown(), ("No Such Song Anywhere", "Nobody At All")]
    with counted(engine) as statements:
        for title, name in asked:
            for route in ("/api/prediction/", "/api/features/", "/api/raw_features/"):
                params = {"song": title, "artist": name}
                assert client.get(route, params=params).status_code in (200, 404)
                assert client.head(route, params=params).status_code in (200, 404, 405)
        client.get("/api/models")
        client.get("/taste")
        client.get("/", params={"song": song, "artist": artist})
    written = [s for s in statements if s.lstrip().split(None, 1)[0].lower() in WRITES]
    assert not written
    assert _tables(engine) == before
    # What was given is in the prediction log once its writer runs, and nothing else changed.
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    logged = len(app.logged_predictions(PROFILE))
    assert logged >= 2  # the known song, by the API and by the page
    assert _tables(engine) == {**before, "prediction_log": before["prediction_log"] + logged}
