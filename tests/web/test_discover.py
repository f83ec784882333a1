"""`/discover` over HTTP, in process, on the demo model: the rows are what the application layer
recommends, never a song the listener played, at most two by one artist."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from musicflow.app.catalog_scoring import DEFAULT_PER_ARTIST, Recommendation
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.core.songs import artists_words, match_key
from musicflow.web.discover import TOP
from tests.web.conftest import PROFILE, SCRIPT_ARTIST, SCRIPT_SONG
from tests.web.test_pages import STRONG_KEY, web_app

ROW = re.compile(
    r'<span class="pick-song">(.*?)</span><span class="sr-only"> by </span>\s*'
    r'<span class="pick-artist">(.*?)</span>\s*'
    r'<span class="pick-predicted"><span class="pick-streams">(.*?)</span>',
    re.S,
)


def rows(page: str) -> list[tuple[str, str, str]]:
    return [(html.unescape(s), html.unescape(a), n) for s, a, n in ROW.findall(page)]


def client_of(app: MusicFlow) -> TestClient:
    return TestClient(web_app(app, Settings(web_session_secret=SecretStr(STRONG_KEY))))


@pytest.fixture(scope="module")
def page(demo_app: MusicFlow) -> str:
    with client_of(demo_app) as client:
        answer = client.get("/discover")
    assert answer.status_code == 200
    text: str = answer.text
    return text


def test_the_rows_are_what_the_app_layer_recommends(
    page: str, demo_picks: list[Recommendation], demo_app: MusicFlow
) -> None:
    expected = demo_picks  # demo_app.recommend(PROFILE, TOP), asked once for the session
    assert rows(page) == [(r.song, artists_words(r.artist), f"{r.predicted_streams:.2f}") for r in expected]
    assert len(expected) == TOP
    # a song of several artists reads "A and B", "A, B and C" on the page, as the catalog's "A; B" is
    # no sentence
    several = [r.artist.split("; ") for r in expected if "; " in r.artist]
    on_page = {artist for _, artist, _ in rows(page)}
    assert several and {f"{', '.join(names[:-1])} and {names[-1]}" for names in several} <= on_page
    assert not any("; " in artist for artist in on_page)
    for reason in expected[0].reasons:
        assert html.escape(reason.words, quote=True) in page
    assert 'href="/discover?profile=demo" aria-current="page"' in page
    # How the list is ranked, and why, as `recommend` says it; "expects you to stream most" only when
    # the list is ranked by predicted streams.
    ranked_by = expected[0].ranked_by
    assert ranked_by is not None and f'<p class="note" id="ranked-by">{ranked_by}</p>' in html.unescape(page)
    sure = list(dict.fromkeys(r.how_sure for r in expected if r.how_sure))  # once per kind, under the list
    assert sure and page.count("How sure: ") == 1
    assert f'<p class="note" id="how-sure">How sure: {"; ".join(sure)}.</p>' in html.unescape(page)
    if "popularity" in expected[0].ranked_on:  # what the order is ranked by is shown beside each song
        shown = re.findall(r'<span class="pick-ranked-on"> · popularity (\w+)</span>', page)
        assert shown == [f"{r.popularity:.0f}" if r.popularity is not None else "unknown" for r in expected]
    assert ("expects you to stream most" in page) == expected[0].by_prediction
    rows_imported = sum(c.rows for c in demo_app.catalogs())  # entries, not songs: a song may have several
    drawn = re.search(r"out of the ([\d,]+) entries of (the [^:]+):", page)
    assert drawn is not None and drawn[1] == f"{rows_imported:,}"
    names = sorted(c.name for c in demo_app.catalogs())  # each named, as a sentence lists them
    said = (
        "the bundled catalog"
        if names == ["bundled"]
        else f"the catalogs {', '.join(names[:-1])} and {names[-1]}"
    )
    assert drawn[2] == (said if len(names) != 1 or names == ["bundled"] else f"the catalog {names[0]}")


def test_no_row_is_a_song_the_listener_played(page: str, demo_app: MusicFlow) -> None:
    played = {match_key(t.artist, t.track) for t in demo_app.top_streams(PROFILE, None)}
    shown = {match_key(artist, song) for song, artist, _ in rows(page)}
    assert shown and not shown & played


def test_no_artist_has_more_rows_than_the_cap(page: str, demo_app: MusicFlow) -> None:
    uncapped = Counter(r.artist for r in demo_app.recommend(PROFILE, TOP, per_artist=TOP))
    assert max(uncapped.values()) > DEFAULT_PER_ARTIST  # the cap matters on this listener
    shown = Counter(artist for _, artist, _ in rows(page))
    assert max(shown.values()) <= DEFAULT_PER_ARTIST


def test_one_catalog_by_name_and_its_titles_escaped(demo_app: MusicFlow) -> None:
    with client_of(demo_app) as client:
        page = client.get("/discover", params={"catalog": "odd-titles"})
        unknown = client.get("/discover", params={"catalog": "nope"})
    assert page.status_code == 200
    assert rows(page.text) == [(SCRIPT_SONG, SCRIPT_ARTIST, rows(page.text)[0][2])]
    assert "<script>" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert unknown.status_code == 404
    assert "no catalog named &#39;nope&#39;" in unknown.text and 'role="alert"' in unknown.text


def test_an_unknown_catalog_is_told_what_there_is_where_no_menu_lists_it(copied: MusicFlow) -> None:
    """The menu lists the catalogs only when there are two or more: with one, the page names it and links
    to it; with none, it says how one is imported. Never "the menu" where there is none."""
    with client_of(copied) as client:
        several = client.get("/discover", params={"catalog": "nope"})
        copied.remove_catalog("odd-titles")
        (only,) = [c.name for c in copied.catalogs()]
        one = client.get("/discover", params={"catalog": "nope"})
        copied.remove_catalog(only)
        none = client.get("/discover", params={"catalog": "nope"})
    assert several.status_code == 404 and 'id="catalog"' in several.text
    assert "choose one of the catalogs the menu lists" in several.text
    assert one.status_code == none.status_code == 404
    for page in (one, none):
        assert 'id="catalog"' not in page.text and "menu" not in page.text
    said = re.search(r'<p id="what-would-help">(.*?)</p>', one.text, re.S)
    assert said is not None
    help_one = html.unescape(said.group(1))
    assert f"ask for the one catalog imported here, '{only}'" in help_one
    assert f'href="/discover?profile={PROFILE}&catalog={only}"' in help_one
    assert "no catalog is imported yet: add one with musicflow catalog add FILE" in html.unescape(none.text)


def test_no_catalog_and_no_model_are_messages_not_error_pages(copied: MusicFlow) -> None:
    for name in [c.name for c in copied.catalogs()]:
        copied.remove_catalog(name)
    with client_of(copied) as client:
        no_catalog = client.get("/discover")
        assert no_catalog.status_code == 200
        assert 'id="no-catalog"' in no_catalog.text and "musicflow catalog add" in no_catalog.text
        no_model = client.get("/discover", params={"profile": "stranger"})
    assert no_model.status_code == 404
    assert "What would help" in no_model.text and 'href="/discover?profile=stranger"' in no_model.text
