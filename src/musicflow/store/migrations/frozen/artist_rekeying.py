"""Rewriting stored loose song keys whose artist part changes, as revision 0022 does with its frozen key:
only the rows whose artist text holds one of the marks that can change a key are read, and only what
changes is written: in `tracks` the key, in `catalog_tracks` the key and the artists, whose credits
stored apart are joined back where they begin one artist's name ("Tyler; The Creator" is "Tyler, The
Creator"). Frozen like the keys it applies; never edit it in place."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

Key = Callable[[str, str], str]  # (artist, title) -> the loose key
Rejoin = Callable[[list[str]], list[str]]  # credits as stored -> credits joined back
STORED_SEPARATOR = "; "  # between the credits of a catalog row's `artists`


def rekey_artists(conn: Any, key: Key, rejoin: Rejoin, marks: Iterable[str]) -> set[str]:
    """Tracks and catalog rows whose artist text holds one of `marks`, rekeyed; the new keys given."""
    wanted = tuple(marks)
    given = _rekey_tracks(conn, key, wanted)
    given |= _rekey_catalog(conn, key, rejoin, wanted)
    return given


def _holding(column: Any, marks: tuple[str, ...]) -> Any:
    return sa.or_(*(column.ilike(f"%{mark}%") for mark in marks))


def _rekey_tracks(conn: Any, key: Key, marks: tuple[str, ...]) -> set[str]:
    tracks = sa.table(
        "tracks", sa.column("id"), sa.column("name"), sa.column("artist"), sa.column("match_key")
    )
    query = sa.select(tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.match_key)
    rows = conn.execute(query.where(_holding(tracks.c.artist, marks))).all()
    changed = [
        {"rid": rid, "key": new} for rid, name, artist, old in rows if (new := key(artist, name)) != old
    ]
    if changed:
        conn.execute(
            tracks.update().where(tracks.c.id == sa.bindparam("rid")).values(match_key=sa.bindparam("key")),
            changed,
        )
    return {row["key"] for row in changed if row["key"]}


def _rekey_catalog(conn: Any, key: Key, rejoin: Rejoin, marks: tuple[str, ...]) -> set[str]:
    rows_of = sa.table(
        "catalog_tracks", sa.column("id"), sa.column("song"), sa.column("artists"), sa.column("match_key")
    )
    query = sa.select(rows_of.c.id, rows_of.c.song, rows_of.c.artists, rows_of.c.match_key)
    changed = []
    for rid, song, artists, old in conn.execute(query.where(_holding(rows_of.c.artists, marks))).all():
        credits = rejoin([name for name in (artists or "").split(STORED_SEPARATOR) if name])
        text = STORED_SEPARATOR.join(credits) or artists
        new = key(credits[0], song) if song and credits else ""
        if new != old or text != artists:
            changed.append({"rid": rid, "key": new, "text": text})
    if changed:
        conn.execute(
            rows_of.update()
            .where(rows_of.c.id == sa.bindparam("rid"))
            .values(match_key=sa.bindparam("key"), artists=sa.bindparam("text")),
            changed,
        )
    return {row["key"] for row in changed if row["key"]}
