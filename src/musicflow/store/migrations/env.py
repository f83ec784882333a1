"""Alembic environment: runs on the connection or engine MusicFlow hands over, never on a URL from a file.

`store/migrate.py` hands over a connection already in the transaction that holds the store's migration
lock; tests that build a store at an older revision hand over an engine, migrated in a transaction here.
"""

from __future__ import annotations

from alembic import context

from musicflow.store.schema import metadata

handed = context.config.attributes.get("connection")
if handed is not None:
    context.configure(connection=handed, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()
else:
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()
