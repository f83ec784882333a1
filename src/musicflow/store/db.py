"""Connections that speak our errors: every database failure surfaces as `StoreError`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from musicflow.errors import StoreError

IN_CHUNK = 5_000  # values per IN (...) list, well under SQLite's 32,766 and PostgreSQL's 65,535
T = TypeVar("T")


@contextmanager
def guarded(engine: Engine, *, transaction: bool = True) -> Iterator[Connection]:
    """A connection whose database errors surface as `StoreError` with the database's own words."""
    try:
        with engine.begin() if transaction else engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"the store failed: {_reason(exc)}") from exc


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).splitlines()[0]


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
