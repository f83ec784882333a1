"""Version references as a front end reads them ("3", "v3", "champion"), checked before the store is asked:
one that names no version raises the application's `ModelError`, with the words every front end shows.

A number past any the store can hold (`MAX_NUMBER`, its INTEGER columns: 32 bits on PostgreSQL) names no
version either: said as such here, where it is read, rather than met as an overflow inside the store. The
store's modules load only once a reference is read: the CLI imports `MAX_NUMBER` as it starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from musicflow.errors import ModelError

if TYPE_CHECKING:
    from musicflow.model.refs import VersionRef

__all__ = ["MAX_NUMBER", "parse_number", "parse_ref"]

MAX_NUMBER = 2**31 - 1  # the largest version (or token) number the store holds, on either backend


def parse_ref(ref: VersionRef) -> int | None:
    """A version number from 7, "7" or "v7"; None for "champion"."""
    from musicflow.model.refs import parse_ref as parsed

    return _bounded(parsed(ref))


def parse_number(ref: VersionRef) -> int:
    """A version number from 7, "7" or "v7"; "champion" is refused (promoting needs a number)."""
    from musicflow.model.refs import parse_number as parsed

    number = parsed(ref)
    _bounded(number)
    return number


def _bounded(number: int | None) -> int | None:
    if number is not None and number > MAX_NUMBER:
        raise ModelError(f"model versions are numbered up to {MAX_NUMBER:,}: there is no version {number}")
    return number
