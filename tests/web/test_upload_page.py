"""The page's upload: a listener signed in with a write token sends their export from the browser, sees
the bytes go and then the job take it in, and lands on predictions of their own."""

from __future__ import annotations

import html
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.test_uploads import DEMO_EXPORT
from tests.trained import QUICK_TRAINING
from tests.web.conftest import serving

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def shared(catalog_store: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    data_dir = tmp_path / "data"
    shutil.copytree(catalog_store, data_dir)
    with MusicFlow.open(Settings(data_dir=data_dir)) as app:
        return data_dir, {
            "write": app.create_token("newcomer", "write").token,
            "read": app.create_token("newcomer").token,
        }


def signed_in(client: TestClient, token: str) -> str:
    csrf = CSRF.search(client.get("/signin").text)
    assert csrf
    assert client.post("/signin", data={"token": token, "csrf": csrf.group(1)}).status_code == 303
    found = CSRF.search(client.get("/upload").text)
    assert found
    return found.group(1)


@pytest.fixture
def client(shared: tuple[Path, dict[str, str]]) -> Iterator[TestClient]:
    settings = Settings(data_dir=shared[0], feature_sources=["catalog"]).model_copy(update=QUICK_TRAINING)
    with TestClient(create_app(settings, access="tokens"), follow_redirects=False) as opened:
        yield opened


def test_a_read_token_or_a_forged_form_uploads_nothing(
    client: TestClient, shared: tuple[Path, dict[str, str]]
) -> None:
    csrf = signed_in(client, shared[1]["read"])
    refused = client.post("/upload", data={"csrf": csrf}, files={"file": ("a.json", b"[]")})
    assert refused.status_code == 403 and "read this profile, not change it" in refused.text
    forged = client.post("/upload", files={"file": ("a.json", b"[]")})
    assert forged.status_code == 403
    assert not (shared[0] / "uploads").exists() or not any((shared[0] / "uploads").iterdir())


def test_without_script_the_form_leads_to_the_jobs_page(
    client: TestClient, shared: tuple[Path, dict[str, str]]
) -> None:
    csrf = signed_in(client, shared[1]["write"])
    sent = client.post("/upload", data={"csrf": csrf}, files={"file": ("notes.txt", b"hello")})
    assert sent.status_code == 422 and "not a Spotify export" in sent.text
    sent = client.post("/upload", data={"csrf": csrf}, files={"file": ("endsong_0.json", b"[]")})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/upload/")
    page = client.get(sent.headers["location"])
    assert page.status_code == 200 and 'id="job-progress"' in page.text
    state = client.get(sent.headers["location"] + "/state").json()
    assert state["state"] in ("queued", "running", "done", "failed") and state["words"]


@pytest.mark.slow
def test_upload_in_a_browser_and_predict(
    browser: Any, shared: tuple[Path, dict[str, str]], screenshots: Path
) -> None:
    quick = {"MUSICFLOW_MODEL_EVALUATION_SEEDS": str(QUICK_TRAINING["model_evaluation_seeds"])}
    with serving(shared[0], MUSICFLOW_API_ACCESS="tokens", **quick) as base:
        context = browser.new_context(base_url=base)
        page = context.new_page()
        page.goto("/upload")
        page.get_by_label("Your token").fill("mf_not-a-token")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        # the focus is back in the field, which says why it was refused (to a screen reader too)
        token = page.get_by_label("Your token")
        assert token.evaluate("field => field === document.activeElement")
        assert token.get_attribute("aria-invalid") == "true"
        assert page.locator("#" + str(token.get_attribute("aria-describedby"))).inner_text().strip()
        token.fill(shared[1]["write"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto("/upload")
        page.get_by_label("Your export").set_input_files(str(DEMO_EXPORT))
        page.get_by_role("button", name="Send").click()
        page.wait_for_url(re.compile(r"/upload/[0-9a-f]{32}"))
        page.locator("#job-result").wait_for(timeout=240_000)
        assert "new plays" in page.locator("#job-result").inner_text()
        assert "Model v1 now answers for you." in page.locator("#job-result").inner_text()
        assert page.evaluate("document.activeElement.id") == "job-result"  # what it came to has the focus
        assert page.title() == "Done · Add your export · MusicFlow"
        page.screenshot(path=str(screenshots / "upload-done.png"))
        job_page = page.url
        page.locator("#job").get_by_role("link", name="Try a song").click()
        page.get_by_label("Song", exact=True).fill("Levitating")
        page.get_by_label("Artist", exact=True).fill("Dua Lipa")
        page.get_by_role("button", name="Predict").click()
        page.wait_for_load_state()
        assert page.locator("#streams").inner_text()

        # The listener changes their mind: the export goes back, and the model that learned from it.
        page.goto(job_page)
        page.get_by_role("button", name="Take this export back").click()
        page.wait_for_url(job_page)
        undone = page.locator("#job-undone").inner_text()
        assert "Its plays were taken back" in undone
        assert "So is the model that learned from them (v1)." in undone
        assert page.evaluate("document.activeElement.id") == "job-undone"
        page.goto("/?song=Levitating&artist=Dua+Lipa")
        assert "no model yet" in page.locator("main").inner_text()
        # And then everything: the data goes, and the session with its token.
        # From the keyboard alone: Enter without the tick is stopped at the box, Space ticks it.
        page.goto("/upload")
        tick = page.get_by_label("Delete everything of 'newcomer'")
        page.get_by_role("button", name="Delete my data").focus()
        page.keyboard.press("Enter")
        assert tick.evaluate("box => box === document.activeElement") and "/upload" in page.url
        page.keyboard.press("Space")
        assert tick.is_checked()
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("#erased").inner_text().startswith("Deleted: ")
        assert page.evaluate("document.activeElement.id") == "erased"
        assert page.title() == "Your data is deleted · MusicFlow"
        page.screenshot(path=str(screenshots / "upload-data-deleted.png"))
        page.goto("/upload")
        assert "/signin" in page.url  # signed out: the token is gone
        context.close()


def test_a_read_token_a_forged_form_or_no_tick_takes_nothing_back_and_deletes_nothing(
    client: TestClient, shared: tuple[Path, dict[str, str]]
) -> None:
    csrf = signed_in(client, shared[1]["write"])
    plays = b'[{"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200000}]'
    export = {"file": ("StreamingHistory_music_0.json", plays)}
    sent = client.post("/upload", data={"csrf": csrf}, files=export)
    job = sent.headers["location"].split("/")[-1]
    deadline = time.monotonic() + 60
    while (ended := client.get(f"/upload/{job}/state").json()["state"]) in ("queued", "running"):
        assert time.monotonic() < deadline, "the upload's job did not end"
        time.sleep(0.2)
    forged = client.post(f"/upload/{job}/take-back")
    assert forged.status_code == 403 and "did not come from this page" in forged.text
    unticked = client.post("/data/delete", data={"csrf": csrf})
    assert unticked.status_code == 422 and "tick the box" in unticked.text
    assert 'id="jobs"' in unticked.text  # the page as it was, the imports listed
    reader = TestClient(client.app, follow_redirects=False)
    read_csrf = signed_in(reader, shared[1]["read"])
    offered = reader.get("/upload").text + reader.get(f"/upload/{job}").text
    assert 'id="reads-only"' in offered  # a read token is offered no form it would be refused
    assert not any(f'id="{form}"' in offered for form in ("upload-form", "take-back", "delete-form"))
    assert 'id="take-back"' in client.get(f"/upload/{job}").text  # the write token is
    refused = reader.post(f"/upload/{job}/take-back", data={"csrf": read_csrf})
    assert refused.status_code == 403 and "read this profile, not change it" in refused.text
    refused = reader.post("/data/delete", data={"csrf": read_csrf, "confirm": "yes"})
    assert refused.status_code == 403
    with MusicFlow.open(Settings(data_dir=shared[0])) as app:
        assert app.job(job, "newcomer").state == ended and "newcomer" in app.profiles()
        assert app.listening_summary("newcomer").plays == 1


def test_a_finished_upload_says_which_records_it_could_not_read(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "home", use_bundled_catalog=False)
    with MusicFlow.open(settings) as app:
        app.jobs_store.add_job("job1", "me", "upload", None, 0.0, "an upload")
        result = {
            "plays": 10,
            "new_plays": 9,
            "files": 1,
            "records_unreadable": 2,
            "unreadable_examples": ["a.json, record 3: 'msPlayed' should be a number"],
            "training": "nothing new",
        }
        app.jobs_store.update_job("job1", 1.0, state="done", stage="done", result=result)
    with TestClient(create_app(settings)) as client:
        page = client.get("/upload/job1", params={"profile": "me"})
    assert page.status_code == 200
    told = re.search(r'<p id="job-result"[^>]*>(.*?)</p>', page.text)
    assert told is not None and told.group(1) == (  # a sentence of its own
        "9 new plays of 10 (the other 1 was stored already, or the same play listed twice in the export)."
        " Nothing new."
    )
    said = re.search(r'<p id="job-unreadable">(.*?)</p>', page.text)
    assert said is not None
    assert said.group(1).replace("&#39;", "'") == (
        "2 records of the export could not be read and were left out, for example a.json, record 3:"
        " 'msPlayed' should be a number."
    )


def test_the_upload_page_lists_imports_alone_and_says_how_each_ended(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "home", use_bundled_catalog=False)
    with MusicFlow.open(settings) as app:
        jobs = app.jobs_store
        jobs.add_job("sent", "me", "upload", None, 1_700_000_000.0, "an upload")
        jobs.update_job("sent", 1.0, state="done", stage="done", result={"plays": 1, "new_plays": 1})
        jobs.add_job("typed", "me", "ingest", None, 1_700_000_100.0, "musicflow ingest")
        taken = {"plays_removed": 5, "model_versions_removed": [1, 2]}  # as `undo_import` records it
        done = {"plays": 5, "new_plays": 5, "taken_back": taken}
        jobs.update_job("typed", 2.0, state="undone", stage="done", result=done)
        jobs.add_job("trained", "me", "train", None, 1_700_000_200.0, "new plays ingested")
        made = {"model_version": 2, "serving": True}
        jobs.update_job("trained", 3.0, state="done", stage="done", result=made)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/upload", params={"profile": "me"})
        assert listed.status_code == 200
        items = re.findall(r'<li><a href="/upload/(\w+)[^"]*">([^<]+)</a></li>', listed.text)
        assert [job for job, _ in items] == ["typed", "sent"]  # newest first; the training is no upload
        assert items[0][1] == "Taken back: sent 14 Nov 2023, 22:15 UTC with musicflow ingest"
        assert items[1][1] == "Done: sent 14 Nov 2023, 22:13 UTC from this page"
        one = client.get("/upload/sent", params={"profile": "me"})
        assert "1 new play of 1." in one.text
        undone = client.get("/upload/typed", params={"profile": "me"})
        assert "were taken back" in undone.text and "the work goes on" not in undone.text
        assert "So are the models that learned from them (v1, v2)." in undone.text
        trained = client.get("/upload/trained", params={"profile": "me"})
        assert trained.status_code == 200 and "Model v2 now answers for you." in trained.text


def test_an_upload_that_failed_after_storing_its_plays_says_they_were_kept(
    client: TestClient, shared: tuple[Path, dict[str, str]]
) -> None:
    """Training failed (one song is too little to learn from), but the plays were stored: the page says
    so beside the reason, and offers to take them back."""
    from tests.api.test_uploads import one_song_history

    csrf = signed_in(client, shared[1]["write"])
    sent = client.post(
        "/upload", data={"csrf": csrf}, files={"file": ("StreamingHistory_music_0.json", one_song_history())}
    )
    assert sent.status_code == 303, sent.text
    deadline = time.monotonic() + 120
    while (state := client.get(sent.headers["location"] + "/state").json())["state"] not in (
        "done",
        "failed",
    ):
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert state["state"] == "failed", state
    page = client.get(sent.headers["location"])
    error = re.search(r'<strong id="job-error">(.*?)</strong>', page.text)
    kept = re.search(r'<p id="job-kept">(.*?)</p>', page.text)
    assert error is not None and error.group(1), page.text
    assert kept is not None, page.text
    assert kept.group(1).startswith("What was read before it failed is kept: 3 new plays of 3")
    assert (
        "did not happen, for the reason above; the plays stay until you take this export back."
        in kept.group(1)
    )
    assert 'id="take-back"' in page.text
    assert 'id="job-progress"' not in page.text  # failed: no bar of a job going on


def test_plays_of_an_export_that_were_not_new_are_said_why(
    client: TestClient, shared: tuple[Path, dict[str, str]]
) -> None:
    """A real export lists some plays twice (10,070 plays, 10,033 once each): the page said "10,033 new
    plays of 10,070" after a first upload, and nothing of where the other 37 went."""
    import json

    from tests.api.test_uploads import one_song_history

    csrf = signed_in(client, shared[1]["write"])
    plays = json.loads(one_song_history())
    twice = json.dumps([*plays, plays[0]]).encode()  # one play listed twice, as Spotify's exports do
    sent = client.post(
        "/upload", data={"csrf": csrf}, files={"file": ("StreamingHistory_music_0.json", twice)}
    )
    assert sent.status_code == 303, sent.text
    deadline = time.monotonic() + 60
    while (state := client.get(sent.headers["location"] + "/state").json())["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    kept = re.search(r'<p id="job-kept">(.*?)</p>', client.get(sent.headers["location"]).text)
    assert kept is not None
    assert html.unescape(kept.group(1)).startswith(
        "What was read before it failed is kept: 3 new plays of 4 (the other 1 was stored already, or the"
        " same play listed twice in the export), and the features of"
    ), kept.group(1)


def test_an_upload_that_failed_storing_nothing_offers_nothing_to_take_back(
    client: TestClient, shared: tuple[Path, dict[str, str]]
) -> None:
    """A zip that is no zip, or a history whose only record cannot be read: the job failed with nothing
    stored. Its page offered "Take this export back" all the same (taken back, it said "Its plays were
    taken back"), and for the history, that "0 new plays of 0" were kept and "stay until you take this
    export back". The history's job failed training a profile with no plays: it says what the file held."""
    csrf = signed_in(client, shared[1]["write"])
    unreadable = b'[{"ts": "2030-01-01T00:00:00Z", "ms_played": 200000}]'
    for name, sent_bytes in (
        ("my_spotify_data.zip", b"PK\x03\x04 no zip"),
        ("Streaming_History_Audio_0.json", unreadable),
    ):
        sent = client.post("/upload", data={"csrf": csrf}, files={"file": (name, sent_bytes)})
        assert sent.status_code == 303, sent.text
        deadline = time.monotonic() + 60
        while (state := client.get(sent.headers["location"] + "/state").json())["state"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
        assert state["state"] == "failed", state
        page = client.get(sent.headers["location"]).text
        assert re.search(r'<strong id="job-error">.+</strong>', page), page
        assert 'id="take-back"' not in page and 'id="job-kept"' not in page, name
        assert "stay until you take this export back" not in page, name
        assert 'id="job-progress"' not in page, name  # no bar, as if it went on
    # what the history held is said as the reason the job failed, not as a profile with no plays
    error = re.search(r'<strong id="job-error">(.+?)</strong>', page)
    assert error is not None
    assert error.group(1).startswith(
        "no music play could be read from the files sent: of its 1 record, 1 could"
    )
    assert (
        "Streaming_History_Audio_0.json, record 0: &#39;ts&#39; is not a time a play could have ended" in page
    )


@pytest.mark.slow
def test_a_followed_export_whose_data_went_in_another_tab_stops_being_followed(
    browser: Any, demo_dir: Path, tmp_path: Path
) -> None:
    """The listener follows an export waiting its turn, and deletes their data in another tab: the page
    asks the server once more and says what is true now, and asks nothing after that (it asked every
    second, forever, with "undefined" for a title)."""
    import httpx

    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir)
    with (
        serving(data_dir, MUSICFLOW_RETRAIN_EVERY_HOURS="0") as base,
        httpx.Client(base_url=base, timeout=60) as api,
        DEMO_EXPORT.open("rb") as export,
    ):
        first = api.post("/api/uploads", params={"profile": "newcomer"}, files={"file": export})
        assert first.status_code == 202, first.text
        empty = ("endsong_0.json", b"[]")  # waits behind the first, which takes seconds
        waiting = api.post("/api/uploads", params={"profile": "newcomer"}, files={"file": empty})
        assert waiting.status_code == 202, waiting.text
        job_id = waiting.json()["id"]
        context = browser.new_context(base_url=base)
        page = context.new_page()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url) if "/state" in request.url else None)
        page.goto(f"/upload/{job_id}?profile=newcomer")
        assert page.locator("#job").get_attribute("data-state") in ("queued", "running")
        deleted = api.delete("/api/profile", params={"profile": "newcomer"})
        assert deleted.status_code == 204, deleted.text
        page.locator("#job").wait_for(state="detached", timeout=20_000)
        assert "undefined" not in page.title()
        assert "no job" in page.locator("main").inner_text().lower()
        followed = len(asked)
        page.wait_for_timeout(2_500)  # the page followed once a second: it asks nothing now
        assert len(asked) == followed
        context.close()
