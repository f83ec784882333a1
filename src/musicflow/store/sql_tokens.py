"""The SQL adapter for access tokens: one row per token, found by its digest."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Engine, Row, insert, select, update

from musicflow.store.db import guarded
from musicflow.store.ports import StoredToken, TokenScope
from musicflow.store.profile_rows import profile_row
from musicflow.store.schema import api_tokens, profiles

_COLUMNS = (
    api_tokens.c.id,
    profiles.c.name,
    api_tokens.c.scope,
    api_tokens.c.created_at,
    api_tokens.c.revoked_at,
    api_tokens.c.expires_at,
)


class SqlTokenStore:
    """Implements `TokenStore` on the same engine as the plays."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_token(
        self, profile: str, digest: str, scope: TokenScope, now: float, expires_at: float | None = None
    ) -> StoredToken:
        with guarded(self.engine) as conn:
            profile_id = profile_row(self.engine, conn, profile)
            token_id = conn.execute(
                insert(api_tokens).returning(api_tokens.c.id),
                {
                    "profile_id": profile_id,
                    "digest": digest,
                    "scope": scope,
                    "created_at": now,
                    "expires_at": expires_at,
                },
            ).scalar_one()
        return StoredToken(int(token_id), profile, scope, now, None, expires_at)

    def token_by_digest(self, digest: str) -> StoredToken | None:
        with guarded(self.engine, transaction=False) as conn:
            row = conn.execute(_joined().where(api_tokens.c.digest == digest)).first()
        return _token(row) if row is not None else None

    def tokens(self, profile: str | None = None) -> list[StoredToken]:
        query = _joined().order_by(api_tokens.c.id)
        if profile is not None:
            query = query.where(profiles.c.name == profile)
        with guarded(self.engine, transaction=False) as conn:
            return [_token(row) for row in conn.execute(query)]

    def revoke_token(self, token_id: int, now: float) -> StoredToken | None:
        with guarded(self.engine) as conn:
            conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            row = conn.execute(_joined().where(api_tokens.c.id == token_id)).first()
        return _token(row) if row is not None else None


def _joined() -> Any:
    return select(*_COLUMNS).join(profiles, profiles.c.id == api_tokens.c.profile_id)


def _token(row: Row[Any]) -> StoredToken:
    revoked_at = row.revoked_at
    return StoredToken(
        int(row.id),
        str(row.name),
        cast(TokenScope, row.scope),
        float(row.created_at),
        float(revoked_at) if revoked_at is not None else None,
        float(row.expires_at) if row.expires_at is not None else None,
    )
