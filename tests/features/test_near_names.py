"""Names as people type them: a song found by a near name says which one, a name nothing is near says
what is nearest, and the search is built once per state of what the store knows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.core.songs import NotFound, SongName, SongRequest, SourceAnswer, TrackQuery, match_key
from musicflow.errors import SongNotFoundError
from musicflow.features.catalog import CatalogSource
from musicflow.features.names import SUGGEST, Credits, NameIndex
from musicflow.features.source_port import FeatureSource

CATALOG = (
    "id,name,artists,danceability,energy,key,loudness,mode,speechiness,acousticness,"
    "instrumentalness,liveness,valence,tempo,time_signature\n"
    "6tNQ70jh4OwmPGpYy6R2o9,Sugar,Maroon 5,0.748,0.788,1,-7.055,1,0.0334,0.0591,0,0.0863,0.884,120.076,4\n"
    "0VjIjW4GlUZAMYd2vXMi3b,Blinding Lights,The Weeknd,0.514,0.73,1,-5.934,1,0.0598,0.00146,"
    "0.0000954,0.0897,0.334,171.005,4\n"
    "2XU0oxnq2qxCpomAAuJY8K,Dance Monkey,Tones And I,0.825,0.593,6,-6.401,0,0.0988,0.688,0.000161,"
    "0.17,0.54,98.078,4\n"
    "7qiZfU4dY1lWllzX7mPBI3,Shape of You,Ed Sheeran,0.825,0.652,1,-3.183,0,0.0802,0.581,0,0.0931,"
    "0.931,95.977,4\n"
)
SUGAR = SongName("Sugar", "Maroon 5")
KNOWN = [
    match_key("Maroon 5", "Sugar"),
    match_key("Maroon 5", "Memories"),
    match_key("The Weeknd", "Blinding Lights"),
    match_key("Ed Sheeran", "Shape of You"),
    match_key("Billie Holiday", "Am I Blue?"),
    match_key("Quinn XCII", "Panama"),
    match_key("The 1975", "Sincerity Is Scary"),
    match_key("Lil Nas X", "Old Town Road"),
]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[MusicFlow]:
    """A store whose one catalog holds four songs (no bundled catalog), answering from it alone."""
    catalog = tmp_path / "four.csv"
    catalog.write_text(CATALOG, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "home", feature_sources=["catalog"], use_bundled_catalog=False)
    with MusicFlow.open(settings) as opened:
        opened.add_catalog(catalog, "four")
        yield opened


@pytest.mark.parametrize(
    ("song", "artist", "found"),
    [
        ("Sugar", "maroon5", ("maroon 5", "sugar")),
        ("SUGAR!", "Maroon-5", ("maroon 5", "sugar")),
        ("Blinding Lights", "Weeknd", ("the weeknd", "blinding lights")),
        ("Blindng Lights", "The Weeknd", ("the weeknd", "blinding lights")),
        ("Shape Of You (feat. Nobody)", "Ed Sheran feat. Someone", ("ed sheeran", "shape of you")),
        ("Am I Blu", "Billie Holliday", ("billie holiday", "am i blue")),
        ("Panama", "Quinn XCll", ("quinn xcii", "panama")),  # lower-case L for a capital I
        ("Sincerity Is Scary", "the1975", ("the 1975", "sincerity is scary")),
        ("Old Town Road", "LiI Nas X", ("lil nas x", "old town road")),
    ],
)
def test_a_near_name_is_answered_for(song: str, artist: str, found: tuple[str, str]):
    nearest = NameIndex(KNOWN).nearest(song, artist)
    assert nearest.songs[0].answers
    assert nearest.songs[0].key == match_key(*found)


@pytest.mark.parametrize(
    ("song", "artist"),
    [
        ("Zzyzx Road", "Nobody At All"),
        ("Sugar", "Marooon Fiev"),
        ("Memoirs", "Maroon 5"),
        ("!!!", "?"),
    ],
)
def test_a_name_nothing_is_near_enough_is_not_answered_for(song: str, artist: str):
    assert not any(found.answers for found in NameIndex(KNOWN).nearest(song, artist).songs)


def test_a_title_sung_by_someone_else_is_suggested():
    nearest = NameIndex(KNOWN).nearest("Sugar", "Marooon Fiev")
    assert [found.key for found in nearest.songs] == [match_key("Maroon 5", "Sugar")]


@pytest.mark.parametrize(
    ("artist", "found"),
    [("Red Hot", "red hot chili peppers"), ("Fighters", "foo fighters"), ("Linkin", "linkin park")],
)
def test_an_artist_typed_in_part_is_suggested_never_answered_for(artist: str, found: str):
    """A longer name it begins or a name holding its words: the songs of that title are offered, never
    taken for the one asked (a part may be another artist's whole name)."""
    known = [*KNOWN, *(match_key(name, "Alive") for name in ("Red Hot Chili Peppers", "Foo Fighters"))]
    known += [match_key("Linkin Park", "Alive"), match_key("Khalid", "Alive")]
    nearest = NameIndex(known).nearest("Alive", artist)
    assert nearest.songs[0].key == match_key(found, "Alive")
    assert not any(song.answers for song in nearest.songs)
    short = NameIndex(known).nearest("Alive", "Red")  # too short a part: only the title's other singers
    assert all(song.artist < SUGGEST for song in short.songs)


def test_a_near_artist_is_found_whatever_the_title():
    nearest = NameIndex(KNOWN).nearest("A Song Nobody Wrote", "maroon5")
    assert not nearest.songs
    assert [(artist.key, artist.answers) for artist in nearest.artists] == [("maroon 5", True)]


def test_an_artist_known_as_typed_is_searched_for_its_own_near_songs_only():
    """A listener's artist typed as it is known: only that artist's titles close enough to answer are
    looked at (no other singer's, no suggestion), so a title of theirs nobody has costs next to nothing."""
    index = NameIndex(KNOWN)
    typo = index.nearest("Sugr", "Maroon 5", answers_only=True)
    assert [(found.key, found.answers) for found in typo.songs] == [(match_key("Maroon 5", "Sugar"), True)]
    assert typo.artists == []
    assert index.nearest("Memoirs", "Maroon 5", answers_only=True).songs == []  # near, not close enough
    assert index.nearest("Shape of You", "Maroon 5", answers_only=True).songs == []  # another singer's
    assert index.nearest("Sugar", "Marooon 5", answers_only=True).songs == []  # not the artist as typed


@pytest.mark.parametrize("answers_only", [True, False])
def test_a_title_one_typo_from_a_known_one_is_answered_for_however_short(answers_only: bool):
    """A letter changed, added, missing or two swapped in a short title reads as far by closeness (80 for
    "Bonez" against "Bones"): the listener of "Bones" meant it. Two typos, or a title of four letters,
    where one letter often makes another word, are not taken for it."""
    index = NameIndex([*KNOWN, match_key("Imagine Dragons", "Bones"), match_key("Imagine Dragons", "Hope")])
    bones = match_key("Imagine Dragons", "Bones")
    for typed in ("Bonez", "Bnes", "Bonnes", "Bnoes"):
        found = index.nearest(typed, "Imagine Dragons", answers_only=answers_only).songs
        assert [(near.key, near.answers) for near in found][:1] == [(bones, True)], typed
    for typed in ("Bonzz", "Home"):
        found = index.nearest(typed, "Imagine Dragons", answers_only=answers_only).songs
        assert not any(near.answers for near in found), typed
    # by an artist only near the one typed, the title is still only suggested
    assert not any(near.answers for near in index.nearest("Bonez", "Imagin Dargons Band").songs)


def test_a_typo_finds_the_song_and_the_answer_names_it(app: MusicFlow):
    found = app.song_features("Sugr", "maroon5")
    assert found.matched == SUGAR
    assert (found.query.song, found.query.artist) == ("Sugar", "Maroon 5")
    assert found.merged.values["tempo"] == pytest.approx(120.076)


def test_a_name_found_by_its_keys_says_nothing_was_changed(app: MusicFlow):
    found = app.song_features("sugar - remastered 2011", "MAROON 5")
    assert found.matched is None and found.merged.values["tempo"] == pytest.approx(120.076)


def test_nothing_near_is_not_found_with_the_nearest_names(app: MusicFlow):
    with pytest.raises(SongNotFoundError) as far:
        app.song_features("Sugar", "Marooon Fiev")
    assert far.value.suggestions == (SUGAR,)
    assert "'Sugar' by 'Marooon Fiev'" in str(far.value)
    with pytest.raises(SongNotFoundError) as nothing:
        app.song_features("Zzyzx Road", "Nobody At All")
    assert nothing.value.suggestions == ()


def test_the_names_are_searched_as_built_until_the_store_changes(app: MusicFlow, tmp_path: Path):
    index = app._finder.index
    app.song_features("Sugr", "maroon5")
    built = index.names()
    app.song_features("Blindng Lights", "Weeknd")
    assert index.names() is built  # one search structure for every question
    more = tmp_path / "more.csv"
    more.write_text(CATALOG.replace("Sugar,Maroon 5", "Memories,Maroon 5"), encoding="utf-8")
    app.add_catalog(more, "more")
    index.refresh()
    assert index.names() is not built
    assert app.song_features("Memries", "Maroon 5").matched == SongName("Memories", "Maroon 5")


class Nobody:
    """A network source that knows no song."""

    name = "nobody"
    batch_size = 1

    def __init__(self) -> None:
        self.asked: list[str] = []

    def fetch(self, queries: Sequence[TrackQuery]) -> dict[str, SourceAnswer]:
        self.asked.extend(q.song for q in queries)
        return {q.key: NotFound(self.name) for q in queries}


def test_a_near_name_is_answered_before_any_network_source_is_asked(app: MusicFlow):
    finder, nobody = app._finder, Nobody()
    (found,) = finder.find([SongRequest("Sugr", "maroon5")], [CatalogSource(finder.store), nobody], keep=True)
    assert found.matched == SUGAR and found.merged.values
    assert nobody.asked == ["Sugar"]  # asked about the song answered for, never about the typo


def test_a_name_typed_wrong_once_is_never_offered_back(app: MusicFlow):
    finder = app._finder
    sources: list[FeatureSource] = [CatalogSource(finder.store), Nobody()]
    (first,) = finder.find([SongRequest("Sugar", "Marooon Fiev")], sources, keep=True)
    assert first.track_id is not None  # the source's miss is kept, against a track of that spelling
    assert first.suggestions == (SUGAR,)
    finder.index.refresh()
    (again,) = finder.find([SongRequest("Sugar", "Marooon Fiv")], sources, keep=True)
    assert again.matched is None and again.suggestions == (SUGAR,)


def test_a_name_asked_once_of_the_sources_is_still_answered_for_a_near_one(app: MusicFlow, tmp_path: Path):
    finder = app._finder
    sources: list[FeatureSource] = [CatalogSource(finder.store), Nobody()]
    (first,) = finder.find([SongRequest("Memries", "maroon5")], sources, keep=True)
    assert first.matched is None and first.track_id is not None  # nothing near yet; the miss is kept
    more = tmp_path / "more.csv"
    more.write_text(CATALOG.replace("Sugar,Maroon 5", "Memories,Maroon 5"), encoding="utf-8")
    app.add_catalog(more, "more")
    finder.index.refresh()
    (again,) = finder.find([SongRequest("Memries", "maroon5")], sources, keep=True)
    assert again.matched == SongName("Memories", "Maroon 5") and again.merged.values


def test_a_song_is_found_by_an_artist_it_features_unless_the_credit_is_ambiguous():
    credits = Credits(
        [
            (match_key("Lady Gaga", "Die With A Smile"), "Die With A Smile", "Lady Gaga; Bruno Mars"),
            (
                match_key("Post Malone", "Sunflower - Spider-Man"),
                "Sunflower - Spider-Man",
                "Post Malone; Swae Lee",
            ),
            (match_key("Post Malone", "Circles - Remix"), "Circles - Remix", "Post Malone; Swae Lee"),
            (match_key("The Kid LAROI", "STAY"), "STAY", "The Kid LAROI; Justin Bieber"),
            (match_key("Someone Else", "Stay"), "Stay", "Someone Else; Justin Bieber"),
        ]
    )
    smile = SongName("Die With A Smile", "Lady Gaga; Bruno Mars")
    assert credits.song_of("die with a smile", "Bruno Mars") == smile
    assert smile.did_you_mean == "did you mean 'Die With A Smile' by Lady Gaga and Bruno Mars?"
    assert SongName("Señorita", "Shawn Mendes; Camila Cabello; ").words == (
        "'Señorita' by Shawn Mendes and Camila Cabello"
    )
    assert SongName("Stay", "A; B; C").words == "'Stay' by A, B and C"
    assert credits.song_of("Die With A Smile", "Bruno Mars & Lady Gaga") == smile  # as typed, either way
    assert credits.song_of("Die With A Smile", "Lady Gaga") is None  # the first artist's key finds it
    assert credits.song_of("Sunflower", "Swae Lee") == SongName(
        "Sunflower - Spider-Man", "Post Malone; Swae Lee"
    )
    assert credits.song_of("Circles", "Swae Lee") is None  # a remix is no typing of the song's title
    assert credits.song_of("Circles - Remix", "Swae Lee") == SongName(
        "Circles - Remix", "Post Malone; Swae Lee"
    )
    assert credits.song_of("Stay", "Justin Bieber") is None  # two songs: neither is the one meant
    assert len(Credits([(match_key("A", "Song"), "Song", "A; ; A")])) == 0  # no other artist credited
