"""Rewriting stored loose song keys, as revisions 0015 and 0017 do, each with its own frozen key: only the
rows whose title holds one of the words that can change a key are read, and only the keys that change
are written, in `tracks` and `catalog_tracks`. Frozen like the keys it applies; never edit it in place."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

Key = Callable[[str, str], str]  # (artist, title) -> the loose key


def rekey_songs(conn: Any, key: Key, words: Iterable[str]) -> set[str]:
    """Tracks and catalog rows whose title holds one of `words`, rekeyed by `key`; the new keys given."""
    wanted = tuple(words)

    def of_catalog(song: str, artists: str) -> str:
        return _catalog_key(key, song, artists)

    given = _rekey(conn, "tracks", "name", "artist", lambda title, artist: key(artist, title), wanted)
    given |= _rekey(conn, "catalog_tracks", "song", "artists", of_catalog, wanted)
    return given


def _catalog_key(key: Key, song: str, artists: str) -> str:
    """A catalog row's key: its first listed artist (artists are joined with "; ") and its title."""
    primary = artists.split("; ")[0] if artists else ""
    return key(primary, song) if song and primary else ""


def _rekey(conn: Any, name: str, title: str, artist: str, key_of: Key, words: tuple[str, ...]) -> set[str]:
    """Rewrite the keys of the rows of `name` whose title holds one of `words`, where the key changes."""
    table = sa.table(name, *(sa.column(c) for c in ("id", title, artist, "match_key")))
    columns = (table.c.id, table.c[title], table.c[artist], table.c.match_key)
    named = sa.or_(*(table.c[title].ilike(f"%{word}%") for word in words))
    rows = conn.execute(sa.select(*columns).where(named)).all()
    changed = [{"rid": rid, "key": new} for rid, song, by, old in rows if (new := key_of(song, by)) != old]
    if changed:
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("rid")).values(match_key=sa.bindparam("key")),
            changed,
        )
    return {row["key"] for row in changed if row["key"]}
