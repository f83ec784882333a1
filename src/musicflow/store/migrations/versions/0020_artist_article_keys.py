"""Loose song keys without a leading "The" in the artist: "The Black Eyed Peas" and "Black Eyed Peas"
are one artist. Catalogs keep the name an artist had when they were made; an export names the artist as
Spotify does today, so a listener's "I Gotta Feeling" by Black Eyed Peas was not the catalog's by The
Black Eyed Peas: the song went unanswered by the catalog, and was recommended to the listener who had
streamed it.

Only the artist part of a key changes (the title part is keyed as before: `core.songs` compares a
" - <singer> Version" suffix with the artist as written), so the stored keys are rewritten as strings:
the keys whose artist starts with "the " lose it, in `tracks` and `catalog_tracks`. As in 0017, two
spellings become one key, so no feature answer is wrong; the catalog's misses of every track now keyed
by one of the rewritten keys are forgotten, so the next fetch asks for them again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from musicflow.store.migrations.frozen.catalog_misses import forget_catalog_misses

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ARTICLE = "the "
SEPARATOR = "\x1f"  # between a key's artist and title


def without_article(key: str) -> str:
    """A stored key with its artist's leading "the " taken off (unless nothing of the artist is left)."""
    artist, separator, title = key.partition(SEPARATOR)
    if artist.startswith(ARTICLE) and len(artist) > len(ARTICLE):
        return f"{artist[len(ARTICLE) :]}{separator}{title}"
    return key


def upgrade() -> None:
    conn = op.get_bind()
    given = _rekey(conn, "tracks") | _rekey(conn, "catalog_tracks")
    forget_catalog_misses(conn, sorted(given))


def _rekey(conn: Any, name: str) -> set[str]:
    """The keys of `name` whose artist starts with "the ", rewritten; the new keys."""
    table = sa.table(name, sa.column("id"), sa.column("match_key"))
    rows = conn.execute(sa.select(table.c.id, table.c.match_key).where(table.c.match_key.like(f"{ARTICLE}%")))
    changed = [{"rid": rid, "key": new} for rid, old in rows if (new := without_article(old)) != old]
    if changed:
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("rid")).values(match_key=sa.bindparam("key")),
            changed,
        )
    return {row["key"] for row in changed}


def downgrade() -> None:
    """Keys stay as they are: the older code reads them as keys it does not make, and finds less."""
