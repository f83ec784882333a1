"""The loose song key exactly as migration 0022 computed it: frozen, so that what the migration did
never changes when today's matching code (`musicflow.core.songs`, `musicflow.core.artist_names`)
changes.
As 0021's, with the first credited artist found as `core.artist_names` finds it: a credit beginning with
a name of the shipped list of one-artist names ("Tyler, The Creator", "Mumford & Sons", read with "&"
and "+" as "and") is that artist; "feat", "ft" and "featuring" join credits as whole words only ("The
Features" is one artist); a joining word with nothing on one side joins nothing ("Lil Nas X"). The list
is read from the project's file, pinned by its SHA-256: a later list must be frozen beside this module
before it replaces that file. "Extended" and "slow" name kinds of version ("Song (Extended Version)"
and "Song - Extended" are one key, without the label "version"), and a cue of a score ("Main Title",
"End Credits", "Love Theme") keeps the work it is from: "Main Title (From \"Rudy\")" is not "Main
Title (From \"Stagecoach\")".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_FEATURING = re.compile(r"\s*[\(\[]\s*(?:feat|ft|featuring|with)\b[^\)\]]*[\)\]]", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"\s+-\s+(?:19|20)\d{2}$")
_TRAILING_FEATURING = re.compile(r"\s+(?:feat|ft|featuring)\.?\s.*$", re.IGNORECASE)
_SAME_RECORDING_SUFFIX = re.compile(
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
_LABELLED_VERSION = re.compile(
    r"\s+-\s+(?:[^-]*\s)?(?:single|radio|album|lp|mono|stereo|original|45|7[\"”'’]{1,2})\s+version\s*$",
    re.IGNORECASE,
)
_ANOTHER_LENGTH = re.compile(r"\b(?:extended|\d+\s*min(?:ute)?s?)\b", re.IGNORECASE)
_LABEL_WORDS = re.compile(
    r"\b(?:(?:19|20)\d{2}\s+)?remaster(?:ed)?(?:\s+(?:19|20)\d{2})?\b|\b(?:radio\s+)?edit(?:ed)?\b"
    r"|\bversion\b|\bbonus\s+track\b",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_VERSION_PART = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]|\s+-\s+.*$")
_CUE_TITLE = re.compile(
    r"(?:(?:main|end|opening|closing)\s+(?:titles?|theme|credits)|(?:main\s+|love\s+|end\s+)?theme"
    r"|prologue|epilogue|finale|overture|suite|opening|end credits)$"
)
_FROM_A_WORK = re.compile(
    r"\s*(?:[\(\[]|-)\s*(?:(?:love\s+)?theme\s+|(?:original\s+)?(?:song|music)\s+)?from\b", re.IGNORECASE
)
_DASHED = re.compile(r"\s+-\s+.*$")
_KIND_WORDS = (
    "remix",
    "rmx",
    "live",
    "acoustic",
    "unplugged",
    "instrumental",
    "demo",
    "cover",
    "sped up",
    "slowed",
    "mix",
    "extended",
    "slow",
)
_OWN_VERSION = re.compile(r"\s+-\s+(.+?)\s+version\s*$", re.IGNORECASE)
_ARTIST_SEPARATORS = re.compile(
    r"\s*(?:,|&|;|\bx\b|\band\b|\bfeat(?:uring)?\b\.?|\bft\b\.?|\bwith\b)\s*", re.IGNORECASE
)
_SEPARATED = re.compile(f"({_ARTIST_SEPARATORS.pattern})", re.IGNORECASE)
_AND = re.compile(r"[&+]")
_LONGEST = 6
NAMES_FILE = Path(__file__).resolve().parents[3] / "core" / "data" / "one_artist_names.txt"
NAMES_SHA256 = "496efe9ee9ce523b5c373984951f6e4b4146e9fadcf7e832b157d10f849e49a5"
# An artist text whose key can change holds one of these (case ignored): only those rows are read.
CHANGED_MARKS = (",", "&", ";", "+", "x", "and", "feat", "ft", "with")
CHANGED_WORDS = ("extended", "slow", "from")  # the same of a title
_NOT_WORD = re.compile(r"[^\w]+")
_APOSTROPHES = re.compile(r"['’`´]")


def _fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded away."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_marks = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", no_marks)).split())


def _names_a_version(text: str) -> bool:
    words = f" {_fold(text)} ".replace(" original mix ", " ")
    return any(f" {word} " in words for word in _KIND_WORDS)


def _bracketed_part(part: re.Match[str]) -> str:
    text = part.group(0)
    if _names_a_version(text):
        return _LABEL_WORDS.sub(" ", text)
    if _ANOTHER_LENGTH.search(text):
        return text
    return "" if _SAME_RECORDING_BRACKET.search(text) else text


def _dashed_part(part: re.Match[str], artist: str) -> str:
    text = part.group(0)
    if _names_a_version(text):
        return _LABEL_WORDS.sub(" ", text)
    named = _OWN_VERSION.match(text)
    if named is not None and (who := _fold(named.group(1))) and who in (_first_artist(artist), _fold(artist)):
        return ""
    if _LABELLED_VERSION.match(text) and not _ANOTHER_LENGTH.search(text):
        return ""
    return _YEAR_SUFFIX.sub("", _SAME_RECORDING_SUFFIX.sub("", text))


def clean_title(title: str, artist: str) -> str:
    """A title without featured artists and the parts that name the same recording; a part naming
    another version (live, remix, ...) stays, without the words that only label it; a cue of a score
    ("Main Title") keeps a part saying which work it is from."""
    cue = _CUE_TITLE.match(_fold(_VERSION_PART.sub("", title))) is not None

    def bracketed(part: re.Match[str]) -> str:
        return part.group(0) if cue and _FROM_A_WORK.match(part.group(0)) else _bracketed_part(part)

    def dashed(part: re.Match[str]) -> str:
        return part.group(0) if cue and _FROM_A_WORK.match(part.group(0)) else _dashed_part(part, artist)

    stripped = _BRACKETED.sub(bracketed, _FEATURING.sub("", title))
    stripped = _DASHED.sub(dashed, stripped)
    stripped = _TRAILING_FEATURING.sub("", stripped)
    return _fold(stripped) or _fold(title)


@lru_cache(maxsize=1)
def one_artist_names() -> frozenset[str]:
    """The list as 0022 read it; refused if the file is no longer that list."""
    data = NAMES_FILE.read_bytes()
    if hashlib.sha256(data).hexdigest() != NAMES_SHA256:
        raise RuntimeError(f"{NAMES_FILE} is not the list migration 0022 keyed with")
    lines = data.decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def canonical(name: str) -> str:
    """A name folded as the list holds it ("&" and "+" read "and")."""
    return _fold(_AND.sub(" and ", name))


def _first_artist(artists: str) -> str:
    """The first credited artist: a listed one-artist name the text begins with, else the text before
    the first joining word that has a credit on both sides, folded."""
    pieces = _SEPARATED.split(artists.strip())
    if len(pieces) == 1 and "+" not in artists:
        return _fold(artists)
    known = one_artist_names()
    if (whole := canonical(artists)) in known:
        return whole
    names = pieces[::2]
    for count in range(min(len(names), _LONGEST), 1, -1):
        candidate = canonical("".join(pieces[: 2 * count - 1]))
        if candidate in known:
            return candidate
    first = _fold(names[0])
    if not first or not _fold("".join(pieces[2:])):
        return _fold(artists)
    return first


def first_credits(artists: list[str]) -> list[str]:
    """Credits stored apart ("Tyler; The Creator") joined back where they begin a listed name."""
    known = one_artist_names()
    joined: list[str] = []
    at = 0
    while at < len(artists):
        for count in range(min(len(artists) - at, _LONGEST), 1, -1):
            candidate = ", ".join(artists[at : at + count])
            if canonical(candidate) in known:
                joined.append(candidate)
                at += count
                break
        else:
            joined.append(artists[at])
            at += 1
    return joined


def primary_artist(artists: str) -> str:
    """The first credited artist without a leading "the " (unless nothing else is left)."""
    folded = _first_artist(artists)
    return folded[4:] if folded.startswith("the ") and len(folded) > 4 else folded


@lru_cache(maxsize=1 << 16)
def match_key(artist: str, title: str) -> str:
    """The loose identity of a song: primary artist and cleaned title, folded."""
    return f"{primary_artist(artist)}\x1f{clean_title(title, artist)}"
