"""Where a text crediting artists splits into credits, and which names that read as several credits
are one artist.

"Drake, Future", "Calvin Harris & Dua Lipa", "Shawn Mendes x Zedd" and "Drake feat. Future" credit
two artists, of which a song is keyed by the first (`core.songs.primary_artist`). But "Tyler, The
Creator", "Earth, Wind & Fire", "Mumford & Sons" and "Chloe x Halle" are one artist each: split, Tyler,
The Creator was "Tyler", another artist, and their listener was told they streamed that one. The names
of such artists known from public data ship in `data/one_artist_names.txt`
(`scripts/build_artist_names.py`); a credit that begins with one of them is that artist, however it
goes on ("Tyler, The Creator, Kali Uchis"), and typed with "and" for "&" ("Mumford and Sons") too. A
band named after its leader is not on the list: "Tom Petty and the Heartbreakers" is Tom Petty's, as
before. A joining word with nothing after it joins nothing: "Lil Nas X" and "Allie X" are whole names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from musicflow.core.folding import fold

NAMES_FILE = Path(__file__).with_name("data") / "one_artist_names.txt"
# Between two credits: a comma, "&", ";", or the whole word "x", "and", "feat."/"ft."/"featuring", "with".
CREDIT_SEPARATORS = re.compile(
    r"\s*(?:,|&|;|\bx\b|\band\b|\bfeat(?:uring)?\b\.?|\bft\b\.?|\bwith\b)\s*", re.IGNORECASE
)
_SEPARATED = re.compile(f"({CREDIT_SEPARATORS.pattern})", re.IGNORECASE)
_AND = re.compile(r"[&+]")
_LONGEST = 6  # the most credits a known name spans ("Crosby, Stills, Nash & Young": 4)


def canonical(name: str) -> str:
    """A name folded as the list holds it: "&" and "+" read "and" ("Mumford & Sons" and "Mumford and
    Sons" are "mumford and sons")."""
    return fold(_AND.sub(" and ", name))


@lru_cache(maxsize=1)
def one_artist_names() -> frozenset[str]:
    """The shipped names of artists that read as several credits (canonical), read once."""
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def credit_parts(text: str) -> list[str]:
    """The credits a text splits into at the joining words; one, the text, where a joining word has
    nothing on one side ("Lil Nas X", "X Ambassadors")."""
    parts = CREDIT_SEPARATORS.split(text.strip())
    return parts if all(fold(part) for part in parts) else [text.strip()]


def first_credit_key(text: str) -> str:
    """The first artist a text credits, folded: a known one-artist name it begins with ("tyler the
    creator" of "Tyler, The Creator, Kali Uchis"; "mumford and sons" of "Mumford & Sons"), else what
    comes before the first joining word that has a credit after it ("drake" of "Drake, Future"; "Lil
    Nas X" and "X Ambassadors" whole)."""
    pieces = _SEPARATED.split(text.strip())  # name, separator, name, separator, ...
    if len(pieces) == 1 and "+" not in text:
        return fold(text)
    known = one_artist_names()
    if (whole := canonical(text)) in known:  # "Florence + The Machine", "Mumford and Sons"
        return whole
    names = pieces[::2]
    for count in range(min(len(names), _LONGEST), 1, -1):
        candidate = canonical("".join(pieces[: 2 * count - 1]))
        if candidate in known:
            return candidate
    first = fold(names[0])
    if not first or not fold("".join(pieces[2:])):
        return fold(text)  # no credit on one side of the first joining word ("Lil Nas X")
    return first


def credit_keys(text: str) -> list[str]:
    """Every artist a text credits, folded, in order, a known one-artist name kept whole: "Earth, Wind &
    Fire, Daft Punk" is "earth wind and fire" and "daft punk" (split at each joining word, it was four
    artists, three of them "Earth", "Wind" and "Fire"); "Lil Nas X" one, as `credit_parts` has it."""
    pieces = _SEPARATED.split(text.strip())  # name, separator, name, separator, ...
    names = pieces[::2]
    if len(names) == 1 or not all(fold(name) for name in names):
        return [first_credit_key(text)] if fold(text) else []
    known = one_artist_names()
    keys: list[str] = []
    at = 0
    while at < len(names):
        for count in range(min(len(names) - at, _LONGEST), 1, -1):
            candidate = canonical("".join(pieces[2 * at : 2 * (at + count) - 1]))
            if candidate in known:
                keys.append(candidate)
                at += count
                break
        else:
            keys.append(first_credit_key(names[at]))
            at += 1
    return keys


def first_credits(artists: list[str]) -> list[str]:
    """Credits a file listed apart joined back where they begin a known one-artist name: a catalog
    that writes "Tyler, The Creator, Kali Uchis" and splits at commas gives "Tyler", "The Creator",
    "Kali Uchis"; the artists are "Tyler, The Creator" and "Kali Uchis"."""
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
