"""Names as people type them: the songs and artists nearest to a name that no key finds.

`track_key` and `match_key` forgive case, spacing, accents, punctuation, an artist's leading "The",
"feat." credits and suffixes that name the same recording (a remaster, an edit); a person also types
"maroon5", "the1975" or "Blindng Lights". `NameIndex` holds the loose keys the store and the catalogs
know, grouped by artist, and answers with the nearest ones (rapidfuzz, on the keys with their spaces
taken out).
It is built once per state of the song index, and asked only when a question's own keys found nothing: a
typed name costs nothing more. (A near name is not always a typo: `lookup.py` never answers a version,
"Song - Live", for another recording whatever the closeness.)

Two bars: a name this close on both parts (`ANSWER`) is answered for, and the answer says "did you
mean ..."; one less close (`SUGGEST`) is only offered when nothing is found. A title a single typo away
from one of the artist's (a letter missing, added or changed, or two swapped: "Bonez" for "Bones") counts
as close enough, however short: closeness as a share of the letters reads one typo in a short title as
far (80 for "Bonez"), and the listener of "Bones" meant it.

A song is also asked by an artist it features: "Die With A Smile" by Bruno Mars is credited to "Lady Gaga;
Bruno Mars", and a listener's export names Lady Gaga alone. `Credits` finds such a song by each artist
credited after the first (a catalog's credits: no other source lists them).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from musicflow.core.songs import SongName, base_title, clean_title, match_key, primary_artist, version_kind

SEPARATOR = "\x1f"  # between the artist and the title of a loose key (`match_key`)
ANSWER = 85.0  # both the artist and the title at least this close (0 to 100): answered for
SUGGEST = 70.0  # an artist at least this close: its songs may be suggested
SUGGEST_TITLE = 60.0  # ... those of its titles at least this close
SAME_TITLE = 90.0  # a title this close is suggested whoever sings it
ARTISTS_LOOKED_AT = 10  # the nearest artists whose titles are compared
MOST = 5  # suggestions at most
PART_CHARS = 4  # a part of a name at least this long may stand for the whole ("Red Hot", "Linkin")
PART_LOOKED_AT = 200  # the names a typed part begins looked at, at most
TYPO_CHARS = 5  # a title at least this long (spaces out) is answered for one a single typo away


def artist_form(artist_key: str) -> str:
    """An artist's key (folded, without a leading "The": `primary_artist`) as it is compared: without
    spaces."""
    return artist_key.replace(" ", "")


_LOOK_ALIKE = str.maketrans({"l": "i", "1": "i", "|": "i", "0": "o"})


def look_alike_forms(form: str) -> list[str]:
    """The other forms a typed artist may stand for, each compared as an exact name: letters people
    mistype for ones that look alike ("Quinn XCll" for "Quinn XCII") folded together, and a leading "The"
    typed without its space ("the1975" for "The 1975")."""
    forms = [form.translate(_LOOK_ALIKE)]
    if form.startswith("the") and len(form) > 3:
        forms.append(form[3:].translate(_LOOK_ALIKE))
    return forms


def title_form(title_key: str) -> str:
    """A cleaned, folded title as it is compared: without spaces."""
    return title_key.replace(" ", "")


@dataclass(frozen=True, slots=True)
class NearSong:
    """A known song near the asked one: its loose key, and how close its artist and its title are."""

    key: str
    artist: float
    title: float

    @property
    def answers(self) -> bool:
        return min(self.artist, self.title) >= ANSWER

    @property
    def closeness(self) -> float:
        return (self.artist + self.title) / 2


@dataclass(frozen=True, slots=True)
class NearArtist:
    """A known artist near the asked one: its key (`primary_artist`) and how close it is."""

    key: str
    score: float

    @property
    def answers(self) -> bool:
        return self.score >= ANSWER


@dataclass(frozen=True)
class Nearest:
    """The known songs and artists nearest to an asked song, closest first."""

    songs: list[NearSong]
    artists: list[NearArtist]


NOTHING_NEAR = Nearest([], [])


class NameIndex:
    """The loose keys of known songs by artist, for near names; built once, then only read."""

    def __init__(self, keys: Iterable[str]) -> None:
        titles: dict[str, dict[str, str]] = {}  # artist key -> compared title -> loose key
        for key in keys:
            artist, separator, title = key.partition(SEPARATOR)
            if separator and artist and title:
                titles.setdefault(artist, {}).setdefault(title_form(title), key)
        forms: dict[str, list[str]] = {}  # compared artist -> artist keys ("the 1975" and "the1975" alike)
        for artist in titles:
            forms.setdefault(artist_form(artist), []).append(artist)
        self._forms = list(forms)
        self._artists_of_form = list(forms.values())
        self._form_at = {form: at for at, form in enumerate(self._forms)}
        self._look_alike_at: dict[str, list[int]] = {}  # a form with look-alike letters folded -> forms
        for at, form in enumerate(self._forms):
            self._look_alike_at.setdefault(form.translate(_LOOK_ALIKE), []).append(at)
        self._titles = {artist: (list(found), list(found.values())) for artist, found in titles.items()}
        # A name typed in part ("Red Hot" for Red Hot Chili Peppers, "Fighters" for Foo Fighters): the
        # forms in order, to find those a typed form begins, and the forms of each word of a name.
        self._ordered = sorted(self._forms)
        self._of_word: dict[str, list[int]] = {}
        for at, keys in enumerate(self._artists_of_form):
            for word in {word for key in keys for word in key.split(" ") if len(word) >= PART_CHARS}:
                self._of_word.setdefault(word, []).append(at)
        self._all_titles = [title for found, _ in self._titles.values() for title in found]
        self._all_keys = [key for _, keys in self._titles.values() for key in keys]

    def __len__(self) -> int:
        return len(self._all_keys)

    def songs_by(self, artist_key: str, most: int = 3) -> list[str]:
        """Loose keys of a few songs by this artist (to read how the artist's name is spelled)."""
        found = self._titles.get(artist_key)
        return found[1][:most] if found else []

    def nearest(self, song: str, artist: str, *, answers_only: bool = False) -> Nearest:
        """The known songs and artists nearest to `song` by `artist`, as typed; `answers_only` (an artist
        known as typed): only that artist's songs close enough to answer for, and no artist."""
        from rapidfuzz import fuzz, process

        wanted_artist = artist_form(primary_artist(artist))
        wanted_title = title_form(clean_title(song, artist))
        if not wanted_artist or not wanted_title or not self._forms:
            return NOTHING_NEAR
        artists: list[NearArtist] = []
        cutoff_title = ANSWER if answers_only else SUGGEST_TITLE
        if answers_only:
            same = self._form_at.get(wanted_artist)
            keys = self._artists_of_form[same] if same is not None else []
            artists = [NearArtist(key, 100.0) for key in keys]
        else:
            scores: dict[int, float] = {}
            for _, score, at in process.extract(
                wanted_artist, self._forms, scorer=fuzz.ratio, score_cutoff=SUGGEST, limit=ARTISTS_LOOKED_AT
            ):
                scores[at] = score
            for form in look_alike_forms(wanted_artist):  # the same name, mistyped in a way people do
                for at in self._look_alike_at.get(form, []):
                    scores[at] = max(scores.get(at, 0.0), ANSWER)
            for at in self._named_in_part(primary_artist(artist)):  # suggested, never answered for
                scores[at] = max(scores.get(at, 0.0), SUGGEST)
            for at, score in scores.items():
                artists.extend(NearArtist(key, score) for key in self._artists_of_form[at])
        songs: dict[str, NearSong] = {}
        for near in artists:
            titles, keys = self._titles[near.key]
            for _, score, at in process.extract(
                wanted_title, titles, scorer=fuzz.ratio, score_cutoff=cutoff_title, limit=MOST
            ):
                songs[keys[at]] = NearSong(keys[at], near.score, score)
            for at in _one_typo_away(wanted_title, titles):
                known = songs.get(keys[at])
                if known is None or known.title < ANSWER:
                    songs[keys[at]] = NearSong(keys[at], near.score, ANSWER)
        if answers_only:
            ranked = sorted(songs.values(), key=lambda s: (-s.closeness, s.key))
            return Nearest(ranked, [])
        if not any(found.answers for found in songs.values()):
            for _, score, at in process.extract(
                wanted_title, self._all_titles, scorer=fuzz.ratio, score_cutoff=SAME_TITLE, limit=MOST * 10
            ):
                key = self._all_keys[at]
                if key not in songs:
                    singer = artist_form(key.partition(SEPARATOR)[0])
                    songs[key] = NearSong(key, fuzz.ratio(wanted_artist, singer), score)
        ranked = sorted(songs.values(), key=lambda s: (not s.answers, -s.closeness, s.key))
        return Nearest(ranked, sorted(artists, key=lambda a: (-a.score, a.key)))

    def _named_in_part(self, typed: str) -> list[int]:
        """The artists a name typed in part may stand for (at most ARTISTS_LOOKED_AT, those of the most
        songs first): a longer name it begins ("linkin" of "linkinpark"), or one holding each of its
        words ("fighters" of "foo fighters"); nothing for a part shorter than PART_CHARS."""
        import bisect

        form = artist_form(typed)
        if len(form) < PART_CHARS:
            return []
        found: set[int] = set()
        start = bisect.bisect_left(self._ordered, form)
        for other in itertools.islice(self._ordered, start, start + PART_LOOKED_AT):
            if not other.startswith(form):
                break
            if other != form:
                found.add(self._form_at[other])
        words = [word for word in typed.split(" ") if word]
        if words and all(len(word) >= PART_CHARS for word in words):
            holding = set(self._of_word.get(words[0], []))
            for word in words[1:]:
                holding &= set(self._of_word.get(word, []))
            found |= {at for at in holding if self._forms[at] != form}
        most_songs = sorted(found, key=lambda at: (-self._songs_of_form(at), self._forms[at]))
        return most_songs[:ARTISTS_LOOKED_AT]

    def _songs_of_form(self, at: int) -> int:
        return sum(len(self._titles[key][0]) for key in self._artists_of_form[at])


def one_typo_apart(typed: str, known: str) -> bool:
    """Whether a typed title is a single typo from a known one (as `_one_typo_away` finds them), both
    cleaned and folded: compared without their spaces, each at least TYPO_CHARS long."""
    from rapidfuzz.distance import OSA

    typed, known = title_form(typed), title_form(known)
    return min(len(typed), len(known)) >= TYPO_CHARS and OSA.distance(typed, known, score_cutoff=1) <= 1


def _one_typo_away(wanted: str, titles: list[str]) -> list[int]:
    """Where among `titles` (compared forms) a title a single typo from `wanted` stands (optimal string
    alignment distance 1: a letter missing, added or changed, or two neighbours swapped); none for a
    title shorter than TYPO_CHARS, where one letter often makes another word ("Home", "Hope")."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    if len(wanted) < TYPO_CHARS:
        return []
    return [
        at
        for _, _, at in process.extract(wanted, titles, scorer=OSA.distance, score_cutoff=1, limit=MOST)
        if len(titles[at]) >= TYPO_CHARS
    ]


class Credits:
    """The catalog songs of several credited artists, by the loose key each artist after the first gives
    them ("bruno mars" and "Die With A Smile"), and by that artist and the title's base as people type it
    ("Sunflower" for "Sunflower - Spider-Man: Into the Spider-Verse"; never for a remix, live or other
    version): the song as its first row spells it, song and every artist. A key that stands for two
    songs ("Stay" featuring the same singer twice) finds neither."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        exact: dict[str, tuple[str, SongName] | None] = {}
        typed: dict[str, tuple[str, SongName] | None] = {}
        for key, song, artists in rows:
            name = SongName(song, artists)
            base = base_title(song) if version_kind(song) is None else None
            for other in filter(str.strip, artists.split("; ")[1:]):
                _add(exact, match_key(other, song), key, name)
                if base is not None:
                    _add(typed, _typed_key(other, base), key, name)
        self._exact = {key: known[1] for key, known in exact.items() if known is not None}
        self._typed = {key: known[1] for key, known in typed.items() if known is not None}

    def __len__(self) -> int:
        return len(self._exact)

    def song_of(self, song: str, artist: str) -> SongName | None:
        """The song credited to `artist` among others under this title (or, for a title that names no
        version, under a longer one of this base), if one is."""
        found = self._exact.get(match_key(artist, song))
        if found is None and version_kind(song) is None:
            found = self._typed.get(_typed_key(artist, base_title(song)))
        return found


def _typed_key(artist: str, base: str) -> str:
    """The key of a title's base (`base_title`) by an artist: as `match_key`, on the base."""
    return f"{primary_artist(artist)}{SEPARATOR}{base}"


def _add(found: dict[str, tuple[str, SongName] | None], alternative: str, key: str, name: SongName) -> None:
    """Another key of the song of loose key `key`; None where it stands for another song too."""
    if alternative.partition(SEPARATOR)[0] == key.partition(SEPARATOR)[0]:
        return  # the first artist's own key: found without credits
    known = found.get(alternative, (key, name))
    found[alternative] = known if known is not None and known[0] == key else None
