"""Every failure on the page is a page: input refused before a route answers, an unknown path a browser
asks for, and the page's own advice (never the command line's); HEAD answers as GET, without a body."""

from __future__ import annotations

import html

from musicflow.config import Settings
from musicflow.errors import Hint, MusicflowError, NoModelError, ProfileNotFoundError, SongNotFoundError
from tests.web.test_same_as_api import Failing, client_of

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Refusing(Failing):
    """The application failing every page's use case with one error."""

    def __init__(self, error: MusicflowError) -> None:
        super().__init__(error, Settings())

    def predict(self, profile: str, *_args: object, **_kwargs: object) -> None:
        raise self.error

    def recommendations(self, profile: str, *_args: object) -> None:
        raise self.error

    def catalogs(self) -> list[object]:
        return []

    def job(self, job_id: str, profile: str | None = None) -> None:
        raise self.error


def test_input_a_page_refuses_is_the_page_error_view_with_the_api_status() -> None:
    client = client_of(Refusing(ProfileNotFoundError("unused")))
    for path, params, said in (
        ("/", {"song": "a" * 300, "artist": "x"}, "The song's title must be at most 200 characters"),
        ("/taste", {"profile": "p" * 300}, "The profile's name must be at most 64 characters"),
    ):
        for headers in (BROWSER, {}):  # a page route answers pages, whatever was asked for
            page = client.get(path, params=params, headers=headers)
            assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
            assert said in html.unescape(page.text) and '"error"' not in page.text


def test_a_field_given_twice_is_refused_on_the_page_as_on_the_api() -> None:
    """The page's form read the last value: `/?song=Numb&artist=Linkin+Park&song=Faint` answered Faint."""
    client = client_of(Refusing(ProfileNotFoundError("unused")))
    for path, params, said, times in (
        ("/", [("song", "Numb"), ("artist", "Linkin Park"), ("song", "Faint")], "The song's title", 2),
        ("/discover", [("catalog", "a"), ("catalog", "b")], "The catalog's name", 2),
        ("/taste", [("profile", "a"), ("profile", "b"), ("profile", "c")], "The profile's name", 3),
    ):
        page = client.get(path, params=params)
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert f"{said} must be given once (it was given {times} times)." in html.unescape(page.text)
        assert "Faint" not in page.text
    api = client.get(
        "/api/prediction/", params=[("song", "Numb"), ("artist", "Linkin Park"), ("song", "Faint")]
    )
    assert api.status_code == 422 and api.json()["error"]["problems"][0]["field"] == "query.song"


def test_an_unknown_path_is_a_page_for_a_browser_and_json_for_the_api() -> None:
    client = client_of(Refusing(ProfileNotFoundError("unused")))
    page = client.get("/nope", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Nothing is here at /nope." in page.text and 'href="/"' in page.text
    for path, headers in (("/nope", {}), ("/api/nope", BROWSER)):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404 and answer.json()["error"]["kind"] == "not found"


def test_the_upload_state_of_an_unknown_job_is_the_api_error_shape() -> None:
    client = client_of(Refusing(NoModelError("there is no job abc", hint=Hint.LIST_JOBS)))
    answer = client.get("/upload/abc/state")
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/json"
    assert set(answer.json()["error"]) >= {"kind", "message", "hint"}


def test_an_unknown_profile_is_sent_to_the_upload_page_not_to_the_command_line() -> None:
    client = client_of(Refusing(ProfileNotFoundError("profile 'nobody' has no data yet", hint=Hint.INGEST)))
    for path in ("/", "/taste", "/discover"):
        params = {"profile": "nobody", **({"song": "Hello", "artist": "Adele"} if path == "/" else {})}
        page = html.unescape(client.get(path, params=params).text)
        assert '<a href="/upload?profile=nobody">add your Spotify data export on the upload page</a>' in page
        assert "ingest" not in page.lower()


def test_a_profile_without_plays_is_asked_for_an_export_not_a_training() -> None:
    # What the application says of a profile with too little history to train (`MusicFlow.model` and
    # serving: tests/cli/test_errors.py), and of one that has enough.
    too_little = NoModelError("profile 'p' has no model yet and too little", hint=Hint.INGEST, profile="p")
    page = html.unescape(
        client_of(Refusing(too_little)).get("/", params={"song": "Hello", "artist": "Adele"}).text
    )
    assert page.count("What would help") == 1 and "add your Spotify data export on the upload page<" in page
    assert "train a model" not in page
    no_model = NoModelError("profile 'p' has no model yet", hint=Hint.TRAIN, profile="p")
    with_plays = client_of(Refusing(no_model)).get("/", params={"song": "Hello", "artist": "Adele"})
    assert "its job trains your model" in with_plays.text and "train a model" not in with_plays.text


def test_a_song_not_found_says_what_a_web_user_can_do() -> None:
    missing = SongNotFoundError("no source knows 'Helo' by 'Adele'", hint=Hint.ADD_FEATURE_SOURCE)
    page = html.unescape(
        client_of(Refusing(missing)).get("/", params={"song": "Helo", "artist": "Adele"}).text
    )
    assert "check the spelling of the title and the artist" in page and "Spotify field" in page
    assert "catalog" not in page and "analyse" not in page


def test_head_answers_as_get_without_a_body() -> None:
    client = client_of(Refusing(ProfileNotFoundError("profile 'p' has no data yet", hint=Hint.INGEST)))
    for path in ("/api/health", "/", "/taste", "/static/style.css"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code != 405, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers.get("content-length") == got.headers.get("content-length"), path


def test_an_empty_profile_is_refused_on_the_page_as_on_the_api() -> None:
    client = client_of(Refusing(ProfileNotFoundError("unused")))
    api = client.get("/api/models", params={"profile": ""})
    assert api.status_code == 422 and api.json()["error"]["problems"][0]["reason"] == "must not be empty"
    page = client.get("/taste", params={"profile": ""})
    assert page.status_code == 422 and "The profile&#39;s name must not be empty." in page.text
