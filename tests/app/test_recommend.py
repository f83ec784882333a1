"""`recommend` never lists a song the listener played, by id or by loose key, nor too many by one artist."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest

from musicflow.app.catalog_scoring import Recommendation, recommendable
from musicflow.app.ranker_choice import (
    AFFINITY,
    ALL_THREE,
    MIXED,
    MODEL,
    RANKING_FACT,
    WAY_WORDS,
    WAYS,
    RankerChoice,
    pick,
)
from musicflow.app.service import MusicFlow
from musicflow.core.songs import credited_artists, match_key, primary_artist, version_family, version_kind
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE


def _mixed_catalog(app: MusicFlow, path: Path) -> tuple[set[str], set[str]]:
    """Played songs under another title (same id) and as remasters (new id), among unplayed songs."""
    played = [t for t in app.top_streams(PROFILE, 60) if t.spotify_id]
    features = bundled_rows(len(played) * 2, offset=20_000).drop("spotify_id", "song", "artists")
    same_id = pl.DataFrame(
        {
            "spotify_id": [t.spotify_id for t in played],
            "song": [f"Another Title {i}" for i in range(len(played))],
            "artists": [t.artist for t in played],
        }
    )
    remasters = pl.DataFrame(
        {
            "spotify_id": [f"remaster{i:014d}" for i in range(len(played))],
            "song": [f"{t.track} - Remastered 2011" for t in played],
            "artists": [t.artist for t in played],
        }
    )
    names = pl.concat([same_id, remasters])
    played_rows = pl.concat([names, features], how="horizontal")
    unplayed = bundled_rows(400, offset=30_000)
    pl.concat([played_rows, unplayed.select(played_rows.columns)]).write_parquet(path)
    app.add_catalog(path, "mix")
    return set(same_id.get_column("spotify_id")) | set(remasters.get_column("spotify_id")), {
        match_key(t.artist, t.track) for t in played
    }


def test_recommend_lists_no_played_song_and_caps_each_artist(app: MusicFlow, tmp_path: Path):
    played_ids, played_keys = _mixed_catalog(app, tmp_path / "mix.parquet")
    assert len(played_ids) >= 40
    found = app.recommend(PROFILE, top=1000, catalogs=["mix"], per_artist=2)
    assert len(found) > 50
    assert not {r.spotify_id for r in found} & played_ids
    assert not {match_key(r.artist.split("; ")[0], r.song) for r in found} & played_keys
    per_artist = Counter(artist for r in found for artist in credited_artists(r.artist))  # every credit
    assert max(per_artist.values()) <= 2
    assert any(len(credited_artists(r.artist)) > 1 for r in found)  # the catalog's credits were counted
    assert all(r.reasons and r.song.strip() and r.artist.strip() for r in found)
    predicted = app.recommend(PROFILE, top=1000, catalogs=["mix"], per_artist=2, by_prediction=True)
    assert [r.predicted_streams for r in predicted] == sorted(
        (r.predicted_streams for r in predicted), reverse=True
    )
    assert len(predicted) == len(found)  # two of each artist either way, the best two by each order


def test_the_list_is_ranked_the_way_chosen_when_the_model_was_trained_and_says_so(app: MusicFlow):
    model = app.serving.get(PROFILE).model
    choice = RankerChoice.of_model(model.training)
    assert choice is not None and choice.ranker == pick(choice.found)  # the demo holds the bundled catalog
    assert set(choice.found) == set(WAYS) and choice.later > 0
    ten = app.recommend(PROFILE, top=20)
    assert all(r.ranked_by == choice.words() for r in ten)
    assert all(r.by_prediction == (choice.ranker == MODEL) for r in ten)
    on = {
        MIXED: ("popularity",),
        ALL_THREE: ("popularity", "artist_streams"),
        AFFINITY: ("artist_streams", "popularity"),
    }
    assert all(r.ranked_on == on.get(choice.ranker, ()) for r in ten)  # shown beside each song
    found = app.recommend(PROFILE, top=30)  # after the first 20, by predicted streams x popularity²
    assert all(r.ranked_by == choice.words(spliced=True) for r in found)
    assert all(not r.by_prediction and "popularity" in r.ranked_on for r in found)
    artists = {
        primary_artist(a.name): a.streams for a in app.serving.get(PROFILE).listener.top_artists(1_000)
    }
    for item in found:  # as the taste page counts them (a song of several artists: its first one's)
        assert item.artist_streams == artists.get(primary_artist(item.artist), 0) > 0, item
    by_prediction = app.recommend(PROFILE, top=20, by_prediction=True)
    said = "Ranked by MusicFlow's predicted streams, as asked."  # said, not left null (a list says how)
    assert all(r.ranked_by == said and r.by_prediction and not r.ranked_on for r in by_prediction)
    streams = [r.predicted_streams for r in by_prediction]
    assert streams == sorted(streams, reverse=True)


@pytest.mark.slow  # scores the whole bundled catalog, twice
def test_the_best_few_are_the_best_of_everything(app: MusicFlow):
    """Read in batches, the top 10 are still the top 10 of the whole catalog, one per artist."""
    best = app.recommend(PROFILE, top=10, per_artist=1)
    more = app.recommend(PROFILE, top=30, per_artist=1)
    assert len(best) == 10
    assert [r.spotify_id for r in more[:10]] == [r.spotify_id for r in best]
    assert len({match_key(r.artist.split("; ")[0], "x") for r in best}) == 10


@pytest.mark.parametrize("way", [MIXED, ALL_THREE])
def test_ranked_by_places_the_best_few_are_the_best_of_everything(
    app: MusicFlow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
):
    """Ranked by places among every candidate (predicted streams and popularity together, the demo
    listener's way, or those and artist affinity), a short list is the start of a long one: the short one
    scores again only the rows a first pass found good enough, the long one (more rows than the catalog
    holds) every row."""
    training = app.serving.get(PROFILE).model.training
    monkeypatch.setitem(training, RANKING_FACT, {**training[RANKING_FACT], "ranker": way})
    bundled_rows(3_000, offset=10_000).write_parquet(tmp_path / "slice.parquet")
    app.add_catalog(tmp_path / "slice.parquet", "slice")
    first = app.recommend(PROFILE, top=1, catalogs=["slice"])[0]
    assert first.by_prediction is False and first.ranked_by is not None
    assert first.ranked_by.startswith(f"Ranked by {WAY_WORDS[way]}:")
    short = app.recommend(PROFILE, top=20, catalogs=["slice"])
    long = app.recommend(PROFILE, top=100, catalogs=["slice"])
    assert len(short) == 20 and len(long) == 100
    assert [(r.spotify_id, r.song) for r in short] == [(r.spotify_id, r.song) for r in long[:20]]


def test_a_catalog_led_by_one_artist_still_fills_the_list(app: MusicFlow, tmp_path: Path):
    """3,000 songs of one artist, all of the catalog's highest popularity, lead the catalog under the
    demo listener's ranking; at most two of them are listed, and the other artists fill the rest."""
    features = bundled_rows(3_000, offset=60_000).drop("spotify_id", "song", "artists", "popularity")
    one_artist = pl.concat(
        [
            pl.DataFrame(
                {
                    "spotify_id": [f"queen{i:017d}" for i in range(3_000)],
                    "song": [f"A Song Of Theirs {i}" for i in range(3_000)],
                    "artists": ["Queen"] * 3_000,
                    "popularity": pl.Series([100] * 3_000, dtype=pl.Int32),
                }
            ),
            features,
        ],
        how="horizontal",
    )
    others = bundled_rows(400, offset=30_000)
    pl.concat([one_artist.select(others.columns), others]).write_parquet(tmp_path / "one.parquet")
    app.add_catalog(tmp_path / "one.parquet", "one artist")
    found = app.recommend(PROFILE, top=20, catalogs=["one artist"], per_artist=2)
    assert len(found) == 20
    assert sum(r.artist == "Queen" for r in found) == 2
    assert found[0].artist == "Queen"  # the ranking puts them first: only the cap leaves them out


def _versions_catalog(app: MusicFlow, path: Path) -> tuple[list[str], list[tuple[str, str]], str]:
    """Remixes and acoustic versions of played songs (each title and artist), and one unplayed song under
    four catalog entries."""
    played = [t for t in app.top_streams(PROFILE, 30) if " - " not in t.track and "(" not in t.track][:10]
    other = bundled_rows(1, offset=40_000).row(0, named=True)
    title, artist = other["song"], other["artists"].split("; ")[0]
    songs = [f"{t.track} (Jay Pryor Remix)" for t in played] + [f"{t.track} - Acoustic" for t in played]
    songs += [title, title.upper(), f"{title} (feat. Someone Else)", f"{title} - Remastered 2011"]
    artists = [t.artist for t in played] * 2 + [artist] * 4
    features = bundled_rows(len(songs), offset=50_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {"spotify_id": [f"version{i:015d}" for i in range(len(songs))], "song": songs, "artists": artists}
    )
    pl.concat([names, features], how="horizontal").write_parquet(path)
    app.add_catalog(path, "versions")
    versions = list(zip(songs, artists, strict=True))[: 2 * len(played)]
    return [t.track for t in played], versions, match_key(artist, title)


def test_other_versions_say_so_and_one_song_appears_once(app: MusicFlow, tmp_path: Path):
    played, offered, repeated = _versions_catalog(app, tmp_path / "versions.parquet")
    found = app.recommend(PROFILE, top=1000, catalogs=["versions"], per_artist=1000)
    keys = [match_key(r.artist.split("; ")[0], r.song) for r in found]
    assert keys.count(repeated) == 1  # four catalog entries, one song
    assert len(keys) == len(set(keys))
    listener = app.serving.get(PROFILE).listener
    streams = {(s.name, s.artist): s.streams for s in listener.top_songs()}  # as the taste page counts
    theirs = {match_key(s.artist, s.name) for s in [*listener.top_songs(), *listener.unstreamed_songs()]}
    unplayed = [song for song, artist in offered if match_key(artist, song) not in theirs]
    assert ("Everlong - Acoustic", "Foo Fighters") in offered and "Everlong - Acoustic" not in unplayed
    versions = [r for r in found if r.version_of]  # a version they streamed already is never listed
    assert sorted(r.song for r in versions) == sorted(unplayed)
    for item in versions:
        original = next(title for title in played if item.song.startswith(title))
        kind = "a remix" if "Remix" in item.song else "an acoustic version"
        count = streams[(original, item.artist)]
        assert item.version_of == f"{kind} of {original}, which you streamed {count:,} times"
        assert item.reason_words[0] == item.version_of and item.as_document()["reasons"] == item.reason_words
    assert all(r.how_sure and "times in 100" in r.how_sure for r in found)
    new_only = app.recommend(PROFILE, top=1000, catalogs=["versions"], per_artist=1000, new_songs_only=True)
    assert [r.song for r in new_only] == [r.song for r in found if not r.version_of]


def test_the_first_recommendations_are_by_artists_the_taste_page_lists(app: MusicFlow):
    """An artist known from a song or three does not outrank the listener's favourites: the first three
    recommendations, one per artist, are by artists among the taste page's top ten, or of whom the
    listener streamed more than three songs and at least a third as often as its tenth artist (the
    demo listener's third is Soundgarden: 9 songs, 66 streams, the tenth artist 154)."""
    taste = app.taste(PROFILE).top_artists
    favourites, tenth = {count.label for count in taste}, taste[-1].value
    listener = app.serving.get(PROFILE).listener
    first = app.recommend(PROFILE, top=3, per_artist=1, by_prediction=True)
    assert len(first) == 3
    for item in first:
        history = listener.history(item.artist.split("; ")[0], None)
        known_well = history.artist_songs > 3 and history.artist_streams >= tenth // 3
        assert history.artist in favourites or known_well, (item, history)


def test_a_recommendation_says_what_predicting_its_song_says(app: MusicFlow):
    """The number beside a recommendation is the prediction `predict` gives for that catalog entry, for
    artists the listener knows from many songs, from a few, or not at all; and so are its reasons (the
    first of them where thin evidence moved the number)."""
    listener = app.serving.get(PROFILE).listener
    known = {key: a.songs for key, a in listener.artist_affinities().items()}
    kinds: dict[str, list[Recommendation]] = {}
    for item in app.recommend(PROFILE, top=400, per_artist=2):
        songs = known.get(primary_artist(item.artist.split("; ")[0]), 0)
        kinds.setdefault("new" if not songs else "a few" if songs <= 3 else "many", []).append(item)
    assert set(kinds) == {"new", "a few", "many"}
    for items in kinds.values():
        for item in items[:4]:
            answer = app.predict(PROFILE, item.song, item.artist.split("; ")[0], spotify_id=item.spotify_id)
            assert answer.streams == pytest.approx(item.predicted_streams, abs=1e-9), item
            given = [reason.words for reason in answer.answer.prediction.contributions]
            assert [reason.words for reason in item.reasons] == given[: len(item.reasons)], item


def test_a_prediction_moved_by_thin_evidence_says_so_first_and_no_other_does(app: MusicFlow):
    """The number a listener reads must not contradict its reasons: where few of the artist's songs
    were streamed and that moved the estimate, the first reason says so, with the model's own number."""
    listener = app.serving.get(PROFILE).listener
    known = {key: a.songs for key, a in listener.artist_affinities().items()}
    said = 0
    for item in app.recommend(PROFILE, top=400, per_artist=2):
        artist = item.artist.split("; ")[0]
        if not artist.strip():  # a catalog row that names no artist: nothing to ask about
            continue
        answer = app.predict(PROFILE, item.song, artist, spotify_id=item.spotify_id)
        reasons = answer.answer.prediction.contributions
        leaned = [r for r in reasons if r.feature == "artist_evidence"]
        songs = known.get(primary_artist(artist), 0)
        if not 0 < songs < 3:
            assert not leaned, (item, reasons)
            continue
        if leaned:
            said += 1
            assert reasons[0] is leaned[0]
            way = "down" if "leans down" in leaned[0].words else "up"
            alone = float(leaned[0].words.rsplit("(", 1)[1].split(" from")[0])
            assert (answer.streams < alone) == (way == "down")
            assert abs(answer.streams - alone) >= 0.5 - 0.05  # `alone` as the words round it
    assert said  # the demo has such songs: the check above ran


def test_a_song_named_as_its_own_singers_version_is_the_song_they_streamed(app: MusicFlow, tmp_path: Path):
    """A catalog names a soundtrack's recordings by who sings them ("Into the Unknown - Panic! At The
    Disco Version" by Panic! At The Disco): by that singer it is the song the listener streamed, never
    recommended as "another version" of it; named after someone else, it is another version."""
    played = [t for t in app.top_streams(PROFILE, 30) if " - " not in t.track and "(" not in t.track][:5]
    own = [f"{t.track} - {t.artist} Version" for t in played]
    others = [f"{t.track} - Someone Else Version" for t in played]
    songs = own + others
    features = bundled_rows(len(songs), offset=65_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {
            "spotify_id": [f"named{i:017d}" for i in range(len(songs))],
            "song": songs,
            "artists": [t.artist for t in played] * 2,
        }
    )
    pl.concat([names, features], how="horizontal").write_parquet(tmp_path / "named.parquet")
    app.add_catalog(tmp_path / "named.parquet", "named")
    found = {r.song: r for r in app.recommend(PROFILE, top=100, catalogs=["named"], per_artist=100)}
    assert len(played) == 5 and set(found) == set(others)
    listener = app.serving.get(PROFILE).listener
    streams = {(s.name, s.artist): s.streams for s in listener.top_songs(None)}
    for song, track in zip(others, played, strict=True):
        count = streams[(track.track, track.artist)]
        assert (
            found[song].version_of == f"another version of {track.track}, which you streamed {count:,} times"
        )


def test_a_version_of_a_song_only_skipped_or_only_streamed_as_a_version_is_named_truly(
    app: MusicFlow, tmp_path: Path
):
    """Another version of a song the listener played but never streamed (every play under 30 s) is not
    a song they "never played": it says so, and `--new-songs-only` leaves it out; the plain song offered
    to a listener of its live or unplugged version is "another version" of it, not "a live version"."""
    listener = app.serving.get(PROFILE).listener
    streamed = listener.top_songs(None)
    families = Counter(version_family(s.artist, s.name) for s in [*streamed, *listener.unstreamed_songs()])
    skipped = [
        s
        for s in listener.unstreamed_songs()
        if " - " not in s.name and "(" not in s.name and families[version_family(s.artist, s.name)] == 1
    ][:3]
    as_version = [  # whose plain title is a song of its own, not folded into the version's loose key
        s
        for s in streamed
        if " - " in s.name
        and version_kind(s.name)
        and families[version_family(s.artist, s.name)] == 1
        and match_key(s.artist, s.name) != match_key(s.artist, s.name.split(" - ")[0])
    ][:3]
    assert len(skipped) == 3 and len(as_version) == 3
    songs = [f"{s.name} (Jay Pryor Remix)" for s in skipped] + [s.name.split(" - ")[0] for s in as_version]
    artists = [s.artist for s in [*skipped, *as_version]]
    features = bundled_rows(len(songs), offset=60_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {"spotify_id": [f"skipped{i:015d}" for i in range(len(songs))], "song": songs, "artists": artists}
    )
    pl.concat([names, features], how="horizontal").write_parquet(tmp_path / "skipped.parquet")
    app.add_catalog(tmp_path / "skipped.parquet", "skipped")
    found = {r.song: r for r in app.recommend(PROFILE, top=100, catalogs=["skipped"], per_artist=100)}
    assert set(found) == set(songs)
    for song in skipped:
        remix = found[f"{song.name} (Jay Pryor Remix)"]
        assert remix.version_of == f"a remix of {song.name}, which you played but never streamed"
    for song in as_version:
        plain = found[song.name.split(" - ")[0]]
        assert (
            plain.version_of == f"another version of {song.name}, which you streamed {song.streams:,} times"
        )
    new_only = app.recommend(PROFILE, top=100, catalogs=["skipped"], per_artist=100, new_songs_only=True)
    assert new_only == []


def _songs_twice(app: MusicFlow, folder: Path) -> dict[tuple[str, str], str]:
    """Songs by artists the listener streams, each held twice: a popular recording (catalog "popular")
    and a less popular one with other features (catalog "reissues"); a third catalog holds the popular
    recording again with few values, but the valence the first lacks. Returns each (song, artist)'s
    popular recording."""
    artists = list(dict.fromkeys(t.artist for t in app.top_streams(PROFILE, 300)))[:24]
    songs = [f"A Song Told Twice {i}" for i in range(len(artists))]
    popular = [f"popular{i:015d}" for i in range(len(artists))]
    columns = bundled_rows(1).drop("spotify_id", "song", "artists", "popularity").columns

    def catalog(name: str, ids: list[str], popularity: int | None, features: pl.DataFrame) -> None:
        names = pl.DataFrame({"spotify_id": ids, "song": songs, "artists": artists})
        given = features.select(columns).with_columns(pl.lit(popularity, dtype=pl.Int32).alias("popularity"))
        pl.concat([names, given], how="horizontal").write_parquet(folder / f"{name}.parquet")
        app.add_catalog(folder / f"{name}.parquet", name)

    original = bundled_rows(len(songs), offset=70_000)
    catalog("popular", popular, 60, original.with_columns(pl.lit(None, dtype=pl.Float64).alias("valence")))
    reissues = [f"reissue{i:015d}" for i in range(len(songs))]
    catalog("reissues", reissues, 59, bundled_rows(len(songs), offset=75_000))
    few = original.with_columns(
        pl.lit(None, dtype=original.schema[c]).alias(c) for c in columns if c != "valence"
    )
    catalog("more", popular, None, few)
    return {(song, artist): id_ for song, artist, id_ in zip(songs, artists, popular, strict=True)}


@pytest.mark.parametrize("by_prediction", [False, True])
def test_a_song_of_two_entries_is_listed_with_what_predicting_it_by_name_says(
    app: MusicFlow, tmp_path: Path, by_prediction: bool
):
    """A song two catalogs hold (its popular recording and a less popular one, some scored higher) is
    listed once, as the recording `predict --song --artist` answers for: the same id, the same number,
    the same reasons, whichever way the list is ranked."""
    recordings = _songs_twice(app, tmp_path)
    higher = 0
    found = app.recommend(
        PROFILE, top=100, catalogs=["popular", "reissues"], per_artist=100, by_prediction=by_prediction
    )
    assert {(r.song, r.artist) for r in found} == set(recordings)
    for item in found:
        answer = app.predict(PROFILE, item.song, item.artist)
        assert item.spotify_id == recordings[(item.song, item.artist)] == answer.answer.song.merged.spotify_id
        assert answer.streams == pytest.approx(item.predicted_streams, abs=1e-9), item
        given = [reason.words for reason in answer.answer.prediction.contributions]
        assert [reason.words for reason in item.reasons] == given[: len(item.reasons)], item
        by_id = app.predict(PROFILE, item.song, item.artist, spotify_id=item.spotify_id)
        assert by_id.streams == pytest.approx(item.predicted_streams, abs=1e-9), item
        reissue = item.spotify_id.replace("popular", "reissue")
        higher += app.predict(PROFILE, item.song, item.artist, spotify_id=reissue).streams > answer.streams
    assert higher  # a less popular entry would have scored higher: listing it would have differed


def test_a_song_of_the_catalog_asked_is_listed_as_the_entry_predicting_it_answers_from(
    app: MusicFlow, tmp_path: Path
):
    """Asked for one catalog's songs, a song another catalog holds a more popular recording of is listed
    as that recording, the one `predict --song --artist` answers for, not as this catalog's entry."""
    recordings = _songs_twice(app, tmp_path)
    found = app.recommend(PROFILE, top=100, catalogs=["reissues"], per_artist=100, by_prediction=True)
    assert {(r.song, r.artist): r.spotify_id for r in found} == recordings
    for item in found[:6]:
        answer = app.predict(PROFILE, item.song, item.artist)
        assert answer.streams == pytest.approx(item.predicted_streams, abs=1e-9), item


@pytest.mark.parametrize("by_prediction", [False, True])
def test_the_first_twenty_say_what_predicting_each_by_name_says(app: MusicFlow, by_prediction: bool):
    """Of the demo listener's first 20 (each ranking), each says the number and reasons `predict` gives
    for its title and first artist, typed as a listener types them, without an id."""
    for item in app.recommend(PROFILE, top=20, by_prediction=by_prediction):
        answer = app.predict(PROFILE, item.song, item.artist.split("; ")[0])
        assert answer.answer.song.merged.spotify_id == item.spotify_id, item
        assert answer.streams == pytest.approx(item.predicted_streams, abs=1e-9), item
        given = [reason.words for reason in answer.answer.prediction.contributions]
        assert [reason.words for reason in item.reasons] == given[: len(item.reasons)], item


def test_a_list_goes_on_after_its_first_20_by_predicted_streams_weighed_by_popularity(app: MusicFlow):
    """The first 20 of a longer list are the list of 20 (the way chosen for the listener); the songs after
    them are ranked by predicted streams x (popularity / 100)², each song once, at most 2 by one artist
    over the whole list, and the list says so. Asked for many songs per artist, or by predicted streams,
    the list is ranked one way throughout."""
    twenty = app.recommend(PROFILE, top=20)
    long = app.recommend(PROFILE, top=60)
    assert len(long) == 60
    assert [(r.song, r.artist) for r in long[:20]] == [(r.song, r.artist) for r in twenty]
    weighed = [r.predicted_streams * ((r.popularity or 0) / 100) ** 2 for r in long[20:]]
    slack = 0.005 + 1e-9  # predicted streams are kept to two decimals
    assert all(a >= b - slack for a, b in pairwise(weighed)), weighed
    assert weighed[0] > weighed[-1]
    artists = Counter(primary_artist(r.artist) for r in long)
    assert max(artists.values()) <= 2
    assert len({(r.song.casefold(), primary_artist(r.artist)) for r in long}) == 60
    assert (
        long[0].ranked_by is not None and "After them, by MusicFlow's predicted streams" in long[0].ranked_by
    )
    uncapped = app.recommend(PROFILE, top=30, per_artist=20)
    assert all(r.ranked_by is None or "After them" not in r.ranked_by for r in uncapped)


def test_a_catalog_row_whose_name_did_not_decode_is_never_recommended():
    """The bundled catalog holds 51 rows named like "Se��o" (Señorita, mis-decoded): no one can look
    for such a song, and the listener's own "Señorita" is never matched with it, so it was recommended
    to a listener who streamed Señorita 33 times."""
    rows = pl.DataFrame(
        {
            "song": ["Se\ufffd\ufffdo", "Señorita", "Nostálgico"],
            "artist": ["Shawn Mendes; Camila Cabello", "Shawn Mendes", "Rvssian; R\ufffduw"],
            "played": [False, False, False],
            "banned": [False, False, False],
        }
    )
    assert rows.filter(recommendable()).get_column("song").to_list() == ["Señorita"]
