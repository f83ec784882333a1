"""The loose song identity used to match exports, catalogs and API hits."""

from __future__ import annotations

import pytest

from musicflow.core.songs import clean_title, match_key


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("The Beatles", "Let It Be - Remastered 2009"), ("the beatles", "Let It Be")),
        (("Beyoncé, JAY-Z", "Crazy In Love (feat. JAY-Z)"), ("Beyonce", "Crazy in Love")),
        (("Daft Punk", "One More Time - Radio Edit"), ("Daft Punk", "One More Time")),
        (("Dua Lipa", "Levitating (feat. DaBaby)"), ("Dua Lipa", "Levitating")),
        (("Queen", "Don't Stop Me Now (2011 Remaster)"), ("Queen", "Dont Stop Me Now")),
        (("Post Malone feat. Swae Lee", "Sunflower"), ("Post Malone", "Sunflower")),
        (("The Offspring", "Gone Away - 2021"), ("The Offspring", "Gone Away")),
    ],
)
def test_spellings_of_one_song_share_a_key(left: tuple[str, str], right: tuple[str, str]):
    assert match_key(*left) == match_key(*right)


def test_different_songs_keep_different_keys():
    assert match_key("Queen", "Bohemian Rhapsody") != match_key("Queen", "Radio Ga Ga")
    assert match_key("Prince", "1999") != match_key("Prince", "")  # a year that is the whole title stays
    assert match_key("Adele", "Hello") != match_key("Lionel Richie", "Hello")


def test_a_title_that_is_only_a_suffix_is_not_erased():
    assert clean_title("(feat. Someone)") != ""


def test_non_latin_titles_survive():
    assert clean_title("작은 것들을 위한 시 (Feat. Halsey)") == "작은 것들을 위한 시"
