"""The pages in a real headless Chromium, against the real server on the demo model: what a person
does and sees. Each test gets a fresh browser context (its own cookies); screenshots go to the artifacts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from musicflow.app.catalog_scoring import Recommendation
from musicflow.app.service import MusicFlow
from musicflow.core.songs import artists_words
from tests.web.conftest import SCRIPT_ARTIST, SCRIPT_SONG, SERVER_ZONE

pytestmark = pytest.mark.slow
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()


def try_song(page: Any, song: str, artist: str) -> None:
    page.get_by_label("Song", exact=True).fill(song)
    page.get_by_label("Artist", exact=True).fill(artist)
    page.get_by_role("button", name="Predict").click()
    page.wait_for_load_state()


def highscore(page: Any) -> list[tuple[str, float]]:
    rows = page.locator("#highscore li")
    return [
        (rows.nth(i).locator(".hs-song").inner_text(), float(rows.nth(i).locator(".hs-streams").inner_text()))
        for i in range(rows.count())
    ]


def test_try_two_songs_see_why_and_reset_the_highscore(page: Any, screenshots: Path) -> None:
    page.goto("/")
    try_song(page, "Bad Guy", "Billie Eilish")  # two songs the demo listener never played
    first = float(page.locator("#streams").inner_text())
    assert 0 <= first <= 30
    assert page.locator(".verdict-text").inner_text().strip()
    reasons = page.get_by_role("img", name="What moved this prediction, strongest first")
    assert reasons.locator("rect.bar").count() >= 1
    assert "Model v1 answered" in page.locator(".sure").inner_text()
    assert page.get_by_role("img", name="This song's sound against your most streamed songs").is_visible()
    page.screenshot(path=screenshots / "try-phone.png", full_page=True)

    try_song(page, "Aneurysm", "Nirvana")
    second = float(page.locator("#streams").inner_text())
    scores = highscore(page)
    assert {song for song, _ in scores} == {"Bad Guy", "Aneurysm"}
    assert [s for _, s in scores] == sorted([first, second], reverse=True)
    try_song(page, "Smells Like Teen Spirit", "Nirvana")  # one they streamed: their count, no score
    assert "You have streamed it" in page.locator(".verdict-text").inner_text()
    assert highscore(page) == scores

    page.get_by_role("button", name="Reset the highscore").click()
    page.wait_for_load_state()
    assert highscore(page) == []
    page.reload()
    assert highscore(page) == []
    assert page.locator("#highscore-empty").is_visible()


def test_a_song_no_source_knows_is_a_clear_message(page: Any, screenshots: Path) -> None:
    page.goto("/")
    try_song(page, "A Song Nobody Ever Wrote", "Nobody At All")
    alert = page.get_by_role("alert")
    assert "A Song Nobody Ever Wrote" in alert.inner_text()
    assert "What would help" in alert.inner_text()
    assert page.get_by_role("button", name="Predict").is_visible()  # the page, not an error page
    page.screenshot(path=screenshots / "unknown-song-phone.png", full_page=True)


def test_a_script_in_a_title_shows_as_text(page: Any, screenshots: Path) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.goto("/")
    try_song(page, SCRIPT_SONG, SCRIPT_ARTIST)
    assert page.locator("#answer-title").inner_text() == SCRIPT_SONG
    assert page.locator(".artist").inner_text() == SCRIPT_ARTIST
    assert SCRIPT_SONG in [song for song, _ in highscore(page)]
    assert page.locator("main script").count() == 0
    assert dialogs == []
    page.screenshot(path=screenshots / "script-title-phone.png", full_page=True)


def test_the_form_works_from_the_keyboard_alone(page: Any) -> None:
    page.goto("/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "song":
            break
    assert page.evaluate("document.activeElement.id") == "song"
    page.keyboard.type("Bohemian Rhapsody")
    page.keyboard.press("Tab")
    page.keyboard.type("Queen")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("#answer-title").inner_text().startswith("Bohemian Rhapsody")
    assert float(page.locator("#streams").inner_text()) >= 0


def _expected_taste(app: MusicFlow) -> tuple[str, str, str]:
    by_artist: Counter[str] = Counter()
    for track in app.top_streams("demo", None):
        by_artist[track.artist] += track.streams
    summary = app.listening_summary("demo")
    assert summary.first_ended_at is not None and summary.last_ended_at is not None
    first, last = (
        datetime.fromtimestamp(t, ZoneInfo(SERVER_ZONE)).strftime("%Y-%m")
        for t in (summary.first_ended_at, summary.last_ended_at)
    )
    return by_artist.most_common(1)[0][0], first, last


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_your_taste_shows_the_listeners_real_numbers(
    page: Any, demo_app: MusicFlow, screenshots: Path, viewport: dict[str, int]
) -> None:
    top_artist, first_month, last_month = _expected_taste(demo_app)
    page.set_viewport_size(viewport)
    page.goto("/taste")
    artists = page.get_by_role("img", name="Your top artists by streams")
    assert artists.locator("text.label").first.text_content() == top_artist
    lead = page.locator(".lead").inner_text()
    assert first_month in lead and last_month in lead
    months = page.get_by_role("img", name="Streams per month").locator("rect.bar")
    assert months.count() >= 2
    hours = page.get_by_role("img", name=f"Streams by hour ({SERVER_ZONE})").locator("rect.bar")
    assert hours.count() == 24
    assert page.locator("#time-zone").inner_text() == f"Hours in {SERVER_ZONE}."
    auc = "AUC: how many times in 100 each model ranks a song you streamed above one you did not"
    assert page.get_by_role("img", name=auc).is_visible()
    assert page.locator("#meaning").inner_text().strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=screenshots / f"taste-{viewport['width']}px.png", full_page=True)


def test_the_answer_fits_a_phone_and_a_desktop(page: Any, screenshots: Path) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto("/?song=Levitating&artist=Dua+Lipa")
        assert page.locator("#answer-title").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=screenshots / f"try-{viewport['width']}px.png", full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_discover_from_the_navigation(
    page: Any, demo_picks: list[Recommendation], screenshots: Path, viewport: dict[str, int]
) -> None:
    best = demo_picks[0]  # demo_app.recommend("demo", 20)[0], asked once for the session
    page.set_viewport_size(viewport)
    page.goto("/taste")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Discover").click()
    page.wait_for_load_state()
    rows = page.locator("#picks .pick")
    assert rows.count() == 20
    first = rows.first
    assert first.locator(".pick-song").inner_text() == best.song
    assert first.locator(".pick-artist").inner_text() == artists_words(best.artist)  # "A and B", never "A; B"
    assert float(first.locator(".pick-streams").inner_text()) == round(best.predicted_streams, 2)
    assert first.locator(".pick-reasons li").count() == len(best.reasons)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=screenshots / f"discover-{viewport['width']}px.png", full_page=True)


def test_a_misspelled_artist_is_answered_and_a_far_one_offers_the_nearest(page: Any) -> None:
    page.goto("/")
    try_song(page, "Sugar", "maroon5")
    assert page.locator("#did-you-mean").inner_text() == (
        "Did you mean 'Sugar' by Maroon 5? Here is the answer for it."
    )
    try_song(page, "Sugar", "Marooon Fiev")
    page.get_by_role("link", name="'Sugar' by Maroon 5").click()
    page.wait_for_load_state()
    assert page.locator(".title").inner_text() == "Sugar" and page.locator("#streams").is_visible()
    assert page.locator("#did-you-mean").count() == 0
