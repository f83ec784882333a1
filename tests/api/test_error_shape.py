"""Every error the server answers with, as a client checks it: one shape (`{"error": {"kind", "message",
"hint"}}`), the right status, JSON, and what the client sent echoed at most in part."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from musicflow.api.schemas import ApiError
from musicflow.app.service import MusicFlow
from musicflow.errors import ErrorKind
from tests.api.conftest import ClientFactory, within_one_rate_window

SONG = {"song": "Blinding Lights", "artist": "The Weeknd"}
KINDS = {kind.value for kind in ErrorKind} | {"method not allowed", "internal"}


def error_of(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The response's `error` object, after checking all a client relies on."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}, body
    ApiError.model_validate(body)
    error: dict[str, Any] = body["error"]
    assert {"kind", "message", "hint"} <= set(error)
    assert error["kind"] == kind and error["kind"] in KINDS
    assert isinstance(error["message"], str) and error["message"]
    assert error["hint"] is None or isinstance(error["hint"], str)
    return error


def test_an_unknown_route_is_a_404_in_the_shape(asking: TestClient):
    error = error_of(asking.get("/api/nothing-here", params={"song": "x"}), 404, "not found")
    assert "/api/nothing-here" in error["message"] and "/docs" in error["hint"]


def test_a_method_a_route_does_not_take_is_a_405_naming_the_ones_it_does(asking: TestClient):
    client = asking
    refused = client.delete("/api/prediction/", params=SONG)
    error = error_of(refused, 405, "method not allowed")
    assert refused.headers["allow"] == "GET"
    assert error["message"] == "DELETE is not allowed on /api/prediction/ (it takes GET)"
    error_of(client.put("/api/models/1"), 405, "method not allowed")
    error_of(client.get("/api/predictions"), 405, "method not allowed")


def test_a_body_too_large_is_a_413_in_the_shape(api: ClientFactory):
    client = api(api_max_body_bytes=1000)
    big = b"[" + b",".join([b'{"song":"a","artist":"b"}'] * 100) + b"]"
    refused = client.post("/api/predictions", content=big, headers={"Content-Type": "application/json"})
    error = error_of(refused, 413, "invalid input")
    assert "1,000 bytes" in error["message"] and error["hint"]


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"artist": "The Weeknd"}, "query.song", "is required"),
        ({"song": "", "artist": "The Weeknd"}, "query.song", "must not be empty"),
        ({"song": "  ", "artist": "The Weeknd"}, "query.song", "must not be empty"),  # blanks alone
        ({"song": "x" * 5000, "artist": "The Weeknd"}, "query.song", "must be at most 200 characters"),
    ],
    ids=["missing", "empty", "blank", "oversized"],
)
def test_a_bad_parameter_is_a_422_naming_the_field_and_why(
    asking: TestClient, params: dict[str, str], field: str, reason: str
):
    response = asking.get("/api/prediction/", params=params)
    error = error_of(response, 422, "invalid input")
    assert [problem["field"] for problem in error["problems"]] == [field]
    assert error["problems"][0]["reason"].startswith(reason)
    assert f"query parameter 'song' {reason}" in error["message"]
    assert "x" * 61 not in response.text
    assert len(response.content) < 1000  # the 5,000 characters are not sent back


@pytest.mark.parametrize("route", ["/api/prediction/", "/api/models"])
def test_a_profile_name_longer_than_any_profile_s_is_a_422(asking: TestClient, route: str):
    """The store keeps a profile's name in 64 characters (the CLI refuses a longer one too): a longer
    name is no profile's, refused as input, not looked for."""
    params = {**SONG, "profile": "p" * 65}
    error = error_of(asking.get(route, params=params), 422, "invalid input")
    assert [problem["field"] for problem in error["problems"]] == ["query.profile"]
    assert error["problems"][0]["reason"].startswith("must be at most 64 characters")


def test_a_spotify_id_that_is_not_one_is_a_422_under_either_name(asking: TestClient):
    client = asking
    for name in ("spotify_id", "track_id"):  # track_id: the name older versions gave it, still taken
        songs = [SONG, {**SONG, name: "not-an-id"}]
        error = error_of(client.post("/api/predictions", json=songs), 422, "invalid input")
        assert error["problems"] == [
            {"field": f"body[1].{name}", "reason": "must be a Spotify track id: 22 letters and digits"}
        ]
        assert error["message"] == f"body[1].{name} must be a Spotify track id: 22 letters and digits"
        good = [{**SONG, name: "0VjIjW4GlUZAMYd2vXMi3b"}]
        assert client.post("/api/predictions", json=good).status_code == 200


def test_both_names_of_the_id_in_one_song_is_a_422_saying_so(asking: TestClient):
    """`track_id` alone is taken (the id's older name): with `spotify_id` beside it, the item is refused
    for what it is, not because `track_id` "is not a field this takes"."""
    an_id = "0VjIjW4GlUZAMYd2vXMi3b"
    both = [SONG, {**SONG, "spotify_id": an_id, "track_id": an_id}]
    error = error_of(asking.post("/api/predictions", json=both), 422, "invalid input")
    reason = "has both spotify_id and track_id: give spotify_id or track_id (its older name), not both"
    assert error["problems"] == [{"field": "body[1]", "reason": reason}]
    assert error["message"] == f"body[1] {reason}" and "not a field" not in error["message"]
    for name in ("spotify_id", "track_id"):
        assert asking.post("/api/predictions", json=[{**SONG, name: an_id}]).status_code == 200
        other = "track_id" if name == "spotify_id" else "spotify_id"  # null beside it: no second id
        beside_null = asking.post("/api/predictions", json=[{**SONG, name: an_id, other: None}])
        assert beside_null.status_code == 200, beside_null.text
        assert beside_null.json()["answers"][0]["prediction"]["spotify_id"] == an_id


@pytest.mark.parametrize(
    ("route", "params", "name"),
    [
        ("/api/prediction/", [("song", "Numb"), ("artist", "Linkin Park"), ("song", "Faint")], "song"),
        ("/api/features/", [("song", "Numb"), ("artist", "Linkin Park"), ("artist", "Eminem")], "artist"),
        ("/api/raw_features/", [*SONG.items(), ("profile", "a"), ("profile", "b")], "profile"),
        ("/api/models", [("profile", "a"), ("profile", "b")], "profile"),
        ("/api/accuracy", [("profile", "a"), ("profile", "b")], "profile"),
        ("/api/recommendations/", [("top", "3"), ("top", "5")], "top"),
    ],
    ids=["prediction", "features", "raw_features", "models", "accuracy", "recommendations"],
)
def test_a_parameter_given_twice_is_a_422_naming_it(
    asking: TestClient, route: str, params: list[tuple[str, str]], name: str
):
    """The last value was taken quietly: `?song=Numb&artist=Linkin+Park&song=Faint` answered Faint."""
    error = error_of(asking.get(route, params=params), 422, "invalid input")
    reason = "must be given once (it was given 2 times)"
    assert error["problems"] == [{"field": f"query.{name}", "reason": reason}]
    assert error["message"] == f"query parameter '{name}' {reason}"
    assert "Faint" not in str(error) and "Eminem" not in str(error)


def test_a_parameter_that_takes_several_values_still_does(asking: TestClient):
    catalogs = asking.get("/api/recommendations/", params=[("catalog", "x"), ("catalog", "y")])
    assert catalogs.status_code == 404 and "given once" not in catalogs.text  # no catalog x: but asked


def test_several_problems_are_one_line_each_and_a_body_that_is_not_json_says_so(asking: TestClient):
    client = asking
    bad = [{"song": "a" * 201, "artist": "b", "extra": 1}]
    error = error_of(client.post("/api/predictions", json=bad), 422, "invalid input")
    assert error["message"].splitlines() == [
        "body[0].song must be at most 200 characters (it has 201)",
        "body[0].extra is not a field this takes",
    ]
    broken = client.post("/api/predictions", content=b"{nope", headers={"Content-Type": "application/json"})
    error = error_of(broken, 422, "invalid input")
    assert error["problems"][0]["field"] == "body" and "not valid JSON" in error["message"]
    error_of(client.get("/api/models/banana"), 422, "invalid input")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_list_sent_as_another_kind_of_body_is_a_422_saying_it_must_be_json(
    asking: TestClient, content_type: str | None
):
    """A list of songs sent as text or as a form (curl's `-d` sends one) was "the body must be a list",
    of a body that is one: it is a JSON body that is asked for, and the answer says so."""
    headers = {"Content-Type": content_type} if content_type else {}
    sent = asking.post(
        "/api/predictions", content=b'[{"song": "Numb", "artist": "Linkin Park"}]', headers=headers
    )
    error = error_of(sent, 422, "invalid input")
    assert error["problems"] == [
        {"field": "body", "reason": "must be JSON, sent as Content-Type: application/json"}
    ]
    assert error["message"] == "the body must be JSON, sent as Content-Type: application/json"
    wrong = asking.post("/api/predictions", json={"song": "Numb"})  # JSON, but not a list: said as before
    assert error_of(wrong, 422, "invalid input")["message"] == "the body must be a list"


def test_a_body_that_is_not_json_gets_the_status_the_schema_gives_it(asking: TestClient):
    """The schema said a body that is not JSON is a 400: it is a 422 (invalid input, the body named in
    `problems`), as the schema says of any input that does not validate, a body that is not even text
    too."""
    documented = asking.get("/openapi.json").json()["paths"]["/api/predictions"]["post"]["responses"]
    broken = asking.post("/api/predictions", content=b"{nope", headers={"Content-Type": "application/json"})
    error_of(broken, 422, "invalid input")
    assert "422" in documented and "400" not in documented
    # Not even text (not UTF-8): FastAPI's own refusal, a 400 nothing documents, was passed on as it was.
    unreadable = asking.post(
        "/api/predictions", content=b"\xc6\x93\xff", headers={"Content-Type": "application/json"}
    )
    error = error_of(unreadable, 422, "invalid input")
    assert error["problems"] == [
        {"field": "body", "reason": "could not be read (There was an error parsing the body)"}
    ]
    assert error["message"] == "the body could not be read (There was an error parsing the body)"


def test_an_unknown_song_is_a_404_with_suggestions_and_a_long_name_is_cut(asking: TestClient):
    client = asking
    asked = {"song": "Sugar", "artist": "Marooon Fiev"}
    error = error_of(client.get("/api/prediction/", params=asked), 404, "not found")
    assert error["searched"] == asked and error["sources_asked"] == ["catalog"]
    assert error["suggestions"][0] == {"song": "Sugar", "artist": "Maroon 5"}
    assert error["hint"]

    long_name = "Nothing Like This Song " * 8  # 184 characters: valid, but no echo of it whole
    response = client.get("/api/prediction/", params={"song": long_name, "artist": "Nobody"})
    error = error_of(response, 404, "not found")
    assert long_name.strip() not in response.text
    assert error["searched"]["song"].endswith("…") and len(error["searched"]["song"]) <= 61
    assert long_name.startswith(error["searched"]["song"][:-1])
    assert "Nothing Like This Song Nothing" in error["message"] and "…" in error["message"]


def test_too_many_requests_is_a_429_in_the_shape(api: ClientFactory):
    client = api(api_rate_limit="1/minute")
    within_one_rate_window()
    assert client.get("/api/models").status_code == 200
    refused = client.get("/api/models")
    error = error_of(refused, 429, "rate limited")
    assert error["retry_after_s"] >= 1 and refused.headers["retry-after"] == str(error["retry_after_s"])


def test_not_ready_is_a_503_in_the_shape(api: ClientFactory):
    error = error_of(api(profile="nobody-yet").get("/api/health/ready"), 503, "not ready")
    assert "nobody-yet" in error["message"] and error["hint"]


def test_a_failure_nobody_foresaw_is_a_500_in_the_shape_with_nothing_of_it_told(
    api: ClientFactory, monkeypatch: pytest.MonkeyPatch
):
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret detail at /srv/musicflow/internal.py")

    monkeypatch.setattr(MusicFlow, "models", broken)
    response = api().get("/api/models")
    error = error_of(response, 500, "internal")
    assert error["hint"] is None and "secret detail" not in response.text


def test_the_schema_documents_the_one_shape(asking: TestClient):
    schema = asking.get("/openapi.json").json()
    schemas = schema["components"]["schemas"]
    assert not {"HTTPValidationError", "ValidationError", "ValidationErrorBody"} & set(schemas)
    assert schemas["ApiError"]["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert {"kind", "message", "hint"} <= set(detail["required"])
    assert set(detail["properties"]["kind"]["enum"]) == KINDS
    assert {"type": "null"} in detail["properties"]["hint"]["anyOf"]
    assert set(schemas["ValidationProblem"]["required"]) == {"field", "reason"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ApiError"), (method, path, status)
    assert "422" in schema["paths"]["/api/models/{version}"]["get"]["responses"]
    spotify_id = schemas["SongItem"]["properties"]["spotify_id"]["anyOf"][0]
    assert spotify_id["pattern"] == "^[0-9A-Za-z]{22}$"
    assert "track_id" not in schemas["SongItem"]["properties"]  # one name; the older one is still taken
