"""Names folded for comparison: case, accents, apostrophes, punctuation and spacing taken away, so that
"Beyoncé" and "beyonce", "Don't" and "Dont" are one. Shared by the song keys (`core.songs`) and the
artists whose name is one artist though it reads as several (`core.artist_names`)."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")
_APOSTROPHES = re.compile(r"['’`´]")


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded away."""
    folded = text.casefold()
    if not folded.isascii():  # ASCII has no accents to take off, and normalising leaves it as it is
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", folded)).split())
