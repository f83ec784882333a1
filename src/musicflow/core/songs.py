"""Song identity, in one place: the keys that say two spellings are one song, and the records about it.

`track_key` is the strict identity of a song across export formats (case and spacing folded);
`match_key` is the loose one used to match across sources (below). The records that cross between
sources, the store and the model (`TrackQuery`, `FeatureRecord`, `NotFound`, `CatalogRow`) live here
too, so the store never imports the parts that feed it.

The loose key:

Exports, catalogs and APIs spell one song differently ("Song - Remastered 2011", "Song (feat. X)",
"Artist A, Artist B", "Beyoncé" vs "Beyonce", "The Black Eyed Peas" vs "Black Eyed Peas"). `match_key`
folds those differences away, so a lookup by song + artist finds the catalog row or search hit that is
really the same recording. It is the primary artist (without a leading "The") and the title, folded
(case, accents, punctuation, spacing), where the title loses what names the same recording under
another label and keeps what names another recording:

- A bracketed part or a " - ..." suffix that names a kind of version (`version_kind`'s words: live,
  remix/rmx, acoustic, unplugged, instrumental, demo, cover, sped up, slowed, slow, extended, a mix
  other than the "original mix") is another recording and stays in the key, without the words that only
  label it ("version", "edit", "radio edit", "remaster(ed)" with its year, "bonus track"), so the
  spellings of one version meet: "Stacy (Acoustic Version)", "Stacy - Acoustic" and "Stacy (Acoustic)"
  are one key, "Despacito - Remix", "Despacito (Remix)" and "Despacito (feat. Justin Bieber) - Remix"
  another, and "Despacito" a third. "Everlong - Live at the Pantages Theatre" keeps where it was
  recorded.
- Otherwise the same recording is folded away: a suffix starting with remaster(ed) (a year may lead),
  mono, stereo, single, radio edit, album version, original mix, from ..., edit, version, bonus, deluxe;
  a suffix that is only a year (" - 2021"); a suffix of labels ending "Version" ("- Radio Version",
  "- 7\" Single Version", "- In The House Of Flies LP Version"); a bracket holding remaster(ed), version,
  edit, mono, stereo, deluxe, bonus track, original mix or soundtrack ("(Album Version)", "(Taylor's
  Version)"), or saying which work the song is from, quoted or named a film, series, album, ... ("(From
  \"Raanjhanaa\")", "(Love Theme From \"Top Gun\")"; "(From Love)" is part of a title; a cue of a score
  keeps it: "Main Title (From \"Rudy\")"); neither when it names another length ("(10 Minute Version)";
  "(Extended Version)" is a kind); "feat." credits; a suffix that is the song's own artist and "Version"
  ("Into the Unknown - Panic! At The Disco Version" by Panic! At The Disco is their "Into the Unknown -
  From \"Frozen 2\"": catalogs tell a soundtrack's recordings apart by who sings them). Only the artist
  the key is given counts, its first credited one (`core.artist_names`: "Tyler, The Creator" is one
  artist, "Drake, Future" two) or its whole text: by anyone else the name is a duet, a guest verse or a
  cover ("Girls Like You - Cardi B Version" by Maroon 5, "Until I Found You - Em Beihold Version" by
  Stephen Sanchez), another version, and stays. A kind of version wins over a band's name (Live's "Song
  - Live Version" stays live), and "Song - Taylor's Version" names no artist and stays, where "(Taylor's
  Version)", a bracket holding "version", is folded.
- Any other part ("Street Spirit (Fade Out)", "Song - Part 2") is part of the title and stays.

So a listener's streams of a remix or a live recording are never counted as streams of the original,
and a catalog row of one is never taken for the other. `version_family` is the looser grouping of every
version of a song ("a remix of Despacito, which you streamed 2 times").
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from musicflow.core.artist_names import credit_keys, first_credit_key
from musicflow.core.folding import fold as _fold
from musicflow.core.plurals import listed

MAX_NAME = 200  # the longest song title or artist name a question may give (the API, the page, the CLI)
STORED_ID = re.compile(r"[0-9A-Za-z]{1,32}")  # a Spotify id as the store keeps it (22 base-62 characters)


def keepable_name(text: str) -> bool:
    """Whether a name read from an export can be kept as it is: no NUL character (no database keeps
    one) and at most MAX_NAME characters (the longest a question may name). Ingest passes over a record
    or a library entry holding another rather than cut it (a cut name could be another song's)."""
    return len(text) <= MAX_NAME and "\0" not in text


_FEATURING = re.compile(r"\s*[\(\[]\s*(?:feat|ft|featuring|with)\b[^\)\]]*[\)\]]", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"\s+-\s+(?:19|20)\d{2}$")
_TRAILING_FEATURING = re.compile(r"\s+(?:feat|ft|featuring)\.?\s.*$", re.IGNORECASE)
_SAME_RECORDING_SUFFIX = re.compile(  # from the first " - " one of these words starts: the same recording
    r"\s+-\s+(?:\d{4}\s+)?(?:remaster(?:ed)?|mono|stereo|single|radio edit|album version|"
    r"original mix|from\b|edit|version|bonus|deluxe)\b.*$",
    re.IGNORECASE,
)
_SAME_RECORDING_BRACKET = re.compile(
    r"\b(?:remaster(?:ed)?|version|edit|mono|stereo|deluxe|bonus track|original mix|soundtrack)\b"
    r"|^\s*[\(\[]\s*(?:(?:love\s+)?theme\s+|(?:original\s+)?(?:song|music)\s+)?from\s+"
    r"(?:[\"“'‘]|.*\b(?:motion\s+picture|movie|film|series|musical|album|game|show)\b)",
    re.IGNORECASE,
)
_LABELLED_VERSION = re.compile(  # " - Radio Version", " - 7" Single Version", " - <album> LP Version"
    r"\s+-\s+(?:[^-]*\s)?(?:single|radio|album|lp|mono|stereo|original|45|7[\"”'’]{1,2})\s+version\s*$",
    re.IGNORECASE,
)
_LABEL_WORDS = re.compile(  # words of a version's part that only label it, not which version it is
    r"\b(?:(?:19|20)\d{2}\s+)?remaster(?:ed)?(?:\s+(?:19|20)\d{2})?\b|\b(?:radio\s+)?edit(?:ed)?\b"
    r"|\bversion\b|\bbonus\s+track\b",
    re.IGNORECASE,
)
_ANOTHER_LENGTH = re.compile(  # "(10 Minute Version)", "- Extended Album Version": another take
    r"\b(?:extended|\d+\s*min(?:ute)?s?)\b", re.IGNORECASE
)
_BRACKETED = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_CUE_TITLE = re.compile(  # a score's cue, named alike in many films (matched folded)
    r"(?:(?:main|end|opening|closing)\s+(?:titles?|theme|credits)|(?:main\s+|love\s+|end\s+)?theme"
    r"|prologue|epilogue|finale|overture|suite|opening|end credits)$"
)
_FROM = re.compile("from", re.IGNORECASE)
_FROM_A_WORK = re.compile(  # a bracketed or dashed part saying which work a title is from
    r"\s*(?:[\(\[]|-)\s*(?:(?:love\s+)?theme\s+|(?:original\s+)?(?:song|music)\s+)?from\b", re.IGNORECASE
)
_DASHED = re.compile(r"\s+-\s+.*$")
_OWN_VERSION = re.compile(r"\s+-\s+(.+?)\s+version\s*$", re.IGNORECASE)  # " - <who> Version", whole


def clean_title(title: str, artist: str = "") -> str:
    """A title without featured artists and the parts that name the same recording (remaster, radio
    edit, ...); a part naming another version (live, remix, ...) stays (the module's docstring). Given
    the artist who sings it, a " - <that artist> Version" suffix is the same recording too. A cue of a
    score ("Main Title", "End Credits", "Love Theme") keeps the film it is from: Jerry Goldsmith's "Main
    Title (From \"Rudy\")" is not his "Main Title (From \"Stagecoach\")"."""
    stripped = title
    cue = _FROM.search(title) is not None and _is_a_cue(title)  # most titles say no work they are from
    if "(" in title or "[" in title:  # what the bracketed patterns need; most titles have none
        bracketed = _unless_from_a_work(_bracketed_part) if cue else _bracketed_part
        stripped = _BRACKETED.sub(bracketed, _FEATURING.sub("", stripped))
    if "-" in stripped:  # what the suffix patterns need

        def dashed(part: re.Match[str]) -> str:
            return _dashed_part(part, artist)

        stripped = _DASHED.sub(_unless_from_a_work(dashed) if cue else dashed, stripped)
    stripped = _TRAILING_FEATURING.sub("", stripped)
    return _fold(stripped) or _fold(title)


def _is_a_cue(title: str) -> bool:
    """Whether the title, without its bracketed and dashed parts, is a cue of a score ("Main Title")."""
    parts = "(" in title or "[" in title or "-" in title
    return parts and _CUE_TITLE.match(_fold(_VERSION_PART.sub("", title))) is not None


def _unless_from_a_work(keyed: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """A part as `keyed` keys it, unless it says which work the title is from: then it stays."""
    return lambda part: part.group(0) if _FROM_A_WORK.match(part.group(0)) else keyed(part)


def _bracketed_part(part: re.Match[str]) -> str:
    """A bracketed part as the loose key keeps it: a version without its labels, the same recording
    dropped, anything else as it is."""
    text = part.group(0)
    if _kind_in(text) is not None:
        return _LABEL_WORDS.sub(" ", text)
    if _ANOTHER_LENGTH.search(text):
        return text
    return "" if _SAME_RECORDING_BRACKET.search(text) else text


def _dashed_part(part: re.Match[str], artist: str) -> str:
    """Everything from a title's first " - " as the loose key keeps it: a version without its labels,
    else nothing when it names the same recording by its singer or by another label, else without a
    suffix that is only a year."""
    text = part.group(0)
    if _kind_in(text) is not None:
        return _LABEL_WORDS.sub(" ", text)
    if artist and _names_own_version(text, artist):
        return ""
    if _LABELLED_VERSION.match(text) and not _ANOTHER_LENGTH.search(text):
        return ""
    return _YEAR_SUFFIX.sub("", _SAME_RECORDING_SUFFIX.sub("", text))


def _names_own_version(suffix: str, artist: str) -> bool:
    """Whether a " - ... Version" suffix names the artist given, the song's own singer: a catalog
    tells a soundtrack's recordings apart so ("- Kacey Musgraves Version"), and the song by that artist
    is that recording. Compared folded, with the primary artist or the whole artist text."""
    named = _OWN_VERSION.match(suffix)
    if named is None:
        return False
    who = _fold(named.group(1))
    # As written (a leading "The" kept), so a title keys as it did before artists lost their article:
    # stored keys change by their artist part alone (migration 0020).
    return bool(who) and who in (_first_artist(artist), _fold(artist))


_CREDITED_IN_TITLE = re.compile(
    r"[\(\[]\s*(?:feat|ft|featuring|with)\b\.?\s*([^\)\]]+)[\)\]]|\s(?:feat|ft|featuring)\.?\s+(.+)$",
    re.IGNORECASE,
)


def featured_artists(title: str) -> tuple[str, ...]:
    """The artists a title credits besides its singer, each keyed as `primary_artist` keys a name:
    "Different Size (feat. Victony)" is Victony's too, "Stay (with Justin Bieber)" Justin Bieber's,
    "Song feat. A, B & C" A's, B's and C's, "(feat. Earth, Wind & Fire)" one band's (`credit_keys`). An
    export names a song's first artist only; a listener who asks for it by one it features means it."""
    found: list[str] = []
    for credit in _CREDITED_IN_TITLE.finditer(title):
        names = credit.group(1) or credit.group(2) or ""
        found.extend(_without_article(key) for key in credit_keys(names))
    return tuple(dict.fromkeys(name for name in found if name))


def credited_artists(artists: str) -> tuple[str, ...]:
    """Every artist a catalog's credit names ("Asake; Wizkid", as catalogs join several), each keyed as
    `primary_artist` keys a name, the first first: a list of at most N songs by one artist counts such
    a song for each of them (a listener asking for one song per artist does not want Wizkid four times,
    three of them as a second credit)."""
    keys = (primary_artist(name) for name in artists.split(";") if name.strip())
    return tuple(dict.fromkeys(key for key in keys if key)) or (primary_artist(artists),)


def primary_artist(artists: str) -> str:
    """The first credited artist of a text that may list several ("A, B & C", "A feat. B"), folded and
    without a leading "The": "The Black Eyed Peas" and "Black Eyed Peas" are one artist (catalogs
    keep a name Spotify has since changed; a person types "Weeknd"). "The The" is "the"."""
    return _without_article(_first_artist(artists))


def _first_artist(artists: str) -> str:
    """The first credited artist, folded, as written (a leading "The" kept; `core.artist_names`)."""
    return first_credit_key(artists)


def _without_article(folded: str) -> str:
    """A folded artist name without a leading "the " (unless nothing else is left)."""
    return folded[4:] if folded.startswith("the ") and len(folded) > 4 else folded


@lru_cache(maxsize=1 << 16)
def match_key(artist: str, title: str) -> str:
    """The loose identity of a song: primary artist and cleaned title, folded."""
    return f"{primary_artist(artist)}\x1f{clean_title(title, artist)}"


_OTHER_TAKE = re.compile(  # words of a bracketed part naming another track or take than the song itself
    r"\b(?:sessions?|reprise|interlude|intro|outro|skit|part|pt|vol|volume|extended|version|mix|edit|"
    r"arr|arranged|orchestral|symphonic|karaoke|a ?cappella|acapella|take|recorded|recording|performance|"
    r"piano)\b",
    re.IGNORECASE,
)
_INNER_BRACKETED = re.compile(r"(?<=\S)\s*[\(\[][^\)\]]*[\)\]]")  # a bracketed part after some title


@lru_cache(maxsize=1 << 16)
def subtitle_free_key(artist: str, title: str) -> str:
    """The loose key of a title without its subtitle: the bracketed parts after the title that name
    neither a kind of version nor another take (a reprise, a part, a session) nor the same recording
    under a label, which catalogs add or drop: "C.R.E.A.M. (Cash Rules Everything Around Me)" is
    "C.R.E.A.M.", "Push Back (Ne-Yo, Bebe Rexha, Stefflon Don)" is "Push Back", "Can't Stop the Feeling!
    (from DreamWorks Animation's "Trolls")" is "Can't Stop the Feeling!". Not an identity of the store
    (`match_key` keeps "Street Spirit (Fade Out)" whole): a second key by which a listener's own songs
    are found, so that no answer offers them one of their songs as new. The loose key itself for a
    title that names a kind of version or has no such part."""
    if ("(" not in title and "[" not in title) or version_kind(title) is not None:
        return match_key(artist, title)
    stripped = _INNER_BRACKETED.sub(_unless_another_take, _FEATURING.sub("", title))
    return match_key(artist, stripped if _fold(stripped) else title)


def song_lookup_keys(artist: str, title: str) -> tuple[str, ...]:
    """The keys a song is looked for by among a listener's own songs: its loose key, then the key of
    its title without a subtitle (`subtitle_free_key`), where that is another."""
    key, free = match_key(artist, title), subtitle_free_key(artist, title)
    return (key,) if free == key else (key, free)


def _unless_another_take(part: re.Match[str]) -> str:
    text = part.group(0)
    return text if _OTHER_TAKE.search(text) or _SAME_RECORDING_BRACKET.search(text) else ""


_VERSION_KINDS = (  # (a word in a title, how a reason names that version)
    ("remix", "a remix"),
    ("rmx", "a remix"),
    ("live", "a live version"),
    ("acoustic", "an acoustic version"),
    ("unplugged", "an unplugged version"),
    ("instrumental", "an instrumental version"),
    ("demo", "a demo"),
    ("cover", "a cover"),
    ("sped up", "a sped-up version"),
    ("slowed", "a slowed version"),
    ("mix", "a mix"),
    ("extended", "an extended version"),
    ("slow", "a slow version"),
)
_VERSION_PART = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]|\s+-\s+.*$")


def version_kind(title: str) -> str | None:
    """How a reason names the version a title says it is ("a remix", "a live version"), or None when the
    title names no other version than the song itself. Only the bracketed or dashed part counts: "Live
    Forever" is a song, "Song - Live at Wembley" a live version; "Song - Original Mix" is the song."""
    return _kind_in(" ".join(_VERSION_PART.findall(title)))


def _kind_in(text: str) -> str | None:
    """The kind of version these words of a title name, if any (the "original mix" is none)."""
    words = f" {_fold(text)} ".replace(" original mix ", " ")
    return next((kind for word, kind in _VERSION_KINDS if f" {word} " in words), None)


def version_family(artist: str, title: str) -> str:
    """The song every version of it shares: primary artist and the title without any bracketed or
    dashed part ("Grip - Jay Pryor Remix", "So Close (Acoustic)" and "Grip" are one family)."""
    return f"{primary_artist(artist)}\x1f{_fold(_VERSION_PART.sub('', title)) or _fold(title)}"


_TRAILING_PARTS = re.compile(r"(?:\s*[\(\[][^\(\)\[\]]*[\)\]]|\s+-\s+.*)+$")


def base_title(title: str) -> str:
    """A title as a person types it without its trailing bracketed parts, " - ..." suffix and "feat."
    credits, folded: "Dear Future Self (Hands Up) [feat. Wyclef Jean]" and "Stacy - Acoustic" are
    "dear future self" and "stacy". (Not an identity: which version a title is, `version_kind` says.)"""
    stripped = _TRAILING_FEATURING.sub("", _TRAILING_PARTS.sub("", title))
    return _fold(_TRAILING_PARTS.sub("", stripped)) or _fold(title)


def normalise(text: str) -> str:
    """Fold case, Unicode forms and runs of white space, so spellings of one name compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@lru_cache(maxsize=1 << 16)
def track_key(artist: str, track: str) -> str:
    """The identity of a song across export formats, which do not all carry a Spotify id."""
    return f"{normalise(artist)}\x1f{normalise(track)}"


FeatureValue = float | int | bool


@dataclass(frozen=True, slots=True)
class TrackQuery:
    """A song to find: `key` is the store's track key (normalised artist + title)."""

    key: str
    song: str
    artist: str
    spotify_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureRecord:
    """What one source knows of one song; `values` passed `feature_spec.validate_values`."""

    source: str
    values: Mapping[str, FeatureValue]
    spotify_id: str | None = None
    isrc: str | None = None
    fetched_at: float = field(default_factory=time.time)
    origin: str | None = None  # which catalog or file, where the source has several


@dataclass(frozen=True, slots=True)
class NotFound:
    """The source answered and does not know this song (kept in a negative cache for a while)."""

    source: str
    reason: str = "not found"


SourceAnswer = FeatureRecord | NotFound


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """One song of a catalog file; `values` passed `validate_values`; `line` is where it starts."""

    spotify_id: str | None
    song: str
    artists: tuple[str, ...]  # primary artist first
    values: dict[str, FeatureValue]
    line: int


def artists_words(artists: str) -> str:
    """Artists as a sentence names them: "A; B; C" (as catalogs list them) is "A, B and C"."""
    names = [name.strip() for name in artists.split("; ") if name.strip()]
    return listed(names) if len(names) > 1 else artists


@dataclass(frozen=True, slots=True)
class SongName:
    """A song as the store or a catalog spells it: what a question was answered for, or a suggestion."""

    song: str
    artist: str

    @property
    def words(self) -> str:
        """How an answer names it: 'Sugar' by Maroon 5; 'Die With A Smile' by Lady Gaga and Bruno Mars (a
        catalog lists several artists joined by "; ")."""
        return f"'{self.song}' by {artists_words(self.artist)}"

    @property
    def did_you_mean(self) -> str:
        """What an answer for it says when the name asked was another."""
        return f"did you mean {self.words}?"

    def as_document(self) -> dict[str, str]:
        return {"song": self.song, "artist": self.artist}


@dataclass(frozen=True, slots=True)
class SongRequest:
    """A song a person asks about: title and artist as they typed them, and a Spotify id if they gave one."""

    song: str
    artist: str
    spotify_id: str | None = None
