"""The listener's history as a prediction reads it: that profile's plays only, through the history port."""

from __future__ import annotations

from musicflow.core.plays import ExportFormat, Play
from musicflow.core.songs import match_key, song_lookup_keys
from musicflow.model.listener import Listener
from musicflow.store.sql import SqlStore

DAY = 86_400


def _streams(track: str, artist: str, count: int, start: int = 1_700_000_000) -> list[Play]:
    return [
        Play(start + i * DAY, 200_000, track, artist, None, None, None, None, ExportFormat.BASIC)
        for i in range(count)
    ]


def test_affinity_counts_only_the_profiles_own_streams(store: SqlStore):
    alice, bob = store.ensure_profile("alice"), store.ensure_profile("bob")
    store.add_plays(alice, _streams("One", "Band", 3) + _streams("Two", "Band", 2))
    store.add_plays(bob, _streams("Three", "Band", 40) + _streams("One", "Band", 7, start=1_800_000_000))
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)
    affinity = listener.affinity("Band", None)
    assert (affinity.streams, affinity.songs) == (5, 2)
    assert affinity.share == 1.0
    assert listener.affinity("Nobody", None).streams == 0


def test_a_played_song_is_left_out_of_its_own_affinity(store: SqlStore):
    alice = store.ensure_profile("alice")
    store.add_plays(alice, _streams("One", "Band", 3) + _streams("Two", "Band", 2))
    track_one = store.features.find_track("One", "Band")
    assert track_one is not None
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)
    assert listener.affinity("Band", track_one.track_id).streams == 2


def test_a_profile_without_plays_has_no_affinity(store: SqlStore):
    listener = Listener.load(store.history, "nobody", stream_min_ms=30_000)
    assert listener.affinity("Band", None).streams == 0


def test_songs_and_artists_count_every_spelling_and_every_song(store: SqlStore):
    """One song under two spellings is one song; an artist counts all their songs; the names shown
    are the most streamed spellings; skips are not streams."""
    alice = store.ensure_profile("alice")
    short = [
        Play(1_700_000_000 + DAY * 99, 5_000, "Grip", "Seeb", None, None, None, None, ExportFormat.BASIC)
    ]
    store.add_plays(
        alice,
        _streams("Grip", "Seeb", 40)
        + _streams("Grip - Radio Edit", "SEEB", 2, start=1_800_000_000)
        + _streams("Breathe", "Seeb", 10, start=1_750_000_000)
        + _streams("Other", "Band", 45)
        + short,
    )
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)
    assert [(s.name, s.artist, s.streams) for s in listener.top_songs(5)] == [
        ("Other", "Band", 45),
        ("Grip", "Seeb", 42),
        ("Breathe", "Seeb", 10),
    ]
    assert [(a.name, a.streams) for a in listener.top_artists(5)] == [("Seeb", 52), ("Band", 45)]
    grip = store.features.find_track("Grip - Radio Edit", "SEEB")
    assert grip is not None
    history = listener.history("seeb", grip.track_id)
    assert (history.song_streams, history.artist, history.artist_streams, history.artist_songs) == (
        42,
        "Seeb",
        52,
        2,
    )
    assert history.artist_share == 52 / 97
    assert listener.history("Nobody", None).artist_streams == 0


def _with_id(track: str, artist: str, spotify_id: str, count: int) -> list[Play]:
    return [
        Play(start, 200_000, track, artist, None, spotify_id, None, None, ExportFormat.BASIC)
        for start in range(1_700_000_000, 1_700_000_000 + count * DAY, DAY)
    ]


def test_a_song_of_theirs_is_theirs_under_another_listeners_track_or_its_spotify_id(store: SqlStore):
    """A question may find another listener's spelling of a song ("Wonderwall" where this listener
    streamed "Wonderwall - Remastered"), or a song by its Spotify id under another name: it is still
    their song, with their streams of it, and its own plays are left out of its artist's affinity."""
    alice, bob = store.ensure_profile("alice"), store.ensure_profile("bob")
    remastered = "1qPbGZqppFwLwcBC1JQ6Vr"
    store.add_plays(alice, _with_id("Wonderwall - Remastered", "Oasis", remastered, 3))
    store.add_plays(alice, _streams("Live Forever", "Oasis", 2))
    store.add_plays(bob, _streams("Wonderwall", "Oasis", 9))
    theirs = store.features.find_track("Wonderwall", "Oasis")
    assert theirs is not None and theirs.query.song == "Wonderwall"  # bob's spelling, no id
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)

    key = match_key("Oasis", "Wonderwall")
    by_name = listener.history("Oasis", theirs.track_id, "Wonderwall", keys=(key,))
    assert by_name.song_streams == 3 and by_name.other_version is None
    by_id = listener.history("Oasis", None, "Some Other Name", remastered)
    assert by_id.song_streams == 3
    assert listener.affinity("Oasis", theirs.track_id, keys=(key,)).streams == 2
    assert listener.affinity("Oasis", None, remastered).streams == 2
    assert listener.affinity("Oasis", theirs.track_id).streams == 5  # nothing says it is theirs: all of it
    assert (
        listener.history("Oasis", None, "Supersonic", keys=(match_key("Oasis", "Supersonic"),)).song_streams
        == 0
    )


def test_a_song_of_theirs_is_theirs_under_a_title_with_or_without_a_subtitle(store: SqlStore):
    """A catalog's "C.R.E.A.M. (Cash Rules Everything Around Me)" is the listener's "C.R.E.A.M.", and a
    catalog's "Street Spirit" their "Street Spirit (Fade Out)": their streams, their own plays left out of
    the artist's affinity; "C.R.E.A.M. (Live)" stays another song."""
    alice = store.ensure_profile("alice")
    store.add_plays(alice, _streams("C.R.E.A.M.", "Wu-Tang Clan", 4))
    store.add_plays(alice, _streams("Protect Ya Neck", "Wu-Tang Clan", 2))
    store.add_plays(alice, _streams("Street Spirit (Fade Out)", "Radiohead", 3))
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)

    def history(title: str, artist: str) -> tuple[int, int]:
        keys = song_lookup_keys(artist, title)
        found = listener.history(artist, None, title, keys=keys)
        return found.song_streams, listener.affinity(artist, None, keys=keys).streams

    assert history("C.R.E.A.M. (Cash Rules Everything Around Me)", "Wu-Tang Clan") == (4, 2)
    assert history("Street Spirit", "Radiohead") == (3, 0)
    assert history("C.R.E.A.M. (Live)", "Wu-Tang Clan") == (0, 6)


def test_a_song_of_theirs_is_theirs_under_a_catalog_credit_to_an_artist_its_title_features(store: SqlStore):
    """Their export names a song's first artist only: "Princess Diana (with Nicki Minaj)" streamed as Ice
    Spice's is theirs as a catalog's row credited to Nicki Minaj first; a credit two songs of theirs share
    ("Stay (with X)" by two singers) stands for neither."""
    alice = store.ensure_profile("alice")
    store.add_plays(alice, _streams("Princess Diana (with Nicki Minaj)", "Ice Spice", 3))
    store.add_plays(alice, _streams("Stay (with Someone)", "Singer One", 2))
    store.add_plays(alice, _streams("Stay (feat. Someone)", "Singer Two", 5))
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)

    def streams(title: str, artist: str) -> int:
        return listener.history(artist, None, title, keys=song_lookup_keys(artist, title)).song_streams

    assert streams("Princess Diana (with Nicki Minaj)", "Nicki Minaj") == 3
    assert streams("Princess Diana", "Nicki Minaj") == 3
    assert streams("Stay", "Someone") == 0
    assert match_key("Nicki Minaj", "Princess Diana") in listener.played_song_affinities()  # batch scoring's


def test_an_artist_counts_every_stream_of_a_song_credited_to_them_under_another_spelling_too(store: SqlStore):
    """A song one Spotify id holds under two spellings of its artist ("Can't Hold Us" by Macklemore &
    Ryan Lewis, streamed once as Macklemore's, as a real extended export has it) counts for the artist of
    the spelling that names it, its most streamed: its artist's streams hold the song's own. They were
    counted for whichever spelling was stored last, and the answer said the song's artist had fewer
    streams than the song ("you streamed Macklemore & Ryan Lewis 21 times, -82 of them other songs");
    asked by the other spelling, the artist's streams hold the song's too."""
    alice = store.ensure_profile("alice")
    song_id = "3bidbhpOYeV4knp8AIu8Xn"
    store.add_plays(alice, _with_id("Can't Hold Us", "Macklemore & Ryan Lewis", song_id, 10))
    store.add_plays(alice, _with_id("Thrift Shop", "Macklemore & Ryan Lewis", "2Fxmhks0bxGSBdJ92vM42m", 3))
    store.add_plays(alice, _with_id("Can't Hold Us", "Macklemore", song_id, 1))  # stored last
    listener = Listener.load(store.history, "alice", stream_min_ms=30_000)

    asked = listener.history("Macklemore & Ryan Lewis", None, "Can't Hold Us", song_id)
    assert (asked.song_streams, asked.artist, asked.artist_streams, asked.artist_songs) == (
        11,
        "Macklemore & Ryan Lewis",
        14,
        2,
    )
    # Asked by the other spelling, the artist's streams hold the song's too (they were 0 beside 11).
    other = listener.history("Macklemore", None, "Can't Hold Us", song_id)
    assert (other.song_streams, other.artist, other.artist_streams, other.artist_songs) == (
        11,
        "Macklemore",
        11,
        1,
    )
    # The other song of theirs meets every stream of the first as its artist's.
    thrift = store.features.find_track("Thrift Shop", "Macklemore & Ryan Lewis")
    assert thrift is not None
    assert listener.affinity("Macklemore & Ryan Lewis", thrift.track_id).streams == 11
