"""The library in words: what the ingest report and the upload page say of it."""

from __future__ import annotations

from musicflow.app.library_words import library_sentence


def test_the_sentence_counts_each_kind_and_says_what_a_ban_does() -> None:
    counts = {
        "saved_song": 2906,
        "saved_album": 53,
        "followed_artist": 0,
        "banned_song": 1,
        "banned_artist": 0,
    }
    assert library_sentence(counts) == (
        "Your library: 2,906 Liked Songs and 53 saved albums;"
        " you banned 1 song: answered 0 and never recommended."
    )
    one_each = {"saved_song": 1, "saved_album": 1, "followed_artist": 1, "banned_song": 0, "banned_artist": 2}
    assert library_sentence(one_each) == (
        "Your library: 1 Liked Song, 1 saved album and 1 followed artist;"
        " you banned 2 artists: answered 0 and never recommended."
    )


def test_a_kind_without_entries_is_not_named() -> None:
    """The store cannot tell a list the export did not have from an empty one: neither is named."""
    no_follows = {
        "saved_song": 3,
        "saved_album": 0,
        "followed_artist": 0,
        "banned_song": 0,
        "banned_artist": 0,
    }
    assert library_sentence(no_follows) == "Your library: 3 Liked Songs."
    assert library_sentence({"saved_song": 3}) == "Your library: 3 Liked Songs."  # the same, told either way
    assert "follow" not in library_sentence(no_follows) and "album" not in library_sentence(no_follows)
    only_bans = {
        "saved_song": 0,
        "saved_album": 0,
        "followed_artist": 0,
        "banned_song": 0,
        "banned_artist": 1,
    }
    assert library_sentence(only_bans) == (
        "Your library: you banned 1 artist: answered 0 and never recommended."
    )
    assert library_sentence({}) == "Your library: no song, album or artist in it."
