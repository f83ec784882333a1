"""`MusicFlow.recommendations`: the answer the CLI, the API and the page share, kept while the listener's
model and the catalogs stay the same, computed afresh when either changes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from musicflow.app.recommendation_answers import RecommendationQuestion
from musicflow.app.service import MusicFlow
from musicflow.errors import CatalogNotFoundError, Hint
from tests.app.conftest import demo_settings
from tests.lists_made import ListsMade
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE, copy_of

CHAMPION_CHECK_S = 1.1  # the serving model looks at the champion at most once a second
SLICE = RecommendationQuestion(("slice",), top=5)


def more_popular(app: MusicFlow, song: str, artist: str, folder: Path) -> str:
    """A catalog "more" holding one more popular recording of a song the slice lists; its Spotify id."""
    popular = "popular000000000000000"
    features = bundled_rows(1, offset=20_000).drop("spotify_id", "song", "artists", "popularity")
    names = pl.DataFrame({"spotify_id": [popular], "song": [song], "artists": [artist]})
    given = features.with_columns(pl.lit(100, dtype=pl.Int32).alias("popularity"))
    pl.concat([names, given], how="horizontal").write_parquet(folder / "more.parquet")
    app.add_catalog(folder / "more.parquet", "more")
    return popular


def streamed(app: MusicFlow, profile: str, song: tuple[str, str, str], times: int, folder: Path) -> None:
    """`profile` streamed the song (title, artist, Spotify id) `times` times, as an extended export says."""
    title, artist, spotify_id = song
    plays = [
        {
            "ts": f"2024-03-{day:02d}T10:00:00Z",
            "ms_played": 200_000,
            "master_metadata_track_name": title,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "An Album",
            "spotify_track_uri": f"spotify:track:{spotify_id}",
            "reason_start": "trackdone",
            "reason_end": "trackdone",
            "skipped": False,
        }
        for day in range(1, times + 1)
    ]
    export = folder / "Streaming_History_Audio_2024.json"
    export.write_text(json.dumps(plays), encoding="utf-8")
    app.ingest([export], profile, retrain=False)


@pytest.fixture
def two_versions(two_versions_listener: Path, tmp_path: Path) -> Iterator[MusicFlow]:
    """The trained demo listener with two model versions, v1 the champion, and a catalog of 600 songs."""
    home = tmp_path / "home"
    copy_of(two_versions_listener, home)
    bundled_rows(600, offset=5_000).write_parquet(home / "slice.parquet")
    with MusicFlow.open(demo_settings(home)) as app:
        app.add_catalog(home / "slice.parquet", "slice")
        app.promote(PROFILE, "1")
        yield app


def test_the_answer_says_what_it_was_drawn_from(two_versions: MusicFlow) -> None:
    answer = two_versions.recommendations(PROFILE, SLICE)
    assert (answer.profile, answer.model_version, answer.catalogs, answer.entries) == (
        PROFILE,
        1,
        ["slice"],
        600,
    )
    assert len(answer.items) == 5 and answer.note is None
    document = answer.as_document()
    assert document["recommendations"] == [item.as_document() for item in answer.items]
    assert document["ranked_by"] == answer.items[0].ranked_by and document["how_sure"]
    assert [item.spotify_id for item in answer.items] == [
        item.spotify_id for item in two_versions.recommend(PROFILE, 5, ["slice"])
    ]


def test_a_shorter_list_is_the_first_songs_of_a_longer_one_kept(
    two_versions: MusicFlow, lists_made: ListsMade
):
    """Each new `top` scored every catalog row again (2 to 5 s on the bundled catalog); the songs of a
    shorter list are the first of a longer one ranked the same way, so a kept longer list answers it. A
    list of more than 20 goes on by another ranking after its first 20 and says so: a list of 20 or fewer
    is never cut from one."""
    ten = two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=10))
    assert len(lists_made.profiles) == 1
    four = two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=4))
    assert len(lists_made.profiles) == 1  # not made again
    assert four.question.top == 4 and four.as_document()["top"] == 4
    assert four.items == ten.items[:4] and four.ranked_by == ten.ranked_by
    computed = two_versions.recommend(PROFILE, 4, ["slice"])  # what making it would have given
    assert [item.as_document() for item in four.items] == [item.as_document() for item in computed]
    made = len(lists_made.profiles)
    thirty = two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=30))
    assert len(lists_made.profiles) == made + 1 and len(thirty.items) == 30
    twenty_five = two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=25))
    assert len(lists_made.profiles) == made + 1 and twenty_five.items == thirty.items[:25]
    assert twenty_five.ranked_by == thirty.ranked_by and "After them" in (thirty.ranked_by or "")
    twenty = two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=20))
    assert len(lists_made.profiles) == made + 2  # ranked one way throughout: made, not cut
    assert [(item.song, item.artist) for item in twenty.items] == [
        (item.song, item.artist) for item in thirty.items[:20]
    ]
    assert "After them" not in (twenty.ranked_by or "")
    other = two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=3, per_artist=1))
    assert len(lists_made.profiles) == made + 3  # another question, whatever its length
    assert len(other.items) == 3


@pytest.mark.slow  # waits for the champion checks
def test_the_answer_is_kept_until_the_champion_moves(two_versions: MusicFlow) -> None:
    first = two_versions.recommendations(PROFILE, SLICE)
    assert two_versions.recommendations(PROFILE, SLICE) is first
    assert two_versions.recommendations(PROFILE, RecommendationQuestion(("slice",), top=6)) is not first
    two_versions.promote(PROFILE, "2")
    time.sleep(CHAMPION_CHECK_S)
    newer = two_versions.recommendations(PROFILE, SLICE)
    assert (first.model_version, newer.model_version) == (1, 2)
    two_versions.rollback(PROFILE)
    time.sleep(CHAMPION_CHECK_S)
    assert two_versions.recommendations(PROFILE, SLICE).model_version == 1


def test_a_catalog_imported_again_is_answered_afresh(two_versions: MusicFlow, tmp_path: Path) -> None:
    first = two_versions.recommendations(PROFILE, SLICE)
    bundled_rows(300, offset=9_000).write_parquet(tmp_path / "other.parquet")
    two_versions.add_catalog(tmp_path / "other.parquet", "slice")  # replaces it
    again = two_versions.recommendations(PROFILE, SLICE)
    assert again is not first and again.entries == 300
    assert {item.spotify_id for item in again.items}.isdisjoint({item.spotify_id for item in first.items})


def test_another_catalog_holding_a_song_listed_is_answered_afresh(
    two_versions: MusicFlow, tmp_path: Path
) -> None:
    """A catalog imported beside the one asked about, holding a more popular recording of a song it
    lists, changes what that song is listed as (the entry `predict` answers for it from), though the
    catalog asked about did not change."""
    every = RecommendationQuestion(("slice",), top=600, per_artist=600)
    item = two_versions.recommendations(PROFILE, every).items[0]
    popular = more_popular(two_versions, item.song, item.artist, tmp_path)
    again = next(i for i in two_versions.recommendations(PROFILE, every).items if i.song == item.song)
    answer = two_versions.predict(PROFILE, item.song, item.artist.split("; ")[0])
    assert again.spotify_id == answer.answer.song.merged.spotify_id == popular
    assert again.predicted_streams == pytest.approx(answer.streams, abs=1e-9)


def test_an_unknown_catalog_is_an_error_and_none_imported_is_said(two_versions: MusicFlow) -> None:
    with pytest.raises(CatalogNotFoundError, match="no catalog named 'nope'") as raised:
        two_versions.recommendations(PROFILE, RecommendationQuestion(("nope",)))
    assert raised.value.hint == Hint.LIST_CATALOGS
    for catalog in two_versions.catalogs():
        two_versions.remove_catalog(catalog.name)
    empty = two_versions.recommendations(PROFILE)
    assert (empty.catalogs, empty.items, empty.entries) == ([], [], 0)
    assert empty.note == "no catalog is imported yet, so there is nothing to pick from"


def test_a_song_another_listener_streamed_is_answered_as_listed_not_as_their_recording(
    two_versions: MusicFlow, tmp_path: Path
) -> None:
    """Another listener of the store streamed a song under a less popular recording's Spotify id: this
    listener, who never played it, asking it by name gets the recording their list shows (the same
    number), while the one who streamed it is answered for their own recording."""
    every = RecommendationQuestion(("slice",), top=600, per_artist=600)
    item = two_versions.recommendations(PROFILE, every).items[0]
    popular = more_popular(two_versions, item.song, item.artist, tmp_path)
    assert item.spotify_id and item.spotify_id != popular
    first = item.artist.split("; ")[0]
    streamed(two_versions, "other", (item.song, first, item.spotify_id), 3, tmp_path)

    listed = next(i for i in two_versions.recommendations(PROFILE, every).items if i.song == item.song)
    answer = two_versions.predict(PROFILE, item.song, item.artist.split("; ")[0])
    assert listed.spotify_id == answer.answer.song.merged.spotify_id == popular
    assert listed.predicted_streams == pytest.approx(answer.streams, abs=1e-9)
    assert listed.as_document()["predicted_streams"] == answer.as_document()["prediction"]  # as written
    assert answer.answer.history.song_streams == 0
    by_its_id = two_versions.predict(PROFILE, item.song, item.artist.split("; ")[0], listed.spotify_id)
    assert by_its_id.spotify_id == popular and by_its_id.streams == answer.streams  # the id: that recording
    theirs = two_versions.song_features(item.song, item.artist.split("; ")[0], profile="other")
    assert theirs.merged.spotify_id == item.spotify_id


def test_a_song_no_source_knows_keeps_the_spotify_id_the_listeners_export_gave_it(
    two_versions: MusicFlow, tmp_path: Path
) -> None:
    artist = two_versions.top_streams(PROFILE, 1)[0].artist
    its_id = "0nosource0knows0it0000"
    streamed(two_versions, PROFILE, ("A Song No Catalog Holds", artist, its_id), 2, tmp_path)
    answer = two_versions.predict(PROFILE, "A Song No Catalog Holds", artist)
    assert not answer.answer.song.merged.values  # no source knows it: answered from the history
    assert answer.as_document()["spotify_id"] == its_id and answer.known == 2


def test_lists_made_ahead_are_made_once_each_in_turn_and_a_failure_stops_none() -> None:
    import threading

    from musicflow.app.recommendation_answers import ListsAhead
    from musicflow.errors import NoModelError

    entered, release, done = threading.Event(), threading.Event(), threading.Event()
    made: list[str] = []

    def make(profile: str) -> None:
        entered.set()
        release.wait(10)
        if profile == "untrained":
            raise NoModelError("no model for 'untrained'")
        made.append(profile)
        if profile == "last":
            done.set()

    ahead = ListsAhead(make)
    ahead.ask("first")
    assert entered.wait(10)  # "first" is being made: asked again, it is made again after the others
    for profile in ("untrained", "second", "second", "first", "last"):
        ahead.ask(profile)
    release.set()
    assert done.wait(10)
    assert made == ["first", "second", "first", "last"]
    ahead.stop()
