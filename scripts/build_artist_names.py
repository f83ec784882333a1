"""Build the list of artists whose one name holds a word that elsewhere joins two credits
(`core/data/one_artist_names.txt`), from the public data in shared/data.

A text that credits several artists ("Drake, Future", "Calvin Harris & Dua Lipa", "Shawn Mendes x
Zedd") is keyed by its first (`core.songs.primary_artist`). Some single artists are named with those
same words: "Tyler, The Creator", "Earth, Wind & Fire", "Mumford & Sons", "Of Monsters and Men", "Chloe
x Halle". Split, Tyler, The Creator was "Tyler", another artist of 58 catalog songs, and a listener of
838 streams of Tyler, The Creator was told they streamed that artist.

Which names are one artist is read from sources that name one artist per field: the artist of every play
in the public streaming histories (Spotify's export names the song's first artist), the artists of the
catalogs that list them one by one (`tracks600k_head`: a list literal) and the artist of each liked song
(`libraries/bartekc_liked`). A name that splits is kept as one artist unless every part it splits into
is an artist on its own in those sources ("Alka Yagnik, Shankar Mahadevan", "Popcaan, Davido" stay
credits of their first artist), it holds " - " (a title written into the artist field), or its first
credit is a name of two words or more: "Tom Petty and the Heartbreakers", "Selena Gomez & The Scene" and
"Daryl Hall & John Oates" stay their leader's, whose own songs the catalogs hold. Of the names the
public catalogs split onto another artist's, every first credit of two words or more was the same
person; of one word, most were another artist ("Tyler", "Earth", "Derek", "Tank", "Sonny") and a few the
same ("Macklemore", "Wisin"), which are now apart from them. A name holding "+" is kept too ("Florence +
The Machine"), so that typed with "and" it is the same artist. Names are written as
`core.artist_names.canonical` folds them ("&" and "+" read "and"), one per line, sorted; nothing else of
the files is kept.

Usage: python scripts/build_artist_names.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from musicflow.core.artist_names import NAMES_FILE, canonical, credit_parts
from musicflow.features.catalog_formats.values import list_literal

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LIST_CATALOGS = ("catalogs/tracks600k_head",)
LIBRARY = "libraries/bartekc_liked/liked_songs_raw.csv"
HEADER = """\
# Artists whose one name holds a word that elsewhere joins two credits (",", "&", "and", "x", "with",
# ...): each is one artist, never split into its first credit (core.artist_names).
# Built by scripts/build_artist_names.py from the public data beside the project (shared/data): the
# artist of every play of the streaming histories, the artists listed one by one in
# catalogs/tracks600k_head, the artist of each song of libraries/bartekc_liked; a name is kept unless
# every part it splits into is an artist on its own there or its first credit has two words or more
# (a leader's band: "Tom Petty and the Heartbreakers" is Tom Petty's). Folded ("&" and "+" read "and").
"""


def history_artists(shared: Path) -> Iterator[str]:
    """The artist of each play of the public histories (one per play: the song's first artist)."""
    for path in sorted((shared / "histories").rglob("*.json")):
        if path.name.startswith("YourLibrary"):
            continue
        rows = json.loads(path.read_text(encoding="utf-8"))
        for row in rows if isinstance(rows, list) else ():
            if isinstance(row, dict):
                name = row.get("artistName") or row.get("master_metadata_album_artist_name")
                if isinstance(name, str) and name.strip():
                    yield name.strip()


def listed_artists(shared: Path) -> Iterator[str]:
    """The artists of the catalogs that list them one by one, and of the liked songs."""
    for folder in LIST_CATALOGS:
        for path in sorted((shared / folder).glob("*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    yield from (name.strip() for name in list_literal(row.get("artists") or "") or ())
    with (shared / LIBRARY).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("artist_name") or "").strip():
                yield row["artist_name"].strip()


def one_artist_names(shared: Path = SHARED) -> set[str]:
    """The canonical names of the artists of the sources whose name splits into credits that are not
    all artists of their own."""
    names = {*history_artists(shared), *listed_artists(shared)}
    alone = {canonical(name) for name in names}
    kept = set()
    for name in names:
        parts = credit_parts(name)
        if (len(parts) < 2 and "+" not in name) or " - " in name:
            continue
        credits_of_others = all(canonical(part) in alone for part in parts)
        if len(parts) >= 2 and (_leads_with_a_full_name(parts[0]) or credits_of_others):
            continue
        kept.add(canonical(name))
    return kept


def _leads_with_a_full_name(first: str) -> bool:
    """Whether the first credit is a name of two words or more (a leading "The" not counted): "Tom Petty"
    of "Tom Petty and the Heartbreakers", "Selena Gomez" of "Selena Gomez & The Scene". Such a band is
    its leader's, whose own songs a listener of the band is told of as theirs; a first credit of one word
    ("Tyler", "Earth", "Chloe", "Derek", "Tank") was, in the public catalogs, another artist as often as
    not."""
    words = canonical(first).split()
    return len(words[1:] if words[:1] == ["the"] else words) >= 2


def main(argv: list[str]) -> int:
    shared = Path(argv[0]) if argv else SHARED
    names = sorted(one_artist_names(shared))
    NAMES_FILE.write_text(HEADER + "".join(f"{name}\n" for name in names), encoding="utf-8")
    print(f"{len(names):,} names written to {NAMES_FILE}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
