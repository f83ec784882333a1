"""`GET /api/recommendations/`: what `musicflow recommend --format json` writes, over HTTP; errors in the
API's one shape; an answer asked again is the kept one, and a deleted profile's are gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from musicflow.api.schemas import RecommendationsBody
from musicflow.cli.command_tree import app as cli
from tests.api.conftest import ClientFactory
from tests.trained import PROFILE

ROUTE = "/api/recommendations/"


def test_the_api_sends_the_document_the_cli_writes(
    asking: TestClient, shared_server: tuple[FastAPI, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = asking.get(ROUTE, params={"top": 5, "per_artist": 1})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    RecommendationsBody.model_validate(body)
    asked = (body["profile"], body["catalogs"], body["top"], body["per_artist"])
    assert asked == (PROFILE, ["bundled"], 5, 1)
    listed = body["recommendations"]
    assert len(listed) == 5 and len({r["artist"] for r in listed}) == 5 and all(r["reasons"] for r in listed)
    assert body["model_version"] == asking.get("/api/models").json()["serving_version"]
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", str(shared_server[1]))
    written = CliRunner().invoke(cli, ["recommend", "--top", "5", "--per-artist", "1", "--format", "json"])
    assert written.exit_code == 0, written.stderr
    assert json.loads(written.stdout) == body


def test_what_cannot_be_answered_is_said_in_the_api_shape(asking: TestClient) -> None:
    unknown = asking.get(ROUTE, params={"catalog": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "no catalog named 'nope'"
    assert unknown.json()["error"]["hint"]
    for wrong in ({"top": 0}, {"top": 101}, {"per_artist": 0}, {"new_songs_only": "perhaps"}):
        invalid = asking.get(ROUTE, params=wrong)
        assert invalid.status_code == 422, wrong
        assert invalid.json()["error"]["problems"][0]["field"] == f"query.{next(iter(wrong))}"
    stranger = asking.get(ROUTE, params={"profile": "stranger"})
    assert stranger.status_code == 404 and "stranger" in stranger.json()["error"]["message"]


@pytest.mark.slow  # scores the bundled catalog
def test_a_deleted_profile_is_recommended_nothing(api: ClientFactory) -> None:
    client = api()
    first = client.get(ROUTE, params={"top": 3})
    assert first.status_code == 200 and len(first.json()["recommendations"]) == 3
    assert client.delete("/api/profile").status_code == 204
    gone = client.get(ROUTE, params={"top": 3})
    assert gone.status_code == 404, gone.text
