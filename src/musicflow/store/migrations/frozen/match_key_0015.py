"""The loose song key exactly as migration 0015 computed it: frozen, so that what the migration did
never changes when today's matching code (`musicflow.core.songs`) changes.
Versions that are other recordings (live, remix, acoustic, ...) kept apart from the original.
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
    r"\b(?:remaster(?:ed)?|version|edit|mono|stereo|deluxe|bonus track|original mix)\b", re.IGNORECASE
)
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
# A title whose key changes holds one of these words of a kind of version ("sped" for "sped up" and
# "Sped-Up", "mix" for "remix" and the "original mix" now folded in brackets too); case is ignored. (A
# title spelling one only with an accent or in another Unicode form, "Démo", is not read and keeps its
# key: of the 1,887 keys that change among the 117,442 titles of the public histories and the bundled
# catalog, none is missed so.)
VERSION_WORDS = (
    "live",
    "mix",
    "rmx",
    "acoustic",
    "unplugged",
    "instrumental",
    "demo",
    "cover",
    "sped",
    "slowed",
)
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
    return "" if _SAME_RECORDING_BRACKET.search(text) else text


def _dashed_part(part: re.Match[str]) -> str:
    text = part.group(0)
    if _names_a_version(text):
        return _LABEL_WORDS.sub(" ", text)
    return _YEAR_SUFFIX.sub("", _SAME_RECORDING_SUFFIX.sub("", text))


def clean_title(title: str) -> str:
    """A title without featured artists and the parts that name the same recording; a part naming
    another version (live, remix, ...) stays, without the words that only label it."""
    stripped = _BRACKETED.sub(_bracketed_part, _FEATURING.sub("", title))
    stripped = _DASHED.sub(_dashed_part, stripped)
    stripped = _TRAILING_FEATURING.sub("", stripped)
    return _fold(stripped) or _fold(title)


def primary_artist(artists: str) -> str:
    """The first credited artist of a text that may list several ("A, B & C", "A feat. B")."""
    first = _ARTIST_SEPARATORS.split(artists.strip(), maxsplit=1)[0]
    return _fold(first) or _fold(artists)


@lru_cache(maxsize=1 << 16)
def match_key(artist: str, title: str) -> str:
    """The loose identity of a song: primary artist and cleaned title, folded."""
    return f"{primary_artist(artist)}\x1f{clean_title(title)}"
