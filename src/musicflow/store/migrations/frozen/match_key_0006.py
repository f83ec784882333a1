"""The loose song key exactly as migration 0006 computed it: frozen, so that what the migration did
never changes when today's matching code (`musicflow.core.songs`) changes.
Year-only suffixes (' - 2021') folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_FEATURING = re.compile(r"\s*[\(\[]\s*(?:feat|ft|featuring|with)\b[^\)\]]*[\)\]]", re.IGNORECASE)
_YEAR_SUFFIX = re.compile(r"\s+-\s+(?:19|20)\d{2}$")
_TRAILING_FEATURING = re.compile(r"\s+(?:feat|ft|featuring)\.?\s.*$", re.IGNORECASE)
_VERSION_SUFFIX = re.compile(
    r"\s+-\s+(?:\d{4}\s+)?(?:remaster(?:ed)?|mono|stereo|single|radio edit|album version|"
    r"original mix|live|from\b|remix|edit|version|bonus|deluxe)\b.*$",
    re.IGNORECASE,
)
_BRACKETED_VERSION = re.compile(
    r"\s*[\(\[][^\)\]]*\b(?:remaster(?:ed)?|version|edit|mono|stereo|deluxe|bonus track)\b[^\)\]]*[\)\]]",
    re.IGNORECASE,
)
_ARTIST_SEPARATORS = re.compile(r"\s*(?:,|&|;|\bx\b|\band\b|\bfeat\.?|\bft\.?|\bwith\b)\s*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")
_APOSTROPHES = re.compile(r"['’`´]")


def _fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded away."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_marks = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", no_marks)).split())


def clean_title(title: str) -> str:
    """A title without featured artists and version suffixes (remaster, radio edit, ...)."""
    stripped = _FEATURING.sub("", title)
    stripped = _BRACKETED_VERSION.sub("", stripped)
    stripped = _VERSION_SUFFIX.sub("", stripped)
    stripped = _YEAR_SUFFIX.sub("", stripped)
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
