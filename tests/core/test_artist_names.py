"""Which artist a credit text names first: a name that reads as several credits is one artist when it is
one, and a text of several credits is keyed by its first."""

from __future__ import annotations

import pytest

from musicflow.core.artist_names import credit_keys, credit_parts, first_credits, one_artist_names
from musicflow.core.songs import match_key, primary_artist


@pytest.mark.parametrize(
    ("one_artist", "other"),
    [
        ("Tyler, The Creator", "Tyler"),  # 58 catalog songs of another artist called Tyler
        ("Earth, Wind & Fire", "Earth"),
        ("Chloe x Halle", "Chlöe"),
        ("Mumford & Sons", "Mumford"),
        ("Simon & Garfunkel", "Simon"),
        ("Sonny & The Sunsets", "Sonny & Cher"),
        ("The Features", "The The"),  # "feat" joins credits as a word only
        ("Lil Nas X", "Lil Nas"),  # a joining word with nothing after it joins nothing
        ("Allie X", "Allie"),
    ],
)
def test_an_artist_whose_name_reads_as_several_credits_is_not_another_artist(one_artist: str, other: str):
    assert primary_artist(one_artist) != primary_artist(other)
    assert match_key(one_artist, "Song") != match_key(other, "Song")


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Tyler, The Creator, Kali Uchis", "Tyler, The Creator"),
        ("Tyler, The Creator feat. Frank Ocean", "Tyler, The Creator"),
        ("Tyler The Creator", "Tyler, The Creator"),  # as a person types it
        ("Mumford and Sons", "Mumford & Sons"),
        ("Earth, Wind & Fire, The Emotions", "Earth, Wind & Fire"),
        ("Florence and the Machine", "Florence + The Machine"),
        ("Drake, Future", "Drake"),
        ("Drake feat. Future", "Drake"),
        ("Drake featuring Future", "Drake"),
        ("Shawn Mendes x Zedd", "Shawn Mendes"),
        ("Calvin Harris & Dua Lipa", "Calvin Harris"),
        ("X Ambassadors", "X Ambassadors"),
    ],
)
def test_a_credit_text_is_keyed_by_its_first_artist(text: str, first: str):
    assert primary_artist(text) == primary_artist(first)


def test_a_band_named_after_its_leader_is_the_leaders():
    """A first credit of two words or more is the band's leader, whose own songs are theirs to a
    listener of the band: "Tom Petty and the Heartbreakers" is Tom Petty's, as "Selena Gomez & The
    Scene" is Selena Gomez's."""
    assert primary_artist("Tom Petty and the Heartbreakers") == primary_artist("Tom Petty")
    assert primary_artist("Selena Gomez & The Scene") == primary_artist("Selena Gomez")


def test_two_credits_of_artists_each_known_alone_stay_credits():
    """The list keeps names of one artist only: a name whose every part is an artist of its own in the
    data it was built from is a credit of two ("Alka Yagnik, Shankar Mahadevan")."""
    names = one_artist_names()
    assert "tyler the creator" in names and "earth wind and fire" in names
    assert "alka yagnik shankar mahadevan" not in names
    assert primary_artist("Alka Yagnik, Shankar Mahadevan") == primary_artist("Alka Yagnik")


def test_credits_a_file_split_at_a_comma_of_one_name_are_joined_back():
    assert first_credits(["Tyler", "The Creator", "Kali Uchis"]) == ["Tyler, The Creator", "Kali Uchis"]
    assert first_credits(["Kali Uchis", "Tyler", "The Creator"]) == ["Kali Uchis", "Tyler, The Creator"]
    assert first_credits(["Earth", "Wind & Fire"]) == ["Earth, Wind & Fire"]
    assert first_credits(["Drake", "Future"]) == ["Drake", "Future"]
    assert credit_parts("Lil Nas X") == ["Lil Nas X"] and credit_parts("A, B & C") == ["A", "B", "C"]


def test_every_credit_of_a_text_keeps_a_known_one_artist_name_whole():
    assert credit_keys("Earth, Wind & Fire, Daft Punk") == ["earth wind and fire", "daft punk"]
    assert credit_keys("Drake x Future & Mumford and Sons") == ["drake", "future", "mumford and sons"]
    assert credit_keys("Lil Nas X") == ["lil nas x"] and credit_keys("  ") == []
