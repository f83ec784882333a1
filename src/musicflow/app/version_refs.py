"""Version references as a front end reads them ("3", "v3", "champion"), checked before the store is asked:
one that names no version raises the application's `ModelError`, with the words every front end shows.

A number past any the store can hold (`MAX_NUMBER`, its INTEGER columns: 32 bits on PostgreSQL) names no
version either: said as such here, where it is read, rather than met as an overflow inside the store. A
negative number ("-1", as a list is indexed from its end) has no meaning among versions: the error says
that none is counted back from the newest, and what names a version. The store's modules load only once a
reference is read: the CLI imports `MAX_NUMBER` as it starts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from musicflow.errors import ModelError

if TYPE_CHECKING:
    from musicflow.model.refs import VersionRef

__all__ = ["MAX_NUMBER", "NEGATIVE", "parse_number", "parse_ref"]

MAX_NUMBER = 2**31 - 1  # the largest version (or token) number the store holds, on either backend
NEGATIVE = re.compile(r"-\d+")  # "-1": what a command line reads as an option, and no version


def parse_ref(ref: VersionRef) -> int | None:
    """A version number from 7, "7" or "v7"; None for "champion"."""
    from musicflow.model.refs import parse_ref as parsed

    _not_negative(ref, "or 'champion', the one that serves")
    return _bounded(parsed(ref))


def parse_number(ref: VersionRef) -> int:
    """A version number from 7, "7" or "v7"; "champion" is refused (promoting needs a number)."""
    from musicflow.model.refs import parse_number as parsed

    _not_negative(ref)
    number = parsed(ref)
    _bounded(number)
    return number


def _not_negative(ref: VersionRef, champion: str = "") -> None:
    """A negative number is refused in words that say what names a version (it said "'-1' is not a model
    version"), whatever it was meant for: the newest version, or the one before the champion."""
    text = str(ref).strip()
    if NEGATIVE.fullmatch(text):
        also = f" {champion}" if champion else ""
        raise ModelError(
            f"model versions are numbered from 1, not {text}: give a version's own number (e.g. 3){also};"
            " no number counts back from the newest"
        )


def _bounded(number: int | None) -> int | None:
    if number is not None and number > MAX_NUMBER:
        raise ModelError(f"model versions are numbered up to {MAX_NUMBER:,}: there is no version {number}")
    return number
