"""The loose song key exactly as migration 0021 computed it: frozen, so that what the migration did
never changes when today's matching code (`musicflow.core.songs`) changes.
As 0017's, with the artist's leading "The" dropped (0020), and three more ways of naming the same
recording: a bracket saying where the song is from ("(From \"Raanjhanaa\")", "(Love Theme From \"Top
Gun\")", "(Original Motion Picture Soundtrack)": quoted, or naming a film, series, album, ...), as the
dashed " - From ..." already was; a dashed label ending "... Version" ("- Radio Version", "- 7\" Single
Version", "- In The House Of Flies LP Version"); and neither when it names another length ("(Extended
Version)", "(10 Minute Version)").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
)
_OWN_VERSION = re.compile(r"\s+-\s+(.+?)\s+version\s*$", re.IGNORECASE)
# A title whose key changes holds one of these words (case ignored): only those rows are read. Of the
# 119,177 titles of the public histories, catalogs and library, 827 change key; 186 of them join a key
# another title already had.
CHANGED_WORDS = ("from", "version", "soundtrack")
_ARTIST_SEPARATORS = re.compile(r"\s*(?:,|&|;|\bx\b|\band\b|\bfeat\.?|\bft\.?|\bwith\b)\s*", re.IGNORECASE)
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
    another version (live, remix, ...) stays, without the words that only label it."""
    stripped = _BRACKETED.sub(_bracketed_part, _FEATURING.sub("", title))
    stripped = _DASHED.sub(lambda part: _dashed_part(part, artist), stripped)
    stripped = _TRAILING_FEATURING.sub("", stripped)
    return _fold(stripped) or _fold(title)


def _first_artist(artists: str) -> str:
    """The first credited artist of a text that may list several ("A, B & C", "A feat. B")."""
    first = _ARTIST_SEPARATORS.split(artists.strip(), maxsplit=1)[0]
    return _fold(first) or _fold(artists)


def primary_artist(artists: str) -> str:
    """The first credited artist without a leading "the " (unless nothing else is left)."""
    folded = _first_artist(artists)
    return folded[4:] if folded.startswith("the ") and len(folded) > 4 else folded


@lru_cache(maxsize=1 << 16)
def match_key(artist: str, title: str) -> str:
    """The loose identity of a song: primary artist and cleaned title, folded."""
    return f"{primary_artist(artist)}\x1f{clean_title(title, artist)}"
