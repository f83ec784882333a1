"""The loose song identity used to match exports, catalogs and API hits."""

from __future__ import annotations

import pytest

from musicflow.core.songs import (
    clean_title,
    featured_artists,
    match_key,
    primary_artist,
    subtitle_free_key,
    version_kind,
)


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
        (("Radiohead", "Creep - 2017 Remaster"), ("Radiohead", "Creep")),
        (("The Beach Boys", "God Only Knows - Mono"), ("The Beach Boys", "God Only Knows - Stereo")),
        (("Rick Astley", "Together Forever (Album Version)"), ("Rick Astley", "Together Forever")),
        (("Taylor Swift", "State Of Grace (Taylor's Version)"), ("Taylor Swift", "State Of Grace")),
        (("Weezer", "Say It Ain't So - Original Mix"), ("Weezer", "Say It Ain't So")),
        (("Avicii", "Levels (Original Mix)"), ("Avicii", "Levels")),
        (("Idina Menzel", 'Let It Go - From "Frozen"'), ("Idina Menzel", "Let It Go")),
        (("Oasis", "Wonderwall - Single Edit"), ("Oasis", "Wonderwall")),
        (("Adele", "Hello - Bonus Track"), ("Adele", "Hello")),
        (("Adele", "Hello (Deluxe Edition)"), ("Adele", "Hello")),
        # a catalog names the band as it was named then, an export as Spotify names it now
        (("The Black Eyed Peas", "I Gotta Feeling"), ("Black Eyed Peas", "I Gotta Feeling")),
        (("The Grateful Dead; Bob Weir", "Ripple"), ("Grateful Dead", "Ripple - 2013 Remaster")),
        (("THE WEEKND", "Blinding Lights"), ("Weeknd", "Blinding Lights")),
        (("The The", "This Is the Day"), ("the the", "This Is The Day")),
        # where a song is from, in brackets as in a dashed suffix: a film, a series, a soundtrack
        (("A.R. Rahman", 'Piya Milenge (From "Raanjhanaa")'), ("A.R. Rahman", "Piya Milenge")),
        (("Berlin", 'Take My Breath Away (Love Theme From "Top Gun")'), ("Berlin", "Take My Breath Away")),
        (("Dua Lipa", "Dance The Night (From Barbie The Album)"), ("Dua Lipa", "Dance The Night")),
        (
            ("Dua Lipa", 'Swan Song (From the Motion Picture "Alita")'),
            ("Dua Lipa", 'Swan Song - From "Alita"'),
        ),
        (("5SOS", "Girls Talk Boys (Original Motion Picture Soundtrack)"), ("5SOS", "Girls Talk Boys")),
        # a dashed label ending "Version" that names no other take
        (("Robyn", "Show Me Love - Radio Version"), ("Robyn", "Show Me Love")),
        (("Sam & Dave", "Soul Man - 45 Version"), ("Sam & Dave", "Soul Man")),
        (
            ("The Sugarhill Gang", "Rapper's Delight - 7\" Single Version"),
            ("Sugarhill Gang", "Rapper's Delight"),
        ),
        (
            ("Procol Harum", "A Whiter Shade of Pale - Original Single Version"),
            ("Procol Harum", "A Whiter Shade of Pale"),
        ),
        (
            ("Deftones", "Change (In the House of Flies) - In The House Of Flies LP Version"),
            ("Deftones", "Change (In the House of Flies)"),
        ),
    ],
)
def test_spellings_of_one_song_share_a_key(left: tuple[str, str], right: tuple[str, str]):
    assert match_key(*left) == match_key(*right)


def test_an_artist_is_known_without_a_leading_the_and_nothing_more():
    assert (
        primary_artist("The Black Eyed Peas, Fergie")
        == primary_artist("Black Eyed Peas")
        == "black eyed peas"
    )
    assert primary_artist("The") == "the" and primary_artist("The The") == "the"
    assert primary_artist("Theory of a Deadman") == "theory of a deadman"  # a word, not the article
    assert primary_artist("Them") != primary_artist("M")


@pytest.mark.parametrize(
    ("version", "original"),
    [
        ("Despacito - Remix", "Despacito"),
        ("Despacito (Remix)", "Despacito"),
        ("Despacito - Justin Bieber Remix", "Despacito"),
        ("Despacito (Dave Remix)", "Despacito"),
        ("Despacito - RMX", "Despacito"),
        ("Everlong - Live at the Pantages Theatre, Los Angeles, CA - August 2006", "Everlong"),
        ("Everlong (Live)", "Everlong"),
        ("Everlong - Acoustic Version", "Everlong"),
        ("Black - Live MTV Unplugged", "Black"),
        ("Nutshell - Unplugged", "Nutshell"),
        ("Dormant Craving (Instrumental Version)", "Dormant Craving"),
        ("Creep - Live; MTV Unplugged, 11/17/93", "Creep - 2017 Remaster"),
        ("Suffer - Demo Version", "Suffer"),
        ("Heart It Races - Cover Version", "Heart It Races"),
        ("House of Memories - Sped Up Version", "House of Memories"),
        ("Call Out My Name (Slowed+Reverb Version)", "Call Out My Name"),
        ("State Of Grace (Acoustic Version) (Taylor's Version)", "State Of Grace (Taylor's Version)"),
        ("You Really Got Me - Mono Mix", "You Really Got Me"),
        ("Everlong - Acoustic Radio Version", "Everlong"),
        ("House - (from Piece Of Glass demo, 1990)", "House"),
    ],
)
def test_another_recording_of_a_song_is_another_song(version: str, original: str):
    """A live version, a remix, an acoustic version (...) has a key of its own: its streams are never
    the original's, and a catalog row of one never answers for the other."""
    assert match_key("Artist", version) != match_key("Artist", original)
    assert version_kind(version) is not None and version_kind(original) is None


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Stacy (Acoustic Version)", "Stacy - Acoustic"),
        ("Stacy (Acoustic)", "Stacy - Acoustic"),
        ("Despacito (feat. Justin Bieber) - Remix", "Despacito - Remix"),
        ("Despacito [Remix]", "Despacito - Remix"),
        ("Despacito - Remix Version", "Despacito (Remix)"),
        ("Sexual - Oliver Nelson Remix / Radio Edit", "Sexual (Oliver Nelson Remix)"),
        (
            "Truckin' - Live at Lyceum Theatre, London, England 5/26/72; 2018 Remaster",
            "Truckin' - Live at Lyceum Theatre, London, England 5/26/72",
        ),
        ("Silver Ecstasy - Acoustic Version [Bonus Track]", "Silver Ecstasy (Acoustic)"),
        ("Song (Live Version) - Remastered 2011", "Song - Live"),
    ],
)
def test_spellings_of_one_version_share_a_key(left: str, right: str):
    assert match_key("Artist", left) == match_key("Artist", right)


def test_where_a_live_recording_was_made_tells_two_apart():
    assert match_key("R.E.M.", "Losing My Religion - Live From Into The Night On BBC Radio 1 / 1991") != (
        match_key("R.E.M.", "Losing My Religion - Live From John Peel Public Session On BBC Radio 1 / 1998")
    )


def test_a_title_that_is_a_version_word_is_a_song_of_its_own():
    """Only a bracketed part or a " - " suffix names a version: "Live Forever" is a song."""
    assert clean_title("Live Forever") == "live forever"
    assert clean_title("Live Forever - Remastered") == "live forever"
    assert version_kind("Remix (I Like The)") is None
    assert clean_title("Remix (I Like The)") == "remix i like the"
    assert clean_title("Street Spirit (Fade Out)") == "street spirit fade out"  # part of the title


@pytest.mark.parametrize(
    ("longer", "song"),
    [
        ("Part of the Game (Extended Version)", "Part of the Game"),
        ("Song - Extended Album Version", "Song"),
        ("All Too Well (10 Minute Version) (Taylor's Version) (From The Vault)", "All Too Well"),
    ],
)
def test_a_longer_take_labelled_version_is_not_the_song(longer: str, song: str):
    assert match_key("X", longer) != match_key("X", song)


def test_an_extended_take_is_a_kind_of_version_under_each_of_its_spellings():
    assert version_kind("Part of the Game (Extended Version)") == "an extended version"
    assert version_kind("Part of the Game - Extended") == "an extended version"
    assert match_key("X", "Part of the Game (Extended Version)") == match_key(
        "X", "Part of the Game - Extended"
    )
    assert version_kind("Part of the Game (10 Minute Version)") is None


def test_a_cue_of_a_score_keeps_the_film_it_is_from():
    """Composers name a cue alike in many films: each film's "Main Title" is a song of its own, under
    either spelling of the film's part; a song's film is still folded away."""
    rudy, stagecoach = 'Main Title (From "Rudy")', 'Main Title (From "Stagecoach")'
    assert match_key("Jerry Goldsmith", rudy) != match_key("Jerry Goldsmith", stagecoach)
    assert match_key("Jerry Goldsmith", rudy) != match_key("Jerry Goldsmith", "Main Title")
    assert match_key("Jerry Goldsmith", rudy) == match_key("Jerry Goldsmith", 'Main Title - From "Rudy"')
    assert match_key("X", 'Love Theme (From "Top Gun")') != match_key("X", "Love Theme")
    assert match_key("X", 'Piya Milenge (From "Raanjhanaa")') == match_key("X", "Piya Milenge")


def test_a_slow_version_is_a_kind_of_version():
    assert version_kind("Milaa Yun (Slow Version)") == "a slow version"
    assert match_key("X", "Milaa Yun (Slow Version)") != match_key("X", "Milaa Yun")


def test_a_bracket_starting_with_from_that_names_no_work_is_part_of_the_title():
    assert match_key("X", "Can't Hide (From Love)") != match_key("X", "Can't Hide")
    assert match_key("X", "Running (From Me)") != match_key("X", "Running")


def test_different_songs_keep_different_keys():
    assert match_key("Queen", "Bohemian Rhapsody") != match_key("Queen", "Radio Ga Ga")
    assert match_key("Prince", "1999") != match_key("Prince", "")  # a year that is the whole title stays
    assert match_key("Adele", "Hello") != match_key("Lionel Richie", "Hello")


def test_a_title_that_is_only_a_suffix_is_not_erased():
    assert clean_title("(feat. Someone)") != ""


def test_non_latin_titles_survive():
    assert clean_title("작은 것들을 위한 시 (Feat. Halsey)") == "작은 것들을 위한 시"


@pytest.mark.parametrize(
    ("artist", "own", "other"),
    [
        (
            "Panic! At The Disco",
            "Into the Unknown - Panic! At The Disco Version",
            'Into the Unknown - From "Frozen 2"',
        ),
        ("Alessia Cara", "How Far I'll Go - Alessia Cara Version", 'How Far I\'ll Go - From "Moana"'),
        ("Dr. Dog", "Heart It Races - Dr Dog Version", "Heart It Races"),
        ("Panic! At The Disco", "Into the Unknown (Panic! At The Disco Version)", "Into the Unknown"),
        ("Simon & Garfunkel", "The Boxer - Simon & Garfunkel Version", "The Boxer"),
    ],
)
def test_a_version_named_after_its_own_artist_is_their_song(artist: str, own: str, other: str):
    """Catalogs tell a soundtrack's recordings apart by who sings them: by that singer, the title is
    their recording, the one they released under the film's name or none."""
    assert match_key(artist, own) == match_key(artist, other)
    assert version_kind(own) is None


@pytest.mark.parametrize(
    ("artist", "version", "original"),
    [
        ("Panic! At The Disco", "Into the Unknown - Acoustic Version", "Into the Unknown"),
        ("Panic! At The Disco", "Into the Unknown - Panic! At The Disco Live Version", "Into the Unknown"),
        ("Live", "Lightning Crashes - Live Version", "Lightning Crashes"),
        ("Maroon 5", "Girls Like You (feat. Cardi B) - Cardi B Version", "Girls Like You"),
        ("Stephen Sanchez", "Until I Found You (with Em Beihold) - Em Beihold Version", "Until I Found You"),
        ("Idina Menzel", "Into the Unknown - Panic! At The Disco Version", "Into the Unknown"),
        ("Taylor Swift", "Love Story - Taylor's Version", "Love Story"),
        ("Panic! At The Disco", "Into the Unknown - Panic! At The Disco Version 2", "Into the Unknown"),
    ],
)
def test_a_version_named_after_anyone_else_or_a_kind_stays_apart(artist: str, version: str, original: str):
    """Only the artist the key is given names their own recording: a kind of version (live, acoustic)
    stays one even by a band of that name, and another artist's name is a duet, a guest verse or a
    cover, never the song itself."""
    assert match_key(artist, version) != match_key(artist, original)


def test_a_taylors_version_in_brackets_stays_the_song_it_re_records():
    assert match_key("Taylor Swift", "Love Story (Taylor's Version)") == match_key(
        "Taylor Swift", "Love Story"
    )


def test_the_artist_text_counts_whole_or_by_its_first_artist():
    """An export names the primary artist alone; a catalog's artist text may list several: either way
    the suffix is the singer's own when it names the first of them."""
    title = "Into the Unknown - Panic! At The Disco Version"
    assert match_key("Panic! At The Disco, Idina Menzel", title) == match_key(
        "Panic! At The Disco", "Into the Unknown"
    )
    assert clean_title(title, "Panic! At The Disco") == "into the unknown"
    assert (
        clean_title(title) == "into the unknown panic at the disco version"
    )  # no artist, nothing to compare


@pytest.mark.parametrize(
    ("subtitled", "plain"),
    [
        ("C.R.E.A.M. (Cash Rules Everything Around Me)", "C.R.E.A.M."),
        ("Push Back (Ne-Yo, Bebe Rexha, Stefflon Don)", "PUSH BACK"),
        ("Come Out And Play (Keep ‘Em Separated)", "Come Out and Play - 2008 Remaster"),
        ("Can't Stop the Feeling! (from DreamWorks Animation's \"Trolls\")", "CAN'T STOP THE FEELING!"),
        ("Street Spirit (Fade Out) [feat. Nobody]", "Street Spirit"),
    ],
)
def test_a_subtitle_a_catalog_adds_is_the_same_song_to_a_listener(subtitled: str, plain: str):
    """Not one key in the store (`match_key` keeps a subtitle), but one song when a listener's own
    songs are looked for."""
    assert match_key("A", subtitled) != match_key("A", plain)
    assert subtitle_free_key("A", subtitled) == subtitle_free_key("A", plain) == match_key("A", plain)


@pytest.mark.parametrize(
    ("other", "song"),
    [
        ("Intro (Reprise)", "Intro"),
        ("Nose On The Grindstone (OurVinyl Sessions)", "Nose On The Grindstone"),
        ("Symphony No. 9 (Part 2)", "Symphony No. 9"),
        ("Turn Up The Radio (Re-Recorded)", "Turn Up The Radio"),
        ("Everlong (Live)", "Everlong"),
        ("Glycerine (Acoustic)", "Glycerine"),
        ("(I Can't Get No) Satisfaction", "Satisfaction"),  # the title itself, not a subtitle
    ],
)
def test_another_take_or_version_is_never_taken_for_a_subtitle(other: str, song: str):
    assert subtitle_free_key("A", other) != subtitle_free_key("A", song)


@pytest.mark.parametrize(
    ("title", "credited"),
    [
        ("Different Size (feat. Victony)", ("victony",)),
        ("Stay (with Justin Bieber)", ("justin bieber",)),
        ("Dear Future Self (Hands Up) [feat. Wyclef Jean]", ("wyclef jean",)),
        ("Song feat. The Weeknd, Daft Punk & Someone", ("weeknd", "daft punk", "someone")),
        # a band whose one name reads as several credits is one artist (it was "earth", "wind", "fire")
        ("September (feat. Earth, Wind & Fire)", ("earth wind and fire",)),
        ("Song (feat. Tyler, The Creator & Kali Uchis)", ("tyler the creator", "kali uchis")),
        ("Song (with Lil Nas X)", ("lil nas x",)),
        ("With or Without You", ()),  # a title beginning "With" credits no one
        ("Without Me", ()),
        ("Love Me Harder - Remastered", ()),
    ],
)
def test_a_title_s_credits_are_the_artists_it_features(title: str, credited: tuple[str, ...]):
    assert featured_artists(title) == credited
